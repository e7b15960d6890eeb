#include "certbundle/device/mbedtls_util.hpp"

#include <mbedtls/error.h>
#include <mbedtls/x509_crt.h>

#include <array>
#include <cstdlib>
#include <sstream>

#include <fmt/format.h>

namespace certbundle::device::detail {

std::string mbedtls_error_text(int code) {
  std::array<char, 256> buf{};
  mbedtls_strerror(code, buf.data(), buf.size());
  return fmt::format("{}0x{:04x} {}", code < 0 ? "-" : "", std::abs(code), buf.data());
}

std::vector<std::string> verify_info_lines(std::uint32_t flags, const std::string& prefix) {
  std::vector<std::string> lines;
  if (flags == 0) return lines;
  std::array<char, 2048> buf{};
  if (mbedtls_x509_crt_verify_info(buf.data(), buf.size(), prefix.c_str(), flags) < 0) {
    lines.push_back(fmt::format("{}flags 0x{:08x}", prefix, flags));
    return lines;
  }
  std::istringstream in(buf.data());
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string verify_info_line(std::uint32_t flags) {
  std::string joined;
  for (const std::string& line : verify_info_lines(flags, "")) {
    if (!joined.empty()) joined += "; ";
    joined += line;
  }
  return joined;
}

}  // namespace certbundle::device::detail
