# A server controls the bytes of its certificates. One whose leaf has a DNS SAN with the byte 0xFF
# and an escape sequence in its CN: fetch --json is still valid UTF-8 JSON for the whole batch (the
# good target beside it reported too), and no raw control character or invalid byte reaches the
# text report or the check formats that build logs read.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 30 \
  -subj "/CN=Hostile Test Root" -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
# leaf NAME CN SAN-LINE: a leaf under Hostile Test Root.
leaf() {
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
  printf '%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile "$1.ext" \
    -out "$1.pem" 2>/dev/null
}
leaf evil "evil$(printf '\033')[31m::error::injected" "subjectAltName=DNS:localhost,DNS:a$(printf '\377')b.example"
leaf good "localhost" "subjectAltName=DNS:localhost,IP:127.0.0.1"
openssl x509 -in evil.pem -noout -ext subjectAltName | grep -q "$(printf '\377')" || fail "openssl did not write the 0xFF byte"
s_server EVIL evil.pem evil.key ""
s_server GOOD good.pem good.key ""

expect_exit 1 "$CERTBUNDLE" fetch "127.0.0.1:$EVIL" "127.0.0.1:$GOOD" --ca ca.pem --json -o batch.json
python3 - <<'PY' || fail "fetch --json is not valid UTF-8 JSON with both targets"
import json
d = json.loads(open("batch.json", "rb").read().decode("utf-8"))  # strict: invalid UTF-8 raises
t = d["targets"]
assert len(t) == 2, t
assert "\ufffd" in "".join(t[0]["name"]["dns"]), t[0]["name"]     # the 0xFF byte, replaced
assert t[1]["browser"]["trusted"] is True, t[1]
assert t[0]["chain"][0]["sha256"] and t[1]["chain"][0]["sha256"]
PY
echo "fetch hostile server: ok"
