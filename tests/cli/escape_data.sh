# Nothing from data reaches an output raw (issue 12, item 3). A CA and a server certificate whose
# CN and SAN hold line breaks, ESC and BEL, a C1 control, and text that looks like a compiler
# error or a GitHub annotation (tests/tools/hostile_pki.py, python3-cryptography) go through
# fetch, lock, check (offline and --live, every format), build (PEM, C, report), and a lock whose
# label was edited by hand to smuggle a second PEM block. Every output must hold the data escaped
# as core/text.hpp documents (expected strings written by hand), no control byte but the line
# ends, and exactly the lines that the findings make.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
python3 -c 'import cryptography' 2>/dev/null || { echo "SKIP: python3-cryptography not installed"; exit 77; }
python3 "$TESTS_DIR/tools/hostile_pki.py" "$WORK"

# The data, as printable() writes it (by hand, from core/text.hpp).
CA1='Evil\nRoot\x1b[31m One'
CA2='Evil\r\nRoot Two\x07\u009b31m'
LEAF='x\nmain.c:1:1: error: injected\x1b[2J 100%0A::error::pct'
DNS='evil\n::error::sneaky'

# no_raw_bytes FILE...: no C0 control but LF, no DEL, no C1 control (UTF-8 C2 80..C2 9F).
no_raw_bytes() {
  local f
  for f in "$@"; do
    if LC_ALL=C grep -naP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$f" | cat -A | head -5 | grep .; then
      fail "$f holds a raw control byte from data"
    fi
  done
}
# no_injected_line FILE...: no line starts with text that came from data.
no_injected_line() {
  local f
  for f in "$@"; do
    if grep -nE '^(main\.c:|::error::(sneaky|pct)|Root|Evil|-----BEGIN CERTIFICATE-----.*Smuggled|MIIB)' "$f" |
        grep -v '^[0-9]*:MIIB.*$' | grep .; then
      fail "$f has a line that data started"
    fi
  done
}
lines() { wc -l <"$1" | tr -d ' '; }

s_server PORT "$WORK/leaf1.pem" "$WORK/leaf1.key" ""

# fetch: the text report and -showcerts-style PEM.
expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$PORT" --ca ca1.pem
cp out fetch.txt
expect_in fetch.txt "device view: the top certificate sent is [0] \"$LEAF\""
expect_in fetch.txt "browser view: trusted, anchor \"$CA1\" (ca, root"
expect_in fetch.txt "(DNS:$DNS, IP:127.0.0.1)"
expect_in fetch.txt 'issuer CN=Evil\0ARoot\1B[31m One'  # RFC 2253's own escapes (OpenSSL)
expect_exit 0 "$CERTBUNDLE" fetch "127.0.0.1:$PORT" --ca ca1.pem --pem --with-root
cp out fetch.pem
[ "$(grep -c -- '-----BEGIN CERTIFICATE-----' fetch.pem)" = 2 ] || fail "fetch --pem: not 2 blocks"
no_raw_bytes fetch.txt fetch.pem
no_injected_line fetch.txt fetch.pem

# lock, then the offline check every build runs: one finding (the leaf expires in 10 days).
cat > certbundle.toml <<TOML
[[endpoint]]
name = "api"
url = "https://127.0.0.1:$PORT"
allow_untrusted = true  # the test CAs are given to lock with --ca

[bundle]
roots = "endpoints"
emit = ["bin", "c"]

[[pem]]
name = "server.pem"
endpoints = ["api"]
emit = ["pem", "c"]

[[pem]]
name = "next.pem"
files = ["ca2.pem"]

# A copy of the snapshot (its date unknown), so that the bundled snapshot's age, which depends on
# today, is no finding here.
[policy]
mozilla = "certdata.txt"
TOML
cp "$MOZILLA_DIR/certdata.txt" .
expect_exit 0 "$CERTBUNDLE" lock --ca ca1.pem
expect_in out "api: locked for the first time, device anchor \"$CA1\""
cp out lock.txt
no_raw_bytes lock.txt err

