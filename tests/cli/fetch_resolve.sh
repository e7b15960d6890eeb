# A host name that does not resolve (.invalid never does, RFC 6761) is a resolve failure: exit 5,
# one line naming the target and the step. The lookup runs in a network namespace of its own
# (unshare: only a loopback interface, down), so no DNS query leaves this machine whatever the
# resolver configuration says.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
isolated=(unshare --net --map-root-user)
"${isolated[@]}" true 2>/dev/null || isolated=(unshare --net)
"${isolated[@]}" true 2>/dev/null || { echo "SKIP: no network namespace can be made here (unshare --net)"; exit 77; }
CERTBUNDLE_REAL=$CERTBUNDLE
CERTBUNDLE="$WORK/isolated-certbundle"
printf '#!/bin/sh\nexec %s "%s" "$@"\n' "${isolated[*]}" "$CERTBUNDLE_REAL" > "$CERTBUNDLE" && chmod +x "$CERTBUNDLE"
expect_error 5 resolve "no-such-host.invalid:443" --timeout 5
expect_in "$WORK/err" "certbundle: error: no-such-host.invalid:443: resolve: Could not resolve host: no-such-host.invalid"
echo "fetch resolve: ok"
