# The manifest lifecycle against real local TLS servers: init, lock, build; the server moves to
# a CA under another root; lock reports it and starts a transition, so the bundle and the PEM
# carry the old and the new root; once retire_after has passed the old root leaves. build is
# offline (run in a network namespace with no interfaces) and deterministic. Expected bundles
# come from tests/tools/idf_bundle_reference.py (python3-cryptography), not from certbundle.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
python3 -c "import cryptography" 2>/dev/null || { echo "SKIP: python3-cryptography not installed"; exit 77; }
make_pki
reference() { python3 "$TESTS_DIR/tools/idf_bundle_reference.py" "$@"; }

# A second, unrelated hierarchy: "Test Root C" signs a localhost leaf directly.
root_with_leaf c

mkdir -p "$WORK/proj" && cd "$WORK/proj"
mkdir certs && cp "$PKI/root-a.pem" "$PKI/root-c.pem" certs/

# 1. The server presents leaf + Test Intermediate A: the device needs Test Root A.
s_server PORT_A "$PKI/leaf.pem" "$PKI/leaf.key" "$PKI/int-a.pem"
expect_exit 0 "$CERTBUNDLE" init --endpoint "https://127.0.0.1:$PORT_A" --idf-version 5.4
expect_in "$WORK/out" "wrote certbundle.toml with 1 endpoint(s)"

expect_exit 4 "$CERTBUNDLE" init
expect_in "$WORK/err" "exists; use --force to overwrite it"
# The private roots are the manifest's own CA files; a PEM buffer for esp_tls too.
cat >> certbundle.toml <<TOML

[[pem]]
name = "server_root_cert.pem"
endpoints = ["127.0.0.1"]
files = ["certs/root-a.pem"]
emit = ["pem", "c"]
TOML
sed -i 's|^# extra = \["certs/private-ca.pem"\].*|extra = ["certs/root-a.pem", "certs/root-c.pem"]|' certbundle.toml
sed -i 's|^emit = \["bin"\].*|emit = ["bin", "c"]|' certbundle.toml
# A build before any lock says what to do.
expect_exit 3 "$CERTBUNDLE" build --out out
expect_one_line "$WORK/err"
expect_in "$WORK/err" "certbundle.lock\" does not exist: run \`certbundle lock\`"
[ ! -e out ] || fail "a failed build created its output directory"

expect_exit 0 "$CERTBUNDLE" lock
expect_in "$WORK/out" "127.0.0.1: locked for the first time, device anchor \"Test Root A\""
python3 - <<'PY'
import json
lock = json.load(open("certbundle.lock"))
e = lock["endpoints"]["127.0.0.1"]
assert e["browser_trusted"] is True, e
assert e["device_anchor"]["label"] == "Test Root A", e["device_anchor"]
assert [c["label"] for c in e["chain"]] == ["localhost", "Test Intermediate A"], e["chain"]
assert e["previous_anchors"] == []
PY
[ "$(python3 -c 'import json; print(json.load(open("certbundle.lock"))["endpoints"]["127.0.0.1"]["device_anchor"]["sha256"])')" = "$(fingerprint "$PKI/root-a.pem")" ] ||
  fail "the lock's device anchor is not Test Root A's fingerprint (openssl)"

# The bundle holds the endpoint's anchor and the extras (root A and root C), nothing else.
expect_exit 0 unshare -n "$CERTBUNDLE" build --out out
reference --format v2 -o want.bin "$PKI/root-a.pem" "$PKI/root-c.pem"
cmp out/x509_crt_bundle want.bin
[ -f out/x509_crt_bundle.c ] && [ -f out/x509_crt_bundle.h ] || fail "no C output"
# The PEM buffer: one comment line and the certificate, once, ending with a newline.
[ "$(grep -c 'BEGIN CERTIFICATE' out/server_root_cert.pem)" = 1 ] || fail "PEM should hold root A once"
expect_in out/server_root_cert.pem "# Test Root A (notAfter "
cmp <(openssl x509 -in out/server_root_cert.pem -outform DER) "$PKI/root-a.der"
# The C array of the PEM ends with the NUL esp_tls needs, counted in _len.
expect_in out/server_root_cert_pem.c "const unsigned int server_root_cert_pem_len = $(( $(stat -c %s out/server_root_cert.pem) + 1 ));"
# Same inputs, same bytes.
"$CERTBUNDLE" build --out again -q --at 2026-11-21 && "$CERTBUNDLE" build --out again2 -q --at 2026-11-21
diff -r again again2

