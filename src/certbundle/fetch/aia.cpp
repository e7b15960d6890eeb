#include "certbundle/fetch/aia.hpp"
#include "certbundle/fetch/download.hpp"

#include <memory>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "certbundle/core/error.hpp"
#include "certbundle/x509/load.hpp"

namespace certbundle::fetch {

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
  AiaDownload out;
  out.url = url;
  DownloadOptions options;
  options.timeout = timeout;
  options.max_bytes = max_bytes;
  Downloaded got = download(url, options);
  if (got.error) {
    out.error = std::move(got.error);
    return out;
  }
  std::string why;
  const ByteView bytes(reinterpret_cast<const std::uint8_t*>(got.body.data()), got.body.size());
  if (auto certs = parse_issuer_response(bytes, &why)) out.certs = std::move(*certs);
  else out.error = why;
  return out;
}

}  // namespace certbundle::fetch
