# Hostile and oversized inputs: every reader has a size limit checked as it reads (a clear one-line
# error, exit 3, bounded memory), a lock obeys fetch's limits, numbers and names in input never
# end in exit 70, and an error quotes a bounded amount of what it was given.
. "$(dirname "$0")/lib.sh"
root="$TESTS_DIR/pki-device/root-a.pem"

# A device with no end: read up to the limit, then refused.
expect_exit 3 "$CERTBUNDLE" inspect /dev/zero
expect_one_line "$WORK/err"
expect_in "$WORK/err" 'certbundle: error: cannot read "/dev/zero": larger than 16 MiB, the limit for a certificate or bundle file'
expect_exit 3 "$CERTBUNDLE" check /dev/zero
expect_in "$WORK/err" "larger than 16 MiB"
head -c $((17 << 20)) /dev/zero > big.bin
expect_exit 3 "$CERTBUNDLE" bundle -o out.bin big.bin
expect_in "$WORK/err" 'cannot read "big.bin": larger than 16 MiB'
[ ! -e out.bin ] || fail "a refused bundle was written"

# A manifest over 1 MiB (a comment that long), a certdata.txt over 16 MiB.
{ printf '[[pem]]\nname = "ca.pem"\nfiles = ["ca.pem"]\n#'; head -c $((1 << 20)) /dev/zero | tr '\0' x; echo; } > certbundle.toml
cp "$root" ca.pem
expect_exit 3 "$CERTBUNDLE" build --out gen
expect_in "$WORK/err" 'cannot read "certbundle.toml": larger than 1 MiB, the limit for a manifest'
expect_exit 3 "$CERTBUNDLE" roots --mozilla big.bin --at 2026-11-21
expect_in "$WORK/err" 'larger than 16 MiB, the limit for a certdata.txt or cacert.pem'

# A lock whose chain holds more than a server may send (fetch refuses more than 100 certificates).
printf '[[endpoint]]\nname = "api"\nurl = "https://127.0.0.1:1"\nallow_untrusted = true\n[[pem]]\nname = "ca.pem"\nendpoints = ["api"]\n' > certbundle.toml
python3 - "$root" <<'PY'
import base64, hashlib, json, subprocess, sys
der = subprocess.run(["openssl", "x509", "-in", sys.argv[1], "-outform", "DER"], capture_output=True, check=True).stdout
c = {"label": "Device Test Root A", "source": "presented", "subject": "s", "issuer": "s",
     "sha256": hashlib.sha256(der).hexdigest(), "not_after": "2099-12-31T23:59:59Z", "der": base64.b64encode(der).decode()}
lock = {"certbundle_lock": 1, "snapshot": {"name": "x", "sha256": "x"},
        "endpoints": {"api": {"target": "https://127.0.0.1:1", "locked_at": "2026-01-01T00:00:00Z",
                              "browser_trusted": True, "browser_reason": "", "chain": [c] * 101,
                              "device_anchor": dict(c, source="ca"), "browser_anchors": [], "previous_anchors": []}}}
json.dump(lock, open("certbundle.lock", "w"), indent=2, sort_keys=True)
PY
expect_exit 3 "$CERTBUNDLE" build --out gen
expect_one_line "$WORK/err"
expect_in "$WORK/err" '"chain" holds 101 certificates'
expect_exit 3 "$CERTBUNDLE" check
[ ! -e gen ] || fail "a refused build wrote gen/"

# Numbers and names from input: never exit 70.
openssl x509 -in "$root" -outform DER -out 'a:b.der'
expect_exit 0 "$CERTBUNDLE" check 'a:b.der' --at 2026-11-21
expect_exit 0 "$CERTBUNDLE" bundle --idf-version 4294967295.0 -o huge.bin "$root"
expect_exit 0 "$CERTBUNDLE" verify --idf-version 4294967295.0 --bundle huge.bin \
  --chain "$TESTS_DIR/pki-device/chain-leaf-int.pem" --host localhost
expect_exit 2 "$CERTBUNDLE" bundle --idf-version 99999999999999999999.0 -o never.bin "$root"
expect_one_line "$WORK/err"

# An error quotes a bounded amount of what it was given (here 100 kB on one line).
long=$(head -c 100000 /dev/zero | tr '\0' 7)
expect_exit 2 "$CERTBUNDLE" check --at "$long"
expect_one_line "$WORK/err"
[ "$(wc -c < "$WORK/err")" -le 1100 ] || fail "the error is $(wc -c < "$WORK/err") bytes"
expect_in "$WORK/err" "bytes left out"
printf '[policy]\nwarn_days = "%s\n' "$long" > certbundle.toml
expect_exit 3 "$CERTBUNDLE" check
expect_one_line "$WORK/err"
[ "$(wc -c < "$WORK/err")" -le 1100 ] || fail "the manifest error is $(wc -c < "$WORK/err") bytes"
echo "input limits: ok"
