#!/usr/bin/env bash
# Overhead of ratespec's tower ServerLayer at saturation, measured with wrk against the same
# server (the emulator example) with the layer and without it, alternating, in one run.
#
#   bash runtime/benches/tower_wrk.sh [runs] [seconds] [connections]
#
# With the layer, every limit is raised to its maximum (`--raise-limits`), so every request
# takes the layer's whole path (route, weigh, admit) and none is refused; without it
# (`--no-layer`), the same axum routes answer directly. The layer runs in its default
# HeaderMode::Refusals, so admitted responses carry no RateLimit-* headers. A third server
# adds them to every response (`--ratelimit-headers-always`, HeaderMode::All), to show what
# they cost, and a fourth has no layer but answers with the same five headers as constants
# (`--no-layer --constant-headers`): the floor of sending them at all (the bytes on the wire,
# and a header map grown past six entries), whatever computes them.
#
# Fairness: each server runs one Tokio worker thread pinned to CPU $SERVER_CPU (default 0) and
# wrk runs pinned to CPU $WRK_CPU (default 1), so the server is the bottleneck (saturated on
# its core) and the two never share a core; only one server is loaded at a time. The order
# rotates every round, and each round's overhead is computed from that round's own
# measurements (paired), so slow drift in the machine's load cancels; the medians of the
# rounds are reported. Set PIN=0 to run unpinned with Tokio's default worker threads.
# BIN=path measures another build of the emulator (e.g. an older commit's) with the same
# script. Needs wrk (apt-get install wrk) and taskset (util-linux).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
secs=${2:-10}
conns=${3:-32}
pin=${PIN:-1}
server_cpu=${SERVER_CPU:-0}
wrk_cpu=${WRK_CPU:-1}

if [ -z "${BIN:-}" ]; then
    cargo build --release --all-features -p ratespec --example emulator
fi
bin=${BIN:-target/release/examples/emulator}
if [ "$pin" = 1 ]; then
    serve() { TOKIO_WORKER_THREADS=1 taskset -c "$server_cpu" "$bin" "$@" >/dev/null & }
    load() { taskset -c "$wrk_cpu" wrk "$@"; }
else
    serve() { "$bin" "$@" >/dev/null & }
    load() { wrk "$@"; }
fi
serve --port 18081 --raise-limits
with=$!
serve --port 18082 --no-layer
without=$!
serve --port 18083 --raise-limits --ratelimit-headers-always
bare=$!
serve --port 18084 --no-layer --constant-headers
constant=$!
lua=$(mktemp)
trap 'kill $with $without $bare $constant; rm -f "$lua"' EXIT
cat >"$lua" <<'LUA'
wrk.method = "POST"
wrk.body = "userId=u1&name=n&portraitUri=p"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
sleep 1

# One wrk run against a port: prints "req/s server-CPU-µs-per-request". The server's CPU time
# (every thread, from /proc/PID/task/*/schedstat, in ns) is a second measure of the cost per
# request, less sensitive than req/s to other processes taking the CPU now and then.
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ s += $1 } END { print s }'; }
rps() { # port pid [seconds]
    local out c0 c1
    c0=$(cpu_ns "$2")
    out=$(load -t1 -c"$conns" -d"${3:-$secs}s" -s "$lua" "http://127.0.0.1:$1/user/getToken.json")
    c1=$(cpu_ns "$2")
    if grep -q "Non-2xx" <<<"$out"; then
        echo "port $1 answered errors:" >&2
        echo "$out" >&2
        exit 1
    fi
    awk -v c0="$c0" -v c1="$c1" '
        /requests in/ { n = $1 }
        /Requests\/sec/ { r = $2 }
        END { printf "%s %.2f\n", r, (c1 - c0) / n / 1000 }' <<<"$out"
}
# What each server answers, so the comparison is known to be the intended one.
if command -v curl >/dev/null; then
    for port in 18082 18081 18083 18084; do
        echo "--- port $port"
        curl -si -X POST -d 'userId=u1&name=n&portraitUri=p' "http://127.0.0.1:$port/user/getToken.json" |
            tr -d '\r'
        echo
    done
fi
names=("without layer" "layer (default: headers on refusals only)" "layer, headers on every response" "no layer, the same headers as constants")
ports=(18082 18081 18083 18084)
pids=("$without" "$with" "$bare" "$constant")
# Warm up each server (connections, allocator, caches).
for i in 0 1 2 3; do rps "${ports[$i]}" "${pids[$i]}" 1 >/dev/null; done
echo "pinned: $pin (server CPU $server_cpu, wrk CPU $wrk_cpu); $runs rounds of ${secs}s per server, $conns connections; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

overhead() { echo "$1 $2" | awk '{ printf "%.1f", (1 - $2 / $1) * 100 }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -a r0 r1 r2 r3 c0 c1 c2 c3 o1 o2 o3
for run in $(seq "$runs"); do
    # Rotate which goes first, so drift on the machine does not favour one side.
    declare -a got=()
    for k in 0 1 2 3; do
        i=$(((k + run) % 4))
        got[i]=$(rps "${ports[$i]}" "${pids[$i]}")
    done
    line="run $run:"
    for i in 0 1 2 3; do
        read -r r c <<<"${got[$i]}"
        eval "r$i+=(\"$r\"); c$i+=(\"$c\")"
        if [ "$i" = 0 ]; then
            base=$r
            line+=" ${names[$i]} $r req/s;"
        else
            o=$(overhead "$base" "$r")
            eval "o$i+=(\"$o\")"
            line+=" ${names[$i]} $r (${o}%);"
        fi
    done
    echo "$line load $(cut -d' ' -f1 /proc/loadavg)"
done
echo "medians over $runs rounds (req/s, server CPU µs per request, overhead = median of the rounds' paired throughput loss against the server without the layer):"
for i in 0 1 2 3; do
    eval "rs=(\"\${r$i[@]}\"); cs=(\"\${c$i[@]}\")"
    if [ "$i" = 0 ]; then
        echo "  ${names[$i]}: $(median "${rs[@]}") req/s, $(median "${cs[@]}") µs/req"
    else
        eval "os=(\"\${o$i[@]}\")"
        echo "  ${names[$i]}: $(median "${rs[@]}") req/s, $(median "${cs[@]}") µs/req, overhead $(median "${os[@]}")%"
    fi
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
