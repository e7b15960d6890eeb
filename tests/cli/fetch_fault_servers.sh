# certbundle fetch against servers of our own that misbehave (tests/servers/fault_env.sh): a stall
# after the TCP accept, a stall after the ServerHello, a byte a second, a 1 MB certificate, 1000
# certificates, 151 certificates, a reset during the handshake, and AIA servers that redirect forever
# or send 100 MB. Each run also fetches a good server. For each fault: the run ends within its
# --timeout (plus a margin), peaks under 64 MB (not asserted under ASan), reports the fault in one
# line naming the target and the step, exits with the documented code (5: a target could not be
# fetched; 1: fetched, but its chain is not fine), and the good target is fetched and trusted.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
. "$TESTS_DIR/servers/fault_env.sh"
make_pki
make_fault_certs
cd "$PKI"
s_server GOOD leaf.pem leaf.key chain-int.pem

# The base: a run whose bad target fails at once (connection refused).
free_port=$(free_port)
measure "$CERTBUNDLE" fetch "127.0.0.1:$GOOD" "127.0.0.1:$free_port" --ca root-a.pem --timeout 2
expect_rc 5
base=$MS

while read -r -u 3 name mode chain step message; do
  fault_server BAD "$mode" "$chain"
  measure "$CERTBUNDLE" fetch "127.0.0.1:$GOOD" "127.0.0.1:$BAD" --ca root-a.pem --timeout 2 --json -o report.json
  expect_bounds "fetch, $name" 2000 "$base"
  expect_one_line "$WORK/err"
  if [ "$step" = aia ]; then
    # Fetched, but the issuer cannot be downloaded: the chain is incomplete, untrusted (exit 1).
    expect_rc 1
    expect_in "$WORK/err" "certbundle: warning: 127.0.0.1:$BAD: aia: http://127.0.0.1:$AIA_PORT/"
    expect_json report.json "d['targets'][1]['aia'][0]['ok']" False
  else
    expect_rc 5
    expect_in "$WORK/err" "certbundle: error: 127.0.0.1:$BAD: $step: "
    expect_json report.json "d['targets'][1]['error']['step']" "$step"
  fi
  expect_in "$WORK/err" "$message"
  expect_json report.json "[t['target'] for t in d['targets']]" "['127.0.0.1:$GOOD', '127.0.0.1:$BAD']"
  expect_json report.json "d['targets'][0]['browser']['trusted']" True
  kill "$FAULT_PID"
done 3<<<"$FAULTS"
echo PASS
