#pragma once
// `certbundle build`: the outputs of a manifest, offline, from the manifest, the lock and the
// Mozilla snapshot. Everything is computed in memory first; only when every output is ready are
// the files written (each atomically), so a failed build writes nothing.
//
// What goes in:
// - the bundle ([bundle]): with roots = "endpoints", the device-view and browser-view anchors of
//   every endpoint, the anchors of a transition that are not retired, `include` and `extra`, and
//   nothing else: the smallest bundle that keeps every endpoint working. "common" adds ESP-IDF's
//   common CAs, "all" every Mozilla root selected by the policy; "none" holds only `include` and
//   `extra` (no endpoint anchors).
// - each PEM buffer ([[pem]]): the anchors of its endpoints (and their transition anchors), its
//   labels, files and `next`, in that order, each certificate once, each preceded by a comment line
//   with its label and notAfter; it ends with a newline.
// - with emit "c": NAME.c and NAME.h (`const unsigned char NAME[]`, `const unsigned int
//   NAME_len`); for a PEM the array ends with the NUL that esp_tls requires, counted in NAME_len.
// - certbundle-build.txt: the report (what went in and why, sizes against ESP-IDF's full bundle).
//
// A transition anchor (an anchor of an earlier lock that the server no longer uses) stays until
// the output's `retire_after` date has passed, or until it expires.
//
// Every bundle and PEM buffer is then verified as the device uses it (certbundle/device: mbedtls
// and ESP-IDF's bundle lookup, no clock) against the chain each endpoint it serves presented when
// locked; an endpoint that would not connect is a device failure, and write_build() refuses to
// write anything while there is one.
#include <filesystem>
#include <string>
#include <vector>

#include "certbundle/bundle/format.hpp"
#include "certbundle/core/time.hpp"
#include "certbundle/mozilla/certdata.hpp"
#include "certbundle/project/lock.hpp"
#include "certbundle/project/manifest.hpp"

namespace certbundle::project {

struct OutputFile {
  std::filesystem::path name;  // relative to the output directory
  std::string bytes;
};

// What one output holds, and why, for the report and for `certbundle check`.
struct OutputContents {
  std::string name;
  std::size_t line = 0;  // of its table in the manifest
  // What a certificate is to the endpoints the output serves. A certificate that comes in several
  // ways keeps the first of these that applies.
  enum class Role {
    device_anchor,  // the current device anchor of an endpoint: devices need it now
    other,          // a browser anchor, a label, a file, a Mozilla or common root
    former_anchor,  // kept through a transition (until retire_after)
  };
  struct Item {
    Certificate cert;
    std::string label;
    std::string why;
    Role role = Role::other;
  };
  std::vector<Item> items;
  bool serves_endpoints = false;  // holds the anchors of endpoints (else only what it names)
};

// A file the build reads, which no output may overwrite.
struct BuildInput {
  std::filesystem::path path;  // as the manifest resolves it
  std::string what;            // "the manifest", "the lock", "bundle.extra", ...
};

struct BuildResult {
  std::vector<OutputFile> files;
  std::vector<std::size_t> file_lines;  // the manifest line of the output that writes each file
  std::vector<BuildInput> inputs;
  std::vector<OutputContents> outputs;  // the bundle first, then the PEM buffers
  std::vector<std::string> device_failures;  // "output: the device would not connect to api: why"
  std::string report;                 // the text of certbundle-build.txt
  std::vector<std::string> warnings;  // one line each
};

// Throws Error(ExitCode::input) naming the manifest (and line) or lock when they disagree: an
// endpoint missing from the lock or locked for another target ("run `certbundle lock`"), a label
// that matches no root of the snapshot, an unreadable file.
// `default_format` is the bundle format when the manifest gives neither policy.format nor
// policy.idf_version (the CMake module passes the IDF version of the build); else V2.
[[nodiscard]] BuildResult plan_build(const Manifest& manifest, const Lock& lock,
                                     const mozilla::Store& store, Time at,
                                     std::optional<bundle::Format> default_format = std::nullopt);

// Writes every file of `result` into `dir` (created when missing) with write_files_atomic(): each
// file is either its previous version or its new one, never partial, even when the run is killed;
// a write that fails (a full disk) changes none of them. The set is not atomic: a run killed while
// the files are renamed into place (after all are written and flushed) leaves some new and some
// old; the next build completes it (a build system reruns a command that did not succeed).
// Throws Error(ExitCode::findings), writing nothing, when the result has device failures, and
// Error(ExitCode::input), writing nothing, when an output would overwrite a file the build reads
// (the manifest, the lock, a CA file): `--out` is the manifest's directory and an output has its name.
void write_build(const BuildResult& result, const std::filesystem::path& dir);

// The Mozilla store a manifest names (policy.mozilla), or the bundled one.
[[nodiscard]] mozilla::Store store_for(const Manifest& manifest);

}  // namespace certbundle::project
