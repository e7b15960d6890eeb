# certbundle fetch: the browser view and the device view of a cross-signed chain, an unrelated
# certificate, expired and expiring CAs, and IPv6, against fingerprints `openssl x509` computes.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
make_pki
cd "$PKI"
pki_fingerprints

# 4. A chain ending in a cross-signed root: the browser uses the self-signed Test Root A, the
#    device needs the cross-signer, Test Root B. Both roots have valid paths.
s_server P leaf.pem leaf.key chain-cross.pem
expect_exit 0 "$CERTBUNDLE" fetch "localhost:$P" -4 --ca roots.pem --json -o cross.json
expect_json cross.json "d['targets'][0]['browser']['anchor']['sha256']" "$ROOT_A"
expect_json cross.json "sorted(r['sha256'] for r in d['targets'][0]['browser']['roots']) == sorted(['$ROOT_A', '$ROOT_B'])" True
expect_json cross.json "d['targets'][0]['device']['anchor']['sha256']" "$ROOT_B"
expect_json cross.json "d['targets'][0]['device']['differs_from_browser']" True
expect_json cross.json "[w['code'] for w in d['targets'][0]['warnings']]" "['device-differs']"
expect_json cross.json "d['targets'][0]['connection']['sni']" localhost

# 5. An unrelated extra certificate.
s_server P leaf.pem leaf.key chain-unrelated.pem
expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem --json -o unrelated.json
expect_json unrelated.json "[c['role'] for c in d['targets'][0]['chain']]" "['leaf', 'intermediate', 'unrelated']"
expect_json unrelated.json "[w['code'] for w in d['targets'][0]['warnings']]" "['unrelated']"
expect_json unrelated.json "d['targets'][0]['device']['anchor']['sha256']" "$ROOT_A"

# 6. An expired root as device anchor, and an intermediate that expires in 5 days.
s_server P leaf-under-expired.pem leaf-under-expired.key root-expired.pem
expect_exit 1 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-expired.pem --json -o exp.json
expect_json exp.json "d['targets'][0]['device']['anchor_expired']" True
expect_json exp.json "'device-anchor-expired' in [w['code'] for w in d['targets'][0]['warnings']]" True
s_server P leaf-soon.pem leaf-soon.key chain-soon.pem
expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem --json -o soon.json
expect_json soon.json "d['targets'][0]['chain'][1]['days_left'] in (4, 5)" True
# ... and judged as of a later date (--at), it has expired.
expect_exit 1 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem --at "$(date -u -d '+10 days' +%F)" --json -o later.json
expect_json later.json "'expired' in [w['code'] for w in d['targets'][0]['warnings']]" True

# 7. The same over IPv6.
s_server P leaf.pem leaf.key chain-int.pem ::1
expect_exit 0 "$CERTBUNDLE" fetch "[::1]:$P" --ca root-a.pem --json -o v6.json
expect_json v6.json "d['targets'][0]['connection']['peer']" "[::1]:$P"
expect_json v6.json "d['targets'][0]['device']['anchor']['sha256']" "$ROOT_A"
echo PASS
