#include "certbundle/fetch/handshake.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/core/secret.hpp"
#include "certbundle/fetch/channel.hpp"
#include "certbundle/fetch/curl_api.hpp"

namespace certbundle::fetch {

std::string_view to_string(Step step) {
  switch (step) {
    case Step::resolve: return "resolve";
    case Step::connect: return "connect";
    case Step::starttls: return "starttls";
    case Step::handshake: return "handshake";
    case Step::aia: return "aia";
  }
  return "connect";
}

void init_curl() { (void)curl_api(); }  // curl_api() loads and initialises once, thread-safely

namespace {

std::string openssl_error(std::string_view fallback) {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    out = reason != nullptr ? reason : fmt::format("OpenSSL error {:#x}", e);
  }
  return out.empty() ? std::string(fallback) : out;
}

const char* env(const char* lower_name, const char* upper_name) {
  const char* v = std::getenv(lower_name);
  if (v == nullptr || *v == '\0') v = std::getenv(upper_name);
  return v != nullptr && *v != '\0' ? v : nullptr;
}

struct CurlDeleter {
  void operator()(CURL* h) const { curl_api().easy_cleanup(h); }
};
struct SslDeleter {
  void operator()(SSL* s) const { SSL_free(s); }
};

std::string alpn_wire(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const std::string& p : protocols) {
    if (p.empty() || p.size() > 255) continue;
    wire.push_back(static_cast<char>(p.size()));
    wire += p;
  }
  return wire;
}

std::string handshake_reason(SSL* ssl, int ret) {
  const int err = SSL_get_error(ssl, ret);
  if (err == SSL_ERROR_ZERO_RETURN) return "the server closed the connection during the handshake";
  if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
    if (errno != 0 && ret < 0) return fmt::format("connection error during the handshake: {}", std::strerror(errno));
    return "the server closed the connection during the handshake";
  }
  std::string why = openssl_error("the handshake failed");
  if (why == "excessive message size") {
    return fmt::format("the server sent a handshake message larger than certbundle accepts (its certificates "
                       "may take {} KiB at most): excessive message size",
                       max_certificate_message / 1024);
  }
  if (why == "unexpected eof while reading") {
    return "the server closed the connection during the handshake (unexpected eof while reading)";
  }
  if (why == "wrong version number" || why == "packet length too long" ||
      why == "record layer failure" || why == "http request") {
    return fmt::format("the server does not answer in TLS ({})", why);
  }
  return why;
}

// OpenSSL asks this for a key's passphrase instead of prompting on the terminal: it answers with
// the passphrase given, or fails at once when none was.
struct PassphraseRequest {
  const std::optional<std::string>* passphrase = nullptr;
  bool asked = false;
};

int answer_passphrase(char* buf, int size, int /*rwflag*/, void* user) {
  auto* request = static_cast<PassphraseRequest*>(user);
  if (request == nullptr) return -1;
  request->asked = true;
  if (request->passphrase == nullptr || !*request->passphrase) return -1;
  const std::string& pass = **request->passphrase;
  if (pass.size() > static_cast<std::size_t>(size)) return -1;
  std::memcpy(buf, pass.data(), pass.size());
  return static_cast<int>(pass.size());
}

}  // namespace

