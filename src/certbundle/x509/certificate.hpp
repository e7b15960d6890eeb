#pragma once
// An X.509 certificate, parsed once by OpenSSL, with the raw DER pieces that ESP-IDF bundles and
// Mozilla's store are made of.
//
// The subject, issuer and SubjectPublicKeyInfo are the bytes exactly as they stand inside the
// certificate's DER (never re-encoded), because the device compares them with memcmp.
#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "certbundle/core/time.hpp"

struct x509_st;  // OpenSSL's X509

namespace certbundle {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using Sha256 = std::array<std::uint8_t, 32>;

[[nodiscard]] Sha256 sha256(ByteView data);
[[nodiscard]] std::string to_hex(ByteView data);  // lowercase, no separators
[[nodiscard]] std::string to_hex(const Sha256& digest);
// Parses 64 hex digits, with or without ':' separators, any case.
[[nodiscard]] std::optional<Sha256> parse_sha256(std::string_view text);

// The public key as a person reads it: "RSA 2048", "EC P-256", "Ed25519".
struct KeyInfo {
  std::string type;  // "RSA", "EC", "Ed25519", "Ed448", "DSA" or OpenSSL's short name
  int bits = 0;
  std::string curve;  // NIST name when EC ("P-256"), else empty

  [[nodiscard]] std::string describe() const;
};

// The key of a DER SubjectPublicKeyInfo (as stored in an ESP-IDF bundle); nullopt when OpenSSL
// cannot parse it or bytes follow it.
[[nodiscard]] std::optional<KeyInfo> key_info_from_spki(ByteView spki_der);
// A DER Name on one line, as Certificate::subject() prints it; nullopt when it does not parse or
// bytes follow it.
[[nodiscard]] std::optional<std::string> name_from_der(ByteView name_der);

// How much of a certificate from_der() parses at once.
enum class Parse {
  full,      // OpenSSL parses the whole certificate now: anything malformed is refused here
  deferred,  // only the outer structure (names, key, validity) now; OpenSSL's full parse, which
             // costs about a millisecond a certificate in OpenSSL 3, when first needed. For data
             // whose integrity is already known (the snapshot compiled in, checked by SHA-256).
};

class Certificate {
 public:
  // Parses a DER certificate. Returns nullopt and sets `why` (OpenSSL's reason) when `der` is not
  // one complete certificate.
  [[nodiscard]] static std::optional<Certificate> from_der(ByteView der, std::string* why = nullptr,
                                                           Parse parse = Parse::full);

  [[nodiscard]] const Bytes& der() const { return data_->der; }
  [[nodiscard]] ByteView subject_der() const { return data_->subject_der; }
  [[nodiscard]] ByteView issuer_der() const { return data_->issuer_der; }
  [[nodiscard]] ByteView spki_der() const { return data_->spki_der; }

  // One-line names, RFC 2253 order and escaping as `openssl x509 -nameopt RFC2253` prints them.
  [[nodiscard]] std::string subject() const;
  [[nodiscard]] std::string issuer() const;
  // The subject's commonName, else its organizationName, else the whole subject.
  [[nodiscard]] std::string common_name() const;

  [[nodiscard]] const Sha256& sha256() const { return data_->sha256; }
  [[nodiscard]] std::string sha256_hex() const { return to_hex(data_->sha256); }
  [[nodiscard]] Sha256 spki_sha256() const;
  [[nodiscard]] std::string serial_hex() const;

  [[nodiscard]] Time not_before() const { return data_->not_before; }
  [[nodiscard]] Time not_after() const { return data_->not_after; }
  [[nodiscard]] KeyInfo key() const;

  [[nodiscard]] bool is_self_issued() const;  // subject == issuer (byte for byte)
  [[nodiscard]] bool is_ca() const;           // basicConstraints CA:TRUE (or a v1 self-issued root)

  // OpenSSL's object, owned by this Certificate; valid as long as any copy of it lives. With
  // Parse::deferred it is made on the first call (thread-safe).
  [[nodiscard]] x509_st* native() const;

  friend bool operator==(const Certificate& a, const Certificate& b) { return a.sha256() == b.sha256(); }

 private:
  struct Data {
    mutable std::once_flag parsed;
    mutable std::shared_ptr<x509_st> x509;
    Bytes der;
    Bytes subject_der;
    Bytes issuer_der;
    Bytes spki_der;
    Sha256 sha256{};
    Time not_before{};
    Time not_after{};
  };
  std::shared_ptr<const Data> data_;
};

}  // namespace certbundle
