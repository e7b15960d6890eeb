#include "certbundle/device/handshake.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <sys/socket.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>
#include <mbedtls/x509_crt.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include <fmt/format.h>

#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/device/mbedtls_util.hpp"
#include "certbundle/fetch/curl_api.hpp"
#include "certbundle/fetch/channel.hpp"

namespace certbundle::device {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::connects: return "connects";
    case Outcome::refused: return "refused";
    case Outcome::network: return "network";
  }
  return "network";
}

std::vector<int> parse_ciphersuites(std::string_view list) {
  std::vector<int> ids;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find_first_of(",:", start);
    if (end == std::string_view::npos) end = list.size();
    std::string name(list.substr(start, end - start));
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    if (!name.empty()) {
      std::replace(name.begin(), name.end(), '_', '-');
      const int id = mbedtls_ssl_get_ciphersuite_id(name.c_str());
      if (id == 0) {
        throw usage_error(
            fmt::format("unknown cipher suite \"{}\" (mbedtls names, as "
                        "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256)",
                        list.substr(start, end - start)));
      }
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
    start = end + 1;
  }
  if (ids.empty()) throw usage_error("--ciphersuites: no cipher suite given");
  return ids;
}

std::string ciphersuite_name(int id) {
  const char* name = mbedtls_ssl_get_ciphersuite_name(id);
  return name != nullptr ? name : fmt::format("0x{:04x}", id);
}

namespace {

struct Curl {
  CURL* h = fetch::curl_api().easy_init();
  ~Curl() {
    if (h != nullptr) fetch::curl_api().easy_cleanup(h);
  }
  Curl() = default;
  Curl(const Curl&) = delete;
  Curl& operator=(const Curl&) = delete;
};

// The mbedtls objects of one connection, freed in reverse order.
struct Tls {
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_ssl_config conf;
  mbedtls_ssl_context ssl;
  mbedtls_x509_crt dummy;  // ESP-IDF's empty trusted list: the chain is verified by verify_chain
  mbedtls_x509_crt own_cert;
  mbedtls_pk_context own_key;
  Tls() {
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_ssl_config_init(&conf);
    mbedtls_ssl_init(&ssl);
    mbedtls_x509_crt_init(&dummy);
    mbedtls_x509_crt_init(&own_cert);
    mbedtls_pk_init(&own_key);
  }
  ~Tls() {
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&conf);
    mbedtls_pk_free(&own_key);
    mbedtls_x509_crt_free(&own_cert);
    mbedtls_x509_crt_free(&dummy);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
  }
  Tls(const Tls&) = delete;
  Tls& operator=(const Tls&) = delete;
};

struct Io {
  int fd = -1;
  std::vector<Bytes> presented;  // captured by the verify callback
};

int send_cb(void* p, const unsigned char* buf, std::size_t len) {
  const int fd = static_cast<Io*>(p)->fd;
  const ssize_t n = ::send(fd, buf, len, MSG_NOSIGNAL);
  if (n >= 0) return static_cast<int>(n);
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return MBEDTLS_ERR_SSL_WANT_WRITE;
  if (errno == EPIPE || errno == ECONNRESET) return MBEDTLS_ERR_NET_CONN_RESET;
  return MBEDTLS_ERR_NET_SEND_FAILED;
}

int recv_cb(void* p, unsigned char* buf, std::size_t len) {
  const int fd = static_cast<Io*>(p)->fd;
  const ssize_t n = ::recv(fd, buf, len, 0);
  if (n >= 0) return static_cast<int>(n);
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return MBEDTLS_ERR_SSL_WANT_READ;
  if (errno == ECONNRESET) return MBEDTLS_ERR_NET_CONN_RESET;
  return MBEDTLS_ERR_NET_RECV_FAILED;
}

