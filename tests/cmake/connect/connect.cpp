// device_connect HOST PORT [NAME]: connects to HOST:PORT as an ESP32 running ESP-IDF does with
// esp_crt_bundle_attach, trusting nothing but the bundle the CMake module embedded in this
// program, then sends one HTTP request and prints the status line of the answer.
//
// The mbedtls set-up is esp-tls's: a client, MBEDTLS_SSL_VERIFY_REQUIRED, the host name (NAME,
// default HOST) set for SNI and the leaf check, and esp_crt_bundle_attach, here
// certbundle::device::BundleVerifier::attach: an empty trusted list and ESP-IDF's verify callback,
// which finds the top certificate's issuer in the bundle and checks the signature with its key.
//
// Prints "connected: <TLS version> <cipher suite>" and exits 0, or "refused: <mbedtls error>"
// with mbedtls_x509_crt_verify_info's lines and exits 1; exits 2 on bad use or a failed set-up.
// The callback's log lines (as the device logs them) are printed in both cases.
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <cstdio>
#include <exception>
#include <string>

#include "certbundle/device/esp_crt_bundle.hpp"
#include "device_crt_bundle_embedded.h"

namespace {

std::string error_text(int ret) {
  char buf[200];
  mbedtls_strerror(ret, buf, sizeof buf);
  char code[16];
  std::snprintf(code, sizeof code, "-0x%04x", static_cast<unsigned>(-ret));
  return std::string(code) + " " + buf;
}

// Everything mbedtls needs, freed in reverse order.
struct Tls {
  mbedtls_net_context net;
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_ssl_config conf;
  mbedtls_ssl_context ssl;
  Tls() {
    mbedtls_net_init(&net);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_ssl_config_init(&conf);
    mbedtls_ssl_init(&ssl);
  }
  ~Tls() {
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&conf);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    mbedtls_net_free(&net);
  }
  Tls(const Tls&) = delete;
  Tls& operator=(const Tls&) = delete;
};

void print_log(const certbundle::device::BundleVerifier& verifier) {
  for (const std::string& line : verifier.log()) std::printf("  log: %s\n", line.c_str());
}

int run(const char* host, const char* port, const char* name) {
  using certbundle::device::BundleVerifier;
  namespace bundle = certbundle::bundle;
  const certbundle::ByteView embedded(CERTBUNDLE_DEVICE_CRT_BUNDLE_START, CERTBUNDLE_DEVICE_CRT_BUNDLE_SIZE);
  const bundle::Format format = CONNECT_FORMAT_V1 ? bundle::Format::v1 : bundle::Format::v2;
  std::printf("bundle: %zu bytes, embedded by the CMake module\n", embedded.size());
  BundleVerifier verifier(certbundle::device::bundle_trust(embedded, format, "device_crt_bundle"));

  Tls tls;
  const char* pers = "device_connect";
  if (int ret = mbedtls_ctr_drbg_seed(&tls.drbg, mbedtls_entropy_func, &tls.entropy,
                                      reinterpret_cast<const unsigned char*>(pers), 14);
      ret != 0) {
    std::printf("error: seeding the random generator: %s\n", error_text(ret).c_str());
    return 2;
  }
  if (int ret = mbedtls_ssl_config_defaults(&tls.conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                            MBEDTLS_SSL_PRESET_DEFAULT);
      ret != 0) {
    std::printf("error: mbedtls_ssl_config_defaults: %s\n", error_text(ret).c_str());
    return 2;
  }
  mbedtls_ssl_conf_rng(&tls.conf, mbedtls_ctr_drbg_random, &tls.drbg);
  mbedtls_ssl_conf_authmode(&tls.conf, MBEDTLS_SSL_VERIFY_REQUIRED);
  mbedtls_ssl_conf_read_timeout(&tls.conf, 10'000);
  verifier.attach(&tls.conf);  // esp_crt_bundle_attach(&conf)
  if (int ret = mbedtls_ssl_setup(&tls.ssl, &tls.conf); ret != 0) {
    std::printf("error: mbedtls_ssl_setup: %s\n", error_text(ret).c_str());
    return 2;
  }
  if (int ret = mbedtls_ssl_set_hostname(&tls.ssl, name); ret != 0) {
    std::printf("error: mbedtls_ssl_set_hostname: %s\n", error_text(ret).c_str());
    return 2;
  }
  if (int ret = mbedtls_net_connect(&tls.net, host, port, MBEDTLS_NET_PROTO_TCP); ret != 0) {
    std::printf("error: connecting to %s:%s: %s\n", host, port, error_text(ret).c_str());
    return 2;
  }
  mbedtls_ssl_set_bio(&tls.ssl, &tls.net, mbedtls_net_send, nullptr, mbedtls_net_recv_timeout);

  int ret = 0;
  while ((ret = mbedtls_ssl_handshake(&tls.ssl)) != 0) {
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
    std::printf("refused: %s\n", error_text(ret).c_str());
    if (const std::uint32_t flags = mbedtls_ssl_get_verify_result(&tls.ssl); flags != 0 && flags != 0xffffffffu) {
      char info[1024];
      mbedtls_x509_crt_verify_info(info, sizeof info, "  ! ", flags);
      std::printf("%s", info);
    }
    print_log(verifier);
    return 1;
  }
  std::printf("connected: %s %s\n", mbedtls_ssl_get_version(&tls.ssl), mbedtls_ssl_get_ciphersuite(&tls.ssl));
  print_log(verifier);

  // One request over the verified connection, as the firmware's first exchange would be.
  const std::string request = std::string("GET / HTTP/1.0\r\nHost: ") + name + "\r\n\r\n";
  for (std::size_t sent = 0; sent < request.size();) {
    ret = mbedtls_ssl_write(&tls.ssl, reinterpret_cast<const unsigned char*>(request.data()) + sent,
                            request.size() - sent);
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
    if (ret < 0) {
      std::printf("error: sending the request: %s\n", error_text(ret).c_str());
      return 2;
    }
    sent += static_cast<std::size_t>(ret);
  }
  std::string answer;
  unsigned char buf[512];
  while (answer.find('\n') == std::string::npos) {
    ret = mbedtls_ssl_read(&tls.ssl, buf, sizeof buf);
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
    if (ret <= 0) break;
    answer.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(ret));
  }
  const std::string status = answer.substr(0, answer.find_first_of("\r\n"));
  std::printf("answer: %s\n", status.c_str());
  (void)mbedtls_ssl_close_notify(&tls.ssl);
  return status.empty() ? 2 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: device_connect HOST PORT [NAME]\n");
    return 2;
  }
  try {
    return run(argv[1], argv[2], argc == 4 ? argv[3] : argv[1]);
  } catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    return 2;
  }
}
