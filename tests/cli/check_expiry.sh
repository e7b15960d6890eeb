# certbundle check, offline: expiry thresholds at their edges, exit codes and every report format.
# Certificates expire at moments set to the second with `openssl ca -enddate`; the expected day
# counts come from Python's datetime, not from certbundle.
. "$(dirname "$0")/lib.sh"

# ca NAME CN ENDDATE: a self-signed CA valid from 2020-01-01 until ENDDATE (YYYYMMDDHHMMSSZ).
mkdir -p db && : > db/index.txt && echo 1000 > db/serial
cat > ca.cnf <<'CNF'
[ca]
default_ca=d
[d]
database=db/index.txt
new_certs_dir=db
serial=db/serial
default_md=sha256
policy=p
unique_subject=no
[p]
commonName=supplied
[ext]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign
CNF
ca() {
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
  openssl ca -batch -config ca.cnf -selfsign -keyfile "$1.key" -in "$1.csr" -startdate 20200101000000Z \
    -enddate "$3" -extfile ca.cnf -extensions ext -notext -out "$1.pem" 2>/dev/null
}
ca leap "Leap Day CA" 20280229235959Z
[ "$(openssl x509 -in leap.pem -noout -enddate)" = "notAfter=Feb 29 23:59:59 2028 GMT" ] || fail "openssl did not set the date"

# A snapshot file (its date unknown), so that the bundled snapshot's age is no finding here.
cp "$MOZILLA_DIR/certdata.txt" snapshot.txt
cat > certbundle.toml <<'TOML'
[policy]
warn_days = 90
fail_days = 30
mozilla = "snapshot.txt"

[[pem]]
name = "ca.pem"
files = ["leap.pem"]
TOML
days() { python3 -c "from datetime import datetime as d; f='%Y-%m-%dT%H:%M:%SZ'; print((d.strptime('2028-02-29T23:59:59Z', f) - d.strptime('$1', f)).days)"; }

# check_at AT EXIT SEVERITY: `check --at AT` exits EXIT and reports SEVERITY (or "none").
check_at() {
  expect_exit "$2" "$CERTBUNDLE" check --at "$1" --format json
  local got
  got=$(python3 -c "import json,sys; f=json.load(open(sys.argv[1]))['findings']; print(f[0]['severity'] + ' ' + str(f[0]['days_left']) if f else 'none')" "$WORK/out")
  local want="$3"
  [ "$3" = none ] || want="$3 $(days "$1")"
  [ "$got" = "$want" ] || fail "at $1: got \"$got\", expected \"$want\""
}
check_at 2027-11-30T23:59:58Z 0 none                      # 91 days left
[ "$(days 2027-12-01T23:59:59Z)" = 90 ] || fail "python disagrees on 90 days"
check_at 2027-12-01T23:59:59Z 0 warning                   # exactly warn_days left
check_at 2027-12-02T00:00:00Z 0 warning                   # 89 days and a bit
check_at 2028-01-29T23:59:59Z 0 warning                   # 31 days
check_at 2028-01-30T23:59:59Z 1 error                     # exactly fail_days left
check_at 2028-02-29T00:00:00Z 1 error                     # the day of expiry: 0 days left
check_at 2028-02-29T23:59:59Z 1 error                     # its last second: still valid, 0 days
expect_in "$WORK/out" "expires today (2028-02-29T23:59:59Z)"
check_at 2028-03-01T00:00:00Z 1 error                     # the day after: expired
expect_in "$WORK/out" "\"expired\""
expect_exit 1 "$CERTBUNDLE" check --at 2028-03-02
expect_in "$WORK/out" "expired 1 day ago (2028-02-29T23:59:59Z)"

# --strict: warnings fail too; the thresholds can be given on the command line.
expect_exit 0 "$CERTBUNDLE" check --at 2027-12-15
expect_exit 1 "$CERTBUNDLE" check --at 2027-12-15 --strict
expect_exit 0 "$CERTBUNDLE" check --at 2027-12-15 --warn-days 10 --fail-days 5
expect_in "$WORK/out" "no findings"
expect_exit 2 "$CERTBUNDLE" check --at 2027-12-15 --warn-days 10 --fail-days 50
expect_exit 2 "$CERTBUNDLE" check --at 2027-13-01
expect_one_line "$WORK/err"

# The formats: gcc points at the manifest line of the output; github annotates the file.
expect_exit 1 "$CERTBUNDLE" check --at 2028-02-01 --format gcc
expect_in "$WORK/out" "certbundle.toml:6: error: pem ca.pem: CA \"Leap Day CA\" expires in 28 days (2028-02-29T23:59:59Z) [expiry]"
expect_exit 0 "$CERTBUNDLE" check --at 2027-12-15 --format github
expect_in "$WORK/out" "::warning file=certbundle.toml,line=6,title=certbundle expiry::pem ca.pem: CA \"Leap Day CA\" expires in 76 days"
expect_exit 1 "$CERTBUNDLE" check --at 2028-02-01 --format junit -o report.xml
python3 - <<'PY'
import xml.etree.ElementTree as ET
root = ET.parse("report.xml").getroot()
assert root.tag == "testsuites" and root.get("failures") == "1", ET.tostring(root)
failure = root.find("./testsuite/testcase/failure")
assert failure is not None and "Leap Day CA" in failure.get("message"), ET.tostring(root)
PY
# NO_COLOR and a pipe: no escape codes.
"$CERTBUNDLE" check --at 2027-12-15 | grep -q $'\033' && fail "colour in a pipe"

