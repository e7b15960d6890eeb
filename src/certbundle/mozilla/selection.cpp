#include "certbundle/mozilla/selection.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/core/text.hpp"
#include "certbundle/x509/load.hpp"

namespace certbundle::mozilla {

DistrustAfterRule parse_distrust_after_rule(std::string_view text) {
  if (text == "ignore") return DistrustAfterRule::ignore;
  if (text == "grace") return DistrustAfterRule::grace;
  if (text == "strict") return DistrustAfterRule::strict;
  throw usage_error(fmt::format("--distrust-after \"{}\": expected ignore, grace or strict", text));
}

bool glob_match(std::string_view pattern, std::string_view text) {
  return ::fnmatch(std::string(pattern).c_str(), std::string(text).c_str(), 0) == 0;
}

namespace {

// Webpki-roots and certifi keep a root for this long after its server distrust-after date, the
// longest lifetime a TLS certificate issued just before the date may have.
constexpr auto grace_period = std::chrono::days{398};

// Why the rule leaves `root` out at `at`, or empty when it is selected.
std::string rejection(const Root& root, const SelectionOptions& options) {
  if (root.trust.server_auth != Trust::trusted_delegator) {
    return fmt::format("not trusted for server authentication ({})", to_string(root.trust.server_auth));
  }
  if (root.cert.not_after() < options.at) {
    return fmt::format("expired on {}", format_time(root.cert.not_after()));
  }
  if (root.server_distrust_after) {
    const Time date = *root.server_distrust_after;
    if (options.distrust_after == DistrustAfterRule::strict && options.at > date) {
      return fmt::format("distrusted for certificates issued after {} (--distrust-after strict)",
                         format_time(date));
    }
    if (options.distrust_after == DistrustAfterRule::grace && options.at > date + grace_period) {
      return fmt::format("distrusted after {}, and the 398-day grace period has ended "
                         "(--distrust-after grace)",
                         format_time(date));
    }
  }
  return {};
}

bool matches(const std::string& pattern, const Root& root) {
  if (const auto digest = parse_sha256(pattern)) return *digest == root.cert.sha256();
  return glob_match(pattern, root.label);
}

// The second column of each row after the header, as ESP-IDF's gen_crt_bundle.py reads it with
// Python's csv module: fields split at commas, double quotes group and "" is a quote.
std::vector<std::pair<std::string, std::size_t>> filter_names(const FilterCsv& csv) {
  const std::string& text = csv.text;
  std::vector<std::pair<std::string, std::size_t>> names;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = std::min(text.find('\n', pos), text.size());
    std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_no == 1 || line.empty()) continue;  // header
    std::vector<std::string> fields(1);
    bool in_quotes = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (in_quotes) {
        if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          fields.back().push_back('"');
          ++i;
        } else if (c == '"') {
          in_quotes = false;
        } else {
          fields.back().push_back(c);
        }
      } else if (c == '"') {
        in_quotes = true;
      } else if (c == ',') {
        fields.emplace_back();
      } else {
        fields.back().push_back(c);
      }
    }
    if (in_quotes || fields.size() < 2) {
      throw Error(ExitCode::input,
                  fmt::format("cannot read \"{}\": line {}: {}", csv.name, line_no,
                              in_quotes ? "unterminated quoted field"
                                        : "expected two columns (owner, certificate name)"));
    }
    names.emplace_back(std::move(fields[1]), line_no);
  }
  if (line_no == 0) throw Error(ExitCode::input, fmt::format("cannot read \"{}\": the file is empty", csv.name));
  return names;
}

}  // namespace

FilterCsv read_filter_csv(const std::filesystem::path& path) { return {path.string(), read_file(path, list_limit)}; }

namespace detail {
const char* idf_common_begin();
std::size_t idf_common_size();
}  // namespace detail

FilterCsv bundled_common_filter() {
  return {"ESP-IDF cmn_crt_authorities.csv (bundled)",
          std::string(detail::idf_common_begin(), detail::idf_common_size())};
}

Selection select_roots(const Store& store, const SelectionOptions& options) {
  Selection result;
  const auto& roots = store.roots;
  std::vector<bool> passes(roots.size());
  for (std::size_t i = 0; i < roots.size(); ++i) passes[i] = rejection(roots[i], options).empty();

  const bool restricted = options.filter_csv.has_value() || !options.include.empty();
  std::vector<bool> keep(roots.size(), !restricted);

  if (options.filter_csv) {
    for (const auto& [name, line] : filter_names(*options.filter_csv)) {
      bool found = false;
      for (std::size_t i = 0; i < roots.size(); ++i) {
        if (roots[i].label == name && passes[i]) keep[i] = found = true;
      }
      if (!found) {
        result.warnings.push_back(fmt::format("{}:{}: \"{}\" matches no trusted root in {}",
                                              options.filter_csv->name, line, printable(name),
                                              store.name));
      }
    }
  }

  const auto apply = [&](const std::vector<std::string>& patterns, bool include) {
    for (const std::string& pattern : patterns) {
      bool any = false;
      for (std::size_t i = 0; i < roots.size(); ++i) {
        if (!matches(pattern, roots[i])) continue;
        any = true;
        if (!include) {
          keep[i] = false;
        } else if (passes[i]) {
          keep[i] = true;
        } else {
          result.warnings.push_back(fmt::format("--include \"{}\": \"{}\" is left out: {}", printable(pattern),
                                                roots[i].label, rejection(roots[i], options)));
        }
      }
      if (!any && include) {
        throw usage_error(fmt::format("\"{}\" matches no root in {}", pattern, store.name));
      }
      if (!any) {
        result.warnings.push_back(
            fmt::format("--exclude \"{}\" matches no root in {}", pattern, store.name));
      }
    }
  };
  apply(options.include, true);
  apply(options.exclude, false);

  for (std::size_t i = 0; i < roots.size(); ++i) {
    if (keep[i] && passes[i]) {
      result.certs.push_back(
          Selected{roots[i].cert, roots[i].label, fmt::format("{}:{}", store.name, roots[i].line), &roots[i]});
    }
  }
  return result;
}

namespace {

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

std::string to_cacert_pem(const std::vector<Selected>& certs, const std::string& header) {
  std::string out = header;
  for (const Selected& s : certs) {
    const std::string label =
        outside_pem(printable(s.label));  // no line, no PEM block from a label
    out += fmt::format("\n{}\n{}\n", label, std::string(utf8_length(label), '='));
    out += to_pem(s.cert, 76);
  }
  return out;
}

}  // namespace certbundle::mozilla
