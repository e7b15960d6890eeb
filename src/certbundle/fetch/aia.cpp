#include "certbundle/fetch/aia.hpp"

#include <memory>

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "certbundle/core/error.hpp"
#include "certbundle/fetch/handshake.hpp"
#include "certbundle/x509/load.hpp"

namespace certbundle::fetch {

namespace {

struct Body {
  std::string data;
  std::size_t max = 0;
  bool too_big = false;
};

std::size_t on_data(char* ptr, std::size_t size, std::size_t n, void* user) {
  auto* body = static_cast<Body*>(user);
  if (body->data.size() + size * n > body->max) {
    body->too_big = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  body->data.append(ptr, size * n);
  return size * n;
}

}  // namespace

std::optional<std::vector<Certificate>> parse_issuer_response(ByteView body, std::string* why) {
  if (auto cert = Certificate::from_der(body)) return std::vector<Certificate>{*cert};
  const unsigned char* p = body.data();
  std::unique_ptr<PKCS7, decltype(&PKCS7_free)> p7(d2i_PKCS7(nullptr, &p, static_cast<long>(body.size())),
                                                  PKCS7_free);
  ERR_clear_error();
  if (p7 && PKCS7_type_is_signed(p7.get()) && p7->d.sign != nullptr) {
    std::vector<Certificate> out;
    STACK_OF(X509)* certs = p7->d.sign->cert;
    for (int i = 0; i < sk_X509_num(certs); ++i) {
      unsigned char* der = nullptr;
      const int len = i2d_X509(sk_X509_value(certs, i), &der);
      if (len > 0) {
        if (auto c = Certificate::from_der(ByteView(der, static_cast<std::size_t>(len)))) out.push_back(*c);
      }
      OPENSSL_free(der);
    }
    if (!out.empty()) return out;
    if (why != nullptr) *why = "a PKCS#7 answer with no certificate";
    return std::nullopt;
  }
  const std::string_view text(reinterpret_cast<const char*>(body.data()), body.size());
  if (text.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    try {
      std::vector<Certificate> out;
      for (auto& s : parse_pem(text, "the AIA answer")) out.push_back(s.cert);
      return out;
    } catch (const Error& e) {
      if (why != nullptr) *why = e.what();
      return std::nullopt;
    }
  }
  if (why != nullptr) {
    *why = fmt::format("the answer ({} bytes) is not a DER certificate, PKCS#7 or PEM", body.size());
  }
  return std::nullopt;
}

AiaDownload download_issuer(const std::string& url, std::chrono::milliseconds timeout,
                            std::size_t max_bytes) {
  init_curl();
  AiaDownload out;
  out.url = url;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    out.error = "cannot initialise libcurl";
    return out;
  }
  CURL* h = curl.get();
  Body body;
  body.max = max_bytes;
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "certbundle");
  const CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    if (body.too_big) out.error = fmt::format("the answer is larger than {} bytes", max_bytes);
    else if (rc == CURLE_OPERATION_TIMEDOUT) {
      out.error = fmt::format("timed out after {} s", static_cast<double>(timeout.count()) / 1000.0);
    } else out.error = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    return out;
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    out.error = fmt::format("HTTP {}", status);
    return out;
  }
  std::string why;
  const ByteView bytes(reinterpret_cast<const std::uint8_t*>(body.data.data()), body.data.size());
  if (auto certs = parse_issuer_response(bytes, &why)) out.certs = std::move(*certs);
  else out.error = why;
  return out;
}

}  // namespace certbundle::fetch
