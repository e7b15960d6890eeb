#include "certbundle/x509/certificate.hpp"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

namespace certbundle {

Sha256 sha256(ByteView data) {
  Sha256 out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

std::string to_hex(ByteView data) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (const std::uint8_t b : data) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0xf]);
  }
  return out;
}

std::string to_hex(const Sha256& digest) { return to_hex(ByteView(digest)); }

std::optional<Sha256> parse_sha256(std::string_view text) {
  Sha256 out{};
  std::size_t n = 0;
  int half = -1;
  for (const char c : text) {
    if (c == ':') continue;
    int v = 0;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else return std::nullopt;
    if (half < 0) {
      half = v;
    } else {
      if (n == out.size()) return std::nullopt;
      out[n++] = static_cast<std::uint8_t>(half << 4 | v);
      half = -1;
    }
  }
  if (n != out.size() || half >= 0) return std::nullopt;
  return out;
}

std::string KeyInfo::describe() const {
  if (!curve.empty()) return fmt::format("{} {}", type, curve);
  if (type == "Ed25519" || type == "Ed448") return type;
  return fmt::format("{} {}", type, bits);
}

namespace {

std::string openssl_reason() {
  const unsigned long e = ERR_peek_last_error();
  std::string why = e != 0 ? ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "unknown"
                           : "not a certificate";
  ERR_clear_error();
  return why;
}

std::string name_line(const X509_NAME* name) {
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return out;
}

std::string name_entry(const X509_NAME* name, int nid) {
  const int idx = X509_NAME_get_index_by_NID(name, nid, -1);
  if (idx < 0) return {};
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, s);
  if (len < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

}  // namespace

namespace {

// One DER element: its tag, where its contents start and end, and where the whole element ends.
struct Tlv {
  int tag = 0;
  const unsigned char* begin = nullptr;  // the header
  const unsigned char* content = nullptr;
  const unsigned char* end = nullptr;    // one past the contents
};

// Reads the element at p with OpenSSL's ASN1_get_object; nullopt when it is malformed or runs past
// `limit`. Context-specific tags come back as 0x80 | number.
std::optional<Tlv> next_tlv(const unsigned char* p, const unsigned char* limit) {
  const unsigned char* q = p;
  long length = 0;
  int tag = 0;
  int klass = 0;
  const int ret = ASN1_get_object(&q, &length, &tag, &klass, limit - p);
  if ((ret & 0x80) != 0 || (ret & 0x21) == 0x21) return std::nullopt;  // error, or indefinite length
  if (q + length > limit) return std::nullopt;
  return Tlv{klass == V_ASN1_CONTEXT_SPECIFIC ? 0x80 | tag : tag, p, q, q + length};
}

std::optional<Time> read_time(const Tlv& t) {
  const unsigned char* p = t.begin;
  ASN1_TIME* time = d2i_ASN1_TIME(nullptr, &p, t.end - t.begin);
  if (time == nullptr) return std::nullopt;
  std::tm tm{};
  const bool ok = ASN1_TIME_to_tm(time, &tm) == 1;
  ASN1_TIME_free(time);
  if (!ok) return std::nullopt;
  return Time{std::chrono::seconds{::timegm(&tm)}};
}

}  // namespace

namespace {

// What a bundle and the store need of a certificate, as the bytes stand in its DER.
struct Outer {
  Tlv issuer, subject, spki;
  Time not_before{}, not_after{};
};

// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber,
//   signature, issuer, validity SEQUENCE { notBefore, notAfter }, subject, subjectPublicKeyInfo, ...
// nullopt when `der` is not one such DER structure with readable dates.
std::optional<Outer> outer_structure(ByteView der) {
  const unsigned char* end = der.data() + der.size();
  const auto cert = next_tlv(der.data(), end);
  const auto tbs = cert && cert->end == end ? next_tlv(cert->content, cert->end) : std::nullopt;
  std::optional<Tlv> fields[7];  // version, serial, signature, issuer, validity, subject, key
  const unsigned char* p = tbs ? tbs->content : nullptr;
  std::size_t n = 0;
  while (tbs && p < tbs->end && n < 7) {
    fields[n] = next_tlv(p, tbs->end);
    if (!fields[n]) break;
    p = fields[n]->end;
    if (n == 0 && fields[0]->tag != 0x80) {  // no [0] version: v1, the serial comes first
      fields[1] = fields[0];
      fields[0].reset();
      ++n;
    }
    ++n;
  }
  // validity ::= SEQUENCE { notBefore Time, notAfter Time }
  const auto not_before = fields[4] ? next_tlv(fields[4]->content, fields[4]->end) : std::nullopt;
  const auto not_after = not_before ? next_tlv(not_before->end, fields[4]->end) : std::nullopt;
  const auto before = not_before ? read_time(*not_before) : std::nullopt;
  const auto after = not_after ? read_time(*not_after) : std::nullopt;
  if (n < 7 || !before || !after) return std::nullopt;
  return Outer{*fields[3], *fields[5], *fields[6], *before, *after};
}

}  // namespace

x509_st* Certificate::native() const {
  std::call_once(data_->parsed, [this] {
    if (data_->x509) return;
    const unsigned char* p = data_->der.data();
    X509* raw = d2i_X509(nullptr, &p, static_cast<long>(data_->der.size()));
    ERR_clear_error();
    data_->x509.reset(raw, X509_free);
  });
  return data_->x509.get();
}

std::optional<Certificate> Certificate::from_der(ByteView der, std::string* why, Parse parse) {
  // Both modes take the subject, issuer, key and validity from the DER walk (outer_structure()), so both
  // give the bytes exactly as they stand in the certificate: OpenSSL's i2d would re-encode some
  // (a key's BIT STRING with unused bits, for one).
  const auto pieces = outer_structure(der);
  const auto fill = [&](Data& data) {
    data.der.assign(der.begin(), der.end());
    data.issuer_der.assign(pieces->issuer.begin, pieces->issuer.end);
    data.subject_der.assign(pieces->subject.begin, pieces->subject.end);
    data.spki_der.assign(pieces->spki.begin, pieces->spki.end);
    data.sha256 = certbundle::sha256(der);
    data.not_before = pieces->not_before;
    data.not_after = pieces->not_after;
  };
  if (parse == Parse::deferred) {
    if (!pieces) {
      if (why != nullptr) *why = "not a certificate";
      return std::nullopt;
    }
    auto data = std::make_shared<Data>();
    fill(*data);
    Certificate out;
    out.data_ = std::move(data);
    return out;
  }
  const unsigned char* p = der.data();
  X509* raw = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (raw == nullptr) {
    if (why != nullptr) *why = openssl_reason();
    ERR_clear_error();
    return std::nullopt;
  }
  if (p != der.data() + der.size()) {
    X509_free(raw);
    if (why != nullptr) {
      *why = fmt::format("{} bytes after the end of the certificate", der.data() + der.size() - p);
    }
    return std::nullopt;
  }
  if (!pieces) {  // OpenSSL takes some BER (indefinite lengths) that is not DER
    X509_free(raw);
    if (why != nullptr) *why = "not DER-encoded";
    return std::nullopt;
  }
  auto data = std::make_shared<Data>();
  data->x509.reset(raw, X509_free);
  fill(*data);
  Certificate cert;
  cert.data_ = std::move(data);
  return cert;
}

std::string Certificate::subject() const { return name_line(X509_get_subject_name(native())); }
std::string Certificate::issuer() const { return name_line(X509_get_issuer_name(native())); }

std::string Certificate::common_name() const {
  const X509_NAME* name = X509_get_subject_name(native());
  if (auto cn = name_entry(name, NID_commonName); !cn.empty()) return cn;
  if (auto o = name_entry(name, NID_organizationName); !o.empty()) return o;
  return subject();
}

Sha256 Certificate::spki_sha256() const { return certbundle::sha256(spki_der()); }

std::string Certificate::serial_hex() const {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(native()), nullptr);
  char* hex = BN_bn2hex(bn);
  std::string out(hex);
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

namespace {

KeyInfo key_of(EVP_PKEY* pkey) {
  KeyInfo info;
  if (pkey == nullptr) return {"unknown", 0, {}};
  info.bits = EVP_PKEY_get_bits(pkey);
  switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA: info.type = "RSA"; break;
    case EVP_PKEY_RSA_PSS: info.type = "RSA-PSS"; break;
    case EVP_PKEY_DSA: info.type = "DSA"; break;
    case EVP_PKEY_ED25519: info.type = "Ed25519"; break;
    case EVP_PKEY_ED448: info.type = "Ed448"; break;
    case EVP_PKEY_EC: {
      info.type = "EC";
      char group[64] = {};
      std::size_t len = 0;
      if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &len) == 1) {
        const int nid = OBJ_sn2nid(group);
        const char* nist = nid != NID_undef ? EC_curve_nid2nist(nid) : nullptr;
        info.curve = nist != nullptr ? nist : group;
      }
      break;
    }
    default: info.type = OBJ_nid2sn(EVP_PKEY_get_base_id(pkey)); break;
  }
  return info;
}

}  // namespace

