# lock and check --live confirm the device view of each endpoint with the device verifier, and
# report where it disagrees with the view certbundle computes with OpenSSL. The case: a chain
# whose intermediate is signed with RSA-PSS (tests/pki-device). OpenSSL, and so the browser and
# device views, anchor it at "Device Test PSS Root"; ESP-IDF 6's bundle callback checks the top
# certificate's signature through PSA, which takes RSA PKCS#1 v1.5 and ECDSA only, so the device
# would not connect. ESP-IDF 5.x's callback (mbedtls_pk_verify_ext) accepts RSA-PSS: with
# policy.idf_version = "5.3" the same endpoint is fine everywhere.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
D="$TESTS_DIR/pki-device"
s_server PORT "$D/leaf-pss.pem" "$D/leaf-pss.key" "$D/int-pss.pem"

# manifest [IDF_VERSION]
manifest() {
  {
    echo "[policy]"
    [ -n "${1:-}" ] && echo "idf_version = \"$1\""
    echo "[[endpoint]]"
    echo "name = \"api\""
    echo "url = \"https://localhost:$PORT\""
    echo "[bundle]"
    echo "extra = [\"$D/root-pss.pem\"]"
  } > certbundle.toml
}

# ESP-IDF 6 (the default): lock locks (a browser trusts the chain) and warns.
manifest
expect_exit 0 "$CERTBUNDLE" lock --ca "$D/root-pss.pem"
expect_in "$WORK/out" "api: warning: the device verifier (mbedtls) would not connect with the anchors found: "
expect_in "$WORK/out" "RSA-PSS"
expect_in "$WORK/out" "api: locked for the first time, device anchor \"Device Test PSS Root\""
cp certbundle.lock lock-v6
# check --live: an error finding, whatever the other findings are.
expect_exit 1 "$CERTBUNDLE" check --live --format gcc
expect_in "$WORK/out" "error: endpoint api: the device verifier (mbedtls) would not connect with the anchor \"Device Test PSS Root\": "
expect_in "$WORK/out" "[device-verify]"
# build refuses: the bundle would not let the device connect.
expect_exit 1 "$CERTBUNDLE" build --out gen
expect_in "$WORK/err" "the device would not connect to api"

# ESP-IDF 5.3: no warning, no finding, and the bundle is written.
manifest 5.3
expect_exit 0 "$CERTBUNDLE" lock --ca "$D/root-pss.pem"
if grep -q "device verifier" "$WORK/out"; then cat "$WORK/out"; fail "lock warned for ESP-IDF 5.3"; fi
expect_exit 0 "$CERTBUNDLE" check --live --format gcc
if grep -q "device-verify" "$WORK/out"; then cat "$WORK/out"; fail "check --live reported device-verify for ESP-IDF 5.3"; fi
expect_exit 0 "$CERTBUNDLE" build --out gen
[ -s gen/x509_crt_bundle ] || fail "no bundle written for ESP-IDF 5.3"
echo "project device disagree: ok"
