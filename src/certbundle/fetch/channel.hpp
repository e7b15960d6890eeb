#pragma once
// Internal to certbundle/fetch: a deadline shared by the steps of one fetch, and the plain-text
// side of a non-blocking socket (for STARTTLS).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "certbundle/fetch/target.hpp"

namespace certbundle::fetch::detail {

// "timed out after 2 s", or "... after 1500 ms" for a budget that is not whole seconds: the words
// of every timeout of fetch/ (handshake, STARTTLS, downloads).
[[nodiscard]] std::string timed_out_after(std::chrono::milliseconds budget);

class Deadline {
 public:
  explicit Deadline(std::chrono::milliseconds budget)
      : budget_(budget), at_(std::chrono::steady_clock::now() + budget) {}
  // Milliseconds left, at least 0.
  [[nodiscard]] int remaining_ms() const;
  [[nodiscard]] bool expired() const { return remaining_ms() == 0; }
  // "timed out after 2 s" (the whole budget, as the user gave it).
  [[nodiscard]] std::string timed_out() const;

 private:
  std::chrono::milliseconds budget_;
  std::chrono::steady_clock::time_point at_;
};

// Waits until `fd` is readable (or writable) or the deadline passes. Returns false on timeout.
[[nodiscard]] bool wait_for(int fd, bool for_write, const Deadline& deadline);

// Speaks the plain-text protocol up to the point where the server expects a TLS ClientHello.
// Returns nullopt on success, else the reason (one line, quoting what the server answered).
[[nodiscard]] std::optional<std::string> run_starttls(Starttls protocol, int fd,
                                                      const std::string& host,
                                                      const Deadline& deadline);

}  // namespace certbundle::fetch::detail
