#pragma once
// Loading certificates from the files users have: PEM (one or many blocks, LF or CRLF, with or
// without a final newline, with curl's "label / ====" headings) and DER.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "certbundle/x509/certificate.hpp"

namespace certbundle {

struct SourcedCertificate {
  Certificate cert;
  std::string label;   // the heading above the block in a curl-format bundle, else empty
  std::string origin;  // where it came from, for messages: "certs/ca.pem:12" or "ca.der"
  std::size_t line = 0;  // the line of its BEGIN in a PEM text; 0 for DER
};

// Every CERTIFICATE block of a PEM text, in order. `name` is used in messages. Throws
// Error(ExitCode::input) naming `name` and the line: for a block that is not a certificate, a
// block without END, base64 or DER that does not parse, and text with no certificate at all.
[[nodiscard]] std::vector<SourcedCertificate> parse_pem(std::string_view text, const std::string& name);

// The certificates of a PEM text or of one DER certificate, told apart by content: bytes that
// start with a SEQUENCE tag (0x30) are DER, anything else is read as PEM, except binary data (a
// NUL byte and no "-----BEGIN "). `name` (the file) is used in messages. Throws
// Error(ExitCode::input) naming `name`.
[[nodiscard]] std::vector<SourcedCertificate> parse_certificates(std::string_view data,
                                                                 const std::string& name);

// A PEM or DER file (parse_certificates() of its bytes). Throws Error(ExitCode::input) naming the
// file.
[[nodiscard]] std::vector<SourcedCertificate> load_certificates(const std::filesystem::path& path);

// PEM text of one certificate with base64 lines of `line_width` characters (64 as OpenSSL
// writes, 76 as curl's mk-ca-bundle writes), ending with a newline.
[[nodiscard]] std::string to_pem(const Certificate& cert, std::size_t line_width = 64);

}  // namespace certbundle
