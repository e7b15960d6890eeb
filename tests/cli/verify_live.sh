# certbundle verify TARGET: live mbedtls handshakes against local `openssl s_server`s (127.0.0.1
# only, free ports, a readiness probe, killed on exit) serving the test PKI (tests/pki-device).
. "$(dirname "$0")/lib.sh"
P="$TESTS_DIR/pki-device"
B="$CERTBUNDLE"
command -v openssl >/dev/null || { echo "SKIP: openssl not installed"; exit 77; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_ready PORT: the port accepts connections within 10 s.
wait_ready() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  fail "server on port $1 not ready"
}
# serve CHAIN_EXTRA LEAF [s_server options...]: starts a server (killed on exit, and after 120 s
# in any case) and sets $port.
serve() {
  local extra=$1 leaf=$2
  shift 2
  port=$(free_port)
  timeout 120 openssl s_server -accept "127.0.0.1:$port" -cert "$P/$leaf.pem" \
    -key "$P/$leaf.key" -cert_chain "$extra" -quiet -www "$@" >"$WORK/server-$port.log" 2>&1 &
  pids+=($!)
  wait_ready "$port"
}

"$B" bundle -o a.bin "$P/root-a.pem" >/dev/null
"$B" bundle -o x.bin "$P/root-x.pem" >/dev/null
"$B" bundle -o dup.bin "$P/dup-1.pem" "$P/dup-2.pem" >/dev/null 2>&1
cat "$P/int.pem" >int-only.pem
cat "$P/int.pem" "$P/root-a-by-x.pem" >int-cross.pem

# Leaf + intermediate.
serve int-only.pem leaf
expect_exit 0 "$B" verify --bundle a.bin "localhost:$port"
expect_in out "tls: TLSv1.2, TLS-ECDHE-ECDSA-WITH-"
expect_in out "verdict: the device would connect"
expect_exit 1 "$B" verify --bundle x.bin "localhost:$port"
expect_in out "the bundle has no entry for \"O=certbundle tests,CN=Device Test Root A\""
expect_exit 1 "$B" verify --bundle a.bin --sni example.com "localhost:$port"
expect_in out "is not for \"example.com\""
expect_exit 0 "$B" verify --bundle a.bin --no-sni "localhost:$port"
expect_exit 0 "$B" verify --bundle a.bin "127.0.0.1:$port"
expect_in out "note: the IP address 127.0.0.1 is not checked"
expect_exit 0 "$B" verify --bundle a.bin --json --alpn mqtt "https://localhost:$port/path"
python3 - "$WORK/out" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["connects"] is True and j["outcome"] == "connects", j
assert j["protocol"] == "TLSv1.2" and j["ciphersuite"].startswith("TLS-ECDHE-ECDSA"), j
assert j["hostname"] == "localhost" and j["verification"]["anchor_entry"] == 0, j
PY
# The same chain offline (saved by fetch --pem or by hand) gives the same verdict.
cat "$P/leaf.pem" "$P/int.pem" >saved.pem
expect_exit 0 "$B" verify --bundle a.bin --chain saved.pem --host localhost

# A chain ending in a cross-signed root.
serve int-cross.pem leaf
expect_exit 1 "$B" verify --bundle a.bin "localhost:$port"
expect_in out "Device Test Root X"
expect_exit 0 "$B" verify --bundle a.bin --cross-signed-verify "localhost:$port"
expect_exit 0 "$B" verify --bundle x.bin "localhost:$port"

# Duplicate subjects in the bundle.
serve "$P/int-dup.pem" leaf-dup
expect_exit 1 "$B" verify --bundle dup.bin "localhost:$port"
expect_in out "entry #1 has the same subject and would verify"

# An expired intermediate: the device clock decides.
serve "$P/int-expired.pem" leaf-exp
expect_exit 0 "$B" verify --bundle a.bin "localhost:$port"
expect_exit 1 "$B" verify --bundle a.bin --time 2030-01-01 "localhost:$port"
expect_in out "has expired"

# A server that offers only cipher suites outside --ciphersuites.
serve int-only.pem leaf -cipher ECDHE-ECDSA-CHACHA20-POLY1305 -no_tls1_3
expect_exit 0 "$B" verify --bundle a.bin --ciphersuites TLS-ECDHE-ECDSA-WITH-CHACHA20-POLY1305-SHA256 "localhost:$port"
expect_in out "TLS-ECDHE-ECDSA-WITH-CHACHA20-POLY1305-SHA256"
expect_exit 1 "$B" verify --bundle a.bin \
  --ciphersuites TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 \
  "localhost:$port"
expect_in out "handshake_failure"
expect_in out "no cipher suite or group in common with --ciphersuites"
expect_exit 2 "$B" verify --bundle a.bin --ciphersuites TLS-NOPE "localhost:$port"
expect_one_line err

# A server that demands a client certificate.
serve int-only.pem leaf -Verify 1 -CAfile "$P/root-a.pem"
cat "$P/leaf.pem" "$P/int.pem" >client.pem
expect_exit 0 "$B" verify --bundle a.bin --cert client.pem --key "$P/leaf.key" "localhost:$port"
expect_exit 3 "$B" verify --bundle a.bin --cert missing.pem "localhost:$port"
expect_one_line err

# STARTTLS (SMTP), through certbundle/fetch's exchange.
port=$(free_port)
cat "$P/leaf.pem" "$P/int.pem" >smtp-chain.pem
timeout 60 python3 "$P/smtp_starttls_server.py" "$port" smtp-chain.pem "$P/leaf.key" &
pids+=($!)
wait_ready "$port"
expect_exit 0 "$B" verify --bundle a.bin --timeout 5 "smtp://localhost:$port"
expect_in out "verdict: the device would connect"

# Network failures before any TLS verdict: exit 5, within the timeout.
closed=$(free_port)
expect_exit 5 "$B" verify --bundle a.bin --timeout 2 "127.0.0.1:$closed"
expect_one_line err
expect_in err "127.0.0.1:$closed: connect: Failed to connect to 127.0.0.1 port $closed: Connection refused"
silent=$(free_port)
timeout 60 python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); time.sleep(60)' "$silent" &
pids+=($!)
wait_ready "$silent"
start=$(date +%s)
expect_exit 5 "$B" verify --bundle a.bin --timeout 1 "127.0.0.1:$silent"
expect_in err "timed out"
[ $(( $(date +%s) - start )) -le 5 ] || fail "the handshake outlived its timeout"
echo ok
