# One commit builds to the same bytes on any day: SOURCE_DATE_EPOCH (the reproducible-builds
# convention) fixes "now" for build and the offline check, retire_after included. The other days
# are real: the second build runs with the clock 20 days ahead (libfaketime).
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
command -v faketime >/dev/null || { echo "SKIP: faketime is not installed (Debian: faketime)"; exit 77; }
# 20 days from now, as an absolute time: the suite itself may run under faketime (.ci/run moves the
# clock three years ahead), and a relative offset would count from the real clock.
later="@$(date -u -d '+20 days' '+%Y-%m-%d %H:%M:%S')"
# at_later CMD...: CMD with the clock at $later. libfaketime is preloaded ahead of the sanitizer
# runtime of an ASan build, which ASan accepts when told.
at_later() { ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" faketime -f "$later" "$@"; }
at_later true 2>/dev/null || { echo "SKIP: faketime does not run here"; exit 77; }

test_ca old "Old Root" 3650; test_ca new "New Root" 3650
test_leaf leaf-old old 365; test_leaf leaf-new new 365
retire=$(date -u -d '+10 days' +%Y-%m-%d)

s_server PORT leaf-old.pem leaf-old.key ""
cat > certbundle.toml <<TOML
[[endpoint]]
name = "api"
url = "https://127.0.0.1:$PORT"
allow_untrusted = true
[bundle]
retire_after = $retire
emit = ["bin", "c"]
[[pem]]
name = "ca.pem"
endpoints = ["api"]
retire_after = $retire
TOML
expect_exit 0 "$CERTBUNDLE" lock --ca old.pem --ca new.pem
s_server PORT2 leaf-new.pem leaf-new.key ""
sed -i "s|https://127.0.0.1:$PORT|https://127.0.0.1:$PORT2|" certbundle.toml
expect_exit 0 "$CERTBUNDLE" lock --ca old.pem --ca new.pem
expect_in "$WORK/out" "transition started: \"Old Root\""

epoch=$(date -u +%s)   # the commit's time
SOURCE_DATE_EPOCH=$epoch expect_exit 0 "$CERTBUNDLE" build --out today -q
[ "$(grep -c 'BEGIN CERTIFICATE' today/ca.pem)" = 2 ] || fail "before retire_after, both roots"
SOURCE_DATE_EPOCH=$epoch expect_exit 0 at_later "$CERTBUNDLE" build --out later -q
diff -r today later || fail "the same commit built 20 days later with the same SOURCE_DATE_EPOCH differs"
# Without it, 20 days later is after retire_after: the old root leaves (so the clock did move).
expect_exit 0 at_later "$CERTBUNDLE" build --out unpinned -q
expect_in "$WORK/err" "\"Old Root\", a former anchor of api, is retired (retire_after $retire)"
[ "$(grep -c 'BEGIN CERTIFICATE' unpinned/ca.pem)" = 1 ] || fail "after retire_after, the new root only"
# The offline check judges at SOURCE_DATE_EPOCH too; the live check at the real now.
SOURCE_DATE_EPOCH=$((epoch + 3700 * 86400)) expect_exit 1 "$CERTBUNDLE" check --format gcc
expect_in "$WORK/out" "CA \"New Root\" expired"
SOURCE_DATE_EPOCH=$((epoch + 3700 * 86400)) expect_exit 0 "$CERTBUNDLE" check --live --format gcc
# A SOURCE_DATE_EPOCH that is not a number of seconds: exit 2, one line.
SOURCE_DATE_EPOCH=yesterday expect_exit 2 "$CERTBUNDLE" build --out bad
expect_one_line "$WORK/err"
expect_in "$WORK/err" "certbundle: error: SOURCE_DATE_EPOCH \"yesterday\" is not a number of seconds since 1970-01-01"
[ ! -e bad ] || fail "a refused build wrote bad/"
echo "build reproducible: ok"
