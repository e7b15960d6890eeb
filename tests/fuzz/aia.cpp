// What an AIA caIssuers URL answers: fetch::parse_issuer_response (a DER certificate, a DER
// PKCS#7 certs-only bundle, or PEM).
#include "certbundle/fetch/aia.hpp"
#include "fuzz.hpp"

using namespace certbundle;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string why;
  const auto certs = fetch::parse_issuer_response(fuzz::bytes(data, size), &why);
  if (certs) {
    fuzz::require(!certs->empty(), "an accepted answer holds a certificate");
    for (const Certificate& c : *certs) (void)c.subject();
  } else {
    fuzz::require(fuzz::one_line(why), "a refused answer says why in one line", why);
  }
  return 0;
}
