#pragma once
// Downloading a certificate's issuer from its AIA caIssuers URL (RFC 5280 4.2.2.1), with libcurl.
// Servers answer with one DER certificate, a DER PKCS#7 "certs-only" bundle, or (rarely) PEM;
// all three are accepted.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "certbundle/x509/certificate.hpp"

namespace certbundle::fetch {

struct AiaDownload {
  std::string url;
  std::vector<Certificate> certs;     // what the URL gave, in order; empty on failure
  std::optional<std::string> error;   // one line: "HTTP 404", "timed out after 5 s", ...
};

// Fetches `url` (http or https only, redirects followed up to 5), waiting at most `timeout` and
// reading at most `max_bytes`. Never throws for a network fault.
[[nodiscard]] AiaDownload download_issuer(const std::string& url, std::chrono::milliseconds timeout,
                                          std::size_t max_bytes = 1 << 20);

// Parses a caIssuers answer (DER certificate, DER PKCS#7, or PEM). nullopt when it is none of
// these; `why` then says why.
[[nodiscard]] std::optional<std::vector<Certificate>> parse_issuer_response(ByteView body,
                                                                            std::string* why);

}  // namespace certbundle::fetch
