#!/usr/bin/env bash
# Benchmark of `certbundle bundle`: median wall time (hyperfine) and peak resident memory
# (/usr/bin/time -v) of building an ESP-IDF V2 bundle
#
#   certdata  certbundle bundle -o out.bin                      the bundled Mozilla snapshot
#   cacert    certbundle bundle --mozilla cacert.pem -o out.bin  tests/data/mozilla/cacert.pem
#   reference $REFERENCE_CMD                                    only when REFERENCE_CMD is set
#
# and prints a table with the targets (certdata.txt -> bundle in under 10 ms and 20 MB). It is a
# measurement, not a test: it exits 0 whether or not the targets are met, and non-zero only when
# it cannot measure (a tool missing, a command that fails). See tests/bench/README.md.
#
# Usage: tests/bench/bundle.sh            (from anywhere; it finds the repository itself)
#
# Environment:
#   CERTBUNDLE     the certbundle binary to measure. Default: build/release/tool/certbundle,
#                  built with the `release` preset first if it is not there.
#   REFERENCE_CMD  a shell command line to compare with, run in the scratch directory, e.g.
#                  ESP-IDF's generator on the same input:
#                    REFERENCE_CMD="python3 $IDF_PATH/components/mbedtls/esp_crt_bundle/gen_crt_bundle.py -i $PWD/tests/data/mozilla/cacert.pem"
#                  The ratio reference / certbundle (cacert) is printed.
#   RUNS, WARMUP   hyperfine runs and warm-up runs per scenario (default 30 and 3).
#   RSS_RUNS       runs under /usr/bin/time -v per scenario; the largest peak is kept (default 5).
#
# Needs: hyperfine (Debian package hyperfine) and GNU time (package time).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/tests/bench/lib.sh"
runs=${RUNS:-30}
warmup=${WARMUP:-3}
rss_runs=${RSS_RUNS:-5}

die() { echo "bundle.sh: error: $*" >&2; exit 1; }

command -v hyperfine >/dev/null || die "hyperfine not found (apt-get install hyperfine)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"

if [ -n "${CERTBUNDLE:-}" ]; then
  [ -x "$CERTBUNDLE" ] || die "CERTBUNDLE=\"$CERTBUNDLE\" is not an executable"
else
  CERTBUNDLE="$root/build/release/tool/certbundle"
  if [ ! -x "$CERTBUNDLE" ]; then
    echo "bundle.sh: building the release preset (no $CERTBUNDLE yet)" >&2
    (cd "$root" && cmake --preset release >/dev/null && cmake --build --preset release \
      --target certbundle_tool) || die "cannot build the release preset"
  fi
fi
certbundle=$(cd "$(dirname "$CERTBUNDLE")" && pwd)/$(basename "$CERTBUNDLE")
cacert="$root/tests/data/mozilla/cacert.pem"
[ -r "$cacert" ] || die "cannot read \"$cacert\""