// Records the chain as sent: at depth 0 mbedtls passes the leaf, the head of the list it parsed.
int capture_cb(void* p, mbedtls_x509_crt* crt, int depth, std::uint32_t* flags) {
  auto& io = *static_cast<Io*>(p);
  if (depth == 0 && io.presented.empty()) {
    for (const mbedtls_x509_crt* c = crt; c != nullptr && c->raw.p != nullptr; c = c->next) {
      io.presented.emplace_back(c->raw.p, c->raw.p + c->raw.len);
    }
  }
  *flags = 0;  // judged afterwards by verify_chain
  return 0;
}

std::string_view alert_name(unsigned char code) {
  switch (code) {
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 112: return "unrecognized_name";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return "alert";
  }
}

}  // namespace

LiveResult handshake(const fetch::Target& target, const Trust& trust, const VerifyOptions& verify,
                     const HandshakeOptions& options) {
  fetch::init_curl();
  const fetch::detail::Deadline deadline(options.timeout);
  LiveResult result;
  auto fail = [&](fetch::Step step, std::string why, Outcome outcome) {
    result.failure = fetch::Failure{step, why};
    result.outcome = outcome;
    result.reason = fmt::format("{} failed: {}", fetch::to_string(step), why);
    return result;
  };

  // mbedtls first: a client certificate that does not load is an input error, before any
  // connection.
  Tls tls;
  if (!options.client_cert.empty()) {
    if (int ret = mbedtls_x509_crt_parse_file(&tls.own_cert, options.client_cert.c_str());
        ret != 0) {
      throw Error(ExitCode::input,
                  fmt::format("cannot load client certificate {}: {}",
                              certbundle::quoted(options.client_cert), mbedtls_error_text(ret)));
    }
    const std::string& key = options.client_key.empty() ? options.client_cert : options.client_key;
    const char* pass = options.client_key_pass ? options.client_key_pass->c_str() : nullptr;
    if (int ret = mbedtls_pk_parse_keyfile(&tls.own_key, key.c_str(), pass); ret != 0) {
      if (ret == MBEDTLS_ERR_PK_PASSWORD_REQUIRED ||
          (ret == MBEDTLS_ERR_PK_PASSWORD_MISMATCH && !options.client_key_pass)) {
        throw Error(ExitCode::input,
                    fmt::format("client key {} is encrypted: give its passphrase with --key-pass "
                                "env:NAME or file:PATH (key_pass in certbundle.toml)",
                                certbundle::quoted(key)));
      }
      if (ret == MBEDTLS_ERR_PK_PASSWORD_MISMATCH) {
        throw Error(ExitCode::input,
                    fmt::format("cannot decrypt client key {}: wrong passphrase (--key-pass)",
                                certbundle::quoted(key)));
      }
      throw Error(ExitCode::input, fmt::format("cannot load client key {}: {}",
                                               certbundle::quoted(key), mbedtls_error_text(ret)));
    }
  } else if (!options.client_key.empty()) {
    throw usage_error("--key needs --cert");
  }

  // 1. Resolve and connect with libcurl, directly (a device uses no proxy).
  Curl curl;
  if (curl.h == nullptr)
    return fail(fetch::Step::connect, "cannot initialise libcurl", Outcome::network);
  char errbuf[CURL_ERROR_SIZE] = {};
  const std::string url = "http://" + target.endpoint() + "/";
  fetch::curl_api().easy_setopt(curl.h, CURLOPT_URL, url.c_str());
  fetch::curl_api().easy_setopt(curl.h, CURLOPT_CONNECT_ONLY, 1L);
  fetch::curl_api().easy_setopt(curl.h, CURLOPT_NOSIGNAL, 1L);
  fetch::curl_api().easy_setopt(curl.h, CURLOPT_ERRORBUFFER, errbuf);
  fetch::curl_api().easy_setopt(curl.h, CURLOPT_PROXY, "");
  fetch::curl_api().easy_setopt(curl.h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::max(1, deadline.remaining_ms())));
  fetch::curl_api().easy_setopt(curl.h, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::max(1, deadline.remaining_ms())));
  fetch::curl_api().easy_setopt(curl.h, CURLOPT_IPRESOLVE,
                   options.ip_version == fetch::IpVersion::v4   ? CURL_IPRESOLVE_V4
                   : options.ip_version == fetch::IpVersion::v6 ? CURL_IPRESOLVE_V6
                                                                : CURL_IPRESOLVE_WHATEVER);
  if (const CURLcode rc = fetch::curl_api().easy_perform(curl.h); rc != CURLE_OK) {
    fetch::Failure f = fetch::connect_failure(curl.h, rc, errbuf, deadline);
    return fail(f.step, std::move(f.reason), Outcome::network);
  }
  curl_socket_t fd = CURL_SOCKET_BAD;
  if (fetch::curl_api().easy_getinfo(curl.h, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK || fd == CURL_SOCKET_BAD) {
    return fail(fetch::Step::connect, "libcurl gave no socket", Outcome::network);
  }
  {
    char* ip = nullptr;
    long port = 0;
    fetch::curl_api().easy_getinfo(curl.h, CURLINFO_PRIMARY_IP, &ip);
    fetch::curl_api().easy_getinfo(curl.h, CURLINFO_PRIMARY_PORT, &port);
    const std::string addr = ip != nullptr ? ip : "";
    result.peer = addr.find(':') != std::string::npos ? fmt::format("[{}]:{}", addr, port)
                                                      : fmt::format("{}:{}", addr, port);
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);

  // 2. STARTTLS.
  const fetch::Starttls protocol = options.starttls.value_or(target.starttls);
  if (auto why = fetch::detail::run_starttls(protocol, fd, target.host, deadline)) {
    return fail(fetch::Step::starttls, *why, Outcome::network);
  }

  // 3. The handshake, as an mbedtls client configured like the device.
  auto internal = [&](int ret, const char* what) {
    return fail(fetch::Step::handshake, fmt::format("{}: {}", what, mbedtls_error_text(ret)),
                Outcome::network);
  };
  static constexpr unsigned char personalization[] = "certbundle device";
  if (int ret = mbedtls_ctr_drbg_seed(&tls.drbg, mbedtls_entropy_func, &tls.entropy,
                                      personalization, sizeof personalization - 1);
      ret != 0) {
    return internal(ret, "cannot seed mbedtls's random generator");
  }
  if (int ret =
          mbedtls_ssl_config_defaults(&tls.conf, MBEDTLS_SSL_IS_CLIENT,
                                      MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
      ret != 0) {
    return internal(ret, "cannot configure mbedtls");
  }
  mbedtls_ssl_conf_rng(&tls.conf, mbedtls_ctr_drbg_random, &tls.drbg);
  mbedtls_ssl_conf_min_version(&tls.conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  // Verification is verify_chain()'s job; the handshake only records the chain.
  mbedtls_ssl_conf_authmode(&tls.conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
  mbedtls_ssl_conf_ca_chain(&tls.conf, &tls.dummy, nullptr);
  Io io;
  io.fd = fd;
  mbedtls_ssl_conf_verify(&tls.conf, capture_cb, &io);
  std::vector<int> suites = options.ciphersuites;
  if (!suites.empty()) {
    suites.push_back(0);
    mbedtls_ssl_conf_ciphersuites(&tls.conf, suites.data());
  }
  std::vector<const char*> alpn;
  for (const std::string& a : options.alpn)
    alpn.push_back(a.c_str());
  if (!alpn.empty()) {
    alpn.push_back(nullptr);
    if (int ret = mbedtls_ssl_conf_alpn_protocols(&tls.conf, alpn.data()); ret != 0) {
      throw usage_error(fmt::format("--alpn: {}", mbedtls_error_text(ret)));
    }
  }
  if (!options.client_cert.empty()) {
    if (int ret = mbedtls_ssl_conf_own_cert(&tls.conf, &tls.own_cert, &tls.own_key); ret != 0) {
      return internal(ret, "cannot use the client certificate");
    }
  }
  if (int ret = mbedtls_ssl_setup(&tls.ssl, &tls.conf); ret != 0) {
    return internal(ret, "cannot set up mbedtls");
  }
  VerifyOptions verify_options = verify;
  verify_options.host.clear();
  if (options.hostname_mode == HostnameMode::custom) {
    result.hostname = options.hostname;
  } else if (options.hostname_mode == HostnameMode::target) {
    result.hostname = target.host;
  }
  if (!result.hostname.empty()) {
    if (int ret = mbedtls_ssl_set_hostname(&tls.ssl, result.hostname.c_str()); ret != 0) {
      return internal(ret, "cannot set the host name");
    }
    // mbedtls 3.x (ESP-IDF 5.x and later) matches IP SANs; 2.28 cannot, so an IP is not checked.
    if (options.hostname_mode == HostnameMode::custom || !target.host_is_ip()) {
      verify_options.host = result.hostname;
    }
  }
  mbedtls_ssl_set_bio(&tls.ssl, &io, send_cb, recv_cb, nullptr);

  int ret = 0;
  for (;;) {
    ret = mbedtls_ssl_handshake(&tls.ssl);
    if (ret == 0) break;
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
      if (!fetch::detail::wait_for(fd, ret == MBEDTLS_ERR_SSL_WANT_WRITE, deadline)) {
        result.presented = io.presented;
        return fail(
            fetch::Step::handshake,
            fmt::format("{} (the server did not complete the handshake)", deadline.timed_out()),
            Outcome::network);
      }
      continue;
    }
    break;
  }

  result.presented = io.presented;
  if (!io.presented.empty()) {
    result.verification = verify_chain(io.presented, trust, verify_options);
    if (!result.hostname.empty() && verify_options.host.empty()) {
      result.verification->notes.push_back(
          fmt::format("the IP address {} is not checked against the leaf: mbedtls 2.28 does not "
                      "match IP addresses (mbedtls 3.x on the device does)",
                      result.hostname));
    }
  }
  if (ret != 0) {
    result.tls_error = mbedtls_error_text(ret);
    // The device checks the certificate as soon as it arrives: a chain that fails stops it
    // there, whatever went wrong later.
    if (result.verification && !result.verification->connects) {
      result.outcome = Outcome::refused;
      result.reason = result.verification->reason;
      return result;
    }
    std::string why = result.tls_error;
    if (ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE && tls.ssl.in_msg != nullptr) {
      const unsigned char alert = tls.ssl.in_msg[1];
      why = fmt::format("the server sent a fatal {} alert ({})", alert_name(alert), alert);
      if (alert == 70) {
        why +=
            ": this mbedtls (2.28) speaks TLS 1.2 only; a device built with "
            "CONFIG_MBEDTLS_SSL_PROTO_TLS1_3 may still connect";
      } else if (alert == 40 || alert == 71) {
        why += options.ciphersuites.empty()
                   ? ": no cipher suite or group in common with what mbedtls offers"
                   : ": no cipher suite or group in common with --ciphersuites";
      }
    } else if (ret == MBEDTLS_ERR_SSL_CONN_EOF || ret == MBEDTLS_ERR_NET_CONN_RESET) {
      why += " (the server closed the connection during the handshake)";
    }
    result.failure = fetch::Failure{fetch::Step::handshake, why};
    result.outcome = Outcome::refused;
    result.reason = "handshake failed: " + why;
    return result;
  }

  result.protocol = mbedtls_ssl_get_version(&tls.ssl);
  result.ciphersuite = mbedtls_ssl_get_ciphersuite(&tls.ssl);
  if (const char* chosen = mbedtls_ssl_get_alpn_protocol(&tls.ssl)) result.alpn = chosen;
  // One close_notify, without waiting for the server's.
  (void)mbedtls_ssl_close_notify(&tls.ssl);
  if (!result.verification) {
    result.outcome = Outcome::refused;
    result.reason = "the server sent no certificate";
    return result;
  }
  result.outcome = result.verification->connects ? Outcome::connects : Outcome::refused;
  result.reason = result.verification->reason;
  return result;
}

}  // namespace certbundle::device
