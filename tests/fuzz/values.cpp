// The small values users type on the command line and in certbundle.toml: targets (parse_target),
// dates (parse_time), fingerprints (parse_sha256), bundle formats and ESP-IDF versions, the
// STARTTLS protocol and distrust-after rule names, and base64 (the lock's DER).
#include "certbundle/bundle/format.hpp"
#include "certbundle/core/base64.hpp"
#include "certbundle/core/time.hpp"
#include "certbundle/fetch/target.hpp"
#include "certbundle/mozilla/selection.hpp"
#include "fuzz.hpp"

using namespace certbundle;

namespace {

template <typename Fn>
void refused_or_ok(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    fuzz::check_refusal(e);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::text(data, size);
  refused_or_ok([&] {
    const fetch::Target t = fetch::parse_target(text);
    fuzz::require(!t.host.empty() && t.port != 0, "a target has a host and a port");
    const fetch::Target again = fetch::parse_target(t.endpoint());
    fuzz::require(again.host == t.host && again.port == t.port, "endpoint() reads back");
    (void)t.host_is_ip();
  });
  refused_or_ok([&] {
    const Time t = parse_time(text);
    fuzz::require(parse_time(format_time(t)) == t, "format_time reads back");
  });
  refused_or_ok([&] { (void)bundle::parse_format(text); });
  refused_or_ok([&] { (void)bundle::format_for_idf_version(text); });
  refused_or_ok([&] { (void)mozilla::parse_distrust_after_rule(text); });
  (void)fetch::parse_starttls(text);
  if (const auto digest = parse_sha256(text)) {
    fuzz::require(parse_sha256(to_hex(*digest)) == digest, "to_hex reads back");
  }
  if (const auto decoded = base64_decode(text)) {
    fuzz::require(base64_decode(base64_encode(*decoded)) == decoded, "base64_encode reads back");
  }
  return 0;
}