work=$(mktemp -d "${TMPDIR:-/tmp}/certbundle-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

# quote ARG...: the arguments as one command line that hyperfine (with or without a shell) reads
# back as the same words.
quote() { local out="" a; for a in "$@"; do out+="${out:+ }'${a//\'/\'\\\'\'}'"; done; echo "$out"; }

names=()
declare -A cmdline shell median_ms cpu_ms peak_mb

add_scenario() {  # NAME SHELL(none|sh) COMMAND-LINE
  names+=("$1")
  shell[$1]=$2
  cmdline[$1]=$3
}
add_scenario certdata none "$(quote "$certbundle" bundle -o out.bin)"
add_scenario cacert none "$(quote "$certbundle" bundle --mozilla "$cacert" -o out.bin)"
if [ -n "${REFERENCE_CMD:-}" ]; then
  add_scenario reference sh "$REFERENCE_CMD"
fi

for name in "${names[@]}"; do
  # One run first, so that a failing command is reported as such and not as a timing.
  rm -f out.bin
  if ! sh -c "${cmdline[$name]}" >"$work/$name.out" 2>&1; then
    cat "$work/$name.out" >&2
    die "$name: the command failed: ${cmdline[$name]}"
  fi
  if [ "$name" != reference ] && [ ! -s out.bin ]; then
    die "$name: the command wrote no out.bin: ${cmdline[$name]}"
  fi

  # Median wall time. Without a shell for certbundle: its runs are a few ms, and hyperfine's
  # shell-spawn correction is noisier than that.
  shell_args=()
  [ "${shell[$name]}" = none ] && shell_args=(--shell=none)
  hyperfine "${shell_args[@]}" --warmup "$warmup" --runs "$runs" --style basic \
    --export-json "$work/$name.json" "${cmdline[$name]}" >"$work/$name.hyperfine" 2>&1 ||
    { cat "$work/$name.hyperfine" >&2; die "$name: hyperfine failed"; }
  median=$(sed -n 's/.*"median": *\([0-9.eE+-]*\).*/\1/p' "$work/$name.json" | head -n 1)
  [ -n "$median" ] || die "$name: no median in hyperfine's JSON"
  median_ms[$name]=$(awk -v s="$median" 'BEGIN { printf "%.2f", s * 1000 }')
  # CPU time (user + system, mean): less sensitive than wall time to other work on the machine.
  user=$(sed -n 's/.*"user": *\([0-9.eE+-]*\).*/\1/p' "$work/$name.json" | head -n 1)
  system=$(sed -n 's/.*"system": *\([0-9.eE+-]*\).*/\1/p' "$work/$name.json" | head -n 1)
  cpu_ms[$name]=$(awk -v u="${user:-0}" -v s="${system:-0}" 'BEGIN { printf "%.2f", (u + s) * 1000 }')

  # Peak resident set size: the largest of a few runs.
  peak_kb=0
  for ((i = 0; i < rss_runs; i++)); do
    /usr/bin/time -v -o "$work/$name.time" sh -c "${cmdline[$name]}" >/dev/null 2>&1 ||
      die "$name: the command failed under /usr/bin/time"
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): *\([0-9]*\).*/\1/p' "$work/$name.time")
    [ -n "$kb" ] || die "$name: no peak RSS in /usr/bin/time's output"
    [ "$kb" -gt "$peak_kb" ] && peak_kb=$kb
  done
  peak_mb[$name]=$(awk -v k="$peak_kb" 'BEGIN { printf "%.1f", k / 1024 }')
done

target_ms=10
target_mb=20
verdict() {  # MS MB
  awk -v ms="$1" -v mb="$2" -v tms="$target_ms" -v tmb="$target_mb" \
    'BEGIN { print (ms < tms && mb < tmb) ? "met" : "NOT met" }'
}

echo
echo "certbundle: $certbundle ($("$certbundle" --version 2>/dev/null || echo "version unknown"))"
echo "runs: $runs after $warmup warm-up (median wall time, mean CPU time), peak RSS: largest of" \
  "$rss_runs"
load=$(cut -d ' ' -f 1 /proc/loadavg 2>/dev/null || echo 0)
if awk -v l="$load" -v n="$(nproc 2>/dev/null || echo 1)" 'BEGIN { exit !(l > n / 2) }'; then
  echo "warning: load average $load on $(nproc) cores: wall times are inflated; compare CPU times"
fi
echo
row() { printf '%-10s %10s %8s %8s  %s\n' "$@"; }
row scenario "median ms" "cpu ms" "peak MB" "target"
row certdata "${median_ms[certdata]}" "${cpu_ms[certdata]}" "${peak_mb[certdata]}" \
  "< $target_ms ms, < $target_mb MB: $(verdict "${median_ms[certdata]}" "${peak_mb[certdata]}")"
row cacert "${median_ms[cacert]}" "${cpu_ms[cacert]}" "${peak_mb[cacert]}" "-"
bench_row "bundle: certdata.txt -> V2 bundle" "${median_ms[certdata]}" "-" "-" "${peak_mb[certdata]}"
bench_row "bundle: cacert.pem -> V2 bundle" "${median_ms[cacert]}" "${REFERENCE_NAME:-reference}" \
  "${median_ms[reference]:--}" "${peak_mb[cacert]}"
if [ -n "${REFERENCE_CMD:-}" ]; then
  row reference "${median_ms[reference]}" "${cpu_ms[reference]}" "${peak_mb[reference]}" "-"
  echo
  awk -v r="${median_ms[reference]}" -v c="${median_ms[cacert]}" \
    -v rm="${peak_mb[reference]}" -v cm="${peak_mb[cacert]}" 'BEGIN {
      printf "reference / certbundle (cacert): time %.1fx, peak memory %.1fx\n", r / c, rm / cm }'
  echo "reference: $REFERENCE_CMD"
fi
