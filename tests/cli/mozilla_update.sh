# certbundle mozilla update against a local HTTPS server (tests/servers/testserver.py, a test CA given
# with --ca-file): from certdata-old.txt to certdata.txt, the diff names DST Root CA X3 among the
# removed roots; every failure (404, bad TLS, wrong SHA-256, not a certdata.txt, too large) leaves the
# previous snapshot untouched.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
make_pki
mkdir -p www && cp "$MOZILLA_DIR/certdata.txt" www/certdata.txt && echo "hello" > www/hello.txt
cat "$PKI/leaf.pem" "$PKI/int-a.pem" > served-chain.pem
py_server PORT https --dir www --cert served-chain.pem --key "$PKI/leaf.key"
url="https://127.0.0.1:$PORT"

mkdir -p proj/snap && cp "$TEST_DATA/mozilla/certdata-old.txt" proj/snap/certdata.txt
printf '[policy]\nmozilla = "snap/certdata.txt"\n\n[[pem]]\nname = "ca.pem"\nlabels = ["QuoVadis Root CA 2", "ISRG Root X1"]\n' > proj/certbundle.toml
keep() { cmp proj/snap/certdata.txt "$TEST_DATA/mozilla/certdata-old.txt" || fail "the snapshot was changed"; }

# Each failure: its exit code, one line naming the URL, the old snapshot untouched.
expect_exit 5 "$CERTBUNDLE" mozilla update proj/certbundle.toml --url "$url/missing.txt" --ca-file "$PKI/root-a.pem"
expect_one_line "$WORK/err"; expect_in "$WORK/err" "cannot download $url/missing.txt: HTTP 404"; keep
expect_exit 5 "$CERTBUNDLE" mozilla update proj/certbundle.toml --url "$url/certdata.txt" --ca-file "$PKI/root-b.pem"
expect_one_line "$WORK/err"; expect_in "$WORK/err" "cannot download $url/certdata.txt: "; keep
expect_exit 3 "$CERTBUNDLE" mozilla update proj/certbundle.toml --url "$url/certdata.txt" --ca-file "$PKI/root-a.pem" \
  --sha256 0000000000000000000000000000000000000000000000000000000000000000
expect_one_line "$WORK/err"; expect_in "$WORK/err" "SHA-256 is 77130ef91213772844561fbd3aa31d413b25c2ac7f576fea3bc3bbff7ef93489"; keep
expect_exit 3 "$CERTBUNDLE" mozilla update proj/certbundle.toml --url "$url/hello.txt" --ca-file "$PKI/root-a.pem"
expect_one_line "$WORK/err"; expect_in "$WORK/err" "neither a certdata.txt"; keep
# More than the 16 MiB an update reads (certdata.txt is 1.3 MB).
head -c $((17 << 20)) /dev/zero > www/huge.txt
expect_exit 5 "$CERTBUNDLE" mozilla update proj/certbundle.toml --url "$url/huge.txt" --ca-file "$PKI/root-a.pem"
expect_one_line "$WORK/err"; expect_in "$WORK/err" "cannot download $url/huge.txt: the response is larger than 16777216 bytes"; keep
rm www/huge.txt
expect_exit 2 "$CERTBUNDLE" mozilla update proj/certbundle.toml --sha256 xyz

# The real update, pinned to the SHA-256 that mozilla/PROVENANCE states.
pin=$(sed -n 's/^sha256: *//p' "$MOZILLA_DIR/PROVENANCE")
expect_exit 0 "$CERTBUNDLE" mozilla update proj/certbundle.toml --url "$url/certdata.txt" --ca-file "$PKI/root-a.pem" --sha256 "$pin"
expect_in "$WORK/out" "- DST Root CA X3 (SHA-256 0687260331a72403"
# QuoVadis Root CA 2 is no longer trusted for server authentication in 2.86.
expect_in "$WORK/out" "- QuoVadis Root CA 2 (SHA-256 85a0dd7dd720adb7"
expect_in "$WORK/out" "ca.pem: loses \"QuoVadis Root CA 2\""
grep -q 'ISRG Root X1' "$WORK/out" && fail "ISRG Root X1 is in both snapshots"
expect_in "$WORK/out" "wrote proj/snap/certdata.txt"
cmp proj/snap/certdata.txt "$MOZILLA_DIR/certdata.txt"

# mozilla diff: the same comparison between two files (sha256 prefix from openssl, below).
expect_exit 0 "$CERTBUNDLE" mozilla diff "$TEST_DATA/mozilla/certdata-old.txt" "$MOZILLA_DIR/certdata.txt" --at 2026-11-21
# DST Root CA X3's DER, decoded from certdata-old.txt's octal by Python, fingerprinted by openssl;
# its SHA-1 must be the one NSS's comment above the certificate states.
python3 - "$TEST_DATA/mozilla/certdata-old.txt" > dst.der <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
start = lines.index('# Certificate "DST Root CA X3"')
value = lines.index("CKA_VALUE MULTILINE_OCTAL", start)
octal = "".join(lines[value + 1:lines.index("END", value)])
sys.stdout.buffer.write(bytes(int(o, 8) for o in octal.split("\\")[1:]))
PY
[ "$(openssl x509 -inform DER -in dst.der -noout -fingerprint -sha1 | sed 's/.*=//')" = \
  "DA:C9:02:4F:54:D8:F6:DF:94:93:5F:B1:73:26:38:CA:6A:D7:7C:13" ] || fail "DST Root CA X3 decoded wrong"
dst=$(openssl x509 -inform DER -in dst.der -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f)
expect_in "$WORK/out" "- DST Root CA X3 (SHA-256 ${dst:0:16}…, expired 2021-09-30)"
expect_exit 3 "$CERTBUNDLE" mozilla diff missing.txt "$MOZILLA_DIR/certdata.txt"
# A label the new snapshot lacks entirely is reported, and the snapshot is still written.
cp "$TEST_DATA/mozilla/certdata-old.txt" proj/snap/certdata.txt
sed -i 's/labels = .*/labels = ["DST Root CA X3"]/' proj/certbundle.toml
expect_exit 0 "$CERTBUNDLE" mozilla update proj/certbundle.toml --url "$url/certdata.txt" --ca-file "$PKI/root-a.pem"
expect_in "$WORK/out" "the manifest does not build with the new snapshot until it is changed: proj/certbundle.toml:4: [[pem]] \"ca.pem\": labels: \"DST Root CA X3\" matches no root"
echo "mozilla update: ok"
