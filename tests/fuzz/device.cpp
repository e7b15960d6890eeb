// The device verifier (certbundle/device) on outside data: a bundle as the device reads it
// (bundle_trust, V1, V2 and detected; pem_trust_from_text for a PEM buffer) and a chain of DER
// certificates as a server sends it, verified by mbedtls with ESP-IDF's bundle callback in every
// mode, with and without a device clock. verify_chain promises never to throw for anything in the
// chain or the trust: every failure is a verdict with a one-line reason.
//
// Input: a 2-byte big-endian length L, L bytes of trust (a bundle, or a PEM text), then the chain
// as records of a 2-byte big-endian length and that many DER bytes. Seeds: tests/fuzz/seeds.py.
#include <optional>
#include <vector>

#include "certbundle/device/verify.hpp"
#include "fuzz.hpp"

using namespace certbundle;

namespace {

std::size_t be16(const std::uint8_t* p) { return (std::size_t{p[0]} << 8) | p[1]; }

void check_verdict(const device::Verification& v) {
  fuzz::require(v.connects == v.reason.empty(), "a verdict has a reason exactly when it refuses", v.reason);
  if (!v.connects) fuzz::require(fuzz::one_line(v.reason), "a reason is one line", v.reason);
}

void verify_all(const std::vector<Bytes>& chain, const device::Trust& trust) {
  for (const auto mode : {device::Mode::standard, device::Mode::cross_signed}) {
    for (const auto rule : {device::SignatureRule::psa, device::SignatureRule::pk_verify_ext}) {
      for (const bool clock : {false, true}) {
        if (trust.kind == device::Trust::Kind::pem && (mode != device::Mode::standard || rule != device::SignatureRule::psa)) {
          continue;  // modes and rules are the bundle callback's
        }
        device::VerifyOptions options;
        options.mode = mode;
        options.signature = rule;
        if (clock) options.clock = Time{std::chrono::seconds{1'800'000'000}};  // 2027-01-15
        options.host = "localhost";
        check_verdict(device::verify_chain(chain, trust, options));
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t trust_size = std::min(be16(data), size - 2);
  const ByteView trust_bytes(data + 2, trust_size);
  std::vector<Bytes> chain;
  for (std::size_t at = 2 + trust_size; at + 2 <= size && chain.size() < 16;) {
    const std::size_t n = std::min(be16(data + at), size - at - 2);
    chain.emplace_back(data + at + 2, data + at + 2 + n);
    at += 2 + n;
  }

  for (const std::optional<bundle::Format> format :
       {std::optional<bundle::Format>{}, std::optional{bundle::Format::v1}, std::optional{bundle::Format::v2}}) {
    try {
      verify_all(chain, device::bundle_trust(trust_bytes, format, "x509_crt_bundle"));
    } catch (const Error& e) {
      fuzz::check_refusal(e);
    }
  }
  try {
    verify_all(chain, device::pem_trust_from_text(fuzz::text(trust_bytes.data(), trust_bytes.size()), "cacert_buf"));
  } catch (const Error& e) {
    fuzz::check_refusal(e);
  }
  return 0;
}
