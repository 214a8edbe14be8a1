#!/usr/bin/env bash
# "From zero" (runtime/README.md): a new crate outside the workspace, with its own specs/,
# built and run against the PACKAGED crates, that is what crates.io will serve, not the
# workspace's paths. Offline: the dependencies come from the cargo cache the workspace's
# build filled, and the shared target dir keeps the build short.
#
#   bash tests/scripts/from_zero.sh
#
# The steps are the walk-through's: the crate's three files are tests/from_zero/ (checked
# here to be the ones the README shows), the vendor's page is copied in as a user saves it,
# and the one addition, until the crates are published, is the [patch.crates-io] section
# that puts the packaged crates where the registry's would be.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
template="$root/tests/from_zero"
readme="$root/runtime/README.md"
published=(ratespec-core ratespec-parser ratespec-macros ratespec)

# The README's blocks marked `<!-- from_zero: FILE -->` are tests/from_zero/FILE, verbatim.
for file in Cargo.toml specs/limits.toml src/main.rs; do
    shown="$(awk -v marker="<!-- from_zero: $file -->" '
        $0 == marker { armed = 1; next }
        armed && /^```/ { if (inside) exit; inside = 1; next }
        inside { print }
    ' "$readme")"
    if [ "$shown" != "$(cat "$template/$file")" ]; then
        echo "from_zero: runtime/README.md does not show tests/from_zero/$file as it is:" >&2
        diff <(printf '%s\n' "$shown") "$template/$file" >&2 || true
        exit 1
    fi
done

# A path that climbs out of the runtime's folder is not in its .crate: the runtime's own
# examples, tests and doc examples read `specs/` (a symlink to the workspace's) or a symlinked
# fixture under `tests/fixture/`.
if grep -rn --include='*.rs' 'include_limits!("\.\./' "$root/runtime"; then
    echo "from_zero: the include_limits! calls above read outside the runtime's package" >&2
    exit 1
fi

# 1. Package the published crates and unpack each .crate into target/package/<name>-<version>/.
#    Step 4 builds all four from there, which is the check that each builds from its package.
#    Not cargo's own verification: it builds a crate's packaged dependencies as registry crates,
#    which cargo knows by name and version only, so a target dir or a CARGO_HOME that kept the
#    build of an earlier package of the same version would verify against that stale code. The
#    unpacked files get the time of unpacking (tar -m), so cargo sees that they changed.
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
(cd "$root" && cargo package --offline --allow-dirty --no-verify --quiet "${published[@]/#/-p=}")
packages="$CARGO_TARGET_DIR/package"
for name in "${published[@]}"; do
    ls -l "$packages/$name-$version.crate"
    rm -rf "${packages:?}/$name-$version"
    tar -xzmf "$packages/$name-$version.crate" -C "$packages"
done

# 2. The new crate, outside the workspace: its Cargo.toml, specs/limits.toml and src/main.rs,
#    and the vendor's page saved into specs/.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -R "$template" "$work/my-client"
cp "$root/specs/easemob-push.md" "$work/my-client/specs/"
cd "$work/my-client"

# 3. Until the crates are on crates.io, the packaged crates stand in for the registry's.
{
    echo
    echo "[patch.crates-io]"
    for name in "${published[@]}"; do
        echo "$name = { path = \"$packages/$name-$version\" }"
    done
} >> Cargo.toml

# 4. Build and run it.
output="$(cargo run --offline --quiet)"
printf '%s\n' "$output"

# Every ratespec crate in the build is a packaged one.
tree="$(cargo tree --offline --prefix none --edges normal,build)"
if printf '%s\n' "$tree" | grep '^ratespec' | grep -v "($packages/"; then
    echo "from_zero: the crates above were not built from the packages" >&2
    exit 1
fi
[ "$(printf '%s\n' "$tree" | grep -c "^ratespec.*($packages/")" -ge 4 ] || {
    echo "from_zero: expected the four packaged crates in the build:" >&2
    printf '%s\n' "$tree" >&2
    exit 1
}

# What it printed: the documented limit, read from the document, and 25 pushes at 10 per
# second, which take three windows: one of them at least was full and made the loop wait.
expected="PostPushSingle: 10 次/秒/App Key (specs/easemob-push.md:25)"
if [ "$(printf '%s\n' "$output" | head -n 1)" != "$expected" ]; then
    echo "from_zero: expected the first line to be: $expected" >&2
    exit 1
fi
waits="$(printf '%s\n' "$output" | sed -n 's/^sent 25 pushes, waiting \([0-9]*\) times for the next second$/\1/p')"
if [ -z "$waits" ] || [ "$waits" -lt 1 ]; then
    echo "from_zero: expected 25 pushes sent after at least one wait for the next second" >&2
    exit 1
fi
echo "from_zero: ok (the packaged crates, offline, in a crate outside the workspace)"
