#pragma once
// A bundle as C source, for builds that cannot embed a binary file (Arduino IDE sketches):
//
//   x509_crt_bundle.h:  extern const unsigned char x509_crt_bundle[];
//                       extern const unsigned int x509_crt_bundle_len;
//   x509_crt_bundle.c:  #include "x509_crt_bundle.h"
//                       const unsigned char x509_crt_bundle[] = { 0x00, 0x79, ... };
//                       const unsigned int x509_crt_bundle_len = 57010;
//
// The array is laid out like `xxd -i` (12 bytes a line, two-space indent) and aligned to 4 bytes
// under GCC and Clang, so the same bytes always give the same text. The .c file includes the
// header, which gives both objects external linkage in C and in C++, and the header declares them
// `extern "C"` for C++ callers: arduino-esp32 3.x takes `setCACertBundle(NAME, NAME_len)`.
#include <string>
#include <string_view>

#include "certbundle/x509/certificate.hpp"

namespace certbundle::bundle {

struct CSource {
  std::string header;  // the .h text
  std::string source;  // the .c text
};

// The C text for `data` named `name`; `header_file` is the header's file name as the .c file
// includes it ("x509_crt_bundle.h"). An empty `data` gives a one-byte array with NAME_len 0,
// because C has no empty arrays. Throws usage_error when `name` is not a C identifier (see
// check_c_identifier()).
[[nodiscard]] CSource to_c_source(ByteView data, std::string_view name,
                                  std::string_view header_file);

// Throws usage_error naming `name` unless it is a C identifier: ASCII letters, digits and '_', not
// starting with a digit, not a C or C++ keyword, not reserved (starting with "__" or "_" and a
// capital).
void check_c_identifier(std::string_view name);

// A C identifier made from a file's stem, as the default array name: every character that is
// not an ASCII letter or digit becomes '_', and a leading digit gets a '_' in front
// ("x509_crt_bundle" stays, "my-certs.v2" -> "my_certs_v2", "2026" -> "_2026"). An empty stem or
// one that would still not be an identifier gives "cert_bundle".
[[nodiscard]] std::string c_identifier_from(std::string_view stem);

}  // namespace certbundle::bundle
