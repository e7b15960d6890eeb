# certbundle fetch: the browser view and the device view of chains served by openssl s_server,
# checked against fingerprints that `openssl x509` computes.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
make_pki
cd "$PKI"
pki_fingerprints

# 1. The full chain, the root sent.
s_server P leaf.pem leaf.key chain-full.pem
expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem --json -o full.json
expect_json full.json "d['targets'][0]['fetched']" True
expect_json full.json "[c['role'] for c in d['targets'][0]['chain']]" "['leaf', 'intermediate', 'root']"
expect_json full.json "[c['sha256'] for c in d['targets'][0]['chain']]" "['$LEAF', '$INT_A', '$ROOT_A']"
expect_json full.json "d['targets'][0]['root_sent']" True
expect_json full.json "d['targets'][0]['browser']['trusted']" True
expect_json full.json "d['targets'][0]['browser']['anchor']['sha256']" "$ROOT_A"
expect_json full.json "d['targets'][0]['device']['anchor']['sha256']" "$ROOT_A"
expect_json full.json "d['targets'][0]['device']['top']" 2
expect_json full.json "d['targets'][0]['name']['matches']" True
expect_json full.json "d['targets'][0]['warnings']" "[]"
# The readable report says the same.
expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem
expect_in "$WORK/out" "browser view: trusted, anchor \"Test Root A\""
expect_in "$WORK/out" "the ESP32 bundle must hold \"Test Root A\""
expect_in "$WORK/out" "the root was sent"

# Without --ca the test root is in no trust store: fetched, but not fine (exit 1). Mozilla's data
# (the bundled snapshot, or --mozilla FILE) is used with --ca, not replaced by it.
expect_exit 1 "$CERTBUNDLE" fetch "127.0.0.1:$P"
expect_in "$WORK/out" "browser view: NOT trusted"
expect_exit 1 "$CERTBUNDLE" fetch "127.0.0.1:$P" --mozilla "$TEST_DATA/mozilla/cacert.pem"
expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$P" --mozilla "$TEST_DATA/mozilla/cacert.pem" --ca root-a.der
expect_exit 3 "$CERTBUNDLE" fetch "127.0.0.1:$P" --mozilla does-not-exist.txt

# 2. Leaf + intermediate.
s_server P leaf.pem leaf.key chain-int.pem
expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem --json -o int.json
expect_json int.json "[c['role'] for c in d['targets'][0]['chain']]" "['leaf', 'intermediate']"
expect_json int.json "d['targets'][0]['root_sent']" False
expect_json int.json "d['targets'][0]['browser']['anchor']['sha256']" "$ROOT_A"
expect_json int.json "d['targets'][0]['device']['anchor']['sha256']" "$ROOT_A"
expect_json int.json "d['targets'][0]['device']['anchor_is_intermediate']" False
expect_json int.json "d['targets'][0]['aia']" "[]"

echo PASS
