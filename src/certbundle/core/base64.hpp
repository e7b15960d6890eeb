#pragma once
// Base64 (RFC 4648, with padding, on one line), done by OpenSSL.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace certbundle {

[[nodiscard]] std::string base64_encode(std::span<const std::uint8_t> data);
// nullopt when `text` is not base64 (whitespace is not allowed).
[[nodiscard]] std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace certbundle
