# A proxy's password is never written: --proxy and https_proxy with user:password, a proxy that
# refuses the tunnel, text and --json reports; the proxy is shown as user:***.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
make_pki
cd "$PKI"
s_server T leaf.pem leaf.key chain-int.pem
py_server PROXY_PORT proxy
proxy="http://alice:s3cr3t@127.0.0.1:$PROXY_PORT"
shown="http://alice:***@127.0.0.1:$PROXY_PORT"
no_secret() { ! grep -q s3cr3t "$WORK/out" "$WORK/err" "$@" || { cat "$WORK/out" "$WORK/err"; fail "the password was printed"; }; }

expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$T" --ca root-a.pem --proxy "$proxy"
no_secret
expect_in "$WORK/out" "through proxy $shown (127.0.0.1:$PROXY_PORT)"
expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$T" --ca root-a.pem --proxy "$proxy" --json -o proxy.json
no_secret proxy.json
expect_json proxy.json "d['targets'][0]['connection']['proxy']" "127.0.0.1:$PROXY_PORT"
expect_json proxy.json "d['targets'][0]['connection']['proxy_url']" "$shown"
expect_exit 0 env https_proxy="$proxy" "$CERTBUNDLE" fetch "127.0.0.1:$T" --ca root-a.pem --json
no_secret
expect_json "$WORK/out" "d['targets'][0]['connection']['proxy_url']" "$shown"
expect_in "$PORTS_FILE.log" "CONNECT 127.0.0.1:$T"

# The proxy refuses the tunnel (403 for a host that is not local): the error shows user:***.
expect_exit 5 "$CERTBUNDLE" fetch "example.test:443" --proxy "$proxy"
no_secret
expect_one_line "$WORK/err"
expect_in "$WORK/err" "certbundle: error: example.test:443: connect: "
expect_in "$WORK/err" "(through proxy $shown)"
expect_exit 5 env https_proxy="$proxy" "$CERTBUNDLE" fetch "example.test:443" --json
no_secret
expect_in "$WORK/err" "alice:***@"
# Nobody listens: the same.
dead="http://alice:s3cr3t@127.0.0.1:$(free_port)"
expect_exit 5 "$CERTBUNDLE" fetch "127.0.0.1:$T" --proxy "$dead"
no_secret
expect_in "$WORK/err" "alice:***@127.0.0.1:"
echo PASS
