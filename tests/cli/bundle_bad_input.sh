# Inputs users really have: what is accepted, and what fails with one line naming the file and
# the line, the documented exit code (3 input, 4 output), and the previous output left as it was.
. "$(dirname "$0")/lib.sh"
idf="$TEST_DATA/idf"
expected="$idf/entrust_crt_bundle.v2_LEoffsets"

# Accepted: CRLF line ends, no newline after the last END line.
sed 's/$/\r/' "$idf/entrust.pem" >crlf.pem
expect_exit 0 "$CERTBUNDLE" bundle -o crlf.bin crlf.pem
cmp crlf.bin "$expected"
printf '%s' "$(cat "$idf/entrust.pem")" >no-newline.pem
[ "$(tail -c 1 no-newline.pem)" = "-" ] || fail "no-newline.pem still ends with a newline"
expect_exit 0 "$CERTBUNDLE" bundle -o no-newline.bin no-newline.pem
cmp no-newline.bin "$expected"

# Refused, each with the output left as it was.
echo old >out.bin
check_kept() { [ "$(cat out.bin)" = old ] || fail "out.bin was changed"; }

lines=$(wc -l <"$idf/entrust.pem")
{ cat "$idf/entrust.pem"; printf -- '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n'; } >key.pem
expect_exit 3 "$CERTBUNDLE" bundle -o out.bin key.pem
expect_one_line err
expect_in err "certbundle: error: cannot read \"key.pem\": line $((lines + 1)):"
check_kept

: >empty.pem
expect_exit 3 "$CERTBUNDLE" bundle -o out.bin empty.pem
expect_one_line err
expect_in err 'cannot read "empty.pem"'
check_kept

printf '\x30\x82\x00\x03\x02\x01\x00' >not-a-cert.der
expect_exit 3 "$CERTBUNDLE" bundle -o out.bin not-a-cert.der
expect_one_line err
expect_in err 'cannot read "not-a-cert.der": not a DER certificate'
check_kept

# A bundle is not an input certificate.
expect_exit 3 "$CERTBUNDLE" bundle -o out.bin "$expected"
expect_one_line err
expect_in err "cannot read \"$expected\""
check_kept

expect_exit 3 "$CERTBUNDLE" bundle -o out.bin missing.pem
expect_one_line err
expect_in err 'cannot read "missing.pem"'
check_kept

# An output in a directory that does not exist: exit 4, nothing created.
expect_exit 4 "$CERTBUNDLE" bundle -o no/such/dir/out.bin "$idf/entrust.pem"
expect_one_line err
expect_in err '"no/such/dir/out.bin"'
[ ! -e no ] || fail "something was created"
expect_exit 4 "$CERTBUNDLE" bundle --emit c -o no/out.c "$idf/entrust.pem"
expect_one_line err
[ ! -e no ] || fail "something was created"

# Directories: their certificate files in name order; other files are not read.
mkdir certs
cp "$idf/entrust.pem" certs/b.pem
cp "$idf/baltimore.der" certs/a.der
echo "not a certificate" >certs/README
expect_exit 0 "$CERTBUNDLE" bundle -o dir.bin certs
expect_in out "2 certificates"
expect_exit 0 "$CERTBUNDLE" bundle -o files.bin "$idf/baltimore.der" "$idf/entrust.pem"
cmp dir.bin files.bin
mkdir nothing
expect_exit 3 "$CERTBUNDLE" bundle -o out.bin nothing
expect_one_line err
expect_in err 'cannot read "nothing"'
check_kept

# A subject longer than a record's 16-bit length: refused, naming the certificate.
if command -v openssl >/dev/null; then
  subject=$(for i in $(seq 1000 2099); do printf '/O=%s%s' "$i" "$(printf '%056d' 0)"; done)
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout big.key \
    -subj "$subject" -days 1 -out big.pem 2>/dev/null
  expect_exit 3 "$CERTBUNDLE" bundle -o out.bin big.pem
  expect_one_line err
  expect_in err 'certbundle: error: cannot bundle big.pem:1: its subject is'
  expect_in err 'a bundle record holds at most 65535'
  check_kept
fi
