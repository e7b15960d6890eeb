# certbundle build verifies each output as the device uses it (mbedtls + ESP-IDF's bundle lookup)
# against every locked chain, and writes nothing when an endpoint would not connect. Here two
# impostor CAs named "Test Root A" (other keys) sit next to the real one: ESP-IDF's binary search
# over three equal subjects lands on the middle entry, an impostor, so the device fails.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
make_pki
self_signed_ca imp1 "Test Root A"
self_signed_ca imp2 "Test Root A"
s_server PORT "$PKI/leaf.pem" "$PKI/leaf.key" "$PKI/int-a.pem"
cat > certbundle.toml <<TOML
[policy]
idf_version = "5.5"
[[endpoint]]
name = "api"
url = "https://127.0.0.1:$PORT"
allow_untrusted = true
[bundle]
extra = ["imp1.pem", "imp2.pem"]
TOML
expect_exit 0 "$CERTBUNDLE" lock --ca "$PKI/root-a.pem"
mkdir gen && echo previous > gen/x509_crt_bundle
expect_exit 1 "$CERTBUNDLE" build --out gen
expect_one_line "$WORK/err"
expect_in "$WORK/err" "certbundle: error: x509_crt_bundle: the device would not connect to api: "
expect_in "$WORK/err" "nothing was written"
[ "$(cat gen/x509_crt_bundle)" = previous ] || fail "the previous bundle was replaced"
expect_exit 1 "$CERTBUNDLE" build --out gen-new
[ ! -e gen-new ] || fail "a refused build created its output directory"
# The check before every firmware build reports it as an error finding.
expect_exit 1 "$CERTBUNDLE" check --format gcc
expect_in "$WORK/out" "certbundle.toml: error: outputs: x509_crt_bundle: the device would not connect to api: "
expect_in "$WORK/out" "[device-verify]"
# Without the impostors the same build passes, and says it verified.
sed -i 's/^extra = .*//' certbundle.toml
expect_exit 0 "$CERTBUNDLE" build --out gen
expect_in "$WORK/out" "verified as the device does (mbedtls, ESP-IDF's bundle lookup): 1 endpoint(s) connect"
echo "project device check: ok"
