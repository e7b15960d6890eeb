#!/usr/bin/env bash
# A server moves from one CA to another, and the firmware carries both through the transition.
#
# Runs the whole story on this machine: a throwaway PKI with two roots ("Old Root CA" and
# "New Root CA"), a local TLS server (openssl s_server on 127.0.0.1), and certbundle:
#   1. init + lock + build: the lock names Old Root CA; the bundle and PEM hold it.
#   2. the server moves to a certificate under New Root CA; lock reports the change and starts a
#      transition; build writes a bundle and a PEM buffer that hold BOTH roots, so devices in the
#      field keep connecting whichever certificate the server presents.
#   3. after retire_after, build drops the old root (with a warning).
# Usage: examples/transition/demo.sh [WORKDIR]   (CERTBUNDLE=path/to/certbundle, else on PATH)
set -euo pipefail
cb=${CERTBUNDLE:-certbundle}
# A relative path (build/release/tool/certbundle) means the caller's directory; the demo works in
# its own, so make it absolute first. A bare name is looked up on PATH as usual.
case "$cb" in */*) cb=$(cd "$(dirname "$cb")" && pwd)/$(basename "$cb") ;; esac
work=${1:-$(mktemp -d)}
if [ -e "$work" ] && [ -n "$(ls -A "$work")" ]; then
  echo "demo.sh: $work is not empty: give an empty or new directory" >&2
  exit 2
fi
mkdir -p "$work" && cd "$work"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; true' EXIT

pki() {  # pki NAME CN [ISSUER]: a CA (no ISSUER: self-signed) or a localhost leaf
  local ext=(-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign")
  if [ $# -eq 2 ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
      -out "$1.pem" -days 3650 -subj "/CN=$2" "${ext[@]}" 2>/dev/null
  else
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
      -out "$1.csr" -subj "/CN=$2" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days 365 \
      -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  fi
}
serve() {  # serve LEAF: an HTTPS server on a free port of 127.0.0.1; sets $port
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  openssl s_server -www -accept 127.0.0.1:0 -cert "$1.pem" -key "$1.key" </dev/null >server.log 2>&1 &
  server=$!
  for _ in $(seq 100); do
    port=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' server.log) && [ -n "$port" ] && return; sleep 0.1
  done
  echo "server did not start" >&2; exit 1
}

mkdir -p pki certs && (cd pki && pki old "Old Root CA" && pki new "New Root CA" &&
  pki leaf-old localhost old && pki leaf-new localhost new)
cp pki/old.pem pki/new.pem certs/

echo "== 1. The server presents a certificate under Old Root CA"
serve pki/leaf-old
"$cb" init --force --endpoint "https://127.0.0.1:$port"
# The bundle and a PEM buffer both carry the transition until retire_after.
sed -i 's|^emit = \["bin"\]|&\nretire_after = 2099-12-31|' certbundle.toml
# The roots are a private PKI that no browser trusts: the manifest says so, where code review sees
# it (a lock alone grants no trust), and lock is given the roots with --ca below.
sed -i 's|^url = "https://127.0.0.1:[0-9]*"|&\nallow_untrusted = true|' certbundle.toml
cat >> certbundle.toml <<TOML

[[pem]]
name = "server_root_cert.pem"
endpoints = ["127.0.0.1"]
retire_after = 2099-12-31
TOML
# The roots are private here, so lock is told about them (a public server needs no --ca).
"$cb" lock --ca certs/old.pem --ca certs/new.pem
cp certbundle.lock certbundle.lock.before
"$cb" build --out out-before -q
"$cb" inspect out-before/x509_crt_bundle

echo "== 2. The server moves to New Root CA: lock again"
serve pki/leaf-new
sed -i "s|https://127.0.0.1:[0-9]*|https://127.0.0.1:$port|" certbundle.toml
"$cb" lock --ca certs/old.pem --ca certs/new.pem
cp certbundle.lock certbundle.lock.after
"$cb" build --out out-after -q
echo "-- the bundle holds both roots:"
"$cb" inspect out-after/x509_crt_bundle
echo "-- the PEM buffer holds both roots:"
grep '^#' out-after/server_root_cert.pem

echo "== 3. After retire_after the old root leaves"
sed -i 's|^retire_after = 2099-12-31|retire_after = 2020-01-01|' certbundle.toml
"$cb" build --out out-retired -q
"$cb" inspect out-retired/x509_crt_bundle
grep '^#' out-retired/server_root_cert.pem
echo "demo done in $work"
