#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>

#include "certbundle/core/error.hpp"
#include "certbundle/x509/certificate.hpp"
#include "certbundle/x509/load.hpp"

using namespace certbundle;

namespace {

Bytes read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

// Found by the pem_der fuzz target: OpenSSL re-encodes a key whose BIT STRING declares unused
// bits, so the full parse gave other bytes than the certificate holds (and than Parse::deferred).
TEST_CASE("both parse modes give the key and names as the bytes stand in the certificate", "[x509]") {
  const Bytes der = read_bytes(std::string(CERTBUNDLE_TEST_DATA) +
                               "/../fuzz/regressions/pem_der/spki-bitstring-unused-bits.der");
  REQUIRE(der.size() == 660);
  // `openssl asn1parse -inform DER -i`: the subjectPublicKeyInfo is the SEQUENCE at offset 179,
  // 4 header + 290 content bytes; the subject is the SEQUENCE at 121 (2 + 56 bytes).
  const Bytes spki(der.begin() + 179, der.begin() + 179 + 294);
  const Bytes subject(der.begin() + 121, der.begin() + 121 + 58);
  for (const Parse parse : {Parse::full, Parse::deferred}) {
    const auto cert = Certificate::from_der(der, nullptr, parse);
    REQUIRE(cert);
    CHECK(Bytes(cert->spki_der().begin(), cert->spki_der().end()) == spki);
    CHECK(Bytes(cert->subject_der().begin(), cert->subject_der().end()) == subject);
  }
}

TEST_CASE("certificates are told apart as PEM or DER by content", "[x509]") {
  const std::string pem = [] {
    std::ifstream in(std::string(CERTBUNDLE_TEST_DATA) + "/idf/entrust.pem", std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }();
  const auto from_pem = parse_certificates(pem, "entrust.pem");
  REQUIRE(from_pem.size() == 1);
  const Bytes& der = from_pem[0].cert.der();
  const auto from_der = parse_certificates(std::string(der.begin(), der.end()), "entrust.der");
  REQUIRE(from_der.size() == 1);
  CHECK(from_der[0].cert == from_pem[0].cert);
  CHECK_THROWS_WITH(parse_certificates(std::string("\x01\x00\x02", 3), "x.bin"),
                    "cannot read \"x.bin\": neither PEM nor a DER certificate");
}

// Found by the fuzz targets: messages quoted input bytes (a CR in a PEM block type, a newline in
// a target) and so ran over several lines.
TEST_CASE("an error message is one line whatever input it quotes", "[core][error]") {
  const Error e(ExitCode::input, "cannot read \"a\": a CE\r\nRT\x01 block");
  CHECK(std::string(e.what()) == R"(cannot read "a": a CE\r\nRT\x01 block)");
  CHECK_THROWS_WITH(parse_pem("-----BEGIN CE\rRT-----\n-----END CE\rRT-----\n", "x.pem"),
                    R"(cannot read "x.pem": line 1: a CE\rRT block, not a certificate)");
}
