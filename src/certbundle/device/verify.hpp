#pragma once
// The device verifier: would an ESP32 connect? Answered with mbedtls, the library the device runs,
// not with OpenSSL.
//
// The device holds its trust in one of two ways, and the verifier models both:
//   - an ESP-IDF certificate bundle (esp_crt_bundle_attach): mbedtls verifies the chain against no
//     trusted certificate at all, and a verify callback rescues the top certificate of the path:
//     when mbedtls flags that certificate exactly "not trusted" (a weak-hash flag is ignored), the
//     callback binary-searches the bundle for the top certificate's raw issuer DER (memcmp over
//     the shorter of the two lengths, so an entry whose subject is a prefix also matches; no
//     length comparison), and verifies the top certificate's signature with the key stored in the
//     ONE entry the search lands on. Another entry with the same subject is never tried.
//     The signature check follows ESP-IDF 6 (PSA) by default: SHA-1/256/384/512 only, RSA
//     PKCS#1 v1.5 or ECDSA, so an RSA-PSS signature fails; SignatureRule::pk_verify_ext is
//     ESP-IDF 4.x/5.x's mbedtls_pk_verify_ext, which accepts RSA-PSS.
//     (ESP-IDF 4.x compared memcmp over the entry's length and did not ignore the weak-hash
//     flag; the verifier follows the current code for every version.)
//   - a PEM buffer (esp_tls_cfg_t.cacert_buf): the certificates are mbedtls's trusted CA list,
//     no callback, and the trusted root's own dates count too.
//
// Modes (bundle only): Mode::standard is ESP-IDF's default; Mode::cross_signed is ESP-IDF 6's
// CONFIG_MBEDTLS_CERTIFICATE_BUNDLE_CROSS_SIGNED_VERIFY, where mbedtls also asks the bundle for
// the issuer of every certificate on the path (leaf first), so that a bundle entry can anchor the
// chain below a cross-signed root the server sends. ESP-IDF does this with mbedtls's trusted-CA
// callback, which Debian's mbedtls 2.28 is built without; the verifier gives mbedtls the same
// synthetic anchors (the entry's key under the child's issuer name, CA, no dates) as a trusted
// list built in advance, one per issuer of a certificate sent that the bundle search finds.
//
// The device clock: mbedtls checks notBefore/notAfter of every certificate on the path only when
// the device has a clock (CONFIG_MBEDTLS_HAVE_TIME_DATE and SNTP). `clock` nullopt models a
// device without one: no date is checked. Bundle entries carry no dates: never checked.
//
// Differences with a device that remain: the certificate profile is mbedtls 3.x's default
// (SHA-256/384/512 signatures, RSA >= 2048 bits, every curve), and mbedtls 2.28 picks among
// several candidate parents with the host's clock.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certbundle/bundle/format.hpp"
#include "certbundle/core/time.hpp"
#include "certbundle/x509/certificate.hpp"

