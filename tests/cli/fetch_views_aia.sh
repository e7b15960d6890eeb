# certbundle fetch: a server that sends its leaf alone; the chain is completed from the AIA
# caIssuers URL (DER and PKCS#7), and the device view names the intermediate. Fingerprints from
# `openssl x509`.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
make_pki
cd "$PKI"
pki_fingerprints

# 3. The leaf alone: AIA completes the chain (DER, then PKCS#7). The browser view names the root,
#    the device view the intermediate, and says so.
for leaf in leaf leaf-p7; do
  s_server P "$leaf.pem" "$leaf.key" ""
  expect_exit 1 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem --json -o aia.json
  expect_json aia.json "len(d['targets'][0]['chain'])" 1
  expect_json aia.json "d['targets'][0]['incomplete']" True
  expect_json aia.json "d['targets'][0]['aia'][0]['ok']" True
  expect_json aia.json "d['targets'][0]['aia'][0]['certificates'][0]['sha256']" "$INT_A"
  expect_json aia.json "d['targets'][0]['browser']['trusted']" True
  expect_json aia.json "d['targets'][0]['browser']['anchor']['sha256']" "$ROOT_A"
  expect_json aia.json "d['targets'][0]['device']['anchor']['sha256']" "$INT_A"
  expect_json aia.json "d['targets'][0]['device']['anchor']['source']" aia
  expect_json aia.json "d['targets'][0]['device']['anchor_is_intermediate']" True
  expect_json aia.json "sorted(w['code'] for w in d['targets'][0]['warnings'])" \
    "['aia-completed', 'device-intermediate', 'incomplete-chain']"
done
expect_exit 1 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem
expect_in "$WORK/out" "the chain was completed with the issuer downloaded from the AIA caIssuers URL"
expect_in "$WORK/out" "the bundle would have to carry the intermediate \"Test Intermediate A\""
# --no-aia: no download, no path, no device anchor.
expect_exit 1 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem --no-aia --json -o noaia.json
expect_json noaia.json "d['targets'][0]['aia']" "[]"
expect_json noaia.json "d['targets'][0]['browser']['trusted']" False
expect_json noaia.json "d['targets'][0]['device']['anchor']" None

echo PASS