TlsContext::TlsContext(const ConnectOptions& options) {
  SSL_CTX* raw = SSL_CTX_new(TLS_client_method());
  if (raw == nullptr) throw Error(ExitCode::internal, "cannot create an OpenSSL context");
  ctx_.reset(raw, SSL_CTX_free);
  SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
  SSL_CTX_set_verify(raw, SSL_VERIFY_NONE, nullptr);  // recorded here, verified in chain/
  // Record whatever the server sends: weak keys and SHA-1 are findings, not reasons to hang up.
  SSL_CTX_set_security_level(raw, 0);
  SSL_CTX_set_max_cert_list(raw, static_cast<long>(max_certificate_message));
  if (!options.client_cert.empty()) {
    if (SSL_CTX_use_certificate_chain_file(raw, options.client_cert.c_str()) != 1) {
      throw Error(ExitCode::input, fmt::format("cannot load client certificate {}: {}",
                                               certbundle::quoted(options.client_cert),
                                               openssl_error("not a PEM certificate")));
    }
    const std::string& key = options.client_key.empty() ? options.client_cert : options.client_key;
    PassphraseRequest request{&options.client_key_pass, false};
    SSL_CTX_set_default_passwd_cb(raw, answer_passphrase);
    SSL_CTX_set_default_passwd_cb_userdata(raw, &request);
    const int loaded = SSL_CTX_use_PrivateKey_file(raw, key.c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_set_default_passwd_cb_userdata(raw,
                                           nullptr);  // `request` dies here; the callback stays
    if (loaded != 1) {
      if (request.asked && !options.client_key_pass) {
        ERR_clear_error();
        throw Error(ExitCode::input,
                    fmt::format("client key {} is encrypted: give its passphrase with --key-pass "
                                "env:NAME or file:PATH (key_pass in certbundle.toml)",
                                certbundle::quoted(key)));
      }
      if (request.asked) {
        ERR_clear_error();
        throw Error(ExitCode::input,
                    fmt::format("cannot decrypt client key {}: wrong passphrase (--key-pass)",
                                certbundle::quoted(key)));
      }
      throw Error(ExitCode::input, fmt::format("cannot load client key {}: {}", certbundle::quoted(key),
                                               openssl_error("not a PEM private key")));
    }
    if (SSL_CTX_check_private_key(raw) != 1) {
      throw Error(ExitCode::input, fmt::format("client key {} does not match certificate {}",
                                               certbundle::quoted(key), certbundle::quoted(options.client_cert)));
    }
  } else if (!options.client_key.empty()) {
    throw usage_error("--key needs --cert");
  }
  ERR_clear_error();
}

HandshakeResult handshake(const Target& target, const ConnectOptions& options,
                          const TlsContext& context) {
  init_curl();
  ERR_clear_error();
  const detail::Deadline deadline(options.timeout);
  HandshakeResult result;
  std::string proxy;  // set below; a failure never quotes its password
  auto fail = [&](Step step, std::string why) {
    if (!proxy.empty()) {
      why = redact_password_of(why, proxy);
      if (step == Step::resolve || step == Step::connect) {
        why = fmt::format("{} (through proxy {})", why, redact_url_password(proxy));
      }
    }
    result.failure = Failure{step, std::move(why)};
    return result;
  };

  // 1. Resolve and connect (through a proxy when one is set), with libcurl.
  std::unique_ptr<CURL, CurlDeleter> curl(curl_api().easy_init());
  if (!curl) return fail(Step::connect, "cannot initialise libcurl");
  char errbuf[CURL_ERROR_SIZE] = {};
  const std::string url = "http://" + target.endpoint() + "/";
  CURL* h = curl.get();
  curl_api().easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_api().easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
  curl_api().easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_api().easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_api().easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::max(1, deadline.remaining_ms())));
  curl_api().easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max(1, deadline.remaining_ms())));
  curl_api().easy_setopt(h, CURLOPT_IPRESOLVE,
                   options.ip_version == IpVersion::v4   ? CURL_IPRESOLVE_V4
                   : options.ip_version == IpVersion::v6 ? CURL_IPRESOLVE_V6
                                                         : CURL_IPRESOLVE_WHATEVER);
  // The URL is http:// only so that libcurl stops after the TCP connection: proxies are chosen
  // here as for https, and libcurl must never pick http_proxy by itself.
  proxy = options.proxy;
  const char* no_proxy = nullptr;
  if (proxy.empty() && options.use_environment_proxy) {
    if (const char* p = env("https_proxy", "HTTPS_PROXY")) proxy = p;
    no_proxy = env("no_proxy", "NO_PROXY");
  }
  curl_api().easy_setopt(h, CURLOPT_PROXY, proxy.c_str());  // "" turns off libcurl's own env lookup
  curl_api().easy_setopt(h, CURLOPT_NOPROXY, no_proxy != nullptr ? no_proxy : "");
  if (!proxy.empty()) curl_api().easy_setopt(h, CURLOPT_HTTPPROXYTUNNEL, 1L);

  if (const CURLcode rc = curl_api().easy_perform(h); rc != CURLE_OK) {
    Failure f = connect_failure(h, rc, errbuf, deadline);
    return fail(f.step, std::move(f.reason));
  }
  curl_socket_t fd = CURL_SOCKET_BAD;
  if (curl_api().easy_getinfo(h, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK || fd == CURL_SOCKET_BAD) {
    return fail(Step::connect, "libcurl gave no socket");
  }
  Handshake hs;
  {
    char* ip = nullptr;
    long port = 0;
    curl_api().easy_getinfo(h, CURLINFO_PRIMARY_IP, &ip);
    curl_api().easy_getinfo(h, CURLINFO_PRIMARY_PORT, &port);
    const std::string addr = ip != nullptr ? ip : "";
    const std::string endpoint = addr.find(':') != std::string::npos
                                     ? fmt::format("[{}]:{}", addr, port)
                                     : fmt::format("{}:{}", addr, port);
    long connect_code = 0;  // the proxy's answer to CONNECT; 0 when no proxy was used
    curl_api().easy_getinfo(h, CURLINFO_HTTP_CONNECTCODE, &connect_code);
    if (!proxy.empty() && connect_code != 0) {
      hs.via_proxy = endpoint;
      hs.proxy_url = redact_url_password(proxy);
      hs.peer = target.endpoint();
    } else {
      hs.peer = endpoint;
    }
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);

  // 2. STARTTLS.
  const Starttls protocol = options.starttls.value_or(target.starttls);
  if (auto why = detail::run_starttls(protocol, fd, target.host, deadline)) {
    return fail(Step::starttls, *why);
  }

  // 3. The handshake, on the same deadline.
  std::unique_ptr<SSL, SslDeleter> ssl(SSL_new(context.native()));
  if (!ssl) return fail(Step::handshake, openssl_error("cannot create an SSL object"));
  SSL_set_fd(ssl.get(), fd);
  std::string sni;
  if (options.sni_mode == SniMode::custom) sni = options.sni;
  else if (options.sni_mode == SniMode::host && !target.host_is_ip()) sni = target.host;
  if (!sni.empty()) {
    // SSL_set_tlsext_host_name() without its C cast.
    SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(sni.c_str()));
  }
  hs.sni = sni;
  if (const std::string wire = alpn_wire(options.alpn); !wire.empty()) {
    SSL_set_alpn_protos(ssl.get(), reinterpret_cast<const unsigned char*>(wire.data()),
                        static_cast<unsigned>(wire.size()));
  }
  for (;;) {
    errno = 0;
    const int ret = SSL_connect(ssl.get());
    if (ret == 1) break;
    const int err = SSL_get_error(ssl.get(), ret);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      if (!detail::wait_for(fd, err == SSL_ERROR_WANT_WRITE, deadline)) {
        return fail(Step::handshake, fmt::format("{} (the server did not complete the handshake)",
                                                 deadline.timed_out()));
      }
      continue;
    }
    return fail(Step::handshake, handshake_reason(ssl.get(), ret));
  }

  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl.get())) {
    if (const int n = sk_X509_num(chain); n > max_presented_certificates) {
      return fail(Step::handshake, fmt::format("the server sent {} certificates, more than certbundle accepts ({})",
                                               n, max_presented_certificates));
    }
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      unsigned char* der = nullptr;
      const int len = i2d_X509(sk_X509_value(chain, i), &der);
      if (len <= 0) continue;
      auto cert = Certificate::from_der(ByteView(der, static_cast<std::size_t>(len)));
      OPENSSL_free(der);
      if (cert) hs.presented.push_back(std::move(*cert));
    }
  }
  if (hs.presented.empty()) return fail(Step::handshake, "the server sent no certificate");
  hs.protocol = SSL_get_version(ssl.get());
  hs.cipher = SSL_get_cipher_name(ssl.get());
  const unsigned char* alpn = nullptr;
  unsigned alpn_len = 0;
  SSL_get0_alpn_selected(ssl.get(), &alpn, &alpn_len);
  if (alpn != nullptr) hs.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_len);
  SSL_shutdown(ssl.get());  // one close_notify, without waiting for the server's
  ERR_clear_error();
  result.handshake = std::move(hs);
  return result;
}

}  // namespace certbundle::fetch
