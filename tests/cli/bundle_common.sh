# ESP-IDF's own bundles from its own data: the "common" bundle (cacrt_all.pem filtered by
# cmn_crt_authorities.csv) and the full one (cacrt_all.pem and cacrt_local.pem). The names the
# CSV lists that match no certificate are each warned about. tests/tools/idf_bundle_reference.py,
# an independent implementation of gen_crt_bundle.py with python3-cryptography (the library
# ESP-IDF's generator uses), must write the same bytes.
. "$(dirname "$0")/lib.sh"
idf="$TEST_DATA/idf"

expect_exit 0 "$CERTBUNDLE" bundle --mozilla "$idf/cacrt_all.pem" --filter "$idf/cmn_crt_authorities.csv" \
  --at 2026-11-21 -o common.bin
expect_in out "wrote common.bin: format V2,"
# Independently: the CSV's second column against the headings above each "====" line.
python3 - "$idf/cmn_crt_authorities.csv" "$idf/cacrt_all.pem" >missing.txt <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))[1:]
lines = open(sys.argv[2], encoding="utf-8").read().split("\n")
headings = {lines[i - 1] for i, line in enumerate(lines) if i > 0 and line.startswith("====")}
for row in rows:
    if row[1] not in headings:
        print(row[1])
PY
[ -s missing.txt ] || fail "the oracle found no missing CSV entry; the test data changed?"
while IFS= read -r name; do
  grep -F "certbundle: warning:" err | grep -qF "\"$name\"" || { cat err; fail "no warning names \"$name\""; }
done <missing.txt
[ "$(grep -c 'certbundle: warning:' err)" -eq "$(wc -l <missing.txt)" ] || { cat err; fail "unexpected warnings"; }

expect_exit 0 "$CERTBUNDLE" bundle --mozilla "$idf/cacrt_all.pem" --at 2026-11-21 -o full.bin \
  "$idf/cacrt_local.pem"

if ! python3 -c 'import cryptography' 2>/dev/null; then
  echo "SKIP: python3-cryptography is not installed: no reference bundles to compare with"
  exit 77
fi
reference="$TESTS_DIR/tools/idf_bundle_reference.py"
python3 "$reference" --filter "$idf/cmn_crt_authorities.csv" -o common.ref "$idf/cacrt_all.pem" >/dev/null
cmp common.ref common.bin
python3 "$reference" -o full.ref "$idf/cacrt_all.pem" "$idf/cacrt_local.pem" >/dev/null
cmp full.ref full.bin
for format in v1 v2; do
  expect_exit 0 "$CERTBUNDLE" bundle --format "$format" --mozilla "$idf/cacrt_all.pem" --at 2026-11-21 \
    -o "all.$format"
  python3 "$reference" --format "$format" -o "all.$format.ref" "$idf/cacrt_all.pem" >/dev/null
  cmp "all.$format.ref" "all.$format"
done
