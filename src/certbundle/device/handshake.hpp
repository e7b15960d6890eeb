#pragma once
// A live handshake as the device does it: mbedtls's TLS client, offering what the device's mbedtls
// configuration offers, trusting only the given bundle or PEM.
//
// The TCP connection is made with libcurl (resolution, every address in turn, no proxy: a device
// connects directly), the STARTTLS exchange by certbundle/fetch, then the handshake by mbedtls on
// that socket. One deadline bounds connect + STARTTLS + handshake; nothing waits past it.
// The chain the server sends is verified by verify_chain() (verify.hpp), the same function that
// checks a saved chain, so a live answer and an offline answer on the same chain agree. mbedtls
// here is 2.28 (Debian): TLS 1.2 only, where ESP-IDF's mbedtls 3.x may also offer TLS 1.3.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "certbundle/device/verify.hpp"
#include "certbundle/fetch/handshake.hpp"
#include "certbundle/fetch/target.hpp"

namespace certbundle::device {

// The name the device sets with mbedtls_ssl_set_hostname: it is sent as SNI and checked against
// the leaf. target: the target's host (not checked when it is an IP address: see verify.hpp);
// custom: `hostname`; none: nothing sent, nothing checked (esp-tls' skip_common_name).
enum class HostnameMode { target, custom, none };

struct HandshakeOptions {
  HostnameMode hostname_mode = HostnameMode::target;
  std::string hostname;
  std::vector<std::string> alpn;            // offered, in order
  std::optional<fetch::Starttls> starttls;  // overrides the target's protocol when set
  fetch::IpVersion ip_version = fetch::IpVersion::any;
  std::chrono::milliseconds timeout{10'000};  // connect + STARTTLS + handshake
  // The cipher suites the device's mbedtls offers (IANA ids, see parse_ciphersuites); empty:
  // everything this mbedtls enables.
  std::vector<int> ciphersuites;
  std::string client_cert;  // PEM file: a client certificate chain, for servers that ask
  std::string client_key;   // PEM file: its key (default: client_cert)
  std::optional<std::string>
      client_key_pass;  // its passphrase; unset: an encrypted key is an input error
};

// Cipher suite names as mbedtls writes them ("TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256") or as
// IANA does (with '_'), separated by ',' or ':'. Throws usage_error naming the first name this
// mbedtls does not know or does not enable.
[[nodiscard]] std::vector<int> parse_ciphersuites(std::string_view list);
// mbedtls's name of a cipher suite id.
[[nodiscard]] std::string ciphersuite_name(int id);

// How the attempt ended; the CLI's exit code follows it (see cmd_verify.cpp).
enum class Outcome {
  connects,  // handshake done and the chain verified: the device would connect
  refused,   // the device would not connect: the TLS handshake or the verification failed
  network,   // no TLS verdict: resolve, connect or STARTTLS failed, or the deadline passed
};
[[nodiscard]] std::string_view to_string(Outcome outcome);

struct LiveResult {
  Outcome outcome = Outcome::network;
  std::string reason;                     // one line, "" when it connects
  std::optional<fetch::Failure> failure;  // the step that failed (resolve..handshake)
  std::string peer;                       // "127.0.0.1:4433"
  std::string hostname;                   // the name set (SNI), or empty
  std::string protocol;                   // "TLSv1.2", when the handshake completed
  std::string ciphersuite;                // mbedtls's name, when the handshake completed
  std::string alpn;                       // the protocol the server chose, or empty
  std::string tls_error;         // mbedtls's error when the handshake failed ("-0x7780 SSL - ...")
  std::vector<Bytes> presented;  // the chain the server sent, leaf first (DER)
  std::optional<Verification> verification;  // set when the server sent a chain
};

// Connects to `target` and handshakes as the device would. Never throws for a network or TLS
// fault (they are the result). Throws Error(ExitCode::input) naming the file when the client
// certificate or key cannot be loaded.
[[nodiscard]] LiveResult handshake(const fetch::Target& target, const Trust& trust,
                                   const VerifyOptions& verify, const HandshakeOptions& options);

}  // namespace certbundle::device
