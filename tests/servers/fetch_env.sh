# Helpers for tests/cli/fetch_*.sh (source after lib.sh): a test PKI generated now, and servers
# on 127.0.0.1 / ::1 that are killed when the test exits. Every wait has a deadline.
SERVERS_DIR="$TESTS_DIR/servers"
PIDS=()
cleanup_servers() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup_servers EXIT

command -v openssl >/dev/null || { echo "SKIP: openssl not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }

# wait_file FILE: until FILE exists (30 s at most: CI machines can be busy).
wait_file() {
  local i
  for i in $(seq 300); do [ -s "$1" ] && return 0; sleep 0.1; done
  fail "server not ready: $1 never appeared"
}

# py_server VAR MODE [ARGS...]: starts tests/servers/testserver.py; sets VAR to its (first) port.
py_server() {
  local var=$1 mode=$2
  shift 2
  local pf
  pf=$(mktemp "$WORK/port.XXXXXX") && rm -f "$pf"
  python3 "$SERVERS_DIR/testserver.py" "$mode" --port-file "$pf" --deadline 120 "$@" \
    >"$pf.log" 2>&1 </dev/null &
  PIDS+=($!)
  wait_file "$pf"
  printf -v "$var" '%s' "$(head -n1 "$pf")"
  PORTS_FILE=$pf
}

# s_server VAR CERT KEY CHAIN [HOST] [EXTRA...]: openssl s_server sending CERT then CHAIN exactly.
s_server() {
  local var=$1 cert=$2 key=$3 chain=$4 host=${5:-127.0.0.1}
  shift 4; [ $# -gt 0 ] && shift
  local log
  log=$(mktemp "$WORK/s_server.XXXXXX")
  local addr=$host
  [[ $host == *:* ]] && addr="[$host]"
  local chain_args=()
  [ -n "$chain" ] && chain_args=(-cert_chain "$chain")
  openssl s_server -www -accept "$addr:0" -cert "$cert" -key "$key" "${chain_args[@]}" \
    -no-CAfile -no-CApath -no-CAstore "$@" >"$log" 2>&1 </dev/null &
  PIDS+=($!)
  local i port=""
  for i in $(seq 300); do
    port=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' "$log")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$log"; fail "openssl s_server did not start"; }
  printf -v "$var" '%s' "$port"
}

# make_pki: $PKI holds the test PKI; its AIA URLs point at an HTTP server on 127.0.0.1.
# LONG_CHAIN=1 adds the 30-certificate chain.
make_pki() {
  PKI="$WORK/pki"
  mkdir -p "$PKI"
  py_server AIA_PORT http --dir "$PKI"
  bash "$TESTS_DIR/pki/make_pki.sh" "$PKI" "http://127.0.0.1:$AIA_PORT" >/dev/null
}

# test_ca NAME CN DAYS: a self-signed EC CA valid from now for DAYS days (NAME.pem, NAME.key).
# test_leaf NAME ISSUER DAYS: a leaf for localhost and 127.0.0.1 under ISSUER, valid DAYS days.
test_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.pem" \
    -days "$3" -subj "/CN=$2" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign" 2>/dev/null
}
test_leaf() {
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" \
    -subj "/CN=localhost" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days "$3" \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}

# json_get FILE EXPR: evaluates a Python expression on the parsed JSON document `d`.
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
# expect_json FILE EXPR VALUE
expect_json() {
  local got
  got=$(json_get "$1" "$2") || fail "cannot evaluate $2 on $1"
  [ "$got" = "$3" ] || { cat "$1" | head -c 3000; fail "$2 is \"$got\", expected \"$3\""; }
}

# sha256 of a PEM certificate as openssl prints it, in lower-case hex without colons.
fingerprint() { openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'; }
# pki_fingerprints: sets ROOT_A, ROOT_B, INT_A and LEAF to the fingerprints of make_pki's
# Test Root A, Test Root B, Test Intermediate A and leaf.
pki_fingerprints() {
  ROOT_A=$(fingerprint "$PKI/root-a.pem")
  ROOT_B=$(fingerprint "$PKI/root-b.pem")
  INT_A=$(fingerprint "$PKI/int-a.pem")
  LEAF=$(fingerprint "$PKI/leaf.pem")
}

# self_signed_ca BASE CN: a self-signed EC P-256 CA, BASE.pem and BASE.key, valid 10 years.
self_signed_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.pem" \
    -days 3650 -subj "/CN=$2" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign" 2>/dev/null
}

# root_with_leaf X: in $PKI, "Test Root X" (root-x.pem/.key) signing a localhost leaf
# (leaf-x.pem/.key, SANs localhost and 127.0.0.1) directly: a hierarchy apart from make_pki's.
root_with_leaf() {
  local x=$1
  ( cd "$PKI"
    self_signed_ca "root-$x" "Test Root ${x^^}"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "leaf-$x.key" \
      -out "leaf-$x.csr" -subj "/CN=localhost" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "leaf-$x.ext"
    openssl x509 -req -in "leaf-$x.csr" -CA "root-$x.pem" -CAkey "root-$x.key" -CAcreateserial \
      -days 365 -extfile "leaf-$x.ext" -out "leaf-$x.pem" 2>/dev/null )
}

# free_port: a TCP port on 127.0.0.1 that was free a moment ago (nothing listens on it).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# expect_error CODE STEP TARGET ARGS...: `certbundle fetch TARGET ARGS...` exits CODE with one
# stderr line naming TARGET and STEP.
expect_error() {
  local code=$1 step=$2 target=$3
  shift 3
  expect_exit "$code" "$CERTBUNDLE" fetch "$target" "$@"
  expect_one_line "$WORK/err"
  expect_in "$WORK/err" "certbundle: error: $target: $step: "
}

# elapsed_ms CMD...: runs CMD (any exit code; stdout and stderr to $WORK/out and $WORK/err), prints
# the milliseconds it took.
elapsed_ms() {
  local start end
  start=$(date +%s%N)
  "$@" >"$WORK/out" 2>"$WORK/err" || true
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}
