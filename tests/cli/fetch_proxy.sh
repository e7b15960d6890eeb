# certbundle fetch through an HTTP CONNECT proxy (the project's own, tests/servers/testserver.py):
# --proxy, https_proxy from the environment, no_proxy; http_proxy is never used for TLS.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
make_pki
cd "$PKI"
ROOT_A=$(fingerprint root-a.pem)
LEAF=$(fingerprint leaf.pem)

# An HTTP CONNECT proxy: --proxy, then https_proxy from the environment, bypassed by no_proxy.
s_server T leaf.pem leaf.key chain-int.pem
py_server PROXY proxy
proxy_log="$PORTS_FILE.log"
expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$T" --ca root-a.pem --proxy "http://127.0.0.1:$PROXY" --json -o proxy.json
expect_json proxy.json "d['targets'][0]['connection']['proxy']" "127.0.0.1:$PROXY"
expect_json proxy.json "d['targets'][0]['chain'][0]['sha256']" "$LEAF"
expect_in "$proxy_log" "CONNECT 127.0.0.1:$T"
before=$(grep -c CONNECT "$proxy_log")
expect_exit 0 env https_proxy="http://127.0.0.1:$PROXY" "$CERTBUNDLE" fetch "localhost:$T" -4 --ca root-a.pem
[ "$(grep -c CONNECT "$proxy_log")" -gt "$before" ] || fail "https_proxy was not used"
expect_in "$proxy_log" "CONNECT localhost:$T"
before=$(grep -c CONNECT "$proxy_log")
expect_exit 0 env https_proxy="http://127.0.0.1:$PROXY" no_proxy=localhost "$CERTBUNDLE" fetch "localhost:$T" -4 --ca root-a.pem
[ "$(grep -c CONNECT "$proxy_log")" -eq "$before" ] || fail "no_proxy was not honoured"
# http_proxy is for http, never used for TLS targets.
expect_exit 0 env http_proxy="http://127.0.0.1:1" "$CERTBUNDLE" fetch "127.0.0.1:$T" --ca root-a.pem
# A proxy that refuses the tunnel: a connect failure.
expect_exit 5 "$CERTBUNDLE" fetch "example.test:443" --proxy "http://127.0.0.1:$PROXY"
expect_in "$WORK/err" "certbundle: error: example.test:443: connect: "
echo PASS
