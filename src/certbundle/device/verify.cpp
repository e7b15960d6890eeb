#include "certbundle/device/verify.hpp"

#include <charconv>

#include <mbedtls/error.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/device/esp_crt_bundle.hpp"
#include "certbundle/device/mbedtls_util.hpp"
#include "certbundle/x509/load.hpp"

namespace certbundle::device {

namespace {
std::string quoted_name(std::string_view name);
}  // namespace

std::string_view to_string(Mode mode) {
  return mode == Mode::standard ? "standard" : "cross-signed";
}

std::string_view to_string(Signature signature) {
  switch (signature) {
    case Signature::valid: return "valid";
    case Signature::invalid: return "invalid";
    case Signature::unsupported_hash: return "unsupported-hash";
    case Signature::unsupported_key: return "unsupported-key";
    case Signature::bad_key: return "bad-key";
  }
  return "invalid";
}

SignatureRule signature_rule_for_idf_version(std::string_view text) {
  (void)bundle::format_for_idf_version(text);  // validates the text
  std::string_view v = text;
  if (!v.empty() && (v.front() == 'v' || v.front() == 'V')) v.remove_prefix(1);
  const std::string_view major = v.substr(0, v.find('.'));
  unsigned long long number = 0;  // validated above; a number too large for this is a later release
  const auto [end, ec] = std::from_chars(major.data(), major.data() + major.size(), number);
  return ec == std::errc{} && number < 6 ? SignatureRule::pk_verify_ext : SignatureRule::psa;
}

SignatureRule signature_rule_for_trust(const Trust& trust) {
  return trust.kind == Trust::Kind::bundle && trust.format == bundle::Format::v1 ? SignatureRule::pk_verify_ext
                                                                                  : SignatureRule::psa;
}

std::string assumed_signature_rule_note(const Trust& trust) {
  if (trust.kind == Trust::Kind::pem) {
    return "no --idf-version: checking signatures as ESP-IDF 6 does (PSA: RSA-PSS refused); give "
           "--idf-version 5.x for ESP-IDF 5's rule";
  }
  if (trust.format == bundle::Format::v1) {
    return "no --idf-version: a V1 bundle is read by ESP-IDF 5.3 and earlier: checking signatures as "
           "ESP-IDF 5.3 does (mbedtls_pk_verify_ext: RSA-PSS accepted)";
  }
  return "no --idf-version: a V2 bundle is read by ESP-IDF 5.4 and later: checking signatures as ESP-IDF 6 "
         "does (PSA: RSA-PSS refused); give --idf-version 5.4 or 5.5 for ESP-IDF 5's rule";
}

Trust bundle_trust(ByteView data, std::optional<bundle::Format> format, std::string_view name) {
  Trust trust;
  trust.kind = Trust::Kind::bundle;
  trust.name = std::string(name);
  bundle::Parsed parsed;
  if (format) {
    try {
      parsed = bundle::read_bundle(data, *format, name);
    } catch (const Error& e) {
      const bundle::Format other =
          *format == bundle::Format::v1 ? bundle::Format::v2 : bundle::Format::v1;
      if (!data.empty() && bundle::is_bundle(data, other)) {
        throw Error(ExitCode::input,
                    fmt::format("{} is a {} bundle, not {}: a device that reads {} rejects it "
                                "(esp_crt_bundle_set fails)",
                                quoted_name(name), bundle::to_string(other),
                                bundle::to_string(*format), bundle::to_string(*format)));
      }
      throw;
    }
  } else {
    parsed = bundle::read_bundle(data, name);
  }
  trust.format = parsed.format;
  trust.records = std::move(parsed.records);
  return trust;
}

Trust load_bundle(const std::filesystem::path& path, std::optional<bundle::Format> format) {
  const std::string bytes = read_file(path);
  const ByteView data(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return bundle_trust(data, format, path.string());
}

Trust pem_trust(std::vector<Certificate> certs, std::string_view name) {
  Trust trust;
  trust.kind = Trust::Kind::pem;
  trust.name = std::string(name);
  trust.certs = std::move(certs);
  return trust;
}

Trust load_pem(const std::filesystem::path& path) {
  std::vector<Certificate> certs;
  for (auto& c : load_certificates(path))
    certs.push_back(std::move(c.cert));
  return pem_trust(std::move(certs), path.string());
}

namespace {

std::string quoted_name(std::string_view name) {
  return certbundle::quoted(std::filesystem::path(name));
}

// mbedtls 3.x's default certificate profile (the one ESP-IDF's mbedtls uses): no SHA-1 or
// SHA-224 signatures, RSA keys of at least 2048 bits.
const mbedtls_x509_crt_profile device_profile = {MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA256) |
                                                     MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA384) |
                                                     MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA512),
                                                 0xFFFFFFF, 0xFFFFFFF, 2048};

