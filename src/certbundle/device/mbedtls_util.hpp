#pragma once
// Internal to certbundle/device: mbedtls's texts.
#include <cstdint>
#include <string>
#include <vector>

namespace certbundle::device::detail {

// "-0x3000 X509 - A fatal error occurred, ..." (mbedtls_strerror with the code in hex).
[[nodiscard]] std::string mbedtls_error_text(int code);
// mbedtls_x509_crt_verify_info's lines, each with `prefix`.
[[nodiscard]] std::vector<std::string> verify_info_lines(std::uint32_t flags,
                                                         const std::string& prefix);
// The same lines without prefix, joined by "; " ("" for no flag).
[[nodiscard]] std::string verify_info_line(std::uint32_t flags);

}  // namespace certbundle::device::detail

namespace certbundle::device {
using detail::mbedtls_error_text;
using detail::verify_info_line;
using detail::verify_info_lines;
}  // namespace certbundle::device
