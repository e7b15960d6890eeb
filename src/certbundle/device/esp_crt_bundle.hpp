#pragma once
// ESP-IDF's bundle callback for a host program's own mbedtls (2.28) client: what
// esp_crt_bundle_attach does on the device, so that a test program on the developer's machine can
// connect through exactly the check the firmware runs (see verify.hpp for the algorithm).
//
//   auto trust = certbundle::device::bundle_trust(bytes, certbundle::bundle::Format::v2, "b");
//   certbundle::device::BundleVerifier verifier(std::move(trust));
//   verifier.attach(&conf);  // before mbedtls_ssl_setup; keep `verifier` alive as long as `conf`
//
// attach() installs an empty trusted list and the callback with mbedtls_ssl_conf_verify, as
// ESP-IDF does in its default mode (not cross-signed mode: mbedtls 2.28 has no trusted-CA
// callback). Dates are judged by mbedtls with the host's clock. Not thread-safe: one verifier
// per connection at a time (it records a log).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "certbundle/device/verify.hpp"

struct mbedtls_x509_crt;
struct mbedtls_ssl_config;

namespace certbundle::device {

class BundleVerifier {
 public:
  // Throws usage_error when `trust` is not a bundle, and Error(ExitCode::input) when it is empty
  // (esp_crt_bundle_attach refuses an empty bundle).
  explicit BundleVerifier(Trust trust, SignatureRule rule = SignatureRule::psa);
  ~BundleVerifier();
  BundleVerifier(const BundleVerifier&) = delete;
  BundleVerifier& operator=(const BundleVerifier&) = delete;

  // esp_crt_bundle_attach(conf).
  void attach(mbedtls_ssl_config* conf);

  // esp_crt_verify_callback, for mbedtls_ssl_conf_verify or mbedtls_x509_crt_verify with
  // `verifier` = this BundleVerifier.
  static int callback(void* verifier, mbedtls_x509_crt* crt, int depth, std::uint32_t* flags);

  // The ESP-IDF log lines written so far ("esp-x509-crt-bundle: Certificate validated").
  [[nodiscard]] const std::vector<std::string>& log() const { return log_; }
  // The trusted list attach() installs (empty, as ESP-IDF's dummy certificate).
  [[nodiscard]] mbedtls_x509_crt* empty_trusted_list() const { return dummy_.get(); }

 private:
  Trust trust_;
  SignatureRule rule_;
  std::unique_ptr<mbedtls_x509_crt, void (*)(mbedtls_x509_crt*)> dummy_;
  std::vector<std::string> log_;
};

}  // namespace certbundle::device