KeyInfo Certificate::key() const { return key_of(X509_get0_pubkey(native())); }

std::optional<KeyInfo> key_info_from_spki(ByteView spki_der) {
  const unsigned char* p = spki_der.data();
  EVP_PKEY* pkey = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size()));
  ERR_clear_error();
  if (pkey == nullptr) return std::nullopt;
  const bool whole = p == spki_der.data() + spki_der.size();
  KeyInfo info = key_of(pkey);
  EVP_PKEY_free(pkey);
  if (!whole) return std::nullopt;
  return info;
}

std::optional<std::string> name_from_der(ByteView name_der) {
  const unsigned char* p = name_der.data();
  X509_NAME* name = d2i_X509_NAME(nullptr, &p, static_cast<long>(name_der.size()));
  ERR_clear_error();
  if (name == nullptr) return std::nullopt;
  const bool whole = p == name_der.data() + name_der.size();
  std::string line = name_line(name);
  X509_NAME_free(name);
  if (!whole) return std::nullopt;
  return line;
}

bool Certificate::is_self_issued() const {
  return std::equal(subject_der().begin(), subject_der().end(), issuer_der().begin(),
                    issuer_der().end());
}

bool Certificate::is_ca() const {
  // X509_check_ca: 1 for a CA by basicConstraints, 3 for a self-signed v1 certificate.
  const int ca = X509_check_ca(native());
  return ca == 1 || ca == 3 || ca == 4 || ca == 5;
}

}  // namespace certbundle