# 2. The server moves to Test Root C. A new lock reports it and starts a transition.
s_server PORT_C "$PKI/leaf-c.pem" "$PKI/leaf-c.key" ""
sed -i "s|https://127.0.0.1:$PORT_A|https://127.0.0.1:$PORT_C|" certbundle.toml
# A build with the manifest changed but the lock not: run certbundle lock.
expect_exit 3 "$CERTBUNDLE" build --out out
expect_in "$WORK/err" "was locked for https://127.0.0.1:$PORT_A, the manifest says https://127.0.0.1:$PORT_C: run \`certbundle lock\`"
expect_exit 0 "$CERTBUNDLE" lock
expect_in "$WORK/out" "127.0.0.1: device anchor changed from \"Test Root A\""
expect_in "$WORK/out" "to \"Test Root C\""
expect_in "$WORK/out" "transition started: \"Test Root A\""
expect_exit 0 unshare -n "$CERTBUNDLE" build --out out
expect_in "$WORK/out" "former anchor of 127.0.0.1"
# The PEM carries old and new; the bundle too (here both are also extras).
[ "$(grep -c 'BEGIN CERTIFICATE' out/server_root_cert.pem)" = 2 ] || fail "PEM should hold roots A and C"
expect_in out/server_root_cert.pem "# Test Root C"
cmp out/x509_crt_bundle want.bin

# Without the extras, nothing in the manifest trusts Test Root C any more: the lock alone grants no
# trust, so build refuses it (naming the lock line) and writes nothing.
sed -i 's|^extra = .*||' certbundle.toml
cp -r out out.before
expect_exit 3 unshare -n "$CERTBUNDLE" build --out out
expect_one_line "$WORK/err"
expect_in "$WORK/err" "certbundle: error: certbundle.lock:"
expect_in "$WORK/err" ": endpoint \"127.0.0.1\": the device anchor \"Test Root C\" (SHA-256 $(fingerprint "$PKI/root-c.pem" | cut -c1-16)…) is not trusted"
diff -r out out.before >/dev/null || fail "a refused build changed out/"
expect_exit 3 "$CERTBUNDLE" check
expect_in "$WORK/err" "the device anchor \"Test Root C\""
# The manifest says the endpoint's private roots are meant: the bundle holds exactly what the
# endpoint needs, old and new root.
sed -i "s|^url = \"https://127.0.0.1:$PORT_C\"|&\nallow_untrusted = true|" certbundle.toml
expect_exit 0 unshare -n "$CERTBUNDLE" build --out out
cmp out/x509_crt_bundle want.bin
# 3. retire_after in the past: the old root leaves, with a message.
sed -i 's|^name = "x509_crt_bundle"|name = "x509_crt_bundle"\nretire_after = 2020-01-01|' certbundle.toml
sed -i 's|^files = \["certs/root-a.pem"\]|retire_after = 2020-01-01|' certbundle.toml
expect_exit 0 unshare -n "$CERTBUNDLE" build --out out
expect_in "$WORK/err" "certbundle: warning: x509_crt_bundle: \"Test Root A\", a former anchor of 127.0.0.1, is retired (retire_after 2020-01-01)"
expect_in "$WORK/err" "certbundle: warning: server_root_cert.pem: \"Test Root A\", a former anchor of 127.0.0.1, is retired"
reference --format v2 -o want-c.bin "$PKI/root-c.pem"
cmp out/x509_crt_bundle want-c.bin
[ "$(grep -c 'BEGIN CERTIFICATE' out/server_root_cert.pem)" = 1 ] || fail "PEM should hold root C only"

# The format follows idf_version: 5.3 reads V1.
sed -i 's|^idf_version = "5.4"|idf_version = "5.3"|' certbundle.toml
expect_exit 0 "$CERTBUNDLE" build --out out -q
reference --format v1 -o want-c1.bin "$PKI/root-c.pem"
cmp out/x509_crt_bundle want-c1.bin

# 4. A server whose chain a browser does not trust is refused unless allowed: by name on the
# command line (lock then says what build will need), or in the manifest.
s_server PORT_S "$PKI/leaf-self.pem" "$PKI/leaf-self.key" ""
sed -i "s|https://127.0.0.1:$PORT_C|https://127.0.0.1:$PORT_S|; /^allow_untrusted = true/d" certbundle.toml
cp certbundle.lock lock.before
expect_exit 1 "$CERTBUNDLE" lock
expect_one_line "$WORK/err"
expect_in "$WORK/err" "cannot lock: a browser does not trust 127.0.0.1 (https://127.0.0.1:$PORT_S)"
cmp certbundle.lock lock.before
expect_exit 0 "$CERTBUNDLE" lock --allow-untrusted 127.0.0.1
expect_in "$WORK/out" "127.0.0.1: warning: endpoint \"127.0.0.1\": the former anchor \"Test Root A\""
expect_in "$WORK/out" "set allow_untrusted = true in [[endpoint]] \"127.0.0.1\" (line 16): build and check refuse this lock until then"
expect_exit 3 "$CERTBUNDLE" build --out out -q
sed -i "s|^url = \"https://127.0.0.1:$PORT_S\"|&\nallow_untrusted = true|" certbundle.toml
expect_exit 0 "$CERTBUNDLE" build --out out -q
expect_exit 0 "$CERTBUNDLE" lock

# 5. A server that is gone: exit 5, the step named, the lock untouched.
cp certbundle.lock lock.before
sed -i "s|https://127.0.0.1:$PORT_S|https://127.0.0.1:1|" certbundle.toml
expect_exit 5 "$CERTBUNDLE" lock --timeout 5
expect_one_line "$WORK/err"
expect_in "$WORK/err" "cannot lock: 127.0.0.1 (https://127.0.0.1:1): connect: "
cmp certbundle.lock lock.before
echo "project lifecycle: ok"
