// Certificates as users hand them over: Certificate::from_der in both Parse modes (the lazy one
// must agree with OpenSSL's full parse wherever both accept the bytes), parse_pem, and
// parse_certificates (what load_certificates uses to tell PEM from DER).
#include <algorithm>

#include "certbundle/x509/load.hpp"
#include "fuzz.hpp"

using namespace certbundle;

namespace {

bool same(ByteView a, ByteView b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

void exercise(const Certificate& cert) {
  (void)cert.subject();
  (void)cert.issuer();
  (void)cert.common_name();
  (void)cert.serial_hex();
  (void)cert.key().describe();
  (void)cert.is_ca();
  (void)cert.is_self_issued();
  (void)cert.spki_sha256();
  fuzz::require(name_from_der(cert.subject_der()).has_value(), "a certificate's subject parses as a Name");
  // A PEM of the certificate reads back as the same certificate.
  const auto again = parse_pem(to_pem(cert), "to_pem");
  fuzz::require(again.size() == 1 && again[0].cert == cert, "to_pem reads back");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView der = fuzz::bytes(data, size);
  std::string why;
  const auto full = Certificate::from_der(der, &why, Parse::full);
  if (full) {
    fuzz::require(same(full->der(), der), "der() is the bytes given");
    exercise(*full);
  } else {
    fuzz::require(fuzz::one_line(why), "from_der says why in one line");
  }
  why.clear();
  const auto deferred = Certificate::from_der(der, &why, Parse::deferred);
  if (!deferred) fuzz::require(fuzz::one_line(why), "from_der says why in one line");
  if (full && deferred) {
    fuzz::require(same(full->subject_der(), deferred->subject_der()), "both parses give the same subject");
    fuzz::require(same(full->issuer_der(), deferred->issuer_der()), "both parses give the same issuer");
    fuzz::require(same(full->spki_der(), deferred->spki_der()), "both parses give the same key");
    fuzz::require(full->not_before() == deferred->not_before() &&
                      full->not_after() == deferred->not_after(),
                  "both parses give the same validity");
    fuzz::require(full->sha256() == deferred->sha256(), "both parses give the same SHA-256");
  }
  try {
    for (const SourcedCertificate& s : parse_certificates(fuzz::text(data, size), "certs/ca.pem")) {
      fuzz::require(fuzz::one_line(s.origin), "an origin is one line");
      exercise(s.cert);
    }
  } catch (const Error& e) {
    fuzz::check_refusal(e);
  }
  return 0;
}