constexpr std::uint32_t time_flags = MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE;

Time to_time(const mbedtls_x509_time& t) {
  using namespace std::chrono;
  const sys_days day = year_month_day{year{t.year}, month{static_cast<unsigned>(t.mon)},
                                      std::chrono::day{static_cast<unsigned>(t.day)}};
  return Time{day} + hours{t.hour} + minutes{t.min} + seconds{t.sec};
}

// A bundle entry turned into a trusted certificate, as ESP-IDF 6's trusted-CA callback makes it:
// the entry's key under the child's issuer name, CA, version 3, no raw bytes and no dates.
struct Synthetic {
  mbedtls_x509_crt crt{};
  std::vector<mbedtls_x509_name> names;
  std::size_t entry = 0;

  Synthetic() = default;
  Synthetic(const Synthetic&) = delete;
  Synthetic& operator=(const Synthetic&) = delete;
  ~Synthetic() {
    crt.subject.next = nullptr;  // the names are ours (in `names`), not mbedtls's to free
    crt.next = nullptr;
    mbedtls_pk_free(&crt.pk);
  }
};

// The chain as the device's mbedtls parses it from the Certificate message.
struct Chain {
  mbedtls_x509_crt head;
  std::vector<std::size_t> index;  // parsed certificate i came from input i
  Chain() { mbedtls_x509_crt_init(&head); }
  ~Chain() { mbedtls_x509_crt_free(&head); }
  Chain(const Chain&) = delete;
  Chain& operator=(const Chain&) = delete;
};

struct Context {
  const Trust& trust;
  const VerifyOptions& options;
  const std::vector<Bytes>& input;
  const Chain& chain;
  const std::deque<Synthetic>& synthetic;
  bool survey = true;          // first pass: record the path; second pass: the device's callback
  std::vector<PathStep> path;  // filled top first by the survey, reversed after
  std::optional<Lookup> lookup;
  std::optional<std::size_t> anchor_entry;
  std::vector<std::string> log;
};

std::optional<std::size_t> index_of(const Context& ctx, const mbedtls_x509_crt* crt) {
  std::size_t i = 0;
  for (const mbedtls_x509_crt* c = &ctx.chain.head; c != nullptr && c->raw.p != nullptr;
       c = c->next, ++i) {
    if (c == crt) return ctx.chain.index[i];
  }
  return std::nullopt;
}

const Synthetic* synthetic_of(const Context& ctx, const mbedtls_x509_crt* crt) {
  for (const Synthetic& s : ctx.synthetic) {
    if (&s.crt == crt) return &s;
  }
  return nullptr;
}

// esp_crt_bundle.c's search: binary search over the records in file order, memcmp over the
// shorter length, the first equal prefix wins.
std::optional<std::size_t> find_entry(const std::vector<bundle::Record>& records, ByteView issuer) {
  if (issuer.empty() || records.empty()) return std::nullopt;
  long start = 0;
  long end = static_cast<long>(records.size()) - 1;
  while (start <= end) {
    const long middle = (start + end) / 2;
    const Bytes& name = records[static_cast<std::size_t>(middle)].subject_der;
    const std::size_t n = std::min(issuer.size(), name.size());
    const int cmp = n == 0 ? 0 : std::memcmp(issuer.data(), name.data(), n);
    if (cmp == 0) return static_cast<std::size_t>(middle);
    if (cmp < 0) end = middle - 1;
    else start = middle + 1;
  }
  return std::nullopt;
}

