#pragma once
// certbundle.toml: the one place that says which servers a firmware talks to and which CAs it
// embeds, in which form. The reference is README.md's "certbundle.toml" section; `certbundle init`
// writes a commented example. Paths in the manifest are relative to the manifest's directory.
//
// load_manifest() reads and checks the whole file before anything else happens: an unknown key
// (with the nearest valid key suggested), a value of the wrong type, a [[pem]] naming an
// undeclared endpoint, two outputs with the same name are each an Error(ExitCode::input) naming
// the file and line.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "certbundle/core/time.hpp"
#include "certbundle/mozilla/selection.hpp"

namespace certbundle::project {

// The file `certbundle build` writes its report to, beside the outputs.
inline constexpr std::string_view build_report_name = "certbundle-build.txt";
// An output name is a plain file name of at most this many bytes: no "/", "\\", "..", no control
// character. Outputs whose files (NAME, and NAME.c/NAME.h for emit "c", as C identifiers) or C names
// would be the same, compared without case, are refused, naming both manifest lines.
inline constexpr std::size_t max_output_name = 200;

struct Policy {
  std::int64_t warn_days = 90;  // a finding within this many days is a warning
  std::int64_t fail_days = 30;  // within this many days (or expired) it is an error
  std::optional<Time> horizon;  // devices must keep trusting their servers until this date
  std::optional<std::int64_t> lock_max_age_days;
  std::filesystem::path mozilla;  // empty: the snapshot built into certbundle
  mozilla::DistrustAfterRule distrust_after = mozilla::DistrustAfterRule::ignore;
  std::string idf_version;  // "5.4": picks the bundle format; empty when `format` is given
  std::string format;       // "v1" | "v2"; empty when not given (then v2, or by idf_version)
  std::size_t version_line = 0;  // the line of idf_version or format; 0: neither is given
};

struct Endpoint {
  std::string name;
  std::string target;  // `url`, or `host:port` from host and port
  std::string starttls;
  std::vector<std::string> alpn;
  std::string sni;
  std::string proxy;
  std::filesystem::path cert;  // client certificate, for servers that demand one
  std::filesystem::path key;
  std::string key_pass;  // env:NAME or file:PATH (relative to the manifest): the key's passphrase
  // The manifest's word that this endpoint's chain need not be trusted by a browser: `lock` locks it
  // (as with --allow-untrusted), and `build` and `check` accept its anchors from the lock without
  // finding them in the snapshot or in a file the manifest lists. Code review sees it.
  bool allow_untrusted = false;
  std::size_t line = 0;
};

enum class Roots { endpoints, common, all, none };
enum class Emit { bin, pem, c };

struct BundleOutput {
  std::string name = "x509_crt_bundle";
  Roots roots = Roots::endpoints;
  std::vector<std::string> include;  // labels, globs or SHA-256, from the snapshot
  std::vector<std::string> exclude;
  std::vector<std::filesystem::path> extra;  // PEM/DER files of private CAs
  std::vector<Emit> emit{Emit::bin};
  std::optional<Time> retire_after;  // old anchors of a transition leave after this date
  std::size_t line = 0;
};

struct PemOutput {
  std::string name;
  std::vector<std::string> endpoints;  // their anchors, from the lock
  std::vector<std::string> labels;     // Mozilla roots (labels, globs or SHA-256)
  std::vector<std::filesystem::path> files;
  // The new CA(s) to carry through a transition: labels, or files (names ending .pem .crt .cer .der).
  std::vector<std::string> next;
  std::optional<Time> retire_after;  // old anchors of a transition leave after this date
  std::vector<Emit> emit{Emit::pem};
  std::size_t line = 0;
};

// A device client certificate: checked for expiry, never embedded by certbundle.
struct Identity {
  std::string name;
  std::filesystem::path cert;
  std::size_t line = 0;
};

struct Manifest {
  std::filesystem::path file;
  std::filesystem::path dir;  // paths in the manifest are relative to this
  Policy policy;
  std::vector<Endpoint> endpoints;
  std::optional<BundleOutput> bundle;
  std::vector<PemOutput> pems;
  std::vector<Identity> identities;

  [[nodiscard]] const Endpoint* find_endpoint(std::string_view name) const;
  // A path from the manifest, made relative to the working directory.
  [[nodiscard]] std::filesystem::path resolve(const std::filesystem::path& p) const;
};

// Whether an entry of [[pem]] next names a file (it ends .pem .crt .cer or .der, after at least one
// character) rather than a Mozilla label. build, the plan and the lock check tell them apart so.
[[nodiscard]] bool next_names_file(std::string_view entry);

[[nodiscard]] Manifest load_manifest(const std::filesystem::path& file);
[[nodiscard]] Manifest parse_manifest(std::string_view text, const std::filesystem::path& file);

// The text `certbundle init` writes: every key, commented, with the given endpoints filled in.
// `idf_version` (already validated) is written as policy.idf_version; empty: left commented.
[[nodiscard]] std::string starter_manifest(const std::vector<std::string>& endpoint_urls,
                                           std::string_view idf_version = {});

}  // namespace certbundle::project
