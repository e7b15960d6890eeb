#!/usr/bin/env bash
# Benchmark of `certbundle fetch` against a shell loop of `openssl s_client -showcerts`: 50 local
# TLS endpoints (tests/servers/testserver.py, mode delay), each waiting 100 ms before its
# handshake, fetched by `certbundle fetch --jobs 16` and by the loop. Reports both wall times,
# their ratio (target: at least 10x) and peak memory (maximum resident set size, as GNU time
# reports it; for the loop, the largest of its processes). Not a CTest test; prints numbers.
#
#   tests/bench/fetch.sh                       # build/release/tool/certbundle, or $CERTBUNDLE
#   ENDPOINTS=50 DELAY_MS=100 JOBS=16 tests/bench/fetch.sh
#
# Needs openssl, python3 and GNU time (Debian package `time`). Binds 127.0.0.1 only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/bench/lib.sh"
CERTBUNDLE=${CERTBUNDLE:-$root/build/release/tool/certbundle}
ENDPOINTS=${ENDPOINTS:-50}
DELAY_MS=${DELAY_MS:-100}
JOBS=${JOBS:-16}
[ -x "$CERTBUNDLE" ] || { echo "no certbundle at $CERTBUNDLE (set CERTBUNDLE)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

bash "$root/tests/pki/make_pki.sh" "$work/pki" "http://127.0.0.1:1" >/dev/null
cat "$work/pki/leaf.pem" "$work/pki/int-a.pem" >"$work/served.pem"
python3 "$root/tests/servers/testserver.py" delay --count "$ENDPOINTS" --delay-ms "$DELAY_MS" \
  --cert "$work/served.pem" --key "$work/pki/leaf.key" --port-file "$work/ports" --deadline 600 \
  </dev/null >/dev/null 2>&1 &
server=$!
for _ in $(seq 100); do [ -s "$work/ports" ] && break; sleep 0.1; done
[ -s "$work/ports" ] || { echo "the delay server did not start" >&2; exit 1; }
sed 's/^/127.0.0.1:/' "$work/ports" >"$work/targets"

# measure NAME CMD...: wall seconds and peak RSS (KiB) from GNU time.
measure() {
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >/dev/null 2>"$work/$name.err" || true
  read -r "${name}_s" "${name}_kb" <"$work/$name.time"
}

measure certbundle "$CERTBUNDLE" fetch --from "$work/targets" --jobs "$JOBS" \
  --ca "$work/pki/root-a.pem" --pem -o "$work/certbundle.pem"
fetched=$(grep -c 'BEGIN CERTIFICATE' "$work/certbundle.pem" || true)
measure loop bash -c 'while read -r t; do
    openssl s_client -connect "$t" -showcerts </dev/null 2>/dev/null | sed -n "/BEGIN/,/END/p"
  done <"$1"' loop "$work/targets"

echo "endpoints: $ENDPOINTS, each delayed $DELAY_MS ms; certbundle --jobs $JOBS"
echo "certificates fetched by certbundle: $fetched (expected $((ENDPOINTS * 2)))"
printf '%-28s %8s s %8s MiB\n' "certbundle fetch" "$certbundle_s" "$(awk "BEGIN{printf \"%.1f\", $certbundle_kb/1024}")"
printf '%-28s %8s s %8s MiB\n' "openssl s_client loop" "$loop_s" "$(awk "BEGIN{printf \"%.1f\", $loop_kb/1024}")"
ratio=$(awk "BEGIN{printf \"%.1f\", $loop_s/($certbundle_s > 0 ? $certbundle_s : 0.01)}")
echo "ratio (loop / certbundle): ${ratio}x (target: at least 10x)"
awk "BEGIN{exit !($ratio >= 10)}" && echo "target met" || echo "target NOT met"
bench_row "fetch: $ENDPOINTS endpoints, ${DELAY_MS} ms each (--jobs $JOBS)" \
  "$(awk "BEGIN{printf \"%.0f\", $certbundle_s*1000}")" "openssl s_client -showcerts loop" \
  "$(awk "BEGIN{printf \"%.0f\", $loop_s*1000}")" "$(awk "BEGIN{printf \"%.1f\", $certbundle_kb/1024}")"