// esp_crt_check_signature (ESP-IDF 6): the child's hash over its TBS, verified with the stored
// key as RSA PKCS#1 v1.5 or ECDSA.
Signature check_signature(const mbedtls_x509_crt& child, const Bytes& spki, SignatureRule rule) {
  mbedtls_pk_context key;
  mbedtls_pk_init(&key);
  const std::unique_ptr<mbedtls_pk_context, void (*)(mbedtls_pk_context*)> guard(&key,
                                                                                 mbedtls_pk_free);
  if (mbedtls_pk_parse_public_key(&key, spki.data(), spki.size()) != 0) return Signature::bad_key;
  if (rule == SignatureRule::pk_verify_ext) {
    // ESP-IDF 4.x/5.x: the child's own algorithm, RSA-PSS included.
    if (mbedtls_pk_can_do(&key, child.sig_pk) == 0) return Signature::unsupported_key;
    const mbedtls_md_info_t* md = mbedtls_md_info_from_type(child.sig_md);
    if (md == nullptr) return Signature::unsupported_hash;
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    if (mbedtls_md(md, child.tbs.p, child.tbs.len, hash) != 0) return Signature::unsupported_hash;
    return mbedtls_pk_verify_ext(child.sig_pk, child.sig_opts, &key, child.sig_md, hash,
                                 mbedtls_md_get_size(md), child.sig.p, child.sig.len) == 0
               ? Signature::valid
               : Signature::invalid;
  }
  switch (child.sig_md) {
    case MBEDTLS_MD_SHA1:
    case MBEDTLS_MD_SHA256:
    case MBEDTLS_MD_SHA384:
    case MBEDTLS_MD_SHA512: break;
    default: return Signature::unsupported_hash;
  }
  const mbedtls_pk_type_t type = mbedtls_pk_get_type(&key);
  if (type != MBEDTLS_PK_RSA && type != MBEDTLS_PK_ECKEY && type != MBEDTLS_PK_ECKEY_DH &&
      type != MBEDTLS_PK_ECDSA) {
    return Signature::unsupported_key;
  }
  const mbedtls_md_info_t* md = mbedtls_md_info_from_type(child.sig_md);
  if (md == nullptr) return Signature::unsupported_hash;
  unsigned char hash[MBEDTLS_MD_MAX_SIZE];
  if (mbedtls_md(md, child.tbs.p, child.tbs.len, hash) != 0) return Signature::unsupported_hash;
  // An RSA-PSS signature checked as PKCS#1 v1.5 fails, as it does on ESP-IDF 6.
  const int ret = mbedtls_pk_verify(&key, child.sig_md, hash, mbedtls_md_get_size(md), child.sig.p,
                                    child.sig.len);
  return ret == 0 ? Signature::valid : Signature::invalid;
}

std::string name_of(ByteView der) {
  if (auto name = name_from_der(der)) return *name;
  return "(" + to_hex(der) + ")";
}

// The device clock: mbedtls 2.28 on the host judged dates with the host's clock; replace its
// judgement with the device's (or with none).
void apply_clock(const mbedtls_x509_crt& crt, const std::optional<Time>& clock, bool synthetic,
                 std::uint32_t& flags) {
  flags &= ~time_flags;
  if (!clock || synthetic) return;
  if (*clock > to_time(crt.valid_to)) flags |= MBEDTLS_X509_BADCERT_EXPIRED;
  if (*clock < to_time(crt.valid_from)) flags |= MBEDTLS_X509_BADCERT_FUTURE;
}

