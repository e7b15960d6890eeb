# Helpers for the fault tests (tests/cli/*_fault_servers.sh; source after fetch_env.sh and
# make_pki): certificates and servers that misbehave, and the bounds every run must stay within.
#
# The bounds (README.md, "Limits"): a run ends within --timeout of its slowest step, plus a margin
# of MARGIN_MS beyond what a run that fails at once takes (starting the process, loading the
# Mozilla data; measured by the test as its base); and its peak RSS stays under MEMORY_BOUND_KB.
MEMORY_BOUND_KB=$((64 * 1024))
# 2 s: a loaded 2-core CI machine, ASan builds; a hang would overrun it by far.
MARGIN_MS=2000

# Under AddressSanitizer the process maps shadow memory and keeps freed blocks in quarantine: its
# peak RSS says nothing about certbundle's own. The memory bound is then not asserted (the time
# bound still is). ASan is detected in the binary itself (GCC links libasan.so; clang links its
# runtime statically, exporting __asan_init), whatever the environment says.
if ldd "$CERTBUNDLE" 2>/dev/null | grep -q 'libasan' || nm -D "$CERTBUNDLE" 2>/dev/null | grep -q ' __asan_init'; then
  UNDER_ASAN=1
  echo "NOTE: certbundle is built with AddressSanitizer: peak memory is measured but not asserted"
else
  UNDER_ASAN=0
fi
python3 -c "import cryptography" 2>/dev/null || { echo "SKIP: python3-cryptography not installed (it makes the 1 MB certificate)"; exit 77; }
if [ ! -x /usr/bin/time ]; then
  echo "SKIP: /usr/bin/time (Debian package time) is missing: it measures the peak memory"
  exit 77
fi

# measure CMD...: runs CMD (any exit code), stdout to $WORK/out, stderr to $WORK/err; sets RC (exit
# code), MS (wall time, milliseconds) and KB (peak RSS, kilobytes).
measure() {
  local start end
  RC=0
  start=$(date +%s%N)
  /usr/bin/time -o "$WORK/rss" -f %M "$@" >"$WORK/out" 2>"$WORK/err" || RC=$?
  end=$(date +%s%N)
  MS=$(((end - start) / 1000000))
  KB=$(tail -n1 "$WORK/rss")
}

# expect_bounds WHAT TIMEOUT_MS BASE_MS: the last measured run took at most TIMEOUT_MS + BASE_MS +
# MARGIN_MS, and (without ASan) peaked under MEMORY_BOUND_KB.
expect_bounds() {
  local what=$1 timeout_ms=$2 base=$3
  echo "$what: exit $RC, $MS ms, $KB KB"
  [ "$MS" -le $((timeout_ms + base + MARGIN_MS)) ] ||
    { cat "$WORK/err"; fail "$what took $MS ms: more than the $timeout_ms ms timeout + $MARGIN_MS ms (base $base ms)"; }
  [ "$UNDER_ASAN" = 1 ] || [ "$KB" -le "$MEMORY_BOUND_KB" ] ||
    fail "$what peaked at $KB KB: more than $MEMORY_BOUND_KB KB"
}

# expect_rc CODE: the last measured run exited with CODE.
expect_rc() {
  [ "$RC" = "$1" ] || { echo "--- stdout"; cat "$WORK/out"; echo "--- stderr"; cat "$WORK/err"; fail "exit code $RC, expected $1"; }
}

# make_fault_certs: in $PKI (make_pki's, with its AIA server on $AIA_PORT):
#   leaf-redirect.pem, leaf-huge.pem, leaf-huge-announced.pem  leaves (key leaf.key, issuer int-a)
#       whose caIssuers URL is the AIA server's /redirect (forever), /huge (100 MB, no length),
#       /huge-announced (100 MB, Content-Length given)
#   served-big.pem       a leaf with a 1 MB extension, then int-a
#   served-1000.pem      the leaf, then int-a 1000 times (456 KB)
#   served-150.pem       the leaf, then int-a 150 times (68 KB: under the size limit, over the count)
#   served-good.pem      the leaf, then int-a
make_fault_certs() {
  ( cd "$PKI"
    local x
    for x in redirect huge huge-announced; do
      printf '[leaf_%s]\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nauthorityInfoAccess=caIssuers;URI:http://127.0.0.1:%s/%s\n' \
        "$x" "$AIA_PORT" "$x" >"ext-$x.cnf"
      openssl req -new -key leaf.key -subj /CN=localhost -out "leaf-$x.csr"
      openssl x509 -req -in "leaf-$x.csr" -CA int-a.pem -CAkey int-a.key -set_serial "$((RANDOM + 5000))" \
        -days 90 -extfile "ext-$x.cnf" -extensions "leaf_$x" -out "leaf-$x.pem" 2>/dev/null
    done
    python3 - <<'PY' || fail "cannot make the 1 MB certificate"
import datetime, ipaddress
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
issuer = x509.load_pem_x509_certificate(open("int-a.pem", "rb").read())
issuer_key = serialization.load_pem_private_key(open("int-a.key", "rb").read(), None)
key = serialization.load_pem_private_key(open("leaf.key", "rb").read(), None)
now = datetime.datetime.now(datetime.timezone.utc)
cert = (x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(issuer.subject).public_key(key.public_key()).serial_number(4242)
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\0" * (1 << 20)), False)
        .sign(issuer_key, hashes.SHA256()))
open("leaf-big.pem", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
PY
    cat leaf-big.pem int-a.pem >served-big.pem
    cat leaf.pem int-a.pem >served-good.pem
    local i int
    int=$(<int-a.pem)
    { cat leaf.pem; for ((i = 0; i < 1000; ++i)); do printf '%s\n' "$int"; done; } >served-1000.pem
    { cat leaf.pem; for ((i = 0; i < 150; ++i)); do printf '%s\n' "$int"; done; } >served-150.pem
    rm -f ./*.csr )
}

# The faults, one a line: NAME, testserver.py mode, the chain it serves (in $PKI), the step that
# fails, and what the message says. The AIA faults serve a leaf alone: the chain is incomplete and
# its issuer is fetched from the AIA server, which misbehaves.
FAULTS="silent silent - handshake timed out after 2 s
hello-stall hello-stall served-good.pem handshake timed out after 2 s
trickle trickle served-good.pem handshake timed out after 2 s
big-cert tls served-big.pem handshake excessive message size
1000-certs tls served-1000.pem handshake excessive message size
150-certs tls served-150.pem handshake the server sent 151 certificates, more than certbundle accepts (100)
reset reset served-good.pem handshake Connection reset by peer
aia-redirect tls leaf-redirect.pem aia Maximum (5) redirects followed
aia-huge tls leaf-huge.pem aia the response is larger than 1048576 bytes
aia-huge-announced tls leaf-huge-announced.pem aia the response is larger than 1048576 bytes"

# fault_server VAR MODE CHAIN [PORT]: starts testserver.py in MODE serving CHAIN ("-": none) with
# leaf.key, on PORT (default: any); sets VAR to its port and FAULT_PID to its process.
fault_server() {
  local var=$1 mode=$2 chain=$3 port=${4:-0}
  local tls=()
  [ "$chain" = - ] || tls=(--cert "$PKI/$chain" --key "$PKI/leaf.key")
  py_server "$var" "$mode" "${tls[@]}" --port "$port"
  FAULT_PID=${PIDS[-1]}
}
