#include <map>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "certbundle/check/check.hpp"
#include "certbundle/core/error.hpp"
#include "certbundle/core/text.hpp"

namespace certbundle::check {

Format parse_format(std::string_view text) {
  if (text == "text") return Format::text;
  if (text == "json") return Format::json;
  if (text == "junit") return Format::junit;
  if (text == "github") return Format::github;
  if (text == "gcc") return Format::gcc;
  throw usage_error(fmt::format("--format \"{}\": expected text, json, junit, github or gcc", text));
}

namespace {

std::size_t count(const std::vector<Finding>& findings, Severity s) {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.severity == s; }));
}

std::string summary(const std::vector<Finding>& findings) {
  const std::size_t errors = count(findings, Severity::error);
  const std::size_t warnings = count(findings, Severity::warning);
  return fmt::format("{} error{}, {} warning{}", errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
}

// XML 1.0 forbids most control characters even as references: one_line() escapes them first.
std::string xml(std::string_view raw) {
  const std::string s = one_line(raw);
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// GitHub's workflow commands: '%', CR and LF are escaped in the message, and ',' ':' in properties.
// one_line() first: an ESC or a U+2028 from data has no business in a build log either.
enum class GithubField { message, property };
std::string github_escape(std::string_view raw, GithubField field) {
  const std::string s = one_line(raw);
  const bool property = field == GithubField::property;
  std::string out;
  for (const char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else if (property && c == ':') out += "%3A";
    else if (property && c == ',') out += "%2C";
    else out.push_back(c);
  }
  return out;
}

std::string text(const std::vector<Finding>& findings, bool colour) {
  const auto paint = [&](Severity s, std::string_view word) {
    if (!colour) return std::string(word);
    const char* code = s == Severity::error ? "\033[1;31m" : s == Severity::warning ? "\033[1;33m" : "\033[1;36m";
    return fmt::format("{}{}\033[0m", code, word);
  };
  std::string out;
  // Grouped by what they are about, the group with the worst finding first (findings are sorted);
  // in one pass, so that a bundle of 80,000 entries reports in linear time.
  std::unordered_map<std::string_view, std::size_t> group_of;
  std::vector<std::vector<const Finding*>> groups;
  for (const Finding& f : findings) {
    const auto [it, fresh] = group_of.emplace(f.scope, groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(&f);
  }
  for (const auto& group : groups) {
    out += one_line(group.front()->scope) + ":\n";
    for (const Finding* p : group) {
      const Finding& f = *p;
      out += fmt::format("  {}: {}", paint(f.severity, to_string(f.severity)), one_line(f.message));
      if (f.line != 0) out += fmt::format(" ({}:{})", one_line(f.file), f.line);
      out += "\n";
    }
  }
  out += findings.empty() ? "no findings\n" : summary(findings) + "\n";
  return out;
}

}  // namespace

std::string render(const std::vector<Finding>& findings, Format format, bool colour) {
  switch (format) {
    case Format::text: return text(findings, colour);
    case Format::json: {
      nlohmann::ordered_json doc;
      doc["errors"] = count(findings, Severity::error);
      doc["warnings"] = count(findings, Severity::warning);
      doc["findings"] = nlohmann::ordered_json::array();
      for (const Finding& f : findings) {
        doc["findings"].push_back({{"severity", to_string(f.severity)},
                                   {"code", f.code},
                                   {"scope", f.scope},
                                   {"message", f.message},
                                   {"file", f.file},
                                   {"line", f.line},
                                   {"days_left", f.days_left ? nlohmann::ordered_json(*f.days_left) : nlohmann::ordered_json(nullptr)}});
      }
      return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    }
    case Format::junit: {
      const std::size_t errors = count(findings, Severity::error);
      std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
      out += fmt::format("<testsuites name=\"certbundle check\" tests=\"{}\" failures=\"{}\">\n",
                         std::max<std::size_t>(findings.size(), 1), errors);
      out += fmt::format("  <testsuite name=\"certbundle check\" tests=\"{}\" failures=\"{}\">\n",
                         std::max<std::size_t>(findings.size(), 1), errors);
      if (findings.empty()) out += "    <testcase classname=\"certbundle\" name=\"no findings\"/>\n";
      for (const Finding& f : findings) {
        const std::string where = f.line != 0 ? fmt::format("{}:{}", f.file, f.line) : f.file;
        out += fmt::format("    <testcase classname=\"{}\" name=\"{}: {}\" file=\"{}\">\n", xml(f.scope), xml(f.code),
                           xml(f.message), xml(f.file));
        if (f.severity == Severity::error) {
          out += fmt::format("      <failure type=\"{}\" message=\"{}\">{}: {}</failure>\n", xml(f.code), xml(f.message),
                             xml(where), xml(f.message));
        } else {
          out += fmt::format("      <system-out>{}: {}: {}</system-out>\n", to_string(f.severity), xml(where), xml(f.message));
        }
        out += "    </testcase>\n";
      }
      out += "  </testsuite>\n</testsuites>\n";
      return out;
    }
    case Format::github: {
      std::string out;
      for (const Finding& f : findings) {
        const char* command = f.severity == Severity::error ? "error" : f.severity == Severity::warning ? "warning" : "notice";
        std::string props = fmt::format("file={}", github_escape(f.file, GithubField::property));
        if (f.line != 0) props += fmt::format(",line={}", f.line);
        props += fmt::format(",title={}", github_escape(fmt::format("certbundle {}", f.code),
                                                        GithubField::property));
        out += fmt::format("::{} {}::{}: {}\n", command, props,
                           github_escape(f.scope, GithubField::message),
                           github_escape(f.message, GithubField::message));
      }
      out += fmt::format("certbundle check: {}\n", findings.empty() ? "no findings" : summary(findings));
      return out;
    }
    case Format::gcc: {
      std::string out;
      for (const Finding& f : findings) {
        const std::string where =
            f.line != 0 ? fmt::format("{}:{}", one_line(f.file), f.line) : one_line(f.file);
        out += fmt::format("{}: {}: {}: {} [{}]\n", where, to_string(f.severity), one_line(f.scope),
                           one_line(f.message), f.code);
      }
      return out;
    }
  }
  return {};
}

}  // namespace certbundle::check