int verify_callback(void* p, mbedtls_x509_crt* crt, int depth, std::uint32_t* flags) {
  auto& ctx = *static_cast<Context*>(p);
  const Synthetic* synthetic = synthetic_of(ctx, crt);
  apply_clock(*crt, ctx.options.clock, synthetic != nullptr, *flags);
  if (ctx.survey) {
    PathStep step;
    step.certificate = index_of(ctx, crt);
    if (synthetic != nullptr) {
      step.entry = synthetic->entry;
      step.subject = name_of(ctx.trust.records[synthetic->entry].subject_der);
    } else {
      step.subject = name_of(ByteView(crt->subject_raw.p, crt->subject_raw.len));
    }
    step.issuer = name_of(ByteView(crt->issuer_raw.p, crt->issuer_raw.len));
    step.flags = *flags;
    step.info = verify_info_line(*flags);
    ctx.path.push_back(std::move(step));
    return 0;
  }
  if (ctx.trust.kind != Trust::Kind::bundle) return 0;
  if (synthetic != nullptr) {
    ctx.anchor_entry = synthetic->entry;
    return 0;
  }
  // ESP-IDF: a weak hash on the certificate the bundle vouches for does not matter.
  if ((*flags & ~static_cast<std::uint32_t>(MBEDTLS_X509_BADCERT_BAD_MD)) !=
      MBEDTLS_X509_BADCERT_NOT_TRUSTED) {
    return 0;
  }
  (void)depth;  // ESP-IDF does not look at it: only the top can be flagged exactly "not trusted"
  Lookup lookup;
  lookup.certificate = index_of(ctx, crt).value_or(0);
  lookup.rsa_pss = crt->sig_pk == MBEDTLS_PK_RSASSA_PSS;
  const ByteView issuer(crt->issuer_raw.p, crt->issuer_raw.len);
  lookup.issuer = name_of(issuer);
  lookup.entry = find_entry(ctx.trust.records, issuer);
  for (std::size_t i = 0; i < ctx.trust.records.size(); ++i) {
    const Bytes& subject = ctx.trust.records[i].subject_der;
    if (i != lookup.entry &&
        std::equal(subject.begin(), subject.end(), issuer.begin(), issuer.end())) {
      lookup.same_subject.push_back(i);
      if (!lookup.would_verify && check_signature(*crt, ctx.trust.records[i].spki_der,
                                                  ctx.options.signature) == Signature::valid) {
        lookup.would_verify = i;
      }
    }
  }
  bool validated = false;
  if (lookup.entry) {
    const bundle::Record& record = ctx.trust.records[*lookup.entry];
    lookup.entry_subject = name_of(record.subject_der);
    lookup.signature = check_signature(*crt, record.spki_der, ctx.options.signature);
    validated = *lookup.signature == Signature::valid;
    if (validated) {
      ctx.log.emplace_back("esp-x509-crt-bundle: Certificate validated");
      ctx.anchor_entry = lookup.entry;
    } else {
      ctx.log.emplace_back(
          "esp-x509-crt-bundle: Certificate matched but signature verification "
          "failed");
    }
  } else {
    ctx.log.emplace_back("esp-x509-crt-bundle: No matching trusted root certificate found");
  }
  ctx.lookup = std::move(lookup);
  if (validated) {
    *flags = 0;
    return 0;
  }
  ctx.log.emplace_back("esp-x509-crt-bundle: Failed to verify certificate");
  return MBEDTLS_ERR_X509_CERT_VERIFY_FAILED;
}

std::string describe_cert(const Verification& v, std::size_t index) {
  for (const PathStep& s : v.path) {
    if (s.certificate == index) return fmt::format("[{}] \"{}\"", index, s.subject);
  }
  return fmt::format("[{}]", index);
}

// The first problem on the path, leaf first, in words.
std::string flags_reason(const Verification& v, const VerifyOptions& options) {
  for (const PathStep& s : v.path) {
    if (s.flags == 0) continue;
    const std::string who = s.certificate ? describe_cert(v, *s.certificate)
                                          : fmt::format("bundle entry \"{}\"", s.subject);
    if ((s.flags & MBEDTLS_X509_BADCERT_EXPIRED) != 0 && options.clock) {
      return fmt::format("certificate {} has expired (device clock {})", who,
                         format_time(*options.clock));
    }
    if ((s.flags & MBEDTLS_X509_BADCERT_FUTURE) != 0 && options.clock) {
      return fmt::format("certificate {} is not valid yet (device clock {})", who,
                         format_time(*options.clock));
    }
    if ((s.flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) != 0) {
      return fmt::format("certificate {} is not for \"{}\"", who, options.host);
    }
    if (s.flags == MBEDTLS_X509_BADCERT_NOT_TRUSTED) {
      return fmt::format("no trusted certificate is the issuer \"{}\" of the top certificate {}",
                         s.issuer, who);
    }
    return fmt::format("certificate {}: {}", who, s.info);
  }
  return "mbedtls refused the chain";
}

}  // namespace