expect_exit 0 "$CERTBUNDLE" check --format gcc
cp out offline.gcc
[ "$(lines offline.gcc)" = 1 ] || { cat -A offline.gcc; fail "check --format gcc: expected 1 line"; }
expect_in offline.gcc "certbundle.toml:1: warning: endpoint api: the leaf \"$LEAF\" the server presents expires in "
expect_exit 0 "$CERTBUNDLE" check --format github
cp out offline.github
[ "$(lines offline.github)" = 2 ] || { cat -A offline.github; fail "check --format github: expected 2 lines"; }
no_raw_bytes offline.gcc offline.github
no_injected_line offline.gcc offline.github

# build: PEM comments, C sources and headers, the report.
expect_exit 0 "$CERTBUNDLE" build --out gen
cp out build.txt
# A label that came through the lock was escaped when lock wrote it (a lock holds one-line labels
# only) and is escaped again where it is written: its backslashes doubled.
CA1_LOCKED=${CA1//\\/\\\\}
expect_in gen/server.pem "# $CA1_LOCKED (notAfter "
expect_in build.txt "  + $CA1_LOCKED (expires "
expect_in gen/next.pem "# $CA2 (notAfter "
[ "$(grep -c -- '-----BEGIN CERTIFICATE-----' gen/server.pem)" = 1 ] || fail "server.pem: not 1 block"
no_raw_bytes build.txt err gen/*.pem gen/*.c gen/*.h gen/certbundle-build.txt
no_injected_line build.txt gen/*.pem gen/*.c gen/*.h gen/certbundle-build.txt

# The server moves to Test CA 2 (in next.pem, not in the outputs that serve api): check --live
# finds, for api, 2 x anchor-missing (x509_crt_bundle, server.pem), anchor-changed, and the
# locked leaf's expiry: 4 findings, 4 gcc lines, 4 github lines and a summary.
cleanup_servers; PIDS=()
openssl s_server -www -accept "127.0.0.1:$PORT" -cert leaf2.pem -key leaf2.key \
  -no-CAfile -no-CApath -no-CAstore </dev/null >s2.log 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q '^ACCEPT' s2.log && break; sleep 0.1; done
grep -q '^ACCEPT' s2.log || fail "server did not restart on port $PORT"
expect_exit 1 "$CERTBUNDLE" check --live --format gcc
cp out live.gcc
[ "$(lines live.gcc)" = 4 ] || { cat -A live.gcc; fail "check --live --format gcc: expected 4 lines"; }
expect_in live.gcc "certbundle.toml:1: error: endpoint api: x509_crt_bundle does not hold \"$CA2\", the anchor"
expect_in live.gcc "certbundle.toml:1: warning: endpoint api: the device anchor is now \"$CA2\", the lock has \"$CA1\""
[ "$(grep -c '^certbundle.toml:1: ' live.gcc)" = 4 ] || fail "a gcc line that does not start with the manifest"
expect_exit 1 "$CERTBUNDLE" check --live --format github
cp out live.github
[ "$(lines live.github)" = 5 ] || { cat -A live.github; fail "check --live --format github: expected 5 lines"; }
[ "$(grep -c '^::\(error\|warning\) file=certbundle.toml,line=1,title=certbundle ' live.github)" = 4 ] ||
  fail "a github line that is not an annotation of the manifest"
# GitHub reads %0A in a message as a line break: the CN's '%' is written %25.
expect_in live.github "the leaf \"${LEAF/\%/%25}\" the server presents"
grep -q '100%0A' live.github && fail "a raw %0A from data in the github format"
expect_in live.github 'certbundle check: 2 errors, 2 warnings'
expect_exit 1 "$CERTBUNDLE" check --live --format text
cp out live.text
expect_exit 1 "$CERTBUNDLE" check --live --format junit
cp out live.xml
python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' live.xml ||
  fail "check --format junit is not well-formed XML"
expect_exit 1 "$CERTBUNDLE" check --live --format json
cp out live.json
expect_json live.json 'len(d["findings"])' 4
expect_json live.json '[f["message"] for f in d["findings"] if f["code"] == "expiry"][0].split("\"")[1]' \
  "$(printf 'x\nmain.c:1:1: error: injected\033[2J 100%%0A::error::pct')"
no_raw_bytes live.gcc live.github live.text live.xml
# JSON keeps the data exact for machines: C0 controls as \u escapes (RFC 8259), other characters
# (U+009B included) as UTF-8.
if LC_ALL=C grep -naP '[\x00-\x09\x0b-\x1f\x7f]' live.json; then fail "live.json holds a raw C0 byte"; fi
no_injected_line live.gcc live.github live.text live.xml live.json

# A lock edited by hand: the device anchor's label smuggles a PEM block (another certificate)
# into the PEM buffer's comment line. With its line breaks, the lock is refused (a lock's strings
# are one line: tests/cli/project_hostile_lock.sh); written on one line, the label passes the lock
# reader, and the buffer must still hold exactly one certificate, ca1.
cp certbundle.lock lock.good
# smuggle SEPARATOR: the label of every anchor of api becomes other.pem joined by SEPARATOR.
smuggle() {
  python3 - lock.good other.pem "$1" <<'PY'
import json, sys
lock = json.load(open(sys.argv[1]))
smuggled = "x" + sys.argv[3] + sys.argv[3].join(open(sys.argv[2]).read().splitlines()) + sys.argv[3] + "# y"
e = lock["endpoints"]["api"]
e["device_anchor"]["label"] = smuggled
for a in e["browser_anchors"]:
    a["label"] = smuggled
json.dump(lock, open("certbundle.lock", "w"), indent=2, sort_keys=True)
PY
}
smuggle $'\n'
rm -rf gen
expect_exit 3 "$CERTBUNDLE" build --out gen
expect_in err '"label" holds a control character'
[ ! -e gen ] || fail "a refused build wrote gen/"
smuggle ' '
expect_exit 0 "$CERTBUNDLE" build --out gen
cp out smuggle.txt
[ "$(grep -c -- '-----BEGIN CERTIFICATE-----' gen/server.pem)" = 1 ] || { cat gen/server.pem; fail "a smuggled PEM block"; }
[ "$(grep -c -- '-----END CERTIFICATE-----' gen/server.pem)" = 1 ] || fail "a smuggled PEM END line"
expect_in gen/server.pem '# x ----\x2dBEGIN CERTIFICATE----\x2d MII'
# mbedtls (the device) finds "-----BEGIN CERTIFICATE-----" anywhere in a buffer, and stops reading
# at one that is not followed by a line end: no "-----" may stand outside the block's own lines.
if grep -- '-----' gen/server.pem | grep -vx -- '-----\(BEGIN\|END\) CERTIFICATE-----'; then
  fail "a PEM boundary in a comment of server.pem"
fi
openssl crl2pkcs7 -nocrl -certfile gen/server.pem | openssl pkcs7 -print_certs -noout >certs.txt
[ "$(grep -c '^subject=' certs.txt)" = 1 ] || { cat certs.txt; fail "openssl reads more than one certificate"; }
[ "$(openssl x509 -in gen/server.pem -noout -fingerprint -sha256)" = \
  "$(openssl x509 -in ca1.pem -noout -fingerprint -sha256)" ] || fail "server.pem does not hold ca1"
expect_in smuggle.txt 'server.pem: PEM buffer, 1 certificates'
no_raw_bytes smuggle.txt gen/*.pem gen/*.c gen/*.h gen/certbundle-build.txt
no_injected_line smuggle.txt gen/*.pem gen/*.c gen/*.h gen/certbundle-build.txt
echo "escape_data: ok"
