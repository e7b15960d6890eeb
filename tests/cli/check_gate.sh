# The offline check (what the CMake module runs before every firmware build) fails on what would
# hurt devices and never blocks the build that fixes it:
# - the current device anchor expiring within fail_days: error (exit 1);
# - the server's own leaf in the lock expired: a warning (exit 0); check --live makes a leaf the
#   server still presents expired an error;
# - a former anchor kept through a transition expiring within fail_days: a warning suggesting
#   retire_after, and the build that carries devices to the new CA goes through.
# Certificates are made relative to now (openssl -days) and the check is run at dates relative to
# now (`date -d`), so the test means the same on any day.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
make_pki   # for the live part: leaf-expired (2020-2021) under Test Intermediate A / Test Root A

test_ca old "Old Root" 40
test_ca new "New Root" 3650
test_leaf leaf-old old 35
test_leaf leaf-new new 10
in_days() { date -u -d "+$1 days" +%Y-%m-%dT%H:%M:%SZ; }
at20=$(in_days 20)

s_server PORT leaf-old.pem leaf-old.key ""
cat > certbundle.toml <<TOML
[[endpoint]]
name = "api"
url = "https://127.0.0.1:$PORT"
allow_untrusted = true  # a private PKI, given to lock with --ca

[bundle]
roots = "endpoints"

[[pem]]
name = "ca.pem"
endpoints = ["api"]
TOML
expect_exit 0 "$CERTBUNDLE" lock --ca old.pem --ca new.pem

# 1. The current device anchor expires within fail_days: the gate fails, for both outputs.
expect_exit 1 "$CERTBUNDLE" check --at "$at20" --format gcc
expect_in "$WORK/out" "certbundle.toml:6: error: bundle x509_crt_bundle: CA \"Old Root\" expires in"
expect_in "$WORK/out" "certbundle.toml:9: error: pem ca.pem: CA \"Old Root\" expires in"
# The leaf (15 days left) is the server's to renew: a warning.
expect_in "$WORK/out" "certbundle.toml:1: warning: endpoint api: the leaf \"localhost\" the server presents expires in"

# 2. The server moves to New Root with a short-lived leaf: lock starts a transition.
s_server PORT2 leaf-new.pem leaf-new.key ""
sed -i "s|https://127.0.0.1:$PORT|https://127.0.0.1:$PORT2|" certbundle.toml
expect_exit 0 "$CERTBUNDLE" lock --ca old.pem --ca new.pem
expect_in "$WORK/out" "transition started: \"Old Root\""
# Twenty days on: Old Root, kept for devices still on the old chain, expires within fail_days, and
# the leaf recorded in the lock has expired. Neither stops the build.
expect_exit 0 "$CERTBUNDLE" check --at "$at20" --format gcc
expect_in "$WORK/out" "certbundle.toml:6: warning: bundle x509_crt_bundle: CA (a former anchor kept through a transition) \"Old Root\" expires in"
expect_in "$WORK/out" "set retire_after to leave it out [expiry]"
expect_in "$WORK/out" "certbundle.toml:9: warning: pem ca.pem: CA (a former anchor kept through a transition) \"Old Root\""
expect_in "$WORK/out" "certbundle.toml:1: warning: endpoint api: the leaf \"localhost\" the server presented when locked expired"
grep -q ': error: ' "$WORK/out" && fail "no error expected: $(cat "$WORK/out")"
expect_exit 0 "$CERTBUNDLE" build --at "$at20" --out gen -q
[ "$(grep -c 'BEGIN CERTIFICATE' gen/ca.pem)" = 2 ] || fail "the transition PEM should hold Old Root and New Root"

# 3. Live, a leaf the server still presents expired is an error (make_pki's leaf-expired, 2021).
s_server PORT3 "$PKI/leaf-expired.pem" "$PKI/leaf-expired.key" "$PKI/int-a.pem"
cat > live.toml <<TOML
[[endpoint]]
name = "old"
url = "https://127.0.0.1:$PORT3"
allow_untrusted = true
[bundle]
extra = ["$PKI/root-a.pem"]
TOML
mkdir -p live && mv live.toml live/certbundle.toml
expect_exit 0 "$CERTBUNDLE" lock live/certbundle.toml --allow-untrusted old
expect_exit 0 "$CERTBUNDLE" check live/certbundle.toml --format gcc
expect_in "$WORK/out" "warning: endpoint old: the leaf \"localhost\" the server presented when locked expired"
expect_exit 1 "$CERTBUNDLE" check live/certbundle.toml --live --format gcc
expect_in "$WORK/out" "error: endpoint old: the leaf \"localhost\" the server presents expired"
echo "check gate: ok"
