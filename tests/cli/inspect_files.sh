# certbundle inspect: the kind of each file by content, its entries, the Mozilla root each entry
# is, JSON for scripts, and a one-line error with the byte offset for a damaged bundle.
. "$(dirname "$0")/lib.sh"
idf="$TEST_DATA/idf"
cacert="$TEST_DATA/mozilla/cacert.pem"

expect_exit 0 "$CERTBUNDLE" inspect "$idf/baltimore_crt_bundle.v1_BE" "$idf/entrust_crt_bundle.v2_LEoffsets" \
  "$idf/baltimore.der" "$idf/entrust.pem" "$idf/mbedtls_ut.ecdsa_cert_bundle"
expect_in out "$idf/baltimore_crt_bundle.v1_BE: ESP-IDF bundle V1 (ESP-IDF 4.2 to 5.3, arduino-esp32 2.0.x to 3.1.x), 1 entry, 392 bytes"
expect_in out "$idf/entrust_crt_bundle.v2_LEoffsets: ESP-IDF bundle V2 (ESP-IDF 5.4 and later, arduino-esp32 3.2 and later), 1 entry, 481 bytes"
expect_in out "$idf/baltimore.der: DER certificate, 1 entry, 891 bytes"
expect_in out "$idf/entrust.pem: PEM, 1 entry, 1713 bytes"
# From `openssl x509 -nameopt RFC2253 -subject` and the SPKI's sha256sum.
expect_in out "CN=Baltimore CyberTrust Root,OU=CyberTrust,O=Baltimore,C=IE"
expect_in out "63d9af9b47b1064d49a10e7b7fd566dbc8caa399459bfc2829c571ad8c6ef34a"
expect_in out "RSA 2048"
expect_in out "EC P-384"

# Mozilla's name for an entry: same subject and same key as a root of the store.
expect_exit 0 "$CERTBUNDLE" inspect --mozilla "$cacert" "$idf/entrust_crt_bundle.v1_BE"
expect_in out "Entrust Root Certification Authority  CN=Entrust Root Certification Authority"

# JSON with stable names.
expect_exit 0 "$CERTBUNDLE" inspect --json --mozilla "$cacert" "$idf/entrust_crt_bundle.v2_LEoffsets" "$idf/entrust.pem"
python3 - out <<'PY'
import json, sys
files = json.load(open(sys.argv[1]))["files"]
assert [f["kind"] for f in files] == ["bundle_v2", "pem"], files
e = files[0]["entries"][0]
assert e["offset"] == 4 and e["key"] == "RSA 2048", e
assert e["spki_sha256"] == "6dbfae00d37b9cd73f8fb47de65917af00e0dddf42dbceac20c17c0275ee2095", e
assert e["mozilla_label"] == "Entrust Root Certification Authority", e
c = files[1]["entries"][0]
assert c["not_after"] == "2026-11-27T20:53:42Z", c
assert c["sha256"] == "73c176434f1bc6d5adf45b0e76e727287c8de57616c1e6e6141a2b2cbc7d8e4c", c
PY

# A whole Mozilla bundle: every entry is named after its root.
expect_exit 0 "$CERTBUNDLE" bundle --mozilla "$cacert" --at 2026-11-21 -o all.bin
expect_exit 0 "$CERTBUNDLE" inspect --json --mozilla "$cacert" all.bin
python3 -c 'import json,sys; f=json.load(open("out"))["files"][0]; assert f["count"] == 121 and all(e["mozilla_label"] for e in f["entries"]) and not f["warnings"], f["warnings"]'

# Damaged bundles: exit 3, one line naming the file and the byte offset, nothing on stdout.
patch() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }
cp "$idf/baltimore_crt_bundle.v1_BE" count.bin && patch count.bin 1 '\002'
cp "$idf/baltimore_crt_bundle.v1_BE" zero.bin && patch zero.bin 1 '\000'
cp "$idf/entrust_crt_bundle.v2_LEoffsets" trailing.bin && printf '\0' >>trailing.bin
head -c 300 "$idf/entrust_crt_bundle.v2_LEoffsets" >truncated.bin
# Two records; the second offset (bytes 4-7) pointed one byte too far.
"$CERTBUNDLE" bundle -o two.bin "$idf/baltimore.der" "$idf/entrust.pem" >/dev/null
patch two.bin 4 '\217'
for case in "count.bin|offset 392: the count announces 2 records, but the file ends after 1" \
            "zero.bin|offset 2: 390 bytes after the 0 records the count announces" \
            "trailing.bin|offset 481: 1 bytes after the 1 records the offset table announces" \
            "truncated.bin|offset 4: record 0 (179 bytes of subject, 294 of public key) runs past the end of the file at byte 300" \
            "two.bin|offset 4: offset 1 is 399, but record 1 starts at byte 398"; do
  file=${case%%|*}
  expect_exit 3 "$CERTBUNDLE" inspect "$file"
  expect_one_line err
  expect_in err "certbundle: error: cannot read \"$file\": ${case#*|}"
  [ ! -s out ] || fail "output for a damaged $file"
done

# Other bad inputs.
printf '\x30\x82\x00\x03\x02\x01\x00' >not-a-cert.der
expect_exit 3 "$CERTBUNDLE" inspect not-a-cert.der
expect_one_line err
expect_in err 'cannot read "not-a-cert.der": not a DER certificate'
{ cat "$idf/entrust.pem"; printf -- '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n'; } >key.pem
expect_exit 3 "$CERTBUNDLE" inspect key.pem
expect_one_line err
expect_in err "cannot read \"key.pem\": line $(( $(wc -l <"$idf/entrust.pem") + 1 )):"
expect_exit 3 "$CERTBUNDLE" inspect missing.bin
expect_one_line err

# An empty file is an empty V2 bundle (ESP-IDF 5.5 writes one), with a warning.
: >empty.bin
expect_exit 0 "$CERTBUNDLE" inspect empty.bin
expect_in out "empty.bin: ESP-IDF bundle V2 (ESP-IDF 5.4 and later, arduino-esp32 3.2 and later), 0 entries, 0 bytes"
expect_in out "warning: an empty file"
