# certbundle lock and check --live with a manifest of two endpoints: "good" (a sound server) and
# "bad", which is locked while sound and then replaced on its port, fault by fault, with one of the
# misbehaving servers of tests/servers/fault_env.sh (the same list as fetch_fault_servers.sh).
# For each fault, both commands end within their --timeout (plus a margin) and peak under 64 MB
# (not asserted under ASan), and report the fault in one line naming the endpoint and the step:
# - lock exits 5 (1 for an AIA fault: the chain it got is untrusted), names "bad" and not "good",
#   and leaves the lock as it was;
# - check --live exits 1 with a finding for "bad" naming the step (fetch-failed, or aia-failed for
#   an AIA fault), and none for "good".
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
. "$TESTS_DIR/servers/fault_env.sh"
make_pki
make_fault_certs
s_server GOOD "$PKI/leaf.pem" "$PKI/leaf.key" "$PKI/chain-int.pem"
fault_server BAD tls served-good.pem
cat >certbundle.toml <<TOML
[[endpoint]]
name = "good"
url = "https://127.0.0.1:$GOOD"

[[endpoint]]
name = "bad"
url = "https://127.0.0.1:$BAD"

[bundle]
roots = "endpoints"
extra = ["$PKI/root-a.pem"]  # the private root both servers' chains end in
TOML
expect_exit 0 "$CERTBUNDLE" lock --ca "$PKI/root-a.pem"
cp certbundle.lock lock.before
expect_exit 0 "$CERTBUNDLE" check --live --timeout 2 --format gcc

# restart_bad MODE CHAIN: the server on BAD's port is now MODE serving CHAIN.
restart_bad() {
  kill "$FAULT_PID"; wait "$FAULT_PID" 2>/dev/null || true
  local port
  fault_server port "$1" "$2" "$BAD"
}

# The base: bad's port closed (connection refused), so both commands fail at once.
kill "$FAULT_PID"; wait "$FAULT_PID" 2>/dev/null || true
measure "$CERTBUNDLE" lock --ca "$PKI/root-a.pem" --timeout 2
expect_rc 5
base_lock=$MS
measure "$CERTBUNDLE" check --live --timeout 2 --format gcc
expect_rc 1
base_check=$MS
fault_server BAD tls served-good.pem "$BAD"

while read -r -u 3 name mode chain step message; do
  restart_bad "$mode" "$chain"

  measure "$CERTBUNDLE" lock --ca "$PKI/root-a.pem" --timeout 2
  expect_bounds "lock, $name" 2000 "$base_lock"
  expect_one_line "$WORK/err"
  if [ "$step" = aia ]; then
    expect_rc 1
    expect_in "$WORK/err" "certbundle: error: cannot lock: a browser does not trust bad (https://127.0.0.1:$BAD): "
    expect_in "$WORK/err" "(aia: http://127.0.0.1:$AIA_PORT/"
  else
    expect_rc 5
    expect_in "$WORK/err" "certbundle: error: cannot lock: bad (https://127.0.0.1:$BAD): $step: "
  fi
  expect_in "$WORK/err" "$message"
  grep -q 'good' "$WORK/err" && fail "lock, $name: the good endpoint is named: $(cat "$WORK/err")"
  cmp -s certbundle.lock lock.before || fail "lock, $name: the lock was changed"

  measure "$CERTBUNDLE" check --live --timeout 2 --format gcc
  expect_bounds "check --live, $name" 2000 "$base_check"
  expect_rc 1
  if [ "$step" = aia ]; then
    expect_in "$WORK/out" "certbundle.toml:5: warning: endpoint bad: https://127.0.0.1:$BAD: aia: cannot download the issuer from http://127.0.0.1:$AIA_PORT/"
    expect_in "$WORK/out" "[aia-failed]"
  else
    expect_in "$WORK/out" "certbundle.toml:5: error: endpoint bad: https://127.0.0.1:$BAD: $step: "
    expect_in "$WORK/out" "[fetch-failed]"
  fi
  expect_in "$WORK/out" "$message"
  grep -q 'endpoint good' "$WORK/out" && fail "check --live, $name: a finding for the good endpoint: $(cat "$WORK/out")"
  [ ! -s "$WORK/err" ] || { cat "$WORK/err"; fail "check --live, $name: findings go to stdout"; }
done 3<<<"$FAULTS"

# The faults gone, both endpoints lock again, unchanged.
restart_bad tls served-good.pem
expect_exit 0 "$CERTBUNDLE" lock --ca "$PKI/root-a.pem"
expect_exit 0 "$CERTBUNDLE" check --live --timeout 2 --format gcc
echo PASS
