#pragma once
// One TLS handshake, as `openssl s_client` does it, recording the chain the server presents.
//
// The connection is made by libcurl (name resolution, every resolved address tried in turn,
// -4/-6, HTTP CONNECT proxies, https_proxy/no_proxy from the environment); the STARTTLS exchange
// (if any) and the handshake by OpenSSL on that socket. One deadline bounds the whole of
// connect + STARTTLS + handshake. The chain is recorded whether or not it verifies: nothing is
// verified here (see certbundle/chain for that).
//
// What a server may send is bounded, so that a hostile or broken server costs a fetch no more than
// its timeout and a few megabytes: the server's Certificate message at most
// max_certificate_message bytes (OpenSSL refuses a longer one as it arrives), and at most
// max_presented_certificates certificates in it. A server beyond either limit is a handshake
// failure that says which limit.
//
// Failures are values, not exceptions: a HandshakeResult names the step that failed and why.
// OpenSSL writes to the socket with write(): a program that calls handshake() should ignore
// SIGPIPE, or a server that hangs up at the wrong moment kills it (the CLI does).
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "certbundle/fetch/target.hpp"
#include "certbundle/x509/certificate.hpp"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace certbundle::fetch {

inline constexpr std::size_t max_certificate_message = 100 * 1024;  // bytes; OpenSSL's default
inline constexpr int max_presented_certificates = 100;  // OpenSSL's default verify depth

// The step of a fetch that failed. Messages print it as "resolve", "connect", ...
enum class Step { resolve, connect, starttls, handshake, aia };
[[nodiscard]] std::string_view to_string(Step step);

struct Failure {
  Step step = Step::connect;
  std::string reason;  // one line, without the target or the step
};

enum class IpVersion { any, v4, v6 };
enum class SniMode { host, custom, none };

struct ConnectOptions {
  SniMode sni_mode = SniMode::host;  // host: the target's host name (never an IP address)
  std::string sni;                   // the name sent when sni_mode is custom
  std::vector<std::string> alpn;     // protocols offered, in order ("mqtt", "h2")
  std::optional<Starttls> starttls;  // overrides the target's protocol when set
  // An HTTP CONNECT proxy ("http://host:port"). Empty: https_proxy (or HTTPS_PROXY) from the
  // environment, honouring no_proxy (or NO_PROXY).
  std::string proxy;
  bool use_environment_proxy = true;
  IpVersion ip_version = IpVersion::any;
  std::chrono::milliseconds timeout{10'000};  // connect + STARTTLS + handshake
  // A client certificate (PEM chain) and its key, for servers that demand one.
  std::string client_cert;
  std::string client_key;
  // The key's passphrase (see read_passphrase()). Unset: an encrypted key is an input error,
  // never a prompt on the terminal.
  std::optional<std::string> client_key_pass;
};

// An OpenSSL client context made from the options that do not change per target (the client
// certificate). Safe to share between threads.
class TlsContext {
 public:
  // Throws Error(ExitCode::input) naming the file when the client certificate or key cannot be
  // loaded or do not match, when the key is encrypted and no passphrase was given, or when the
  // passphrase does not decrypt it.
  explicit TlsContext(const ConnectOptions& options);
  [[nodiscard]] ssl_ctx_st* native() const { return ctx_.get(); }

 private:
  std::shared_ptr<ssl_ctx_st> ctx_;
};

struct Handshake {
  std::vector<Certificate> presented;  // in the order sent, the leaf first
  std::string peer;                    // the address connected to: "127.0.0.1:4433", "[::1]:443"
  std::string via_proxy;               // the proxy's address ("127.0.0.1:3128"), or empty
  std::string proxy_url;               // the proxy as given, its password shown as "***"
  std::string protocol;                // "TLSv1.3"
  std::string cipher;                  // "TLS_AES_256_GCM_SHA384"
  std::string alpn;                    // the protocol the server chose, or empty
  std::string sni;                     // the name sent, or empty when none was sent
};

struct HandshakeResult {
  std::optional<Handshake> handshake;  // set on success
  std::optional<Failure> failure;      // set on failure
};

// Connects to `target`, speaks STARTTLS if asked, and handshakes. Never throws for a network
// fault; returns the step and the reason instead.
[[nodiscard]] HandshakeResult handshake(const Target& target, const ConnectOptions& options,
                                        const TlsContext& context);

// Loads and initialises libcurl once per process (thread-safe; see curl_api.hpp), so that a
// caller about to start threads does it first. handshake() and the AIA download call it too.
// Throws Error(ExitCode::internal) when libcurl cannot be loaded.
void init_curl();

}  // namespace certbundle::fetch
