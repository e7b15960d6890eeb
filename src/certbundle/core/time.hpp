#pragma once
// Time in certbundle is UTC, in whole seconds, everywhere. "Days left" are whole UTC days.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace certbundle {

using Time = std::chrono::sys_seconds;

// The current time.
[[nodiscard]] Time now();

// "Now" for a build: SOURCE_DATE_EPOCH (seconds since 1970, the reproducible-builds convention)
// when it is set, so that one commit builds to the same bytes on any day; else now(). Throws
// usage_error naming the variable when it is set to anything but a number of seconds.
[[nodiscard]] Time build_time();

// Parses a date given by a user: "YYYY-MM-DD" (midnight UTC), "YYYY-MM-DDTHH:MM:SSZ" (or with a
// space instead of T), or "now". Throws usage_error naming the text on anything else, including
// dates that do not exist (2026-02-30).
[[nodiscard]] Time parse_time(std::string_view text);

// "2026-11-27T20:53:42Z".
[[nodiscard]] std::string format_time(Time t);
// "2026-11-27".
[[nodiscard]] std::string format_date(Time t);

// Whole days from `from` to `to`, rounded toward negative infinity: 0 when `to` is later today
// than `from` by less than 24 h, -1 when `to` passed less than 24 h ago.
[[nodiscard]] std::int64_t days_between(Time from, Time to);

}  // namespace certbundle
