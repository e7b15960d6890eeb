# certbundle fetch with many targets: fetched concurrently (--jobs), from arguments and --from;
# one failing target does not stop the others; results in the order given; a progress line only
# on a terminal.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
make_pki
cd "$PKI"
s_server A leaf.pem leaf.key chain-full.pem
s_server B leaf.pem leaf.key chain-int.pem ::1
s_server C leaf.pem leaf.key chain-cross.pem
py_server S silent
free_port=$(free_port)
cat >targets.txt <<TARGETS
# comment lines and blank lines are skipped

https://127.0.0.1:$A/some/path
[::1]:$B
127.0.0.1:$free_port
127.0.0.1:$S
TARGETS

base_start=$(date +%s%N)
"$CERTBUNDLE" fetch "127.0.0.1:$free_port" >/dev/null 2>&1 || true
base=$((($(date +%s%N) - base_start) / 1000000))
# All targets, arguments first, then --from, in order, although the silent one finishes last; exit 5 because two failed.
start=$(date +%s%N)
expect_exit 5 "$CERTBUNDLE" fetch --from targets.txt "localhost:$C" --ca roots.pem --timeout 2 --jobs 8 --json -o many.json
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -le $((3000 + base)) ] || fail "5 targets at once took $ms ms (the slowest has a 2 s timeout; base $base ms)"
expect_json many.json "[t['target'] for t in d['targets']]" \
  "['localhost:$C', 'https://127.0.0.1:$A/some/path', '[::1]:$B', '127.0.0.1:$free_port', '127.0.0.1:$S']"
expect_json many.json "[t['fetched'] for t in d['targets']]" "[True, True, True, False, False]"
expect_json many.json "[t['error']['step'] if t['error'] else None for t in d['targets']]" \
  "[None, None, None, 'connect', 'handshake']"
[ "$(wc -l <"$WORK/err")" = 2 ] || { cat "$WORK/err"; fail "two error lines expected"; }
# libcurl's message without its elapsed time, so that the report is the same under any load.
expect_in "$WORK/err" "certbundle: error: 127.0.0.1:$free_port: connect: Failed to connect to 127.0.0.1 port $free_port: Connection refused"
expect_in "$WORK/err" "certbundle: error: 127.0.0.1:$S: handshake: timed out after 2 s"
grep -q $'\r' "$WORK/err" && fail "a progress line was printed although stderr is not a terminal"

# The readable report covers every target; --jobs 1 gives the same JSON as --jobs 8.
expect_exit 5 "$CERTBUNDLE" fetch --from targets.txt "localhost:$C" --ca roots.pem --timeout 2 --jobs 1 --json --at "$(json_get many.json "d['at']")" -o one.json
cmp many.json one.json || { diff many.json one.json; fail "--jobs 1 and --jobs 8 differ"; }
expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$A" "[::1]:$B" "localhost:$C" --ca roots.pem
[ "$(grep -c '^browser view: trusted' "$WORK/out")" = 3 ] || fail "three reports expected"

# -4 and -6 choose among the addresses of localhost (127.0.0.1 and ::1); by default both are tried.
expect_exit 0 "$CERTBUNDLE" fetch "localhost:$B" --ca roots.pem
expect_exit 0 "$CERTBUNDLE" fetch "localhost:$B" -6 --ca roots.pem
expect_exit 5 "$CERTBUNDLE" fetch "localhost:$B" -4 --ca roots.pem
expect_in "$WORK/err" "certbundle: error: localhost:$B: connect: "
expect_exit 0 "$CERTBUNDLE" fetch "localhost:$A" -4 --ca roots.pem
expect_exit 2 "$CERTBUNDLE" fetch "localhost:$A" -4 -6

# On a terminal: a progress line on stderr, erased at the end (script(1) is util-linux's: always
# on Debian).
command -v script >/dev/null || fail "no script(1) for the terminal check"
script -qec "'$CERTBUNDLE' fetch '127.0.0.1:$A' '[::1]:$B' --ca roots.pem -o tty.txt" /dev/null \
    </dev/null >"$WORK/tty.log" 2>&1 || true
expect_in "$WORK/tty.log" "fetched 2/2"
echo PASS
