#pragma once
// Shared by the fuzz targets: the input as text or bytes, and the checks each target makes of
// certbundle's contracts. A broken contract aborts, so libFuzzer (and the replay driver) report it
// as a crash with the input that caused it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "certbundle/core/error.hpp"
#include "certbundle/x509/certificate.hpp"

namespace certbundle::fuzz {

[[nodiscard]] inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

[[nodiscard]] inline ByteView bytes(const std::uint8_t* data, std::size_t size) { return {data, size}; }

// Aborts, naming the contract (and what broke it), unless `condition` holds.
inline void require(bool condition, const char* contract, std::string_view detail = {}) {
  if (!condition) {
    std::fprintf(stderr, "fuzz: broken contract: %s\n", contract);
    if (!detail.empty()) std::fprintf(stderr, "fuzz: %.*s\n", static_cast<int>(detail.size()), detail.data());
    std::abort();
  }
}

// A one-line message, as every message certbundle prints must be (error.hpp).
[[nodiscard]] inline bool one_line(std::string_view message) {
  return !message.empty() && message.find_first_of("\r\n") == std::string_view::npos;
}

// certbundle's documented way to refuse input: an Error with a one-line message and the exit
// code for bad input (or for a bad value given on the command line).
inline void check_refusal(const Error& e) {
  require(one_line(e.what()), "an Error message is one non-empty line", e.what());
  require(e.code() == ExitCode::input || e.code() == ExitCode::usage,
          "bad input is refused with ExitCode::input or ExitCode::usage");
}

}  // namespace certbundle::fuzz
