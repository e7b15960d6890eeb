# certbundle bundle writes ESP-IDF's own test vectors byte for byte, in the format asked for or
# the one an ESP-IDF version reads, and the same bytes on every run.
. "$(dirname "$0")/lib.sh"
idf="$TEST_DATA/idf"

for input in baltimore.der entrust.pem; do
  stem=${input%%.*}
  expect_exit 0 "$CERTBUNDLE" bundle --format v1 -o "$stem.v1" "$idf/$input"
  cmp "$stem.v1" "$idf/${stem}_crt_bundle.v1_BE"
  expect_exit 0 "$CERTBUNDLE" bundle --format v2 -o "$stem.v2" "$idf/$input"
  cmp "$stem.v2" "$idf/${stem}_crt_bundle.v2_LEoffsets"
  expect_exit 0 "$CERTBUNDLE" bundle -o "$stem.default" "$idf/$input"  # V2 by default
  cmp "$stem.default" "$idf/${stem}_crt_bundle.v2_LEoffsets"
done
expect_exit 0 "$CERTBUNDLE" bundle -o ut.bin "$idf/mbedtls_ut.server_root.pem"
cmp ut.bin "$idf/mbedtls_ut.server_cert_bundle"

# The summary line.
expect_exit 0 "$CERTBUNDLE" bundle --format v1 -o one.bin "$idf/baltimore.der"
[ "$(cat out)" = "wrote one.bin: format V1, 1 certificate, 392 bytes" ] || fail "summary: $(cat out)"

# ESP-IDF up to 5.3 reads V1, from 5.4 on V2.
for version in 4.4 5.3 v5.3.2; do
  expect_exit 0 "$CERTBUNDLE" bundle --idf-version "$version" -o idf.bin "$idf/entrust.pem"
  cmp idf.bin "$idf/entrust_crt_bundle.v1_BE"
done
for version in 5.4 5.5 6.0; do
  expect_exit 0 "$CERTBUNDLE" bundle --idf-version "$version" -o idf.bin "$idf/entrust.pem"
  cmp idf.bin "$idf/entrust_crt_bundle.v2_LEoffsets"
done

# Wrong values are usage errors, on one line, and leave the output alone.
echo old >kept.bin
for args in "--idf-version 5.x" "--idf-version 4.1" "--format v3" "--format v1 --idf-version 5.4" \
            "--emit hex" "--max-certs 0" "--name x509"; do
  # shellcheck disable=SC2086
  expect_exit 2 "$CERTBUNDLE" bundle $args -o kept.bin "$idf/entrust.pem"
  expect_one_line err
  [ "$(cat kept.bin)" = old ] || fail "kept.bin changed by: $args"
done
expect_in err "--name"
"$CERTBUNDLE" bundle --idf-version 5.x -o kept.bin "$idf/entrust.pem" 2>err || true
expect_in err 'certbundle: error: invalid ESP-IDF version "5.x"'

# Deterministic: the same inputs give the same bytes.
for run in 1 2; do
  expect_exit 0 "$CERTBUNDLE" bundle --mozilla "$idf/cacrt_all.pem" --at 2026-11-21 -o "full$run.bin" \
    "$idf/cacrt_local.pem"
done
cmp full1.bin full2.bin

# V2 is V1 plus 4N - 2 bytes.
expect_exit 0 "$CERTBUNDLE" bundle --format v1 --mozilla "$idf/cacrt_all.pem" --at 2026-11-21 -o v1.bin
expect_exit 0 "$CERTBUNDLE" bundle --format v2 --mozilla "$idf/cacrt_all.pem" --at 2026-11-21 -o v2.bin
n=$(( $(od -An -tu1 -j0 -N1 v1.bin) * 256 + $(od -An -tu1 -j1 -N1 v1.bin) ))
[ "$(stat -c %s v2.bin)" -eq $(( $(stat -c %s v1.bin) + 4 * n - 2 )) ] || fail "V2 size is not V1 + 4N - 2 (N=$n)"

# More certificates than the device takes is a warning, not an error.
expect_exit 0 "$CERTBUNDLE" bundle --max-certs 100 --mozilla "$idf/cacrt_all.pem" --at 2026-11-21 -o many.bin
expect_in err "certbundle: warning: 121 certificates: more than the 100 the device accepts"

# --extra without a selection option adds to the INPUT files only.
expect_exit 0 "$CERTBUNDLE" bundle --extra "$idf/entrust.pem" -o extra.bin "$idf/baltimore.der"
expect_exit 0 "$CERTBUNDLE" bundle -o both.bin "$idf/baltimore.der" "$idf/entrust.pem"
cmp extra.bin both.bin

# INPUT files join a selection as gen_crt_bundle.py joins its inputs: a certificate given twice is
# kept twice (as ESP-IDF would) and warned about, naming both places.
expect_exit 0 "$CERTBUNDLE" bundle --mozilla "$idf/cacrt_all.pem" --at 2026-11-21 -o twice.bin "$idf/entrust.pem"
expect_in out "122 certificates"
expect_in err "certbundle: warning: $idf/cacrt_all.pem:"
expect_in err "and $idf/entrust.pem:3 (Entrust Root Certification Authority) have the same subject and key"

# Stable sort: two roots with the same subject and different keys keep their input order, which
# the SPKI fingerprints (from openssl) show.
if command -v openssl >/dev/null; then
  for which in a b; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$which.key" \
      -subj "/CN=Same Subject" -days 30 -out "$which.pem" 2>/dev/null
    openssl x509 -in "$which.pem" -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum |
      cut -d' ' -f1 >"$which.spki"
  done
  for order in "a b" "b a"; do
    set -- $order
    expect_exit 0 "$CERTBUNDLE" bundle -o same.bin "$1.pem" "$2.pem"
    expect_in err "have the same subject but different keys"
    expect_exit 0 "$CERTBUNDLE" inspect --json same.bin
    python3 -c 'import json,sys; print("\n".join(e["spki_sha256"] for e in json.load(open("out"))["files"][0]["entries"]))' >got.txt
    cat "$1.spki" "$2.spki" >want.txt
    cmp got.txt want.txt || fail "records not in input order: $order"
  done
fi
