# certbundle check --live against local TLS servers whose chain changes after `lock`: moved to a
# root the firmware embeds (warning: lock again), to one it does not (error: devices cannot connect),
# and gone (error naming the step).
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
make_pki
# Two more hierarchies: Test Root C and Test Root D, each signing a localhost leaf directly.
root_with_leaf c
root_with_leaf d

s_server PORT_A "$PKI/leaf.pem" "$PKI/leaf.key" "$PKI/int-a.pem"
cat > certbundle.toml <<TOML
[[endpoint]]
name = "api"
url = "https://127.0.0.1:$PORT_A"
allow_untrusted = true          # Test Root A is trusted only through lock --ca: say so in the manifest

[bundle]
roots = "endpoints"
extra = ["$PKI/root-c.pem"]     # the firmware already carries Test Root C

[[pem]]
name = "other.pem"
files = ["$PKI/root-d.pem"]     # Test Root D is known, but not embedded for this endpoint
TOML
expect_exit 0 "$CERTBUNDLE" lock --ca "$PKI/root-a.pem"

# Unchanged: no drift.
expect_exit 0 "$CERTBUNDLE" check --live --format gcc
grep -q 'anchor' "$WORK/out" && fail "no drift expected: $(cat "$WORK/out")"

# Offline policy findings on the lock: its age, and the horizon (Test Root A expires in 2036).
cp certbundle.toml manifest.keep
printf '\n[policy]\nlock_max_age_days = 1\nhorizon = 2099-01-01\n' >> certbundle.toml
later=$(date -u -d '+3 days' +%Y-%m-%d)
expect_exit 1 "$CERTBUNDLE" check --at "$later" --format gcc
expect_in "$WORK/out" "certbundle.toml:1: warning: endpoint api: locked 2 days ago"
expect_in "$WORK/out" "more than lock_max_age_days = 1: run \`certbundle lock\` [lock-age]"
expect_in "$WORK/out" "certbundle.toml:1: error: endpoint api: every anchor of this endpoint expires before the horizon 2099-01-01"
sed -i 's/^horizon = 2099-01-01$/horizon = 2030-01-01/' certbundle.toml
expect_exit 0 "$CERTBUNDLE" check --at "$later" --format gcc
grep -q horizon "$WORK/out" && fail "Test Root A lasts past 2030"
cp manifest.keep certbundle.toml

# Moved under Test Root C, which the bundle embeds: a warning, exit 0.
restart() {  # restart LEAF [CHAIN]: the endpoint's server now presents LEAF (and CHAIN), same port
  cleanup_servers; PIDS=()
  local chain=()
  [ $# -gt 1 ] && chain=(-cert_chain "$PKI/$2.pem")
  openssl s_server -www -accept "127.0.0.1:$PORT_A" -cert "$PKI/$1.pem" -key "$PKI/$1.key" "${chain[@]}" \
    -no-CAfile -no-CApath -no-CAstore </dev/null >"$WORK/s.log" 2>&1 &
  PIDS+=($!)
  local i
  for i in $(seq 100); do grep -q '^ACCEPT' "$WORK/s.log" && return 0; sleep 0.1; done
  fail "server did not restart on port $PORT_A"
}
restart leaf-c
expect_exit 0 "$CERTBUNDLE" check --live --format gcc
expect_in "$WORK/out" "certbundle.toml:1: warning: endpoint api: the device anchor is now \"Test Root C\", the lock has \"Test Root A\": run \`certbundle lock\` to start a transition [anchor-changed]"
grep -q 'anchor-missing' "$WORK/out" && fail "Test Root C is embedded"

# Moved under Test Root D, which no output for this endpoint embeds: an error, exit 1.
restart leaf-d
expect_exit 1 "$CERTBUNDLE" check --live --format gcc
expect_in "$WORK/out" "certbundle.toml:1: error: endpoint api: x509_crt_bundle does not hold \"Test Root D\", the anchor the device needs for the chain the server presents now: devices running this firmware cannot connect [anchor-missing]"
# The offline check knows nothing of it: exit 0.
expect_exit 0 "$CERTBUNDLE" check --format gcc

# Same CA, but a certificate for other.test only: the name no longer matches, an error.
restart leaf-other int-a
expect_exit 1 "$CERTBUNDLE" check --live --format gcc
expect_in "$WORK/out" "certbundle.toml:1: error: endpoint api: the certificate does not cover \"127.0.0.1\" (DNS: other.test; IP: ) [name-mismatch]"
grep -q 'anchor-changed' "$WORK/out" && fail "the anchor is still Test Root A"

# Gone: the failed step is named, exit 1 (a finding, not a tool failure).
cleanup_servers; PIDS=()
expect_exit 1 "$CERTBUNDLE" check --live --timeout 3 --format json
expect_json "$WORK/out" "[f['code'] for f in d['findings'] if f['severity']=='error'][0]" "fetch-failed"
expect_in "$WORK/out" "https://127.0.0.1:$PORT_A: connect: "
echo "check live: ok"