Verification verify_chain(const std::vector<Bytes>& chain_der, const Trust& trust,
                          const VerifyOptions& options) {
  const std::vector<Bytes>& input = chain_der;
  Verification v;
  if (input.empty()) {
    v.reason = "the chain is empty";
    return v;
  }
  if (trust.kind == Trust::Kind::bundle && trust.records.empty()) {
    v.reason = fmt::format("the bundle {} is empty: esp_crt_bundle_attach refuses it",
                           quoted_name(trust.name));
    return v;
  }
  if (trust.kind == Trust::Kind::bundle && trust.records.size() > options.max_certs) {
    v.reason = fmt::format(
        "the bundle {} holds {} certificates, more than "
        "CONFIG_MBEDTLS_CERTIFICATE_BUNDLE_MAX_CERTS ({}): the device refuses it",
        quoted_name(trust.name), trust.records.size(), options.max_certs);
    return v;
  }
  if (trust.kind == Trust::Kind::pem && trust.certs.empty()) {
    v.reason = fmt::format("the PEM {} holds no certificate", quoted_name(trust.name));
    return v;
  }

  // The chain, as mbedtls's Certificate message parser takes it: a certificate with an unknown
  // signature algorithm is skipped, anything else unparsable ends the handshake.
  Chain chain;
  for (std::size_t i = 0; i < input.size(); ++i) {
    const int ret = mbedtls_x509_crt_parse_der(&chain.head, input[i].data(), input[i].size());
    if (ret == 0) {
      chain.index.push_back(i);
    } else if (ret == MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG + MBEDTLS_ERR_OID_NOT_FOUND) {
      v.notes.push_back(
          fmt::format("certificate [{}] has a signature algorithm mbedtls does not "
                      "know: skipped, as the device skips it",
                      i));
    } else {
      v.mbedtls_result = ret;
      v.mbedtls_error = mbedtls_error_text(ret);
      v.reason = fmt::format("mbedtls cannot parse certificate [{}]: {}", i, v.mbedtls_error);
      return v;
    }
  }
  if (chain.index.empty() || chain.index.front() != 0) {
    v.reason = "mbedtls cannot use the leaf certificate";
    return v;
  }

  // The trusted list: ESP-IDF's dummy (nothing is trusted, the callback decides), the synthetic
  // anchors of cross-signed mode, or the PEM certificates.
  Chain dummy;
  Chain pem;
  std::deque<Synthetic> synthetic;
  mbedtls_x509_crt* trusted = &dummy.head;
  if (trust.kind == Trust::Kind::pem) {
    for (const Certificate& c : trust.certs) {
      // mbedtls parses a PEM buffer and skips what it cannot parse, as long as one certificate
      // parses (mbedtls_x509_crt_parse returns a positive count then).
      if (mbedtls_x509_crt_parse_der(&pem.head, c.der().data(), c.der().size()) != 0) {
        v.notes.push_back(fmt::format("mbedtls cannot parse \"{}\" in {}: skipped", c.subject(),
                                      quoted_name(trust.name)));
      }
    }
    if (pem.head.raw.p == nullptr) {
      v.reason = fmt::format("mbedtls can parse no certificate of {}", quoted_name(trust.name));
      return v;
    }
    trusted = &pem.head;
  } else if (options.mode == Mode::cross_signed) {
    for (const mbedtls_x509_crt* c = &chain.head; c != nullptr && c->raw.p != nullptr;
         c = c->next) {
      const ByteView issuer(c->issuer_raw.p, c->issuer_raw.len);
      const auto entry = find_entry(trust.records, issuer);
      if (!entry) continue;
      const bool seen = std::any_of(synthetic.begin(), synthetic.end(), [&](const Synthetic& s) {
        return s.entry == *entry && s.crt.subject_raw.len == issuer.size() &&
               std::memcmp(s.crt.subject_raw.p, issuer.data(), issuer.size()) == 0;
      });
      if (seen) continue;
      Synthetic& s = synthetic.emplace_back();
      s.entry = *entry;
      const bundle::Record& record = trust.records[*entry];
      mbedtls_x509_crt_init(&s.crt);
      s.crt.ca_istrue = 1;
      s.crt.version = 3;
      s.crt.subject_raw.tag = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE;
      s.crt.subject_raw.p = c->issuer_raw.p;
      s.crt.subject_raw.len = c->issuer_raw.len;
      if (mbedtls_pk_parse_public_key(&s.crt.pk, record.spki_der.data(), record.spki_der.size()) !=
          0) {
        v.notes.push_back(
            fmt::format("bundle entry #{} \"{}\": mbedtls cannot parse its key "
                        "(on the device the trusted-CA callback fails)",
                        *entry, name_of(record.subject_der)));
        synthetic.pop_back();
        continue;
      }
      for (const mbedtls_x509_name* n = &c->issuer; n != nullptr; n = n->next) {
        s.names.push_back(*n);
      }
      for (std::size_t k = 0; k < s.names.size(); ++k) {
        s.names[k].next = k + 1 < s.names.size() ? &s.names[k + 1] : nullptr;
      }
      s.crt.subject = s.names.empty() ? mbedtls_x509_name{} : s.names.front();
      s.crt.subject.next = s.names.size() > 1 ? &s.names[1] : nullptr;
    }
    for (std::size_t k = 0; k < synthetic.size(); ++k) {
      synthetic[k].crt.next = k + 1 < synthetic.size() ? &synthetic[k + 1].crt : nullptr;
    }
    if (!synthetic.empty()) trusted = &synthetic.front().crt;
  }

  const char* cn = options.host.empty() ? nullptr : options.host.c_str();
  Context ctx{trust, options, input, chain, synthetic, true, {}, {}, {}, {}};

  // Pass 1, the survey: mbedtls's path and its flags for each certificate, with the device clock.
  std::uint32_t survey_flags = 0;
  (void)mbedtls_x509_crt_verify_with_profile(&chain.head, trusted, nullptr, &device_profile, cn,
                                             &survey_flags, verify_callback, &ctx);
  std::reverse(ctx.path.begin(), ctx.path.end());
  v.path = ctx.path;

  // Pass 2, the device: the same verification with ESP-IDF's callback.
  ctx.survey = false;
  std::uint32_t flags = 0;
  const int ret = mbedtls_x509_crt_verify_with_profile(
      &chain.head, trusted, nullptr, &device_profile, cn, &flags, verify_callback, &ctx);
  v.mbedtls_result = ret;
  v.mbedtls_error = ret == 0 ? "" : mbedtls_error_text(ret);
  v.flags = flags;
  v.lookup = ctx.lookup;
  v.anchor_entry = ctx.anchor_entry;
  v.device_log = ctx.log;
  v.connects = ret == 0 && flags == 0;

  // What esp-tls logs: verify_info over the flags left on the path (the callback clears the top's).
  std::uint32_t left = 0;
  for (std::size_t i = 0; i < v.path.size(); ++i) {
    std::uint32_t f = v.path[i].flags;
    if (i + 1 == v.path.size() && ctx.anchor_entry && !v.path[i].entry) f = 0;
    left |= f;
  }
  if (!v.connects) {
    v.verify_info = verify_info_lines(left != 0 ? left : flags, "  ! ");
    if (ret != 0) {
      v.device_log.push_back(
          fmt::format("esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x{:X}", -ret));
    }
    if (trust.kind == Trust::Kind::pem) {
      // esp-tls explains a failed verification only when it verified with cacert_buf.
      v.device_log.emplace_back("esp-tls-mbedtls: Failed to verify peer certificate!");
    }
  }

  if (v.connects) {
    if (v.anchor_entry) {
      v.anchor = name_of(trust.records[*v.anchor_entry].subject_der);
    } else if (trust.kind == Trust::Kind::pem && !v.path.empty()) {
      v.anchor = v.path.back().subject;
    }
    return v;
  }
  if (trust.kind == Trust::Kind::bundle && v.lookup && v.lookup->signature != Signature::valid) {
    const Lookup& l = *v.lookup;
    const std::string top = describe_cert(v, l.certificate);
    if (!l.entry) {
      v.reason = fmt::format(
          "the bundle has no entry for \"{}\", the issuer of the top "
          "certificate {}",
          l.issuer, top);
    } else {
      v.reason = fmt::format(
          "bundle entry #{} \"{}\" matches the issuer of the top certificate "
          "{}, but its key does not verify the signature ({})",
          *l.entry, l.entry_subject, top, to_string(*l.signature));
      if (l.rsa_pss && options.signature == SignatureRule::psa) {
        v.reason +=
            ": it is signed with RSA-PSS, which ESP-IDF 6's bundle check (PSA: RSA PKCS#1 v1.5 "
            "or ECDSA) does not accept; ESP-IDF 5.x does";
      }
      if (l.would_verify) {
        v.reason += fmt::format(
            "; entry #{} has the same subject and would verify, but the "
            "device only tries the one its binary search lands on",
            *l.would_verify);
      }
    }
    return v;
  }
  v.reason = flags_reason(v, options);
  if (trust.kind == Trust::Kind::bundle && !v.lookup && !v.path.empty()) {
    const std::uint32_t top = v.path.back().flags;
    if ((top & MBEDTLS_X509_BADCERT_NOT_TRUSTED) != 0 &&
        (top & ~static_cast<std::uint32_t>(MBEDTLS_X509_BADCERT_NOT_TRUSTED |
                                           MBEDTLS_X509_BADCERT_BAD_MD)) != 0) {
      v.reason +=
          "; the bundle is never asked, because \"not trusted\" is not the top "
          "certificate's only flag";
    }
  }
  return v;
}

