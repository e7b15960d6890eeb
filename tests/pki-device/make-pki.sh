#!/usr/bin/env bash
# Regenerates the device-verifier test PKI in this folder with the openssl CLI (run it from
# anywhere; the output is checked in so that the tests are deterministic). Every certificate has
# fixed dates so that tests can set the device clock (--time) on either side of them:
# everything is valid 2020-01-01..2099-12-31 except the expired intermediate (2020-01-01..
# 2021-01-01).
#
#   root-a      RSA 2048, "Device Test Root A"             self-signed
#   root-x      EC P-256, "Device Test Root X"             self-signed (the older root)
#   root-a-by-x "Device Test Root A" with root-a's key, issued by root-x (a cross-signed root)
#   int         EC P-256, "Device Test Intermediate", issued by root-a
#   leaf        EC P-256, CN=localhost, SAN DNS:localhost, issued by int (leaf.key: its key)
#   int-expired "Device Test Expired Intermediate", issued by root-a, expired on 2021-01-01
#   leaf-exp    CN=localhost, issued by int-expired
#   dup-1, dup-2  two roots with the same subject "Device Test Duplicate Root", different keys
#   int-dup     issued by dup-2;  leaf-dup: CN=localhost, issued by int-dup
#   root-pss    RSA 2048, "Device Test PSS Root"; int-pss: issued by root-pss with RSA-PSS;
#               leaf-pss issued by int-pss
#
# Chains (PEM, the order a server sends): chain-full (leaf int root-a), chain-leaf-int (leaf int),
# chain-cross (leaf int root-a-by-x), chain-expired (leaf-exp int-expired),
# chain-dup (leaf-dup int-dup), chain-pss (leaf-pss int-pss).
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/ca.cnf" <<CNF
[ca]
default_ca = ca_default
[ca_default]
dir = $tmp
database = $tmp/index.txt
new_certs_dir = $tmp
serial = $tmp/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[policy_any]
commonName = supplied
organizationName = optional
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
: >"$tmp/index.txt"
echo 1000 >"$tmp/serial"

START=20200101000000Z
END=20991231235959Z

key_ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
key_rsa() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }

# issue NAME SUBJECT KEY ISSUER_NAME(or -self) EXTENSIONS [START END [extra ca args...]]
issue() {
  local name=$1 subject=$2 key=$3 issuer=$4 ext=$5 start=${6:-$START} end=${7:-$END}
  shift 7 2>/dev/null || shift $#
  openssl req -new -key "$key" -subj "$subject" -config "$tmp/ca.cnf" -out "$tmp/$name.csr"
  if [ "$issuer" = -self ]; then
    openssl ca -batch -config "$tmp/ca.cnf" -selfsign -keyfile "$key" -in "$tmp/$name.csr" \
      -startdate "$start" -enddate "$end" -extensions "$ext" -notext -out "$name.pem" "$@" 2>/dev/null
  else
    openssl ca -batch -config "$tmp/ca.cnf" -cert "$issuer.pem" -keyfile "$issuer.key" \
      -in "$tmp/$name.csr" -startdate "$start" -enddate "$end" -extensions "$ext" -notext \
      -out "$name.pem" "$@" 2>/dev/null
  fi
}

key_rsa root-a.key
key_ec root-x.key
key_ec int.key
key_ec leaf.key
key_ec int-expired.key
key_ec leaf-exp.key
key_ec dup-1.key
key_ec dup-2.key
key_ec int-dup.key
key_ec leaf-dup.key
key_rsa root-pss.key
key_rsa int-pss.key
key_ec leaf-pss.key

O="/O=certbundle tests"
issue root-a "$O/CN=Device Test Root A" root-a.key -self v3_ca
issue root-x "$O/CN=Device Test Root X" root-x.key -self v3_ca
issue root-a-by-x "$O/CN=Device Test Root A" root-a.key root-x v3_ca
issue int "$O/CN=Device Test Intermediate" int.key root-a v3_ca
issue leaf "/CN=localhost" leaf.key int v3_leaf
issue int-expired "$O/CN=Device Test Expired Intermediate" int-expired.key root-a v3_ca \
  20200101000000Z 20210101000000Z
issue leaf-exp "/CN=localhost" leaf-exp.key int-expired v3_leaf
issue dup-1 "$O/CN=Device Test Duplicate Root" dup-1.key -self v3_ca
issue dup-2 "$O/CN=Device Test Duplicate Root" dup-2.key -self v3_ca
issue int-dup "$O/CN=Device Test Duplicate Intermediate" int-dup.key dup-2 v3_ca
issue leaf-dup "/CN=localhost" leaf-dup.key int-dup v3_leaf
issue root-pss "$O/CN=Device Test PSS Root" root-pss.key -self v3_ca
issue int-pss "$O/CN=Device Test PSS Intermediate" int-pss.key root-pss v3_ca "$START" "$END" \
  -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32
issue leaf-pss "/CN=localhost" leaf-pss.key int-pss v3_leaf

cat leaf.pem int.pem root-a.pem >chain-full.pem
cat leaf.pem int.pem >chain-leaf-int.pem
cat leaf.pem int.pem root-a-by-x.pem >chain-cross.pem
cat leaf-exp.pem int-expired.pem >chain-expired.pem
cat leaf-dup.pem int-dup.pem >chain-dup.pem
cat leaf-pss.pem int-pss.pem >chain-pss.pem
# Only the keys a test server needs are kept.
rm -f root-*.key int*.key dup-*.key
echo "test PKI written to $(pwd)"
