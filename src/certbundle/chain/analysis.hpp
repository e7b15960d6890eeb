#pragma once
// Analysis of a chain as a server presented it: a pure function of the certificates, the trust
// material and the time, with no network (the AIA downloads happen in certbundle/fetch, which
// passes what they gave as `fetched`).
//
// Two views of the same chain:
// - the browser view: OpenSSL builds a path from the leaf to a trusted anchor (Mozilla's
//   server-auth roots plus any --ca certificates), using every certificate sent and fetched. It
//   says whether the chain is trusted, why not, and every anchor through which a valid path exists
//   (a cross-signed chain gives several).
// - the device view: what an ESP32 with an ESP-IDF certificate bundle does. mbedtls builds a path
//   from what the server sent only (a parent must come after its child), and the bundle is asked
//   for the issuer of the top certificate of that path: the anchor is the store (or --ca)
//   certificate with that subject whose key verifies the top certificate's signature. When the
//   server omits its intermediate, the top is the leaf and the anchor is the intermediate (found
//   through AIA), not a root.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certbundle/core/time.hpp"
#include "certbundle/x509/certificate.hpp"

namespace certbundle::mozilla {
struct Store;
}

namespace certbundle::chain {

// A certificate that can end a path.
struct Anchor {
  enum class Source { mozilla, extra };
  Certificate cert;
  std::string label;  // Mozilla's label; for --ca certificates the common name
  Source source = Source::mozilla;
  // Trusted for server authentication: Mozilla's CKT_NSS_TRUSTED_DELEGATOR (every entry of a
  // cacert.pem), and every --ca certificate. Untrusted Mozilla entries are kept so that the device
  // view can say that the anchor it needs is distrusted.
  bool trusted = true;
  std::optional<Time> distrust_after;  // CKA_NSS_SERVER_DISTRUST_AFTER
};

struct TrustMaterial {
  std::vector<Anchor> anchors;
};

// Every certificate object of the store (trusted for server auth or not).
[[nodiscard]] TrustMaterial trust_from_store(const mozilla::Store& store);
// Appends trusted --ca certificates.
void add_extra_anchors(TrustMaterial& trust, const std::vector<Certificate>& certs);

struct Inputs {
  std::vector<Certificate> presented;  // in the order sent, the leaf first
  std::vector<Certificate> fetched;    // issuers downloaded through AIA, in download order
  std::string host;                    // checked against the leaf's SANs; empty: not checked
  Time at{};                           // expiry is judged at this moment
};

// The role of a certificate in the chain as sent.
enum class Role {
  leaf,          // the first certificate
  intermediate,  // on the path from the leaf, not self-issued
  root,          // on the path, self-issued (the server sent its root)
  duplicate,     // the same certificate as an earlier one
  unrelated,     // not on the path from the leaf
};
[[nodiscard]] std::string_view to_string(Role role);

struct Entry {
  Certificate cert;
  Role role = Role::leaf;
  std::optional<std::size_t> issuer;  // index (in the same list) of the certificate that signed it
  std::int64_t days_left = 0;         // whole UTC days from `at` to notAfter (negative: expired)
};

struct NameCheck {
  std::string name;  // the host name or IP address checked; empty when none was
  bool matches = false;
  std::vector<std::string> dns;  // the leaf's DNS SANs, in certificate order
  std::vector<std::string> ip;   // the leaf's IP SANs
};

// An anchor as a view names it.
struct AnchorRef {
  Certificate cert;
  std::string label;
  std::string source;  // "mozilla", "ca" (--ca) or "aia" (downloaded: an intermediate)
  bool self_issued = false;
  bool trusted = false;
  std::int64_t days_left = 0;
};

struct BrowserView {
  bool trusted = false;
  std::string reason;                 // why not, OpenSSL's words and the depth ("" when trusted)
  std::vector<Certificate> path;      // the verified path, leaf first, anchor last (when trusted)
  std::optional<AnchorRef> anchor;    // the anchor OpenSSL chose
  std::vector<AnchorRef> roots;       // every anchor with a valid path, sorted by label, subject
};

struct DeviceView {
  std::optional<std::size_t> top;  // index into presented: the top of mbedtls's path
  std::string issuer;              // the issuer name the top certificate gives
  std::optional<AnchorRef> anchor; // the certificate the bundle must hold; nullopt: none exists
  bool anchor_is_intermediate = false;  // the server omits its intermediate (see above)
  bool differs_from_browser = false;    // the anchor (subject + key) is not the browser's choice
  bool anchor_expired = false;
  bool anchor_distrusted = false;       // untrusted in Mozilla's data, or distrust-after passed
};

// A finding. Codes are stable (documented in fetch/report.hpp with the JSON fields):
// duplicate, unrelated, wrong-order, incomplete-chain, aia-completed, expired, not-yet-valid,
// name-mismatch, untrusted, device-no-anchor, device-intermediate, device-differs,
// device-anchor-expired, device-anchor-distrusted.
struct Warning {
  std::string code;
  std::string message;
};

struct Analysis {
  std::vector<Entry> presented;     // in the order sent
  std::vector<Entry> fetched;       // from AIA; issuer indices point into `presented` then
                                    // `fetched` (index presented.size() + i)
  std::vector<std::size_t> path;    // indices into presented, leaf first, following issuers
  bool root_sent = false;           // the path ends in a self-issued certificate that was sent
  bool wrong_order = false;         // the path does not follow the order sent
  bool incomplete = false;          // the top of the path names an issuer that was not sent and
                                    // is not an anchor
  NameCheck name;
  BrowserView browser;
  DeviceView device;
  std::vector<Warning> warnings;    // in a fixed order: chain, dates, name, browser, device
};

[[nodiscard]] Analysis analyze(const Inputs& inputs, const TrustMaterial& trust);

// The certificate whose issuer is missing, when the chain needs completing: the top of the path
// through `presented` and then `fetched` is not self-issued and no anchor has the subject it
// names as issuer. nullopt when nothing is missing.
[[nodiscard]] std::optional<Certificate> missing_issuer(const std::vector<Certificate>& presented,
                                                        const std::vector<Certificate>& fetched,
                                                        const TrustMaterial& trust);

// The caIssuers URLs of the certificate's Authority Information Access extension, in order.
[[nodiscard]] std::vector<std::string> ca_issuers_urls(const Certificate& cert);

// True when `issuer`'s key verifies `child`'s signature (and the names chain).
[[nodiscard]] bool issued_by(const Certificate& child, const Certificate& issuer);

}  // namespace certbundle::chain
