#pragma once
// What `certbundle build` of a manifest writes and reads, without building: the answer a build
// system needs at configure time (`certbundle build --plan`, read by the CMake module with
// string(JSON), as corrosion reads `cargo metadata`), so that nothing but certbundle reads the
// manifest.
//
// The plan comes from the manifest alone: it reads neither the lock (which may not exist yet when
// a build is configured: it is then an input that is missing) nor any certificate, and touches no
// network. Input paths are absolute (the manifest's directory made absolute), so that a build
// system can depend on them from any directory.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "certbundle/bundle/format.hpp"
#include "certbundle/device/verify.hpp"
#include "certbundle/project/manifest.hpp"

namespace certbundle::project {

// How a file is embedded in firmware (ESP-IDF's target_add_binary_data): BINARY as is, TEXT with
// a NUL after it (what esp_tls's cacert_buf needs); none for C sources and headers.
enum class Embed { none, binary, text };
[[nodiscard]] std::string_view to_string(Embed embed);  // "none" | "BINARY" | "TEXT"

struct PlannedFile {
  std::string name;  // relative to the output directory
  Embed embed = Embed::none;
  // The symbol ESP-IDF's embedding defines for it: `_binary_<name as a C identifier>_start`
  // (CMake's string(MAKE_C_IDENTIFIER)); empty when embed is none.
  std::string symbol;
};

enum class OutputKind { bundle, pem };
[[nodiscard]] std::string_view to_string(OutputKind kind);  // "bundle" | "pem"

struct PlannedOutput {
  std::string name;
  OutputKind kind = OutputKind::bundle;
  std::optional<bundle::Format> format;  // bundles only
  std::size_t line = 0;                  // of its table in the manifest
  std::vector<PlannedFile> files;        // what it writes, in the order `build` writes them
};

// What an input is to the build.
enum class InputRole { manifest, lock, mozilla, bundle_extra, pem_files, pem_next, identity };
// "manifest" | "lock" | "mozilla" | "bundle.extra" | "pem.files" | "pem.next" | "identity".
[[nodiscard]] std::string_view to_string(InputRole role);

struct PlannedInput {
  std::filesystem::path path;  // absolute
  InputRole role = InputRole::manifest;
  bool exists = false;  // when the plan was made
};

struct Plan {
  std::filesystem::path manifest;              // absolute
  bundle::Format format = bundle::Format::v2;  // of every bundle (manifest_format)
  std::string idf_version;                     // policy.idf_version, "" when not given
  device::SignatureRule signature = device::SignatureRule::psa;  // device_signature_rule
  std::string assumed;  // assumed_version_note(): what is assumed when no version is given
  std::vector<PlannedOutput> outputs;  // the bundle first, then the PEM buffers, as `build`
  std::string report{build_report_name};  // written beside the outputs
  std::vector<std::string> endpoints;           // their names: each must be in the lock
  std::vector<PlannedInput> inputs;             // each once, in manifest order; the manifest first
};

// The plan of `manifest` (after apply_build_version, so that its policy holds the version of the
// build). Throws Error(ExitCode::input) naming the manifest when policy.idf_version is not a
// version. Reads nothing but the file system's answer to "does it exist".
[[nodiscard]] Plan plan_outputs(const Manifest& manifest);

// ESP-IDF's symbol for an embedded file: `_binary_` + string(MAKE_C_IDENTIFIER name) + `_start`
// (every character other than a letter, digit or '_' becomes '_'; a leading digit gets a '_').
[[nodiscard]] std::string embedded_symbol(std::string_view file_name);

}  // namespace certbundle::project
