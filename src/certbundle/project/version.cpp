#include "certbundle/project/version.hpp"

#include <vector>

#include <fmt/format.h>

#include "certbundle/core/error.hpp"

namespace certbundle::project {

namespace {

std::string_view lower(bundle::Format f) { return f == bundle::Format::v1 ? "v1" : "v2"; }

// "v5.4.1" -> {"5", "4", "1"}; the text is validated by format_for_idf_version first.
std::vector<std::string_view> parts_of(std::string_view version) {
  if (!version.empty() && (version.front() == 'v' || version.front() == 'V'))
    version.remove_prefix(1);
  std::vector<std::string_view> parts;
  while (true) {
    const auto dot = version.find('.');
    std::string_view part = version.substr(0, dot);
    while (part.size() > 1 && part.front() == '0')
      part.remove_prefix(1);  // "05" is 5
    parts.push_back(part);
    if (dot == std::string_view::npos) return parts;
    version.remove_prefix(dot + 1);
  }
}

}  // namespace

bool same_idf_version(std::string_view a, std::string_view b) {
  (void)bundle::format_for_idf_version(a);
  (void)bundle::format_for_idf_version(b);
  const auto pa = parts_of(a);
  const auto pb = parts_of(b);
  for (std::size_t i = 0; i < pa.size() && i < pb.size(); ++i) {
    if (pa[i] != pb[i]) return false;
  }
  return true;
}

bundle::Format manifest_format(const Manifest& manifest) {
  const Policy& p = manifest.policy;
  if (!p.format.empty()) return bundle::parse_format(p.format);
  if (p.idf_version.empty()) return bundle::Format::v2;
  try {
    return bundle::format_for_idf_version(p.idf_version);
  } catch (const Error& e) {
    throw Error(ExitCode::input, fmt::format("{}:{}: policy.idf_version: {}",
                                             manifest.file.string(), p.version_line, e.what()));
  }
}

void apply_build_version(Manifest& manifest, const BuildVersion& build) {
  if (!build.idf_version.empty() && !build.format.empty()) {
    throw usage_error(fmt::format("--idf-version and {} exclude each other", build.format_option));
  }
  if (build.idf_version.empty() && build.format.empty()) return;
  const bundle::Format build_format = build.idf_version.empty()
                                          ? bundle::parse_format(build.format)
                                          : bundle::format_for_idf_version(build.idf_version);
  Policy& p = manifest.policy;
  if (p.idf_version.empty() && p.format.empty()) {
    if (build.idf_version.empty()) {
      p.format = lower(build_format);
    } else {
      p.idf_version = build.idf_version;
    }
    return;
  }
  const bundle::Format wanted = manifest_format(manifest);
  const bool disagree =
      wanted != build_format || (!build.idf_version.empty() && !p.idf_version.empty() &&
                                 !same_idf_version(build.idf_version, p.idf_version));
  if (!disagree) return;
  const std::string build_side =
      build.idf_version.empty() ? fmt::format("{} {}", build.format_option, lower(build_format))
                                : fmt::format("--idf-version {} (bundle format {})",
                                              build.idf_version, lower(build_format));
  const std::string manifest_side =
      p.idf_version.empty()
          ? fmt::format("{}:{}: format = \"{}\"", manifest.file.string(), p.version_line, p.format)
          : fmt::format("{}:{}: idf_version = \"{}\" (format {})", manifest.file.string(),
                        p.version_line, p.idf_version, lower(wanted));
  throw usage_error(fmt::format("{} disagrees with {}: give the ESP-IDF version in one place",
                                build_side, manifest_side));
}

std::string assumed_version_note(const Manifest& manifest) {
  if (!manifest.policy.idf_version.empty() || !manifest.policy.format.empty()) return {};
  return fmt::format(
      "no ESP-IDF version given (policy.idf_version in {}, or --idf-version): assuming ESP-IDF 6: "
      "bundle "
      "format v2 (ESP-IDF 5.4 and later) and ESP-IDF 6's signature check (RSA-PSS refused)",
      manifest.file.filename().string());
}

}  // namespace certbundle::project
