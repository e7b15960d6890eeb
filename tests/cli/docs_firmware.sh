# The README's ESP-IDF instructions ("Using the outputs in firmware") hold where they can be
# checked here:
# - the app bundle's name does not clash with ESP-IDF's own (_binary_x509_crt_bundle_start), its
#   EMBED_FILES and esp_crt_bundle_set lines name the same symbols, and it is the name the
#   ESP-IDF stand-in project (tests/cmake/idf, built by "cmake: idf") and examples/idf-project use;
# - the IDF-native path: CONFIG_MBEDTLS_CUSTOM_CERTIFICATE_BUNDLE_PATH names a .pem file (ESP-IDF's
#   gen_crt_bundle.py skips any other name), the one the README's `certbundle roots --pem` writes,
#   with the Kconfig lines that select it (FACTS §3 and §6);
# - every PEM certbundle writes ends with a newline, and an independent gen_crt_bundle-style reader
#   (tests/tools/idf_bundle_reference.py, python3-cryptography) turns it into the same bundle as
#   `certbundle bundle` of the same roots.
. "$(dirname "$0")/lib.sh"
root=$(cd "$TESTS_DIR/.." && pwd)
section=$(awk '/^## Using the outputs in firmware/{on=1; next} /^## /{on=0} on' "$root/README.md")
[ -n "$section" ] || fail "README has no section \"Using the outputs in firmware\""

name=$(sed -n 's/.*EMBED_FILES \([A-Za-z0-9_.]*\)).*/\1/p' <<<"$section" | head -n1)
[ -n "$name" ] || fail "no EMBED_FILES line in the README's firmware section"
[ "$name" != x509_crt_bundle ] || fail "the README embeds x509_crt_bundle, ESP-IDF's own bundle's name"
grep -qF "esp_crt_bundle_set(_binary_${name}_start, _binary_${name}_end - _binary_${name}_start)" <<<"$section" ||
  fail "the README's esp_crt_bundle_set does not use the symbols of $name"
grep -qF "certbundle bundle -o $name\`" <<<"$section" || fail "the README does not write $name"
grep -qE 'EMBED_FILES[^`]*x509_crt_bundle|esp_crt_bundle_set\(_binary_x509_crt_bundle' <<<"$section" &&
  fail "the README still embeds or installs x509_crt_bundle"
for toml in tests/cmake/idf/main/certbundle.toml examples/idf-project/main/certbundle.toml; do
  got=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["bundle"]["name"])' "$root/$toml")
  [ "$got" = "$name" ] || fail "$toml does not name its bundle $name, as the README does"
done
# certbundle_add refuses the clashing name inside ESP-IDF (the misuse test builds that case).
grep -q 'bundle name x509_crt_bundle is also mbedtls' "$root/cmake/certbundle.cmake" ||
  fail "the CMake module no longer refuses x509_crt_bundle"

# The IDF-native path: the Kconfig lines, and a .pem path that certbundle writes.
for line in CONFIG_MBEDTLS_CERTIFICATE_BUNDLE=y CONFIG_MBEDTLS_CUSTOM_CERTIFICATE_BUNDLE=y; do
  grep -qx "  $line" <<<"$section" || fail "the README's sdkconfig lines lack $line"
done
path=$(sed -n 's/^  CONFIG_MBEDTLS_CUSTOM_CERTIFICATE_BUNDLE_PATH="\(.*\)"$/\1/p' <<<"$section")
[[ $path == *.pem ]] || fail "CONFIG_MBEDTLS_CUSTOM_CERTIFICATE_BUNDLE_PATH is \"$path\", not a .pem file"
grep -qF "certbundle roots --pem -o $path" <<<"$section" || fail "the README does not write $path with roots --pem"
grep -q 'CUSTOM_CERTIFICATE_BUNDLE_PATH.*x509_crt_bundle\b' <<<"$section" && fail "a binary bundle as the custom path"
# examples/idf-project says the same: a .pem file.
grep -A2 'CONFIG_MBEDTLS_CUSTOM_CERTIFICATE_BUNDLE_PATH' "$root/examples/idf-project/README.md" | grep -qF '`.pem` file' ||
  fail "examples/idf-project/README.md does not say the custom bundle path is a .pem file"

# Every PEM certbundle writes ends with a newline and reads as the same roots.
ends_with_newline() { [ "$(tail -c1 "$1" | xxd -p)" = 0a ] || fail "$1 does not end with a newline"; }
labels=(--include "ISRG Root X1" --include "ISRG Root X2" --include "DigiCert Global Root G2")
mkdir -p certs
expect_exit 0 "$CERTBUNDLE" roots --pem "${labels[@]}" -o "$path"
ends_with_newline "$path"
expect_exit 0 "$CERTBUNDLE" roots --pem "${labels[@]}"
cp out stdout.pem
ends_with_newline stdout.pem
cat > certbundle.toml <<'TOML'
[bundle]
name = "app_crt_bundle"
roots = "none"
include = ["ISRG Root X1", "ISRG Root X2", "DigiCert Global Root G2"]

[[pem]]
name = "app_roots.pem"
labels = ["ISRG Root X1", "ISRG Root X2", "DigiCert Global Root G2"]
TOML
expect_exit 0 "$CERTBUNDLE" build --out certs
ends_with_newline certs/app_roots.pem
expect_exit 0 "$CERTBUNDLE" bundle "${labels[@]}" -o own.bin
for pem in "$path" stdout.pem certs/app_roots.pem; do
  [ "$(grep -c '^-----BEGIN CERTIFICATE-----$' "$pem")" = 3 ] || fail "$pem does not hold 3 certificates"
  python3 "$TESTS_DIR/tools/idf_bundle_reference.py" --format v2 -o ref.bin "$pem" || fail "the reference cannot read $pem"
  cmp ref.bin own.bin || fail "$pem: the reference's bundle differs from certbundle's"
done
cmp own.bin certs/app_crt_bundle || fail "build's bundle differs from certbundle bundle's"
echo "docs_firmware: ok"
