# An encrypted client key: never a passphrase prompt (even on a terminal), a clear error naming the
# file and --key-pass; --key-pass env:NAME / file:PATH decrypt it (OpenSSL for fetch, mbedtls for
# verify), pass:TEXT is refused; a key readable by group or others is a warning.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
command -v script >/dev/null || { echo "SKIP: no script(1) for the terminal check"; exit 77; }
make_pki
cd "$PKI"
cat client.pem int-a.pem > client-chain.pem
openssl pkey -in client.key -aes256 -passout pass:correct-horse -out enc.key
grep -q "ENCRYPTED PRIVATE KEY" enc.key || fail "openssl did not encrypt the key"
chmod 600 enc.key client.key
s_server P leaf.pem leaf.key chain-int.pem 127.0.0.1 -Verify 1 -verify_return_error -CAfile root-a.pem
fetch=("$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem --cert client-chain.pem)
enc_error="certbundle: error: client key \"enc.key\" is encrypted: give its passphrase with --key-pass env:NAME or file:PATH"

# On a terminal, stdin closed, no passphrase: exit 3 at once, no prompt.
start=$(date +%s%N)
timeout 30 script -qec "'$CERTBUNDLE' fetch '127.0.0.1:$P' --ca root-a.pem --cert client-chain.pem --key enc.key --timeout 5; echo \"exit=\$?\"" \
  /dev/null </dev/null >tty.log 2>&1 || true
ms=$((($(date +%s%N) - start) / 1000000))
expect_in tty.log "exit=3"
expect_in tty.log "$enc_error"
grep -qi "pass phrase" tty.log && { cat tty.log; fail "OpenSSL prompted for a passphrase"; }
[ "$ms" -lt 5000 ] || fail "took $ms ms (--timeout 5)"
expect_exit 3 "${fetch[@]}" --key enc.key
expect_one_line "$WORK/err"; expect_in "$WORK/err" "$enc_error"

# env:NAME
expect_exit 0 env KEYPASS=correct-horse "${fetch[@]}" --key enc.key --key-pass env:KEYPASS --pem
[ "$(grep -c BEGIN "$WORK/out")" = 2 ] || fail "the chain was not fetched with the decrypted key"
[ -s "$WORK/err" ] && { cat "$WORK/err"; fail "unexpected stderr"; }
expect_exit 3 env KEYPASS=wrong-horse "${fetch[@]}" --key enc.key --key-pass env:KEYPASS
expect_one_line "$WORK/err"
expect_in "$WORK/err" "certbundle: error: cannot decrypt client key \"enc.key\": wrong passphrase (--key-pass)"
expect_exit 2 env -u KEYPASS_UNSET "${fetch[@]}" --key enc.key --key-pass env:KEYPASS_UNSET
expect_one_line "$WORK/err"; expect_in "$WORK/err" "\"KEYPASS_UNSET\" is not set"
# pass:TEXT is refused (ps shows it to every user), and the text is not echoed.
expect_exit 2 "${fetch[@]}" --key enc.key --key-pass pass:correct-horse
expect_one_line "$WORK/err"; expect_in "$WORK/err" "not accepted"; expect_in "$WORK/err" "ps"
grep -q correct-horse "$WORK/err" && fail "the passphrase was echoed"
expect_exit 2 "${fetch[@]}" --key enc.key --key-pass correct-horse
grep -q correct-horse "$WORK/err" && fail "the passphrase was echoed"
# file:PATH: its first line.
printf 'correct-horse\nsecond line\n' > pass.txt
expect_exit 0 "${fetch[@]}" --key enc.key --key-pass file:pass.txt
expect_exit 3 "${fetch[@]}" --key enc.key --key-pass file:missing.txt
expect_one_line "$WORK/err"; expect_in "$WORK/err" "--key-pass: cannot read \"missing.txt\""
# A passphrase for a key that is not encrypted is not needed, and harmless.
expect_exit 0 "${fetch[@]}" --key client.key --key-pass file:pass.txt

# The key's mode: readable by group or others is a warning, 600 is silent.
chmod 644 client.key
expect_exit 0 "${fetch[@]}" --key client.key
[ "$(cat "$WORK/err")" = "certbundle: warning: client key \"client.key\" is readable by group or others (chmod 600 client.key)" ] \
  || { cat "$WORK/err"; fail "no warning for a key readable by others"; }
chmod 640 client.key
expect_exit 0 "${fetch[@]}" --key client.key
expect_in "$WORK/err" "is readable by group or others (chmod 600 client.key)"
chmod 600 client.key
expect_exit 0 "${fetch[@]}" --key client.key
[ -s "$WORK/err" ] && { cat "$WORK/err"; fail "a warning for a key of mode 600"; }

# The manifest: key_pass = "env:NAME" | "file:PATH" (relative to the manifest), passed to lock.
mkdir -p proj/keys
cp client-chain.pem enc.key proj/keys/ && printf 'correct-horse\n' > proj/keys/pass.txt
manifest() {
  printf '[[endpoint]]\nname = "mtls"\nurl = "127.0.0.1:%s"\ncert = "keys/client-chain.pem"\nkey = "keys/enc.key"\n%s\n' \
    "$P" "$1" > proj/certbundle.toml
}
manifest 'key_pass = "file:keys/pass.txt"'
expect_exit 0 "$CERTBUNDLE" lock proj/certbundle.toml --ca root-a.pem
expect_in "$WORK/out" "mtls: locked for the first time"
grep -q "warning" "$WORK/err" && { cat "$WORK/err"; fail "a warning for a key of mode 600"; }
chmod 644 proj/keys/enc.key
expect_exit 0 "$CERTBUNDLE" lock proj/certbundle.toml --ca root-a.pem
expect_in "$WORK/err" "certbundle: warning: endpoint \"mtls\": client key \"proj/keys/enc.key\" is readable by group or others (chmod 600 proj/keys/enc.key)"
chmod 600 proj/keys/enc.key
manifest 'key_pass = "env:KEYPASS"'
expect_exit 0 env KEYPASS=correct-horse "$CERTBUNDLE" lock proj/certbundle.toml --ca root-a.pem
expect_exit 3 env -u KEYPASS "$CERTBUNDLE" lock proj/certbundle.toml --ca root-a.pem
expect_one_line "$WORK/err"; expect_in "$WORK/err" "proj/certbundle.toml:1: endpoint \"mtls\": key_pass env:KEYPASS: the environment variable \"KEYPASS\" is not set"
manifest ''
expect_exit 3 "$CERTBUNDLE" lock proj/certbundle.toml --ca root-a.pem
expect_one_line "$WORK/err"; expect_in "$WORK/err" "client key \"proj/keys/enc.key\" is encrypted"
manifest 'key_pass = "pass:correct-horse"'
expect_exit 3 "$CERTBUNDLE" lock proj/certbundle.toml --ca root-a.pem
expect_in "$WORK/err" "not accepted"; grep -q correct-horse "$WORK/err" && fail "the passphrase was echoed"

# verify: mbedtls loads the key the same way (the server, with the device PKI, demands make_pki's
# client certificate).
D="$TESTS_DIR/pki-device"
cp client.key dev.key
cp client-chain.pem dev-client.pem
# Traditional PEM encryption (DEK-Info: AES-256-CBC): this mbedtls (2.28) cannot decrypt OpenSSL
# 3's default PKCS#8 (PBES2 with AES and HMAC-SHA256: "Requested encryption or digest alg not
# available"), which the test above shows OpenSSL reading.
openssl pkey -in dev.key -traditional -aes256 -passout pass:correct-horse -out dev-enc.key
grep -q "DEK-Info: AES-256-CBC" dev-enc.key || fail "openssl did not encrypt the key the traditional way"
chmod 600 dev.key dev-enc.key
"$CERTBUNDLE" bundle -o dev.bin "$D/root-a.pem" >/dev/null || fail "cannot build a bundle with Test Root A"
openssl s_server -accept 127.0.0.1:0 -cert "$D/leaf.pem" -key "$D/leaf.key" -cert_chain "$D/int.pem" -www \
  -Verify 1 -verify_return_error -CAfile root-a.pem >vs.log 2>&1 </dev/null &
PIDS+=($!)
for _ in $(seq 300); do VP=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' vs.log); [ -n "$VP" ] && break; sleep 0.1; done
[ -n "$VP" ] || fail "openssl s_server did not start"
verify=("$CERTBUNDLE" verify --bundle dev.bin --cert dev-client.pem "localhost:$VP" -4)
expect_exit 0 "${verify[@]}" --key dev.key
expect_exit 3 "${verify[@]}" --key dev-enc.key
expect_one_line "$WORK/err"
expect_in "$WORK/err" "certbundle: error: client key \"dev-enc.key\" is encrypted: give its passphrase with --key-pass"
expect_exit 0 env KEYPASS=correct-horse "${verify[@]}" --key dev-enc.key --key-pass env:KEYPASS
expect_exit 3 env KEYPASS=wrong-horse "${verify[@]}" --key dev-enc.key --key-pass env:KEYPASS
expect_one_line "$WORK/err"
expect_in "$WORK/err" "certbundle: error: cannot decrypt client key \"dev-enc.key\": wrong passphrase (--key-pass)"
chmod 644 dev.key
expect_exit 0 "${verify[@]}" --key dev.key
expect_in "$WORK/err" "certbundle: warning: client key \"dev.key\" is readable by group or others (chmod 600 dev.key)"
echo PASS
