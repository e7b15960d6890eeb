# The build refuses a mozilla/certdata.txt whose SHA-256 differs from mozilla/PROVENANCE.
. "$(dirname "$0")/lib.sh"
src=$(cd "$TESTS_DIR/.." && pwd)
mkdir -p "$WORK/tree"
cp -r "$src/CMakeLists.txt" "$src/cmake" "$src/mozilla" "$src/src" "$src/tool" "$WORK/tree/"

# PROVENANCE's checksum is the one sha256sum computes for the vendored file.
grep -q "^sha256: *$(sha256sum "$src/mozilla/certdata.txt" | cut -d' ' -f1)\$" "$src/mozilla/PROVENANCE" ||
  fail "mozilla/PROVENANCE does not state the SHA-256 of mozilla/certdata.txt"

printf '\n' >> "$WORK/tree/mozilla/certdata.txt"
expect_exit 1 cmake -S "$WORK/tree" -B "$WORK/build" -DCERTBUNDLE_BUILD_TESTS=OFF -DCERTBUNDLE_INSTALL=OFF
expect_in "$WORK/err" "mozilla/certdata.txt does not match mozilla/PROVENANCE"
echo "snapshot provenance: ok"
