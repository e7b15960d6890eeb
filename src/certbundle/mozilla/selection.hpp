#pragma once
// Choosing the roots that go into a bundle or a PEM file.
//
// The default rule is curl's mk-ca-bundle 1.33: a certificate is selected when Mozilla trusts it
// as a delegator for server authentication and it has not expired at `at`. Distrust-after dates
// are ignored by that rule; `grace` and `strict` are the stricter readings other root programs use.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "certbundle/core/time.hpp"
#include "certbundle/mozilla/certdata.hpp"

namespace certbundle::mozilla {

enum class DistrustAfterRule {
  ignore,  // mk-ca-bundle: the date plays no part (it cannot be expressed in a PEM bundle)
  grace,   // drop a root 398 days after its server distrust-after date (webpki-roots, certifi)
  strict,  // drop a root once its server distrust-after date has passed
};
// "ignore" | "grace" | "strict"; throws usage_error on anything else.
[[nodiscard]] DistrustAfterRule parse_distrust_after_rule(std::string_view text);

// ESP-IDF's common-CA filter (cmn_crt_authorities.csv): a header line, then rows whose second
// column is the label of a root to keep.
struct FilterCsv {
  std::string name;  // the file, for messages
  std::string text;
};
// Reads the file. Throws Error(ExitCode::input) naming it.
[[nodiscard]] FilterCsv read_filter_csv(const std::filesystem::path& path);
// ESP-IDF's own list, compiled into certbundle from mozilla/esp-idf/ (see its PROVENANCE).
[[nodiscard]] FilterCsv bundled_common_filter();

struct SelectionOptions {
  Time at{};  // the moment at which expiry and distrust are judged
  DistrustAfterRule distrust_after = DistrustAfterRule::ignore;
  // Each pattern is a label (exact, or a glob with * ? [...]) or a SHA-256 fingerprint of the
  // certificate (64 hex digits, ':' allowed). With include patterns, only selected roots that
  // match one are kept; excluded roots are always removed. A pattern that matches no root of the
  // store at all is an error; one that matches only roots the rule leaves out is a warning.
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  // ESP-IDF's common-CA filter (cmn_crt_authorities.csv): keep roots whose label is in its second
  // column. An entry that matches no selected root is warned about by name.
  std::optional<FilterCsv> filter_csv;
};

struct Selected {
  Certificate cert;
  std::string label;
  std::string origin;        // "certdata.txt:1234", or the file and line of an extra certificate
  const Root* root = nullptr;  // the store entry, when it came from the store
};

struct Selection {
  std::vector<Selected> certs;        // in store order
  std::vector<std::string> warnings;  // one line each, without a "warning: " prefix
};

// Throws Error(ExitCode::usage) for an include pattern that matches nothing,
// Error(ExitCode::input) for a malformed CSV (naming the file and line).
[[nodiscard]] Selection select_roots(const Store& store, const SelectionOptions& options);

// True when the glob `pattern` (*, ?, [...]) matches `text` whole.
[[nodiscard]] bool glob_match(std::string_view pattern, std::string_view text);

// curl's cacert.pem layout: for each certificate a blank line, the label, a line of '=' as long
// as the label in characters, and the PEM with 76-character lines. `header` lines go first.
[[nodiscard]] std::string to_cacert_pem(const std::vector<Selected>& certs, const std::string& header);

}  // namespace certbundle::mozilla