namespace certbundle::device {

enum class Mode { standard, cross_signed };
// "standard" | "cross-signed".
[[nodiscard]] std::string_view to_string(Mode mode);

// What the device trusts.
struct Trust {
  enum class Kind { bundle, pem };
  Kind kind = Kind::bundle;
  std::string name;  // the file (or what the caller names it), for messages
  bundle::Format format = bundle::Format::v2;  // bundle: the format it was read as
  std::vector<bundle::Record> records;         // bundle: the entries in file order (searched as is)
  std::vector<Certificate> certs;              // pem: the CA certificates, in order
};

// CONFIG_MBEDTLS_CERTIFICATE_BUNDLE_MAX_CERTS' default: esp_crt_bundle_set refuses a bigger one.
inline constexpr std::size_t default_max_certs = bundle::default_max_certs;

// A bundle from its bytes. `format` nullopt: detected (bundle::read_bundle). Throws
// Error(ExitCode::input) naming `name` when the bytes are not a bundle in that format; when the
// bytes do read as the other format, the message says so (a V1 bundle given to a V2 device).
[[nodiscard]] Trust bundle_trust(ByteView data, std::optional<bundle::Format> format,
                                 std::string_view name);
// The same, read from a file. Throws Error(ExitCode::input) naming the file.
[[nodiscard]] Trust load_bundle(const std::filesystem::path& path,
                                std::optional<bundle::Format> format);
// A PEM buffer: the certificates as the device's mbedtls parses them from cacert_buf.
[[nodiscard]] Trust pem_trust(std::vector<Certificate> certs, std::string_view name);
// The same, read from a PEM (or DER) file. Throws Error(ExitCode::input) naming the file.
[[nodiscard]] Trust load_pem(const std::filesystem::path& path);

// How the bundle callback checks the top certificate's signature with the stored key.
enum class SignatureRule {
  psa,            // ESP-IDF 6 (PSA): SHA-1/256/384/512, RSA PKCS#1 v1.5 or ECDSA; RSA-PSS fails
  pk_verify_ext,  // ESP-IDF 4.x-5.x: mbedtls_pk_verify_ext with the child's algorithm (RSA-PSS too)
};
// The rule of an ESP-IDF release: 6.0 and later psa, earlier pk_verify_ext. Accepts what
// bundle::format_for_idf_version accepts and throws the same usage_error.
[[nodiscard]] SignatureRule signature_rule_for_idf_version(std::string_view text);

// Without an ESP-IDF version, the rule of the devices that read `trust`: a V1 bundle is read
// only by ESP-IDF 5.3 and earlier (pk_verify_ext); a V2 bundle (5.4 to 6.x) and a PEM buffer
// (any release) get the current default, ESP-IDF 6's psa.
[[nodiscard]] SignatureRule signature_rule_for_trust(const Trust& trust);
// The line saying which rule that is and why (no "certbundle: note: " prefix).
[[nodiscard]] std::string assumed_signature_rule_note(const Trust& trust);

struct VerifyOptions {
  Mode mode = Mode::standard;
  SignatureRule signature = SignatureRule::psa;
  std::optional<Time> clock;  // the device's clock; nullopt: no clock, dates are not checked
  // The name mbedtls checks against the leaf (esp-tls passes the host, or common_name); empty:
  // not checked (skip_common_name). mbedtls 2.28 matches DNS names and the CN, not IP SANs.
  std::string host;
  std::size_t max_certs = default_max_certs;  // a bigger bundle is refused, as on the device
};

// The signature check on a bundle entry's key.
enum class Signature { valid, invalid, unsupported_hash, unsupported_key, bad_key };
[[nodiscard]] std::string_view to_string(Signature signature);

// The bundle search for one certificate's issuer (the top certificate's, or in cross-signed mode
// the first one on the path that a bundle entry anchors).
struct Lookup {
  std::size_t certificate = 0;         // index into the chain as given: whose issuer was searched
  std::string issuer;                  // that issuer's name, one line
  std::optional<std::size_t> entry;    // the entry the search landed on (file order); nullopt: none
  std::string entry_subject;           // its subject, one line
  std::optional<Signature> signature;  // the check with its key (set when an entry was found)
  bool rsa_pss = false;                // that certificate is signed with RSA-PSS
  // Other entries whose subject is exactly the issuer's: the device never tries them.
  std::vector<std::size_t> same_subject;
  std::optional<std::size_t> would_verify;  // one of those whose key verifies the signature
};

// One certificate of the path mbedtls builds (leaf first).
struct PathStep {
  std::optional<std::size_t> certificate;  // index into the chain; nullopt: a bundle anchor
  std::optional<std::size_t> entry;        // set for a bundle anchor (cross-signed mode)
  std::string subject;
  std::string issuer;
  std::uint32_t flags = 0;  // mbedtls's flags for it with the device clock, before the bundle
  std::string info;         // mbedtls_x509_crt_verify_info of `flags`, lines joined by "; "
};

struct Verification {
  bool connects = false;
  std::string reason;            // one line: why not ("" when it connects)
  std::vector<PathStep> path;    // mbedtls's path, leaf first
  std::optional<Lookup> lookup;  // bundle: the search that decided (nullopt: none was made)
  std::string anchor;            // what anchored the chain: an entry's or a PEM cert's subject
  std::optional<std::size_t> anchor_entry;  // bundle: its index
  // What the device's mbedtls reports: the return of the chain verification (as
  // mbedtls_ssl_handshake returns it: 0, -0x3000 when the bundle callback refused, -0x2700 when
  // mbedtls did), its text, and the flags it leaves (0xffffffff after a callback failure).
  int mbedtls_result = 0;
  std::string mbedtls_error;
  std::uint32_t flags = 0;
  // mbedtls_x509_crt_verify_info over the path's flags (what esp-tls logs), one line each with
  // the device's "  ! " prefix; empty when no flag is left.
  std::vector<std::string> verify_info;
  // The log lines the device writes (esp-x509-crt-bundle, esp-tls-mbedtls), in order.
  std::vector<std::string> device_log;
  std::vector<std::string> notes;  // what else the device does differently (one line each)
};

// Verifies `chain` (DER certificates in the order the server sends them, the leaf first) as the
// device would. Never throws for anything in the chain or the trust: a certificate mbedtls cannot
// parse, an empty or too big bundle, a damaged key are verdicts with a reason. This is the
// function `lock`, `check --live` and `build` call for each endpoint and each bundle or PEM
// they write (one call per pair; a Trust can be reused across calls and threads).
[[nodiscard]] Verification verify_chain(const std::vector<Bytes>& chain_der, const Trust& trust,
                                        const VerifyOptions& options);
// The same for certificates loaded by certbundle.
[[nodiscard]] Verification verify_chain(const std::vector<Certificate>& chain, const Trust& trust,
                                        const VerifyOptions& options);

// For `lock`, `check --live` and `build`: one endpoint and the chain recorded for it.
struct EndpointChain {
  std::string endpoint;      // names it in messages ("mqtt.example.com:8883")
  std::vector<Bytes> chain;  // DER, in the order the server sent it
  std::string host;          // the name the device checks; empty: not checked
};

struct EndpointVerdict {
  std::string endpoint;
  Verification verification;
};

// Every endpoint against one trust (a bundle or PEM about to be written), in order; `options.host`
// is replaced by each endpoint's host. The caller fails the build when any verdict does not
// connect, printing "ENDPOINT: REASON" for each.
[[nodiscard]] std::vector<EndpointVerdict> verify_endpoints(
    const Trust& trust, const std::vector<EndpointChain>& endpoints, const VerifyOptions& options);

// A PEM text (as `build` writes it) as the device's cacert_buf. Throws Error(ExitCode::input)
// naming `name` when it holds no certificate or a damaged block.
[[nodiscard]] Trust pem_trust_from_text(std::string_view pem, std::string_view name);

}  // namespace certbundle::device
