#!/usr/bin/env bash
# Benchmark of the CMake module: what certbundle_add adds to a no-op build (nothing changed),
# where the only work left is the check that runs before every build (`certbundle check`).
#
#   baseline  `cmake --build` of a project that embeds a bundle and a PEM buffer with
#             certbundle_add_bundle / certbundle_add_pem (no manifest, no check)
#   module    the same project with certbundle_add(MANIFEST ...) instead: the outputs of
#             examples/plain-cmake/certbundle.toml, plus the check at every build
#
# and prints the median of each, the difference (the overhead of the module on a no-op build)
# and whether it is under the target of 50 ms. It is a measurement, not a test: it exits 0
# whether or not the target is met, and non-zero only when it cannot measure. It also checks that
# a no-op build of the module project regenerates nothing. See tests/bench/README.md.
#
# Usage: tests/bench/cmake_noop.sh        (from anywhere)
#
# Environment:
#   CERTBUNDLE     the certbundle binary (CERTBUNDLE_EXECUTABLE). Default:
#                  build/release/tool/certbundle, built with the `release` preset when missing.
#   RUNS, WARMUP   hyperfine runs and warm-up runs per scenario (default 30 and 3).
#
# Needs: hyperfine (Debian package hyperfine), ninja, a C compiler.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/tests/bench/lib.sh"
runs=${RUNS:-30}
warmup=${WARMUP:-3}
target_ms=50

die() { echo "cmake_noop.sh: error: $*" >&2; exit 1; }

command -v hyperfine >/dev/null || die "hyperfine not found (apt-get install hyperfine)"
command -v ninja >/dev/null || die "ninja not found (apt-get install ninja-build)"

if [ -n "${CERTBUNDLE:-}" ]; then
  [ -x "$CERTBUNDLE" ] || die "CERTBUNDLE=\"$CERTBUNDLE\" is not an executable"
else
  CERTBUNDLE="$root/build/release/tool/certbundle"
  if [ ! -x "$CERTBUNDLE" ]; then
    echo "cmake_noop.sh: building the release preset (no $CERTBUNDLE yet)" >&2
    (cd "$root" && cmake --preset release >/dev/null && cmake --build --preset release \
      --target certbundle_tool) || die "cannot build the release preset"
  fi
fi
certbundle=$(cd "$(dirname "$CERTBUNDLE")" && pwd)/$(basename "$CERTBUNDLE")

work=$(mktemp -d "${TMPDIR:-/tmp}/certbundle-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# project DIR MODE: a consumer in DIR; MODE "baseline" or "module".
project() {
  local dir=$1 mode=$2
  mkdir -p "$dir"
  cp "$root/examples/plain-cmake/certbundle.toml" "$dir/"
  cat > "$dir/main.c" <<'C'
int main(void) { return 0; }
C
  {
    echo 'cmake_minimum_required(VERSION 3.25)'
    echo 'project(bench LANGUAGES C)'
    echo "include(\"$root/cmake/certbundle.cmake\")"
    echo 'add_executable(app main.c)'
    if [ "$mode" = module ]; then
      echo 'certbundle_add(TARGET app MANIFEST certbundle.toml)'
    else
      echo 'certbundle_add_bundle(TARGET app NAME x509_crt_bundle ROOTS none INCLUDE "ISRG Root X1" "ISRG Root X2" "DigiCert Global Root G2")'
      echo 'certbundle_add_pem(TARGET app NAME server_root_cert.pem CERTS "ISRG Root X1" "ISRG Root X2")'
    fi
  } > "$dir/CMakeLists.txt"
  cmake -S "$dir" -B "$dir/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    "-DCERTBUNDLE_EXECUTABLE=$certbundle" >/dev/null || die "cannot configure the $mode project"
  cmake --build "$dir/build" >/dev/null || die "cannot build the $mode project"
}

project "$work/baseline" baseline
project "$work/module" module

# A no-op build of the module project runs the check and nothing else.
noop=$(cmake --build "$work/module/build")
if grep -Eq 'certbundle: (building|embedding)|Linking' <<<"$noop"; then
  die "a no-op build regenerated something:"$'\n'"$noop"
fi
grep -q 'certbundle: checking' <<<"$noop" || die "a no-op build did not run the check"

hyperfine --runs "$runs" --warmup "$warmup" --shell=none --style basic \
  --export-json "$work/results.json" \
  -n baseline "cmake --build $work/baseline/build" \
  -n module "cmake --build $work/module/build" >&2

python3 - "$work/results.json" "$target_ms" "$work/medians" <<'PY'
import json, statistics, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
target = float(sys.argv[2])
base = statistics.median(results["baseline"]["times"]) * 1000
module = statistics.median(results["module"]["times"]) * 1000
over = module - base
print("| scenario | median ms |")
print("| -------- | --------: |")
print(f"| baseline (no check) | {base:.1f} |")
print(f"| module (certbundle_add, check) | {module:.1f} |")
print(f"| overhead of the module | {over:.1f} |")
print(f"target: under {target:.0f} ms added to a no-op build: {'met' if over < target else 'NOT met'}")
if len(sys.argv) > 3:
    with open(sys.argv[3], "w") as f:
        f.write(f"{module:.1f}\t{base:.1f}\n")
PY
if [ -n "${BENCH_TSV:-}" ]; then
  read -r module_ms base_ms <"$work/medians"
  # The check's peak memory (it may exit 1 on findings; only the measurement matters here).
  /usr/bin/time -f %M -o "$work/peak" "$certbundle" check "$work/module/certbundle.toml" >/dev/null 2>&1 || true
  peak_kb=$(tail -n1 "$work/peak")
  bench_row "cmake: no-op build with certbundle_add" "$module_ms" "the same build without the check" "$base_ms" \
    "$(awk -v k="$peak_kb" 'BEGIN { printf "%.1f", k / 1024 }')"
fi
