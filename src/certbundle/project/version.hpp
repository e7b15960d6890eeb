#pragma once
// One ESP-IDF version per build, said once.
//
// The ESP-IDF version decides two things: the bundle format (V1 up to 5.3, V2 from 5.4,
// bundle::format_for_idf_version) and how the device checks the signature of the top certificate
// (ESP-IDF 6's PSA rule refuses RSA-PSS that 5.x accepts, device::SignatureRule). It can be said in
// the manifest (policy.idf_version or policy.format) or by the build (`--idf-version`, `--format`,
// the CMake module's FORMAT or IDF_VERSION_MAJOR/MINOR inside ESP-IDF). When both say it they must
// agree; certbundle never picks one of two different answers silently.
#include <optional>
#include <string>
#include <string_view>

#include "certbundle/bundle/format.hpp"
#include "certbundle/project/manifest.hpp"

namespace certbundle::project {

// What the build side says: `--idf-version X` or `--format vN` (at most one of them; both empty:
// nothing).
struct BuildVersion {
  std::string idf_version;                 // "5.3", "v5.4.1"
  std::string format;                      // "v1" | "v2"
  std::string format_option = "--format";  // how messages name it (`check` says --bundle-format)
};

// True when two ESP-IDF versions agree at the precision both give: "5.4" and "5.4.1" agree,
// "5.4" and "5.5" do not, "v5.4" and "5.4" do. Throws usage_error (as
// bundle::format_for_idf_version) when either is not a version.
[[nodiscard]] bool same_idf_version(std::string_view a, std::string_view b);

// Checks that `build` agrees with the manifest's policy.idf_version / policy.format, then fills
// in what the build says where the manifest says nothing, so that every later step (build,
// check, lock, the plan) reads the version from `manifest.policy` alone.
//
// They disagree when the bundle formats they imply differ, or when both name ESP-IDF versions
// that differ (same_idf_version). Then throws Error(ExitCode::usage) naming both, in one line:
//   --idf-version 5.3 (bundle format v1) disagrees with certbundle.toml:12: idf_version = "5.4"
//   (format v2): give the ESP-IDF version in one place
// Throws usage_error for a build version that is not a version or a format that is not v1/v2,
// and Error(ExitCode::input) naming the manifest when its own idf_version is not a version.
void apply_build_version(Manifest& manifest, const BuildVersion& build);

// The bundle format the manifest's policy gives: policy.format, else from policy.idf_version,
// else V2. Throws Error(ExitCode::input) naming the manifest when idf_version is not a version.
[[nodiscard]] bundle::Format manifest_format(const Manifest& manifest);

// When the manifest (after apply_build_version) names no version at all: the one line saying
// what is assumed instead (bundle format V2, ESP-IDF 6's signature check), without the
// "certbundle: note: " prefix. Empty when a version or a format is given.
[[nodiscard]] std::string assumed_version_note(const Manifest& manifest);

}  // namespace certbundle::project
