# certbundle fetch against servers whose chains are wrong: fetched (exit 1 when not fine), with the
# finding named; AIA URLs that fail are warnings naming the target and the step (aia), and a
# hanging one does not outlast --timeout by more than a second.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
LONG_CHAIN=1 make_pki
cd "$PKI"
err="$WORK/err"

free_port=$(free_port)
base=$(elapsed_ms "$CERTBUNDLE" fetch "127.0.0.1:$free_port")

# A chain of 30 certificates: fetched and analysed in full.
s_server P long/c0.pem long/c0.key long/chain.pem
expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca long/c29.pem --json -o long.json
expect_json long.json "len(d['targets'][0]['chain'])" 30
expect_json long.json "d['targets'][0]['browser']['trusted']" True
expect_json long.json "len(d['targets'][0]['browser']['path'])" 30
expect_json long.json "d['targets'][0]['device']['anchor']['sha256']" "$(fingerprint long/c29.pem)"

# A self-signed leaf: fetched (exit 1), not trusted, no device anchor.
s_server P leaf-self.pem leaf-self.key ""
expect_exit 1 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem --json -o self.json
expect_json self.json "d['targets'][0]['browser']['reason'].startswith('self-signed certificate')" True
expect_json self.json "[w['code'] for w in d['targets'][0]['warnings']]" "['untrusted', 'device-no-anchor']"
# ... trusted when given as --ca.
expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca leaf-self.pem

# An expired leaf.
s_server P leaf-expired.pem leaf-expired.key chain-int.pem
expect_exit 1 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem --json -o expired.json
expect_json expired.json "d['targets'][0]['browser']['reason'].startswith('certificate has expired')" True
expect_json expired.json "d['targets'][0]['warnings'][0]['code']" expired
expect_json expired.json "d['targets'][0]['chain'][0]['days_left'] < -365" True
# ... not expired as of a date within its validity (--at), when its CAs were not yet valid.
expect_exit 1 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem --at 2020-06-01 --json -o at.json
expect_json at.json "d['targets'][0]['chain'][0]['days_left']" 214
expect_json at.json "[w['code'] for w in d['targets'][0]['warnings']][:2]" "['not-yet-valid', 'untrusted']"

# A host name the certificate does not cover.
s_server P leaf-other.pem leaf-other.key chain-int.pem
expect_exit 1 "$CERTBUNDLE" fetch "localhost:$P" --ca root-a.pem
expect_in "$WORK/out" "name-mismatch: the leaf does not cover \"localhost\" (it names DNS:other.test)"

# AIA URLs that answer 404, or never answer: warned about (step aia), the chain stays incomplete.
s_server P leaf-404.pem leaf-404.key ""
expect_exit 1 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem
expect_one_line "$err"
expect_in "$err" "certbundle: warning: 127.0.0.1:$P: aia: http://127.0.0.1:$AIA_PORT/missing.der: HTTP 404"
s_server P leaf-hang.pem leaf-hang.key ""
ms=$(elapsed_ms "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem --timeout 1.5)
expect_in "$err" "certbundle: warning: 127.0.0.1:$P: aia: http://127.0.0.1:$AIA_PORT/hang: timed out after 1500 ms"
[ "$ms" -le $((2500 + base)) ] || fail "a 1.5 s AIA timeout took $ms ms (base $base ms)"

echo PASS