Verification verify_chain(const std::vector<Certificate>& chain, const Trust& trust,
                          const VerifyOptions& options) {
  std::vector<Bytes> der;
  der.reserve(chain.size());
  for (const Certificate& c : chain)
    der.push_back(c.der());
  return verify_chain(der, trust, options);
}

std::vector<EndpointVerdict> verify_endpoints(const Trust& trust,
                                              const std::vector<EndpointChain>& endpoints,
                                              const VerifyOptions& options) {
  std::vector<EndpointVerdict> verdicts;
  verdicts.reserve(endpoints.size());
  for (const EndpointChain& e : endpoints) {
    VerifyOptions o = options;
    o.host = e.host;
    verdicts.push_back({e.endpoint, verify_chain(e.chain, trust, o)});
  }
  return verdicts;
}

Trust pem_trust_from_text(std::string_view pem, std::string_view name) {
  std::vector<Certificate> certs;
  for (auto& c : parse_pem(pem, std::string(name)))
    certs.push_back(std::move(c.cert));
  return pem_trust(std::move(certs), name);
}

namespace {

void free_crt(mbedtls_x509_crt* crt) {
  mbedtls_x509_crt_free(crt);
  delete crt;
}

}  // namespace

BundleVerifier::BundleVerifier(Trust trust, SignatureRule rule)
    : trust_(std::move(trust)), rule_(rule), dummy_(new mbedtls_x509_crt, free_crt) {
  mbedtls_x509_crt_init(dummy_.get());
  if (trust_.kind != Trust::Kind::bundle) {
    throw usage_error(fmt::format("{} is not a bundle", quoted_name(trust_.name)));
  }
  if (trust_.records.empty()) {
    throw Error(ExitCode::input, fmt::format("the bundle {} is empty: esp_crt_bundle_attach "
                                             "refuses it",
                                             quoted_name(trust_.name)));
  }
}

