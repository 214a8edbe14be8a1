#!/usr/bin/env bash
# Overhead of ratespec's tower ServerLayer at saturation, measured with wrk against the same
# server (the emulator example) with the layer and without it, alternating, in one run.
#
#   bash runtime/benches/tower_wrk.sh [runs] [seconds] [connections]
#
# With the layer, every limit is raised to its maximum (`--raise-limits`), so every request
# takes the layer's whole path (route, weigh, admit, RateLimit-* headers) and none is refused;
# without it (`--no-layer`), the same axum routes answer directly. Needs wrk (apt-get install wrk).
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
lua=$(mktemp)
trap 'kill $with $without; rm -f "$lua"' EXIT
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

declare -a base layer
for run in $(seq "$runs"); do
    # Alternate which goes first, so drift on the machine does not favour one side.
    if ((run % 2)); then
        b=$(rps 18082); l=$(rps 18081)
    else
        l=$(rps 18081); b=$(rps 18082)
    fi
    base+=("$b"); layer+=("$l")
    echo "run $run: without layer $b req/s, with layer $l req/s, overhead $(echo "$b $l" | awk '{ printf "%.1f%%", (1 - $2 / $1) * 100 }')"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
mb=$(median "${base[@]}"); ml=$(median "${layer[@]}")
echo "median: without layer $mb req/s, with layer $ml req/s, overhead $(echo "$mb $ml" | awk '{ printf "%.1f%%", (1 - $2 / $1) * 100 }')"
