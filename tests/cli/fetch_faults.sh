# certbundle fetch against servers that fail or misbehave: each failure is one line naming the
# target and the step (resolve, connect, starttls, handshake, aia) with a documented exit code
# (5 when the chain could not be fetched; 1 when it was fetched but is not fine), and no wait
# outlasts --timeout by more than a second.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
make_pki
cd "$PKI"
err="$WORK/err"

# Connection refused: a port that was free a moment ago.
free_port=$(free_port)
expect_error 5 connect "127.0.0.1:$free_port"
# A host name that does not resolve: tests/cli/fetch_resolve.sh (in a network namespace).

# A server that accepts and then says nothing: the timeout holds to within a second (beyond what
# a run that fails at once takes: starting the process and loading the Mozilla data).
base=$(elapsed_ms "$CERTBUNDLE" fetch "127.0.0.1:$free_port")
py_server P silent
ms=$(elapsed_ms "$CERTBUNDLE" fetch "127.0.0.1:$P" --timeout 2)
expect_in "$err" "certbundle: error: 127.0.0.1:$P: handshake: timed out after 2 s"
[ "$ms" -ge 1900 ] && [ "$ms" -le $((3000 + base)) ] || fail "a 2 s timeout took $ms ms (base $base ms)"
# ... also when the silence is in the STARTTLS exchange.
ms=$(elapsed_ms "$CERTBUNDLE" fetch "smtp://127.0.0.1:$P" --timeout 1.5)
expect_in "$err" "certbundle: error: smtp://127.0.0.1:$P: starttls: timed out after 1500 ms"
[ "$ms" -ge 1400 ] && [ "$ms" -le $((2500 + base)) ] || fail "a 1.5 s timeout took $ms ms (base $base ms)"

# A server whose accept queue is full: the TCP connect never completes, and the connect step
# times out within the budget (the words do not depend on how long it really took).
py_server P backlog
ms=$(elapsed_ms "$CERTBUNDLE" fetch "127.0.0.1:$P" --timeout 1.5)
expect_in "$err" "certbundle: error: 127.0.0.1:$P: connect: timed out after 1500 ms (no TCP connection)"
[ "$ms" -ge 1400 ] && [ "$ms" -le $((2500 + base)) ] || fail "a 1.5 s connect timeout took $ms ms (base $base ms)"

# Bytes that are not TLS.
py_server P garbage
expect_error 5 handshake "127.0.0.1:$P"
expect_in "$err" "does not answer in TLS"
# A server that closes during the handshake.
py_server P close
expect_error 5 handshake "127.0.0.1:$P"
expect_in "$err" "closed the connection"
# A STARTTLS server that refuses STARTTLS.
py_server P smtp-refuse
expect_error 5 starttls "smtp://127.0.0.1:$P"
expect_in "$err" "refused STARTTLS: \"454 4.7.0"

# Usage and input errors.
expect_exit 2 "$CERTBUNDLE" fetch
expect_exit 2 "$CERTBUNDLE" fetch "gopher://example.test"
expect_one_line "$err"
expect_exit 2 "$CERTBUNDLE" fetch "127.0.0.1:99999"
expect_exit 2 "$CERTBUNDLE" fetch "[::1"
expect_exit 2 "$CERTBUNDLE" fetch "example.test:443:1"
expect_exit 2 "$CERTBUNDLE" fetch 127.0.0.1 --starttls gopher
expect_exit 2 "$CERTBUNDLE" fetch 127.0.0.1 --pem --json
expect_exit 2 "$CERTBUNDLE" fetch 127.0.0.1 --timeout 0
expect_exit 3 "$CERTBUNDLE" fetch 127.0.0.1 --ca does-not-exist.pem
expect_exit 3 "$CERTBUNDLE" fetch --from does-not-exist.txt
expect_exit 3 "$CERTBUNDLE" fetch 127.0.0.1 --cert root-a.pem --key leaf.key
expect_exit 4 "$CERTBUNDLE" fetch "127.0.0.1:$free_port" -o "$WORK/no-such-dir/out.txt"
expect_in "$err" "no-such-dir"
# The exit codes are documented where README.md points: certbundle fetch --help.
expect_exit 0 "$CERTBUNDLE" fetch --help
expect_in "$WORK/out" "Exit codes:"
expect_in "$WORK/out" "5  at least one target failed at resolve, connect, starttls or handshake"
echo PASS
