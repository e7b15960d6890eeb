#pragma once
// `certbundle check`: expiry and drift, offline before every firmware build and live on a schedule.
//
// Severity: the offline check runs before every firmware build, so it fails only on what would hurt
// devices, and never blocks the build that fixes it. Days left are whole UTC days from `at` to
// notAfter, rounded down, so a certificate expiring at 23:59:59Z has 0 days left on its last day.
// - A CA devices need now (the current device anchor of an endpoint, every CA of an output that
//   serves no endpoint) and every [[identity]]: a warning within warn_days, an error within
//   fail_days or once expired.
// - Any other CA of an output that serves endpoints (a browser anchor, a label, a file, Mozilla's
//   roots): a warning at most.
// - A former anchor kept through a transition: a warning at most, suggesting retire_after.
// - The leaf and intermediates a server presented when it was locked: the server's to renew, a
//   warning within fail_days or once expired. `check_live` makes an expired certificate the server
//   still presents an error.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "certbundle/core/time.hpp"
#include "certbundle/mozilla/certdata.hpp"
#include "certbundle/project/lock.hpp"
#include "certbundle/project/manifest.hpp"

namespace certbundle::check {

enum class Severity { note, warning, error };
[[nodiscard]] std::string_view to_string(Severity severity);

struct Finding {
  Severity severity = Severity::warning;
  std::string code;     // stable: "expiry", "expired", "untrusted-root", "distrusted-root",
                        // "horizon", "lock-age", "snapshot-age", "expiry-unknown",
                        // "anchor-missing", "anchor-changed", "name-mismatch", "fetch-failed",
                        // "aia-failed", "not-locked"
  std::string scope;    // what it is about: "bundle x509_crt_bundle", "endpoint api", ...
  std::string message;  // one line
  std::string file;     // the file to point at (the manifest, or a bare file)
  std::size_t line = 0;  // 0: the file as a whole
  std::optional<std::int64_t> days_left;
};

struct Thresholds {
  std::int64_t warn_days = 90;
  std::int64_t fail_days = 30;
  Time at{};
};

// The severity of a certificate the firmware depends on with `days_left`, or nullopt when fine.
[[nodiscard]] std::optional<Severity> embedded_severity(std::int64_t days_left, const Thresholds& t);

// The offline check of a project. `lock` may be null when the manifest has no endpoints.
[[nodiscard]] std::vector<Finding> check_project(const project::Manifest& manifest,
                                                 const project::Lock* lock,
                                                 const mozilla::Store& store, const Thresholds& t);

// The check of bare files: bundles (whose entries are matched to `store` by subject and key to
// learn their dates; an entry that matches nothing is "expiry unknown"), PEM and DER files.
// Throws Error(ExitCode::input) for a file that cannot be read.
[[nodiscard]] std::vector<Finding> check_files(const std::vector<std::filesystem::path>& files,
                                               const mozilla::Store& store, const Thresholds& t);

// The live check: fetch every endpoint now and compare with the lock and the outputs. The chains
// are judged against the store, the manifest's CA files and the anchors recorded in the lock.
struct LiveOptions {
  std::chrono::milliseconds timeout{10'000};
  std::size_t jobs = 16;  // endpoints fetched at once (--jobs)
};
[[nodiscard]] std::vector<Finding> check_live(const project::Manifest& manifest, const project::Lock& lock,
                                              const mozilla::Store& store, const Thresholds& t,
                                              const LiveOptions& options);

// Worst first; then by file, line, scope, message: the order every report format uses.
void sort_findings(std::vector<Finding>& findings);

enum class Format { text, json, junit, github, gcc };
[[nodiscard]] Format parse_format(std::string_view text);  // throws usage_error

// The report in `format`. `colour` applies to text only (ANSI colours, for a terminal).
// A finding's file, scope and message are data: every format writes them through one_line()
// (core/text.hpp), so no line break, control character or invalid UTF-8 from a certificate, a lock
// or a server reaches a report; github then escapes '%', CR, LF (and ':' ',' in properties) as
// GitHub's workflow commands require, junit escapes for XML, json replaces invalid UTF-8 by U+FFFD.
[[nodiscard]] std::string render(const std::vector<Finding>& findings, Format format, bool colour);

}  // namespace certbundle::check
