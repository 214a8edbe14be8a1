#!/usr/bin/env bash
# Overhead of ratespec's tower ServerLayer at saturation, measured with wrk against the same
# server (the emulator example) with the layer and without it, alternating, in one run.
#
#   bash runtime/benches/tower_wrk.sh [runs] [seconds] [connections]
#
# With the layer, every limit is raised to its maximum (`--raise-limits`), so every request
# takes the layer's whole path (route, weigh, admit, RateLimit-* headers) and none is refused;
# without it (`--no-layer`), the same axum routes answer directly. A third server runs the
# layer without the RateLimit-* headers (`--no-ratelimit-headers`), to show what they cost.
# Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
secs=${2:-10}
conns=${3:-32}

cargo build --release --all-features -p ratespec --example emulator
bin=target/release/examples/emulator
"$bin" --port 18081 --raise-limits >/dev/null &
with=$!
"$bin" --port 18082 --no-layer >/dev/null &
without=$!
"$bin" --port 18083 --raise-limits --no-ratelimit-headers >/dev/null &
bare=$!
lua=$(mktemp)
trap 'kill $with $without $bare; rm -f "$lua"' EXIT
cat >"$lua" <<'EOF'
wrk.method = "POST"
wrk.body = "userId=u1&name=n&portraitUri=p"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
EOF
sleep 1

rps() { # port
    wrk -t1 -c"$conns" -d"${secs}s" -s "$lua" "http://127.0.0.1:$1/user/getToken.json" |
        awk '/Requests\/sec/ { print $2 }'
}

overhead() { echo "$1 $2" | awk '{ printf "%.1f%%", (1 - $2 / $1) * 100 }'; }
declare -a base layer nohdr
for run in $(seq "$runs"); do
    # Rotate which goes first, so drift on the machine does not favour one side.
    case $((run % 3)) in
    1) b=$(rps 18082); l=$(rps 18081); n=$(rps 18083) ;;
    2) l=$(rps 18081); n=$(rps 18083); b=$(rps 18082) ;;
    0) n=$(rps 18083); b=$(rps 18082); l=$(rps 18081) ;;
    esac
    base+=("$b"); layer+=("$l"); nohdr+=("$n")
    echo "run $run: without layer $b req/s; layer $l ($(overhead "$b" "$l")); layer without headers $n ($(overhead "$b" "$n"))"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
mb=$(median "${base[@]}"); ml=$(median "${layer[@]}"); mn=$(median "${nohdr[@]}")
echo "median: without layer $mb req/s; layer $ml ($(overhead "$mb" "$ml")); layer without headers $mn ($(overhead "$mb" "$mn"))"