BundleVerifier::~BundleVerifier() = default;

void BundleVerifier::attach(mbedtls_ssl_config* conf) {
  mbedtls_ssl_conf_ca_chain(conf, dummy_.get(), nullptr);
  mbedtls_ssl_conf_verify(conf, &BundleVerifier::callback, this);
}

int BundleVerifier::callback(void* p, mbedtls_x509_crt* crt, int /*depth*/, std::uint32_t* flags) {
  auto& self = *static_cast<BundleVerifier*>(p);
  if ((*flags & ~static_cast<std::uint32_t>(MBEDTLS_X509_BADCERT_BAD_MD)) !=
      MBEDTLS_X509_BADCERT_NOT_TRUSTED) {
    return 0;
  }
  const ByteView issuer(crt->issuer_raw.p, crt->issuer_raw.len);
  if (const auto entry = find_entry(self.trust_.records, issuer)) {
    if (check_signature(*crt, self.trust_.records[*entry].spki_der, self.rule_) ==
        Signature::valid) {
      self.log_.emplace_back("esp-x509-crt-bundle: Certificate validated");
      *flags = 0;
      return 0;
    }
    self.log_.emplace_back(
        "esp-x509-crt-bundle: Certificate matched but signature verification failed");
  } else {
    self.log_.emplace_back("esp-x509-crt-bundle: No matching trusted root certificate found");
  }
  self.log_.emplace_back("esp-x509-crt-bundle: Failed to verify certificate");
  return MBEDTLS_ERR_X509_CERT_VERIFY_FAILED;
}

}  // namespace certbundle::device
