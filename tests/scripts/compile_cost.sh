#!/usr/bin/env bash
# Compile cost of generated code (issue 15): a consumer crate whose `main` routes one request
# with `include_limits!` code, rebuilt in release after a one-row edit of its document.
#
#   bash tests/scripts/compile_cost.sh [runs] [sizes...]
#
# Sizes are counts of parameterised routes (`/{org_name}/{app_name}/…`, a third with one
# more parameter); `seeds` is the repository's own specs/ (112 published routes). Prints one
# line per size: every run's seconds and the median. The consumer crates and their target
# dir live in target/compile-cost/ (the first build of each compiles the dependencies).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(seeds 150 300 600)
work="$root/target/compile-cost"
mkdir -p "$work"
export CARGO_TARGET_DIR="$work/target"

crate() {
    local size=$1 dir="$work/consumer-$1"
    mkdir -p "$dir/src" "$dir/specs"
    cat >"$dir/Cargo.toml" <<TOML
[package]
name = "consumer-$size"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
ratespec = { path = "$root/runtime" }

[workspace]
TOML
    cp "$root/Cargo.lock" "$dir/Cargo.lock"
    if [ "$size" = seeds ]; then
        cp "$root"/specs/* "$dir/specs/"
        request='rongcloud::Endpoint::route("POST", "/user/getToken.json").endpoint().is_some()'
    else
        bash "$root/tests/scripts/routes.sh" "$size" >"$dir/specs/routes.md"
        cat >"$dir/specs/limits.toml" <<TOML
[[document]]
file = "routes.md"
module = "routes"
TOML
        request='routes::Endpoint::route("GET", "/acme/chat/area1/items/list").endpoint().is_some()'
    fi
    cat >"$dir/src/main.rs" <<RS
ratespec::include_limits!("specs/");

fn main() {
    let arguments = std::env::args().count();
    println!("{}", $request || arguments > 99);
}
RS
    echo "$dir"
}

# The document edited in place: one row's limit toggles between two values.
edit() {
    local dir=$1 file
    if [ -f "$dir/specs/routes.md" ]; then file="$dir/specs/routes.md"; else file="$dir/specs/rongcloud-server.md"; fi
    if grep -q '200 次/每秒，可调频' "$file"; then
        sed -i '0,/200 次\/每秒，可调频/s//201 次\/每秒，可调频/' "$file"
    elif grep -q '201 次/每秒，可调频' "$file"; then
        sed -i '0,/201 次\/每秒，可调频/s//200 次\/每秒，可调频/' "$file"
    elif grep -q '| 10 次/秒/App Key |' "$file"; then
        sed -i '0,/| 10 次\/秒\/App Key |/s//| 11 次\/秒\/App Key |/' "$file"
    else
        sed -i '0,/| 11 次\/秒\/App Key |/s//| 10 次\/秒\/App Key |/' "$file"
    fi
}

for size in "${sizes[@]}"; do
    dir=$(crate "$size")
    (cd "$dir" && cargo build --release --quiet)
    times=()
    for ((run = 0; run < runs; run++)); do
        edit "$dir"
        start=$(date +%s.%N)
        (cd "$dir" && cargo build --release --quiet)
        end=$(date +%s.%N)
        times+=("$(echo "$end - $start" | bc)")
    done
    "$dir/../target/release/consumer-$size" >/dev/null
    median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
    printf '%-6s runs: %s  median: %.2f s\n' "$size" "${times[*]}" "$median"
done
