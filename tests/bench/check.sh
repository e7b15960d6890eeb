#!/usr/bin/env bash
# Benchmark of the offline `certbundle check` that runs before every firmware build, against what
# teams do today: `openssl x509 -checkend` over the same certificates, one process each.
#
#   project: a manifest whose bundle holds every Mozilla root (roots = "all") and three PEM
#            buffers (ISRG, Amazon and DigiCert roots); no endpoints, so no lock is needed.
#   check:     certbundle check certbundle.toml
#   reference: for each certificate the outputs embed: openssl x509 -checkend 2592000 -noout -in F
#
# Prints the median wall times (hyperfine), the ratio reference / certbundle, and certbundle's
# peak memory (/usr/bin/time -v). Target: under 15 ms for the check. A measurement, not a test.
# Usage: tests/bench/check.sh   (CERTBUNDLE=binary, default build/release/tool/certbundle;
#                                RUNS, WARMUP as for hyperfine)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/tests/bench/lib.sh"
cb=${CERTBUNDLE:-$root/build/release/tool/certbundle}
[ -x "$cb" ] || { cmake --preset release -S "$root" >/dev/null && cmake --build --preset release >/dev/null; }
command -v hyperfine >/dev/null || { echo "check.sh: hyperfine not found (apt-get install hyperfine)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

cat > certbundle.toml <<'TOML'
[bundle]
roots = "all"
[[pem]]
name = "isrg.pem"
labels = ["ISRG Root X1", "ISRG Root X2"]
[[pem]]
name = "amazon.pem"
labels = ["Amazon Root CA *"]
[[pem]]
name = "digicert.pem"
labels = ["DigiCert Global Root G2", "DigiCert Global Root G3"]
TOML
# The same certificates as files, for the openssl loop: what the outputs embed.
"$cb" build --out out -q
"$cb" roots --pem -o all.pem
mkdir certs
awk '/BEGIN CERT/{n++; f=sprintf("certs/%03d.pem", n)} f{print > f} /END CERT/{f=""}' all.pem out/*.pem
count=$(ls certs | wc -l)

json=$work/h.json
# -i: the check exits 1 when it finds errors (in Nov 2026, an Entrust root expiring), which is
# its normal result here.
hyperfine -i --warmup "${WARMUP:-3}" --runs "${RUNS:-30}" -N --export-json "$json" \
  "$cb check certbundle.toml" >/dev/null
ours=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['median']*1000)" "$json")
hyperfine --warmup 1 --runs "${REF_RUNS:-5}" --export-json "$json" \
  "for f in certs/*.pem; do openssl x509 -checkend 2592000 -noout -in \$f >/dev/null; done" >/dev/null
ref=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['median']*1000)" "$json")
# The check exits 1 here (see above): its status is not this pipeline's.
peak=$( { /usr/bin/time -v "$cb" check certbundle.toml || true; } 2>&1 >/dev/null |
  sed -n 's/.*Maximum resident set size (kbytes): //p')
printf '%-34s %10s %12s %8s\n' scenario "median ms" "reference ms" ratio
printf '%-34s %10.1f %12.1f %7.0fx\n' "check ($count certificates)" "$ours" "$ref" "$(python3 -c "print($ref/$ours)")"
bench_row "check: $count certificates, 30-day horizon" "$(printf %.2f "$ours")" \
  "openssl x509 -checkend loop" "$(printf %.1f "$ref")" "$(python3 -c "print(f'{$peak/1024:.1f}')")"
printf 'certbundle peak memory: %.1f MB; target: under 15 ms: %s\n' "$(python3 -c "print($peak/1024)")" \
  "$(python3 -c "print('met' if $ours < 15 else 'NOT met')")"
