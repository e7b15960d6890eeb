# Offline commands start without libcurl and its 27 dependencies (certbundle/fetch/curl_api.hpp):
# the binary does not link it, an offline run never loads it, and a run that goes to the network
# loads it (LD_DEBUG=libs, glibc's dynamic loader reporting each library it opens).
. "$(dirname "$0")/lib.sh"
if ldd "$CERTBUNDLE" | grep -q 'libcurl'; then ldd "$CERTBUNDLE"; fail "certbundle links libcurl"; fi
LD_DEBUG=libs "$CERTBUNDLE" bundle -o x509_crt_bundle >/dev/null 2>"$WORK/libs" || fail "certbundle bundle failed"
if grep -q 'calling init: .*libcurl' "$WORK/libs"; then fail "an offline bundle loaded libcurl"; fi
grep -q 'calling init: .*libcrypto' "$WORK/libs" || { head -50 "$WORK/libs"; fail "LD_DEBUG=libs did not report the libraries loaded"; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LD_DEBUG=libs "$CERTBUNDLE" fetch "127.0.0.1:$port" --timeout 2 >/dev/null 2>"$WORK/libs" || true
grep -q 'calling init: .*libcurl' "$WORK/libs" || fail "fetch did not load libcurl"
grep -q "certbundle: error: 127.0.0.1:$port: connect: " "$WORK/libs" || { tail -5 "$WORK/libs"; fail "fetch did not report the refused connection"; }
echo "startup libs: ok"
