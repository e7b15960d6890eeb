#!/usr/bin/env bash
# Generates the test PKIs for the fetch tests, with the openssl CLI only, into OUTDIR:
#
#   root-a          "Test Root A", self-signed
#   root-b          "Test Root B", self-signed
#   root-a-by-b     Test Root A's subject and key, signed by Test Root B (a cross-sign)
#   int-a           "Test Intermediate A", signed by Test Root A (caIssuers -> AIA_BASE/root-a.der)
#   leaf            CN=localhost, SANs localhost, 127.0.0.1, ::1; signed by int-a; caIssuers ->
#                   AIA_BASE/int-a.der (DER), so a server that omits int-a can be completed
#   leaf-p7         the same subject, caIssuers -> AIA_BASE/int-a.p7c (PKCS#7)
#   leaf-404        caIssuers -> AIA_BASE/missing.der (404)
#   leaf-hang       caIssuers -> AIA_BASE/hang (the server never answers)
#   leaf-other      SANs other.test only (a host name the certificate does not cover)
#   leaf-expired    signed by int-a, valid 2020-01-01 .. 2021-01-01
#   leaf-self       a self-signed leaf for localhost
#   root-expired    "Test Expired Root", valid 2020-01-01 .. 2021-01-01; leaf-under-expired
#   int-soon        "Test Soon Intermediate", signed by root-a, expires in 5 days; leaf-soon
#   unrelated       "Test Unrelated CA", self-signed, not on any path
#   long/chain.pem  a chain of 30 certificates: leaf + 28 intermediates + "Test Long Root"
#                   (only with LONG_CHAIN=1: it takes a while)
#   client          a client certificate signed by int-a
#
# Each NAME has NAME.pem (certificate), NAME.key (EC P-256 key); the CAs also NAME.der; chains in
# chain-*.pem. Usage: make_pki.sh OUTDIR AIA_BASE_URL
set -euo pipefail
out=$1
aia=$2
mkdir -p "$out"
cd "$out"

cat >ext.cnf <<CNF
[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[int_a]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
authorityInfoAccess=caIssuers;URI:$aia/root-a.der
[leaf]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
authorityInfoAccess=caIssuers;URI:$aia/int-a.der
[leaf_p7]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
authorityInfoAccess=caIssuers;URI:$aia/int-a.p7c
[leaf_404]
basicConstraints=CA:FALSE
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
authorityInfoAccess=caIssuers;URI:$aia/missing.der
[leaf_hang]
basicConstraints=CA:FALSE
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
authorityInfoAccess=caIssuers;URI:$aia/hang
[leaf_other]
basicConstraints=CA:FALSE
extendedKeyUsage=serverAuth
subjectAltName=DNS:other.test
[leaf_plain]
basicConstraints=CA:FALSE
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
[client]
basicConstraints=CA:FALSE
extendedKeyUsage=clientAuth
CNF

# `openssl ca` sets any validity period, including one in the past (x509 -days cannot).
mkdir -p cadb
: >cadb/index.txt
echo 1000 >cadb/serial
cat >ca.cnf <<CNF
[ca]
default_ca=ca_default
[ca_default]
database=cadb/index.txt
new_certs_dir=cadb
serial=cadb/serial
default_md=sha256
policy=policy_any
unique_subject=no
email_in_dn=no
[policy_any]
commonName=supplied
CNF

serial=100
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
csr() { openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"; }
der() { openssl x509 -in "$1.pem" -outform DER -out "$1.der"; }
# selfsign NAME CN
selfsign() {
  key "$1"; csr "$1" "$2"
  openssl x509 -req -in "$1.csr" -signkey "$1.key" -days 3650 -extfile ext.cnf -extensions ca \
    -out "$1.pem" 2>/dev/null
}
# sign NAME CN ISSUER SECTION [DAYS] (reuses NAME.key when it exists)
sign() {
  [ -f "$1.key" ] || key "$1"
  csr "$1" "$2"
  serial=$((serial + 1))
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -set_serial "$serial" \
    -days "${5:-825}" -extfile ext.cnf -extensions "$4" -out "$1.pem" 2>/dev/null
}
# sign_dated NAME CN ISSUER SECTION START END (YYYYMMDDHHMMSSZ), ISSUER "self" for self-signed
sign_dated() {
  key "$1"; csr "$1" "$2"
  if [ "$3" = self ]; then
    openssl ca -batch -config ca.cnf -selfsign -keyfile "$1.key" -in "$1.csr" -startdate "$5" \
      -enddate "$6" -extfile ext.cnf -extensions "$4" -notext -out "$1.pem" 2>/dev/null
  else
    openssl ca -batch -config ca.cnf -cert "$3.pem" -keyfile "$3.key" -in "$1.csr" -startdate "$5" \
      -enddate "$6" -extfile ext.cnf -extensions "$4" -notext -out "$1.pem" 2>/dev/null
  fi
}

selfsign root-a "Test Root A"
selfsign root-b "Test Root B"
selfsign unrelated "Test Unrelated CA"
# The cross-sign: root-a's own key and subject, issued by root-b.
cp root-a.key root-a-by-b.key
sign root-a-by-b "Test Root A" root-b ca 3000
sign int-a "Test Intermediate A" root-a int_a 1800
sign leaf localhost int-a leaf
sign leaf-p7 localhost int-a leaf_p7
sign leaf-404 localhost int-a leaf_404
sign leaf-hang localhost int-a leaf_hang
sign leaf-other localhost int-a leaf_other
sign client "Test Client" int-a client
sign_dated leaf-expired localhost int-a leaf_plain 20200101000000Z 20210101000000Z
sign_dated root-expired "Test Expired Root" self ca 20200101000000Z 20210101000000Z
sign leaf-under-expired localhost root-expired leaf_plain
sign int-soon "Test Soon Intermediate" root-a ca 5
sign leaf-soon localhost int-soon leaf_plain
key leaf-self
openssl req -x509 -new -key leaf-self.key -subj /CN=localhost -days 365 \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -out leaf-self.pem 2>/dev/null
for ca in root-a root-b int-a; do der "$ca"; done

# The issuer as AIA serves it: DER and PKCS#7 (certs-only).
openssl crl2pkcs7 -nocrl -certfile int-a.pem -outform DER -out int-a.p7c

cat int-a.pem >chain-int.pem                              # leaf + intermediate
cat int-a.pem root-a.pem >chain-full.pem                  # ... + the root
cat int-a.pem root-a-by-b.pem >chain-cross.pem            # ... + the cross-signed root
cat int-a.pem unrelated.pem >chain-unrelated.pem          # ... + an unrelated CA
cat int-soon.pem >chain-soon.pem
cat root-b.pem >chain-wrong.pem                           # an intermediate that is not the issuer
cat root-a.pem root-b.pem >roots.pem

# A chain of 30: leaf, 28 intermediates, a root.
[ "${LONG_CHAIN:-0}" = 1 ] && mkdir -p long && (
  cd long
  cp ../ext.cnf .
  selfsign c29 "Test Long Root"
  for i in $(seq 28 -1 1); do sign "c$i" "Test Long $i" "c$((i + 1))" ca 1000; done
  sign c0 localhost c1 leaf_plain
  : >chain.pem
  for i in $(seq 1 29); do cat "c$i.pem" >>chain.pem; done
  rm -f ./*.csr
)
rm -f ./*.csr
