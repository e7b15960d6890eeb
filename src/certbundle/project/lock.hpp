#pragma once
// certbundle.lock: what each endpoint of the manifest presented when it was last locked, and the
// anchors its devices need. It is JSON with sorted keys and one value per line, meant to be
// committed and read in diffs; `certbundle build` reads it (offline) instead of the network.
//
// Every certificate is stored with its DER (base64), so that a build needs nothing but the
// manifest, the lock and the files the manifest names.
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "certbundle/core/time.hpp"
#include "certbundle/x509/certificate.hpp"

#include "certbundle/chain/analysis.hpp"
#include "certbundle/device/verify.hpp"

namespace certbundle::fetch {
struct TargetReport;
}
namespace certbundle::mozilla {
struct Store;
}

namespace certbundle::project {

struct Manifest;

inline constexpr int lock_version = 1;

struct LockedCert {
  Certificate cert;
  std::string label;   // Mozilla's label for anchors, else the subject's common name
  std::string source;  // anchors: "mozilla", "ca" or "aia"; chain certificates: "presented"
  std::size_t line = 0;  // read from a lock: the line of its "sha256" (0: not found, or not read)
};

// An anchor that an endpoint no longer uses, kept in the outputs through a transition.
struct PreviousAnchor {
  LockedCert anchor;
  Time replaced_at{};  // when a lock first saw the endpoint without it
};

struct LockedEndpoint {
  std::string target;
  Time locked_at{};
  bool browser_trusted = false;
  std::string browser_reason;             // why not, when untrusted
  std::vector<LockedCert> chain;          // as presented, in the order sent
  std::optional<LockedCert> device_anchor;  // what the bundle must hold (see chain/analysis.hpp)
  std::vector<LockedCert> browser_anchors;  // every anchor with a valid path
  std::vector<PreviousAnchor> previous;     // anchors of earlier locks, through a transition

  // The device anchor and the browser anchors, without duplicates, device first.
  [[nodiscard]] std::vector<LockedCert> anchors() const;
};

struct Lock {
  std::string file;  // read from a file: its name, for messages
  std::string snapshot_name;
  std::string snapshot_sha256;
  std::map<std::string, LockedEndpoint> endpoints;  // by endpoint name
};

// Throws Error(ExitCode::input) naming the file (and what is wrong) when it is not a lock.
[[nodiscard]] Lock read_lock(const std::filesystem::path& file);
[[nodiscard]] Lock parse_lock(std::string_view text, const std::string& name);
[[nodiscard]] std::string to_json(const Lock& lock);

// The endpoint as one fetch found it. `report` must hold a handshake (fetched()).
[[nodiscard]] LockedEndpoint lock_endpoint(const fetch::TargetReport& report, Time now);

// Merges a new lock of an endpoint with its previous one: an anchor of the previous lock that the
// new one lacks becomes a PreviousAnchor (replaced now), earlier PreviousAnchors are kept unless
// they are current again or expired. Returns the report lines that describe the change
// ("api: device anchor changed from X to Y: ...").
[[nodiscard]] std::vector<std::string> carry_over(const std::string& name, const LockedEndpoint& old,
                                                  LockedEndpoint& fresh, Time now);

// What a manifest's endpoints are judged against: the store's roots, the manifest's own CA files
// (bundle.extra, pem.files) and `ca`. Throws Error(ExitCode::input) for an unreadable file.
[[nodiscard]] chain::TrustMaterial trust_for(const Manifest& manifest, const mozilla::Store& store,
                                             const std::vector<std::filesystem::path>& ca);

// Fetches every endpoint of the manifest (handshake, AIA, analysis at `now`), `concurrency` at a
// time (fetch::for_each_bounded), in manifest order. A failed endpoint is a report with its failure.
// Throws Error(ExitCode::input) for a bad endpoint setting (naming the manifest line) or an
// unreadable client certificate, before connecting anywhere.
[[nodiscard]] std::vector<fetch::TargetReport> fetch_endpoints(const Manifest& manifest,
                                                               const chain::TrustMaterial& trust, Time now,
                                                               std::chrono::milliseconds timeout,
                                                               std::size_t concurrency);

// Confirms an endpoint's device view with the device verifier (mbedtls and ESP-IDF's bundle
// lookup, certbundle/device): a bundle holding the anchors certbundle found must let the device
// connect to the chain presented. The signature rule is the manifest's ESP-IDF release's
// (device_signature_rule). Returns the verifier's reason when it would not, else empty.
// `report` must hold an analysis.
[[nodiscard]] std::string confirm_device_view(const fetch::TargetReport& report, const Manifest& manifest);

// How the bundle callback of the manifest's ESP-IDF release (policy.idf_version) checks a
// signature: ESP-IDF 6's PSA rule unless an earlier release is named (or policy.format is v1,
// which only ESP-IDF 5.3 and earlier read). Throws Error(ExitCode::input)
// naming the manifest when idf_version is not a release.
[[nodiscard]] device::SignatureRule device_signature_rule(const Manifest& manifest);

struct LockOptions {
  Time now{};
  std::chrono::milliseconds timeout{10'000};      // per endpoint: connect + STARTTLS + handshake
  std::vector<std::string> allow_untrusted;       // endpoint names locked even when untrusted
  std::vector<std::filesystem::path> ca;          // more trusted CAs for the browser view
  std::size_t jobs = 16;                          // endpoints fetched at once (--jobs)
};

struct LockResult {
  Lock lock;
  std::vector<std::string> changes;  // against the previous lock, one line each
  std::vector<std::string> warnings;  // one line each: a client key readable by group or others
};

// Fetches every endpoint of the manifest (concurrently) and makes the new lock, carrying over
// transitions from `previous`. The browser view trusts the snapshot's roots, the manifest's own
// CA files (bundle.extra, pem.files) and `options.ca`. Throws, and so writes nothing:
// Error(ExitCode::network) naming every endpoint that could not be fetched and the step;
// Error(ExitCode::findings) naming every endpoint whose chain a browser does not trust, unless
// allowed; Error(ExitCode::input) for a bad endpoint setting, naming the manifest line.
[[nodiscard]] LockResult lock_manifest(const Manifest& manifest, const Lock* previous,
                                       const LockOptions& options);

}  // namespace certbundle::project
