#!/usr/bin/env bash
# "cmake: device connect": the end-to-end proof of the device verifier (issue #7, item 4).
#
# Builds tests/cmake/connect/ (a consumer project of the installed certbundle package: the CMake
# module embeds a bundle holding only the test CA, and the program connects with mbedtls through
# ESP-IDF's bundle callback, certbundle::device::BundleVerifier::attach) and runs it against
# openssl s_server on 127.0.0.1:
#
#   bundle with Test Root A, server sends leaf + Test Intermediate A      connects, HTTP answer
#   the same, the name checked is other.test                              refused (the name does not match)
#   server sends leaf + int A + Test Root A cross-signed by Test Root B   refused: the device looks
#       up the issuer of the top certificate sent (Test Root B), which the bundle does not hold,
#       though a browser would anchor the chain at Test Root A
#   reconfigured with Test Root B: the cross-signed chain connects, the plain one is refused
#   reconfigured as a V1 bundle (ESP-IDF < 5.4): the same verdicts
#
# and asks `certbundle verify --bundle` (the CLI, on the file the module embedded) every time:
# its verdict must agree with the program's.
#
# Environment (from CTest): CERTBUNDLE, PREFIX (the test install), GENERATOR, CXX_COMPILER,
# SANITIZE, WORK, TESTS_DIR, TEST_DATA.
. "$TESTS_DIR/cli/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
: "${PREFIX:?}" "${GENERATOR:?}" "${CXX_COMPILER:?}"

make_pki
s_server PLAIN "$PKI/leaf.pem" "$PKI/leaf.key" "$PKI/int-a.pem" 127.0.0.1 -tls1_2
cat "$PKI/int-a.pem" "$PKI/root-a-by-b.pem" > "$WORK/cross-chain.pem"
s_server CROSS "$PKI/leaf.pem" "$PKI/leaf.key" "$WORK/cross-chain.pem" 127.0.0.1 -tls1_2

linker=""
[ "${SANITIZE:-OFF}" = "ON" ] && linker="-fsanitize=address,undefined"
build="$WORK/build"
bundle_file="$build/certbundle/device_connect/device_crt_bundle/device_crt_bundle"

# configure CA_PEM FORMAT: (re)configures and builds the consumer project.
configure() {
  expect_exit 0 cmake -S "$TESTS_DIR/cmake/connect" -B "$build" -G "$GENERATOR" \
    -DCMAKE_CXX_COMPILER="$CXX_COMPILER" -DCMAKE_PREFIX_PATH="$PREFIX" \
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_EXE_LINKER_FLAGS="$linker" \
    -DCONNECT_CA="$1" -DCONNECT_FORMAT="$2"
  expect_exit 0 cmake --build "$build"
  expect_in "$WORK/out" "device_crt_bundle"  # the bundle was (re)made by the module
}

# connects PORT [NAME]: the program connects and gets an answer; the CLI agrees.
connects() {
  expect_exit 0 "$build/device_connect" 127.0.0.1 "$1" "${2:-localhost}"
  expect_in "$WORK/out" "connected: TLSv1.2"
  expect_in "$WORK/out" "log: esp-x509-crt-bundle: Certificate validated"
  expect_in "$WORK/out" "answer: HTTP/1.0 200 ok"
  expect_exit 0 "$CERTBUNDLE" verify --bundle "$bundle_file" --format "$format" --sni "${2:-localhost}" "127.0.0.1:$1"
}

# refused PORT NAME TEXT: the program is refused, printing TEXT; the CLI agrees (exit 1).
refused() {
  expect_exit 1 "$build/device_connect" 127.0.0.1 "$1" "$2"
  expect_in "$WORK/out" "refused: "
  expect_in "$WORK/out" "$3"
  expect_exit 1 "$CERTBUNDLE" verify --bundle "$bundle_file" --format "$format" --sni "$2" "127.0.0.1:$1"
}

for format in v2 v1; do
  echo "--- $format, bundle holds Test Root A"
  configure "$PKI/root-a.pem" "$format"
  connects "$PLAIN"
  refused "$PLAIN" other.test "Common Name (CN) does not match"
  refused "$CROSS" localhost "No matching trusted root certificate found"

  echo "--- $format, bundle holds Test Root B"
  configure "$PKI/root-b.pem" "$format"
  connects "$CROSS"
  refused "$PLAIN" localhost "No matching trusted root certificate found"
done

# A second build with nothing changed remakes nothing (the embedded bundle is up to date).
expect_exit 0 cmake --build "$build"
if grep -q "device_crt_bundle" "$WORK/out"; then cat "$WORK/out"; fail "a no-op build remade the bundle"; fi
echo "device connect: ok"
