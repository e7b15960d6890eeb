#include "certbundle/core/time.hpp"

#include <charconv>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "certbundle/core/error.hpp"
#include "certbundle/core/text.hpp"

namespace certbundle {

using namespace std::chrono;

Time now() { return time_point_cast<seconds>(system_clock::now()); }

Time build_time() {
  const char* value = std::getenv("SOURCE_DATE_EPOCH");
  if (value == nullptr) return now();
  const std::string_view text(value);
  std::int64_t epoch = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), epoch);
  // Up to 9999-12-31: what format_time() writes and parse_time() reads.
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || epoch < 0 || epoch > 253402300799) {
    throw usage_error(fmt::format("SOURCE_DATE_EPOCH \"{}\" is not a number of seconds since 1970-01-01",
                                  printable(text.substr(0, 40))));
  }
  return Time(seconds(epoch));
}

namespace {

bool read_int(std::string_view text, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > text.size()) return false;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
  return ec == std::errc{} && ptr == text.data() + pos + len;
}

}  // namespace

Time parse_time(std::string_view text) {
  if (text == "now") return now();
  const auto bad = [&](std::string_view why) {
    return usage_error(fmt::format("\"{}\" is not a date: {}", text, why));
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (text.size() < 10 || !read_int(text, 0, 4, y) || text[4] != '-' || !read_int(text, 5, 2, mo) ||
      text[7] != '-' || !read_int(text, 8, 2, d)) {
    throw bad("expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
  }
  if (text.size() > 10) {
    if (text.size() != 20 || (text[10] != 'T' && text[10] != ' ') || !read_int(text, 11, 2, h) ||
        text[13] != ':' || !read_int(text, 14, 2, mi) || text[16] != ':' ||
        !read_int(text, 17, 2, s) || text[19] != 'Z') {
      throw bad("expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC, with the Z)");
    }
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) throw bad("no such day");
  if (h > 23 || mi > 59 || s > 59) throw bad("no such time of day");
  return sys_days{ymd} + hours{h} + minutes{mi} + seconds{s};
}

std::string format_time(Time t) {
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::string format_date(Time t) { return format_time(t).substr(0, 10); }

std::int64_t days_between(Time from, Time to) { return floor<days>(to - from).count(); }

}  // namespace certbundle
