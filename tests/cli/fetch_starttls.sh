# certbundle fetch through STARTTLS (smtp, imap, pop3, ftp, postgres, xmpp) against the project's
# own test server (tests/servers/testserver.py).
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
make_pki
cd "$PKI"
cat leaf.pem int-a.pem >served.pem
ROOT_A=$(fingerprint root-a.pem)
LEAF=$(fingerprint leaf.pem)

# SMTP by URL scheme: both views, as over plain TLS.
py_server P smtp --cert served.pem --key leaf.key
expect_exit 0 "$CERTBUNDLE" fetch "smtp://localhost:$P" --ca root-a.pem --json -o smtp.json
expect_json smtp.json "d['targets'][0]['starttls']" smtp
expect_json smtp.json "d['targets'][0]['chain'][0]['sha256']" "$LEAF"
expect_json smtp.json "d['targets'][0]['browser']['anchor']['sha256']" "$ROOT_A"
expect_json smtp.json "d['targets'][0]['device']['anchor']['sha256']" "$ROOT_A"
# ... and by --starttls on a host:port target; --pem equals s_client -starttls smtp.
expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$P" --starttls smtp --ca root-a.pem --pem
# (s_client's own exit status depends on how the server closes: only its output counts.)
openssl s_client -connect "127.0.0.1:$P" -starttls smtp -showcerts </dev/null >"$WORK/s_client.txt" 2>/dev/null || true
sed -n '/-----BEGIN/,/-----END/p' "$WORK/s_client.txt" >"$WORK/want.pem"
[ -s "$WORK/want.pem" ] || fail "openssl s_client -starttls smtp printed no certificate"
sed -n '/-----BEGIN/,/-----END/p' "$WORK/out" | cmp - "$WORK/want.pem" || fail "smtp --pem differs"

for proto in imap pop3 ftp postgres xmpp; do
  py_server P "$proto" --cert served.pem --key leaf.key
  expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$P" --starttls "$proto" --ca root-a.pem --json -o "$proto.json"
  expect_json "$proto.json" "d['targets'][0]['chain'][0]['sha256']" "$LEAF"
  expect_json "$proto.json" "d['targets'][0]['device']['anchor']['sha256']" "$ROOT_A"
done
py_server P imap --cert served.pem --key leaf.key
expect_exit 0 "$CERTBUNDLE" fetch "imap://127.0.0.1:$P" --ca root-a.pem
# A protocol mismatch is a starttls failure, not a hang.
py_server P pop3 --cert served.pem --key leaf.key
expect_exit 5 "$CERTBUNDLE" fetch "127.0.0.1:$P" --starttls smtp --timeout 3
expect_in "$WORK/err" "certbundle: error: 127.0.0.1:$P: starttls: the server greeted with \"+OK POP3 ready\""

echo PASS