# An identity (device certificate) is checked too, never embedded.
ca device "Device 42" 20271231120000Z
cat >> certbundle.toml <<'TOML'

[[identity]]
name = "device"
cert = "device.pem"
TOML
expect_exit 1 "$CERTBUNDLE" check --at 2027-12-15 --format gcc
expect_in "$WORK/out" "certbundle.toml:10: error: identity device: device certificate \"Device 42\" expires in 16 days"

# Bare files: a bundle's entries get their dates from the snapshot; others are "expiry unknown".
"$CERTBUNDLE" bundle --at 2026-11-21 --include "Entrust Root Certification Authority" -o entrust.bin 2>/dev/null
"$CERTBUNDLE" bundle leap.pem -o leap.bin 2>/dev/null
expect_exit 1 "$CERTBUNDLE" check entrust.bin leap.bin leap.pem --at 2026-11-21 --format gcc
expect_in "$WORK/out" "entrust.bin: error: entrust.bin entry 0: CA \"Entrust Root Certification Authority\" expires in 6 days (2026-11-27T20:53:42Z)"
expect_in "$WORK/out" "leap.bin: warning: leap.bin entry 0: entry 0 (CN=Leap Day CA) matches no root of bundled certdata.txt"
[ "$(grep -c 'leap.pem' "$WORK/out")" = 0 ] || fail "leap.pem is fine in 2026"
: > empty.bin
expect_exit 3 "$CERTBUNDLE" check missing.bin
expect_one_line "$WORK/err"
# A root whose distrust-after date has passed: servers must move (Entrust: 2024-11-30).
mkdir -p distrust && printf '[[pem]]\nname = "e.pem"\nlabels = ["Entrust Root Certification Authority"]\n' > distrust/certbundle.toml
expect_exit 0 "$CERTBUNDLE" check distrust/certbundle.toml --at 2026-06-01 --format gcc
expect_in "$WORK/out" "distrust/certbundle.toml:1: warning: pem e.pem: \"Entrust Root Certification Authority\": Mozilla distrusts certificates it issued after 2024-11-30: servers must move to another CA [distrusted-root]"
# An embedded root that Mozilla no longer trusts for server authentication: GlobalSign Root CA is
# in certdata.txt 2.86 with CKT_NSS_MUST_VERIFY_TRUST. Its DER is decoded from the octal by Python.
python3 - "$MOZILLA_DIR/certdata.txt" > globalsign.der <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
start = lines.index('# Certificate "GlobalSign Root CA"')
value = lines.index("CKA_VALUE MULTILINE_OCTAL", start)
octal = "".join(lines[value + 1:lines.index("END", value)])
sys.stdout.buffer.write(bytes(int(o, 8) for o in octal.split("\\")[1:]))
PY
trust=$(sed -n '/^# Trust for "GlobalSign Root CA"$/,/^$/p' "$MOZILLA_DIR/certdata.txt" | sed -n 's/^CKA_TRUST_SERVER_AUTH CK_TRUST //p')
[ "$trust" = CKT_NSS_MUST_VERIFY_TRUST ] || fail "GlobalSign Root CA's server trust is $trust"
mkdir -p untrusted && cp globalsign.der untrusted/ &&
  printf '[[pem]]\nname = "g.pem"\nfiles = ["globalsign.der"]\n' > untrusted/certbundle.toml
expect_exit 0 "$CERTBUNDLE" check untrusted/certbundle.toml --at 2026-06-01 --format gcc
expect_in "$WORK/out" "untrusted/certbundle.toml:1: warning: pem g.pem: \"GlobalSign Root CA\" is no longer trusted for server authentication by bundled certdata.txt"
expect_in "$WORK/out" "(must_verify) [untrusted-root]"
# The bundled snapshot ages: a year after it last changed, a warning.
mkdir -p aged && printf '[[pem]]\nname = "x.pem"\nlabels = ["ISRG Root X1"]\n' > aged/certbundle.toml
expect_exit 0 "$CERTBUNDLE" check aged/certbundle.toml --at 2027-04-09 --format gcc
[ ! -s "$WORK/out" ] || fail "the snapshot is 365 days old, not yet too old"
expect_exit 0 "$CERTBUNDLE" check aged/certbundle.toml --at 2027-04-11 --format gcc
expect_in "$WORK/out" "aged/certbundle.toml: warning: snapshot: the Mozilla snapshot built into certbundle changed last on 2026-04-09 (367 days ago)"
# A damaged manifest, a missing lock: exit 3, one line.
printf '[policy]\nwarn_dayz = 3\n' > bad.toml
expect_exit 3 "$CERTBUNDLE" check bad.toml
expect_in "$WORK/err" "line 2: unknown key \"warn_dayz\" in [policy] (did you mean \"warn_days\"?)"
printf '[[endpoint]]\nname = "a"\nurl = "https://a.example"\n' > sub.toml
mkdir -p sub && mv sub.toml sub/certbundle.toml
expect_exit 3 "$CERTBUNDLE" check sub/certbundle.toml
expect_in "$WORK/err" "certbundle.lock\" does not exist: run \`certbundle lock\`"
echo "check expiry: ok"
