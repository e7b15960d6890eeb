# AIA downloads never downgrade: an issuer URL that is https may only redirect to https (an
# https -> http redirect is a failed download, warned as "aia: URL: why"); an http URL may redirect
# to http.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
make_pki
cd "$PKI"
pki_fingerprints
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
cat leaf.pem int-a.pem > served-chain.pem
py_server S https --dir "$PKI" --cert served-chain.pem --key leaf.key
http="http://127.0.0.1:$AIA_PORT"

# leaf_with_aia NAME URL: a localhost leaf signed by Test Intermediate A, caIssuers -> URL.
leaf_with_aia() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
  openssl req -new -key "$1.key" -subj "/CN=localhost" -out "$1.csr"
  printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nauthorityInfoAccess=caIssuers;URI:%s\n' \
    "$2" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA int-a.pem -CAkey int-a.key -set_serial "0x$(openssl rand -hex 8)" \
    -days 30 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}

# https -> http: not followed. AIA downloads trust the system store only, so this local https
# server is refused before its redirect is seen: what libcurl does with an https-only redirect list
# is checked in mozilla_update_https_only.sh (the same download function), the list chosen for an
# https URL in the unit tests (redirect_protocols_for).
down="https://127.0.0.1:$S/to?$(enc "$http/int-a.der")"
leaf_with_aia leaf-down "$down"
s_server P leaf-down.pem leaf-down.key ""
expect_exit 1 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem --json -o down.json
expect_in "$WORK/err" "certbundle: warning: 127.0.0.1:$P: aia: $down: "
expect_json down.json "d['targets'][0]['aia'][0]['ok']" False
expect_json down.json "d['targets'][0]['browser']['trusted']" False

# http -> http: followed, the chain completed.
same="$http/to?$(enc "$http/int-a.der")"
leaf_with_aia leaf-same "$same"
s_server P leaf-same.pem leaf-same.key ""
expect_exit 1 "$CERTBUNDLE" fetch "127.0.0.1:$P" --ca root-a.pem --json -o same.json
expect_json same.json "d['targets'][0]['aia'][0]['ok']" True
expect_json same.json "d['targets'][0]['aia'][0]['certificates'][0]['sha256']" "$INT_A"
expect_json same.json "d['targets'][0]['browser']['trusted']" True
echo PASS
