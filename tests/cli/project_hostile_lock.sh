# A lock grants no trust: certbundle.lock is a file anyone can edit in a pull request. Each edit an
# attacker could make to put a CA of their own into the firmware (an anchor replaced or added, the
# sha256 recomputed so the file is consistent; the chain swapped; a label that smuggles a PEM block)
# is refused by build and check (exit 3, one line naming the lock), and build writes nothing.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
make_pki
s_server PORT "$PKI/leaf.pem" "$PKI/leaf.key" "$PKI/int-a.pem"
cat > certbundle.toml <<TOML
[[endpoint]]
name = "api"
url = "https://127.0.0.1:$PORT"

[bundle]
roots = "endpoints"
extra = ["$PKI/root-a.pem"]  # the private root, listed where code review sees it

[[pem]]
name = "ca.pem"
endpoints = ["api"]
TOML
expect_exit 0 "$CERTBUNDLE" lock
expect_exit 0 "$CERTBUNDLE" build --out good
expect_exit 0 "$CERTBUNDLE" check
cp certbundle.lock lock.good

# The attacker's own root, and a leaf for localhost under it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout evil.key -out evil.pem \
  -days 3650 -subj "/CN=Attacker Root" -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout evil-leaf.key -out evil-leaf.csr \
  -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > evil-leaf.ext
openssl x509 -req -in evil-leaf.csr -CA evil.pem -CAkey evil.key -CAcreateserial -days 365 \
  -extfile evil-leaf.ext -out evil-leaf.pem 2>/dev/null

# tamper MODE: certbundle.lock from lock.good with one hostile edit, every sha256 consistent.
tamper() {
  python3 - "$1" <<'PY'
import base64, hashlib, json, subprocess, sys
mode = sys.argv[1]
lock = json.load(open("lock.good"))
e = lock["endpoints"]["api"]
def cert(pem, label):
    der = subprocess.run(["openssl", "x509", "-in", pem, "-outform", "DER"], capture_output=True, check=True).stdout
    subject = subprocess.run(["openssl", "x509", "-in", pem, "-noout", "-subject", "-nameopt", "RFC2253"],
                             capture_output=True, check=True, text=True).stdout.strip().removeprefix("subject=")
    return {"label": label, "source": "mozilla", "subject": subject, "issuer": subject,
            "sha256": hashlib.sha256(der).hexdigest(), "not_after": "2035-01-01T00:00:00Z",
            "der": base64.b64encode(der).decode()}
evil = cert("evil.pem", "Attacker Root")
if mode == "device-replaced":
    e["device_anchor"] = evil
elif mode == "browser-replaced":
    e["browser_anchors"] = [evil]
elif mode == "browser-extended":
    e["browser_anchors"].append(evil)
elif mode == "previous-extended":
    e["previous_anchors"].append(dict(evil, replaced_at="2026-01-01T00:00:00Z"))
elif mode == "chain-swapped":      # the attacker's chain and root everywhere
    e["chain"] = [dict(cert("evil-leaf.pem", "localhost"), source="presented")]
    e["device_anchor"] = evil
    e["browser_anchors"] = [evil]
elif mode == "chain-only-swapped":  # the anchors kept, the chain the attacker's
    e["chain"] = [dict(cert("evil-leaf.pem", "localhost"), source="presented")]
elif mode == "label-smuggles-pem":
    pem = open("evil.pem").read()
    e["device_anchor"]["label"] = "Test Root A\n" + pem + "# x"
else:
    sys.exit("unknown mode " + mode)
json.dump(lock, open("certbundle.lock", "w"), indent=2, sort_keys=True)
PY
}

for mode in device-replaced browser-replaced browser-extended previous-extended chain-swapped \
            chain-only-swapped label-smuggles-pem; do
  tamper "$mode"
  rm -rf gen
  expect_exit 3 "$CERTBUNDLE" build --out gen
  expect_one_line "$WORK/err"
  expect_in "$WORK/err" "certbundle: error: "
  expect_in "$WORK/err" "certbundle.lock"
  [ ! -e gen ] || fail "$mode: build wrote $(ls gen)"
  case $mode in
    label-smuggles-pem) expect_in "$WORK/err" "\"label\" holds a control character" ;;
    chain-only-swapped) expect_in "$WORK/err" "signs no certificate of the chain the lock records" ;;
    *) expect_in "$WORK/err" "\"Attacker Root\" (SHA-256 $(fingerprint evil.pem | cut -c1-16)…) is not trusted" ;;
  esac
  # The lock line named is where the attacker's certificate is.
  if [ "$mode" != label-smuggles-pem ] && [ "$mode" != chain-only-swapped ]; then
    line=$(sed -n 's/^certbundle: error: certbundle.lock:\([0-9]*\): .*/\1/p' "$WORK/err")
    [ -n "$line" ] || fail "$mode: no lock line in $(cat "$WORK/err")"
    sed -n "${line}p" certbundle.lock | grep -q "$(fingerprint evil.pem)" ||
      fail "$mode: line $line of the lock is not the attacker's certificate"
  fi
  expect_exit 3 "$CERTBUNDLE" check
  expect_one_line "$WORK/err"
  expect_exit 3 "$CERTBUNDLE" check --format gcc
done

# The manifest's word, which code review sees, is what trusts a private CA: with allow_untrusted
# on the endpoint, the attacker's complete chain is accepted, and the outputs say so.
tamper chain-swapped
sed -i 's|^url = .*|&\nallow_untrusted = true|' certbundle.toml
expect_exit 0 "$CERTBUNDLE" build --out gen
expect_in gen/certbundle-build.txt "Attacker Root"
echo "hostile lock: ok"
