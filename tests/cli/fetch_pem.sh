# certbundle fetch --pem prints the certificate blocks `openssl s_client -showcerts` prints for the
# same server; --with-root appends the device-view anchor; -o writes the file; cert-fetch is the
# same command; --cert/--key answer a server that demands a client certificate.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
LONG_CHAIN=1 make_pki
cd "$PKI"
blocks() { sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' "$1"; }
showcerts() {
  openssl s_client -connect "$1" -showcerts </dev/null >"$WORK/s_client.txt" 2>/dev/null || true
  blocks "$WORK/s_client.txt"
}

for chain in chain-full.pem chain-int.pem chain-cross.pem chain-unrelated.pem; do
  s_server P leaf.pem leaf.key "$chain"
  expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca roots.pem --pem
  showcerts "127.0.0.1:$P" >"$WORK/want.pem"
  [ -s "$WORK/want.pem" ] || fail "openssl s_client printed no certificate"
  blocks "$WORK/out" >"$WORK/got.pem"
  cmp "$WORK/got.pem" "$WORK/want.pem" || fail "--pem differs from s_client -showcerts for $chain"
done

# IPv6, and the 30-certificate chain.
s_server P long/c0.pem long/c0.key long/chain.pem ::1
expect_exit 0 "$CERTBUNDLE" fetch "[::1]:$P" --ca long/c29.pem --pem
showcerts "[::1]:$P" >"$WORK/want.pem"
blocks "$WORK/out" >"$WORK/got.pem"
[ "$(grep -c BEGIN "$WORK/got.pem")" = 30 ] || fail "30 certificates expected"
cmp "$WORK/got.pem" "$WORK/want.pem" || fail "--pem differs from s_client -showcerts (30 certificates)"

# --with-root: the blocks, then the device-view anchor (here the cross-signing Test Root B).
s_server P leaf.pem leaf.key chain-cross.pem
expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca roots.pem --pem --with-root -o with-root.pem
[ ! -s "$WORK/out" ] || fail "-o must leave standard output empty"
[ "$(grep -c BEGIN with-root.pem)" = 4 ] || fail "4 blocks expected with --with-root"
openssl x509 -in root-b.pem >"$WORK/root-b.pem"
blocks with-root.pem | tail -n "$(wc -l <"$WORK/root-b.pem")" | cmp - "$WORK/root-b.pem" \
  || fail "--with-root did not append Test Root B"

# cert-fetch, the same command under another name.
CERT_FETCH="$(dirname "$CERTBUNDLE")/cert-fetch"
[ -x "$CERT_FETCH" ] || fail "cert-fetch is not beside certbundle"
expect_exit 0 "$CERT_FETCH" "127.0.0.1:$P" --ca roots.pem --pem
blocks "$WORK/out" | cmp - <(blocks with-root.pem | head -n "$(blocks "$WORK/out" | wc -l)") \
  || fail "cert-fetch prints something else"

# A server that demands a client certificate: refused without one, fetched with --cert/--key.
s_server P leaf.pem leaf.key chain-int.pem 127.0.0.1 -Verify 1 -verify_return_error -CAfile roots.pem -tls1_2
expect_exit 5 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem
expect_in "$WORK/err" "127.0.0.1:$P: handshake:"
expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem --cert <(cat client.pem int-a.pem) --key client.key --pem
[ "$(grep -c BEGIN "$WORK/out")" = 2 ] || fail "the chain was not fetched with a client certificate"
# TLS 1.3 too.
s_server P leaf.pem leaf.key chain-int.pem 127.0.0.1 -tls1_3
expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem --json -o tls13.json
expect_json tls13.json "d['targets'][0]['connection']['protocol']" TLSv1.3
s_server P leaf.pem leaf.key chain-int.pem 127.0.0.1 -tls1_2 -alpn mqtt
# The name checked is the SNI sent, which the leaf does not cover.
expect_exit 1 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem --alpn mqtt,h2 --sni example.test --json -o tls12.json
expect_json tls12.json "d['targets'][0]['connection']['protocol']" TLSv1.2
expect_json tls12.json "d['targets'][0]['connection']['alpn']" mqtt
expect_json tls12.json "d['targets'][0]['connection']['sni']" example.test
expect_json tls12.json "d['targets'][0]['name']['matches']" False
echo PASS
