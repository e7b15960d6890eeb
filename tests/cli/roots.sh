# certbundle roots: the selection as a table, JSON and cacert.pem, checked against mk-ca-bundle's
# outputs; bad input gives one line, a documented exit code, and leaves outputs alone.
. "$(dirname "$0")/lib.sh"

# JSON: the 121 fingerprints mk-ca-bundle 1.33 selects on 2026-11-21.
expect_exit 0 "$CERTBUNDLE" roots --at 2026-11-21 --json
python3 - "$WORK/out" "$TEST_DATA/mozilla/expected-serverauth-sha256.txt" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
expected = set(open(sys.argv[2]).read().split())
got = {r["sha256"] for r in doc["roots"]}
assert doc["count"] == 121 and got == expected, (doc["count"], got ^ expected)
entrust = next(r for r in doc["roots"] if r["label"] == "Entrust Root Certification Authority")
assert entrust["not_after"] == "2026-11-27T20:53:42Z", entrust
assert entrust["server_distrust_after"] == "2024-11-30T23:59:59Z", entrust
assert entrust["trust"]["server_auth"] == "trusted_delegator"
assert entrust["key_type"] == "RSA" and entrust["key_bits"] == 2048
PY

# The table ends with a count line.
expect_exit 0 "$CERTBUNDLE" roots --at 2026-11-28
expect_in "$WORK/out" "120 roots from bundled certdata.txt (NSS 3.123"

# PEM export: curl's cacert.pem below its header, byte for byte, written atomically with -o.
expect_exit 0 "$CERTBUNDLE" roots --at 2026-11-21 --pem -o "$WORK/cacert.pem"
cmp <(sed '1,/^$/d' "$WORK/cacert.pem") <(sed '1,/^$/d' "$TEST_DATA/mozilla/cacert.pem")
# Same inputs, same bytes.
"$CERTBUNDLE" roots --at 2026-11-21 --pem -o "$WORK/again.pem" 2>/dev/null
cmp "$WORK/cacert.pem" "$WORK/again.pem"
# The 2021 snapshot on 2021-11-01 gives curl's cacert-old.pem.
expect_exit 0 "$CERTBUNDLE" roots --mozilla "$TEST_DATA/mozilla/certdata-old.txt" --at 2021-11-01 --pem
cmp <(sed '1,/^$/d' "$WORK/out") <(sed '1,/^$/d' "$TEST_DATA/mozilla/cacert-old.pem")

# Bad input: one line naming the file and line, exit 3, the previous output untouched.
cp "$WORK/cacert.pem" "$WORK/keep.pem"
# Cut three lines into the first certificate's CKA_VALUE (line 110: CKA_VALUE MULTILINE_OCTAL).
head -n 113 "$MOZILLA_DIR/certdata.txt" > "$WORK/cut.txt"
expect_exit 3 "$CERTBUNDLE" roots --mozilla "$WORK/cut.txt" --pem -o "$WORK/cacert.pem"
expect_one_line "$WORK/err"
expect_in "$WORK/err" "certbundle: error: cannot read \"$WORK/cut.txt\": line 110: MULTILINE_OCTAL value has no END line"
cmp "$WORK/cacert.pem" "$WORK/keep.pem"

sed 's/^CKA_TOKEN CK_BBOOL CK_TRUE$/CKA_TOKEN CK_BOOLEAN CK_TRUE/' "$MOZILLA_DIR/certdata.txt" > "$WORK/type.txt"
expect_exit 3 "$CERTBUNDLE" roots --mozilla "$WORK/type.txt"
expect_one_line "$WORK/err"
expect_in "$WORK/err" "line 69: unknown type \"CK_BOOLEAN\" for CKA_TOKEN"

: > "$WORK/empty.txt"
expect_exit 3 "$CERTBUNDLE" roots --mozilla "$WORK/empty.txt"
expect_one_line "$WORK/err"
expect_exit 3 "$CERTBUNDLE" roots --mozilla "$WORK/missing.txt"
expect_in "$WORK/err" "cannot read \"$WORK/missing.txt\": No such file or directory"

# Usage errors: exit 2, one line.
expect_exit 2 "$CERTBUNDLE" roots --at 2026-02-30
expect_one_line "$WORK/err"
expect_in "$WORK/err" "\"2026-02-30\" is not a date: no such day"
expect_exit 2 "$CERTBUNDLE" roots --include "No Such Root*"
expect_in "$WORK/err" "--include \"No Such Root*\" matches no root"
expect_exit 2 "$CERTBUNDLE" roots --distrust-after sometimes
expect_one_line "$WORK/err"
expect_exit 2 "$CERTBUNDLE" roots --no-such-option

# An output in a missing directory: exit 4, nothing created.
expect_exit 4 "$CERTBUNDLE" roots --pem -o "$WORK/nodir/cacert.pem"
expect_one_line "$WORK/err"
[ ! -e "$WORK/nodir" ] || fail "a directory was created"

# The IDF common filter warns by name for entries that match nothing.
expect_exit 0 "$CERTBUNDLE" roots --mozilla "$TEST_DATA/idf/cacrt_all.pem" --filter "$TEST_DATA/idf/cmn_crt_authorities.csv" --at 2026-11-21
expect_in "$WORK/err" "certbundle: warning: $TEST_DATA/idf/cmn_crt_authorities.csv:"
expect_in "$WORK/err" "\"Comodo AAA Services root\" matches no trusted root"
expect_in "$WORK/out" "33 roots from"
echo "roots: ok"
