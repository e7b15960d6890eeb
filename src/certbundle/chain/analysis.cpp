#include "certbundle/chain/analysis.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <memory>
#include <tuple>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "certbundle/mozilla/certdata.hpp"

namespace certbundle::chain {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::leaf: return "leaf";
    case Role::intermediate: return "intermediate";
    case Role::root: return "root";
    case Role::duplicate: return "duplicate";
    case Role::unrelated: return "unrelated";
  }
  return "unrelated";
}

TrustMaterial trust_from_store(const mozilla::Store& store) {
  TrustMaterial trust;
  for (const mozilla::Root& root : store.roots) {
    Anchor a{root.cert, root.label, Anchor::Source::mozilla, true, root.server_distrust_after};
    a.trusted = !store.has_trust_bits || root.trust.server_auth == mozilla::Trust::trusted_delegator;
    trust.anchors.push_back(std::move(a));
  }
  return trust;
}

void add_extra_anchors(TrustMaterial& trust, const std::vector<Certificate>& certs) {
  for (const Certificate& cert : certs) {
    trust.anchors.push_back(Anchor{cert, cert.common_name(), Anchor::Source::extra, true, {}});
  }
}

bool issued_by(const Certificate& child, const Certificate& issuer) {
  if (!std::equal(child.issuer_der().begin(), child.issuer_der().end(),
                  issuer.subject_der().begin(), issuer.subject_der().end()) &&
      X509_check_issued(issuer.native(), child.native()) != X509_V_OK) {
    ERR_clear_error();
    return false;
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer.native());
  const bool ok = key != nullptr && X509_verify(child.native(), key) == 1;
  ERR_clear_error();
  return ok;
}

std::vector<std::string> ca_issuers_urls(const Certificate& cert) {
  std::vector<std::string> urls;
  auto* info = static_cast<AUTHORITY_INFO_ACCESS*>(
      X509_get_ext_d2i(cert.native(), NID_info_access, nullptr, nullptr));
  if (info == nullptr) return urls;
  for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(info); ++i) {
    const ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(info, i);
    if (OBJ_obj2nid(ad->method) != NID_ad_ca_issuers || ad->location->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = ad->location->d.uniformResourceIdentifier;
    urls.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                      static_cast<std::size_t>(ASN1_STRING_length(uri)));
  }
  AUTHORITY_INFO_ACCESS_free(info);
  return urls;
}

namespace {

bool same_bytes(ByteView a, ByteView b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

bool same_key_and_subject(const Certificate& a, const Certificate& b) {
  return same_bytes(a.subject_der(), b.subject_der()) && same_bytes(a.spki_der(), b.spki_der());
}

// The path from certs[0] following issuers. With `later_only`, a parent must come after its
// child (as mbedtls looks for it); otherwise anywhere, the next certificate preferred.
std::vector<std::size_t> build_path(const std::vector<Certificate>& certs,
                                    const std::vector<bool>& skip, bool later_only) {
  std::vector<std::size_t> path;
  if (certs.empty()) return path;
  std::vector<bool> used(certs.size(), false);
  std::size_t at = 0;
  path.push_back(0);
  used[0] = true;
  while (!certs[at].is_self_issued()) {
    std::optional<std::size_t> parent;
    const std::size_t first = later_only ? at + 1 : 0;
    if (at + 1 < certs.size() && !used[at + 1] && !skip[at + 1] && issued_by(certs[at], certs[at + 1])) {
      parent = at + 1;
    }
    for (std::size_t i = first; !parent && i < certs.size(); ++i) {
      if (!used[i] && !skip[i] && issued_by(certs[at], certs[i])) parent = i;
    }
    if (!parent) break;
    at = *parent;
    used[at] = true;
    path.push_back(at);
  }
  return path;
}

std::vector<bool> duplicates_of(const std::vector<Certificate>& certs) {
  std::vector<bool> dup(certs.size(), false);
  for (std::size_t i = 0; i < certs.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (certs[i] == certs[j]) dup[i] = true;
    }
  }
  return dup;
}

Certificate from_x509(X509* x) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(x, &der);
  auto cert = Certificate::from_der(ByteView(der, len > 0 ? static_cast<std::size_t>(len) : 0));
  OPENSSL_free(der);
  return *cert;
}

const Anchor* find_anchor(const TrustMaterial& trust, const Certificate& cert) {
  for (const Anchor& a : trust.anchors) {
    if (a.cert == cert) return &a;
  }
  return nullptr;
}

AnchorRef ref(const Anchor& a, Time at) {
  return AnchorRef{a.cert, a.label, a.source == Anchor::Source::mozilla ? "mozilla" : "ca",
                   a.cert.is_self_issued(), a.trusted, days_between(at, a.cert.not_after())};
}

struct Verification {
  bool ok = false;
  std::string reason;
  std::vector<Certificate> path;
};

// OpenSSL's path building from the leaf to one of `anchors`.
Verification verify(const std::vector<Certificate>& untrusted_certs, const Certificate& leaf,
                    const std::vector<const Anchor*>& anchors, Time at) {
  Verification v;
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  for (const Anchor* a : anchors) X509_STORE_add_cert(store.get(), a->cert.native());
  struct StackFree {
    void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
  };
  std::unique_ptr<STACK_OF(X509), StackFree> untrusted(sk_X509_new_null());
  for (const Certificate& c : untrusted_certs) sk_X509_push(untrusted.get(), c.native());
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                       X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf.native(), untrusted.get());
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()),
                             static_cast<time_t>(at.time_since_epoch().count()));
  v.ok = X509_verify_cert(ctx.get()) == 1;
  if (v.ok) {
    STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
    for (int i = 0; i < sk_X509_num(chain); ++i) v.path.push_back(from_x509(sk_X509_value(chain, i)));
  } else {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    X509* current = X509_STORE_CTX_get_current_cert(ctx.get());
    v.reason = fmt::format("{} (depth {}{})", X509_verify_cert_error_string(err), depth,
                           current != nullptr ? ": " + from_x509(current).subject() : std::string());
  }
  ERR_clear_error();
  return v;
}

std::string describe(const std::vector<Entry>& entries, std::size_t i) {
  return fmt::format("[{}] \"{}\"", i, entries[i].cert.common_name());
}

void check_name(Analysis& a, const Certificate& leaf, const std::string& host) {
  a.name.name = host;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(leaf.native(), NID_subject_alt_name, nullptr, nullptr));
  if (names != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
      const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
      if (n->type == GEN_DNS) {
        const ASN1_IA5STRING* s = n->d.dNSName;
        a.name.dns.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                static_cast<std::size_t>(ASN1_STRING_length(s)));
      } else if (n->type == GEN_IPADD) {
        const ASN1_OCTET_STRING* s = n->d.iPAddress;
        char text[INET6_ADDRSTRLEN] = {};
        const int len = ASN1_STRING_length(s);
        if (len == 4 || len == 16) {
          inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(s), text, sizeof text);
          a.name.ip.emplace_back(text);
        }
      }
    }
    GENERAL_NAMES_free(names);
  }
  if (host.empty()) return;
  unsigned char buf[16];
  const bool is_ip = inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
  a.name.matches = is_ip ? X509_check_ip_asc(leaf.native(), host.c_str(), 0) == 1
                         : X509_check_host(leaf.native(), host.data(), host.size(), 0, nullptr) == 1;
  ERR_clear_error();
}

}  // namespace

std::optional<Certificate> missing_issuer(const std::vector<Certificate>& presented,
                                          const std::vector<Certificate>& fetched,
                                          const TrustMaterial& trust) {
  if (presented.empty()) return std::nullopt;
  std::vector<Certificate> all = presented;
  all.insert(all.end(), fetched.begin(), fetched.end());
  const auto path = build_path(all, duplicates_of(all), false);
  const Certificate& top = all[path.back()];
  if (top.is_self_issued()) return std::nullopt;
  for (const Anchor& a : trust.anchors) {
    if (issued_by(top, a.cert)) return std::nullopt;
  }
  return top;
}

Analysis analyze(const Inputs& inputs, const TrustMaterial& trust) {
  Analysis a;
  const auto& sent = inputs.presented;
  if (sent.empty()) return a;
  const Time at = inputs.at;

  // The chain as sent: path, duplicates, unrelated, order.
  const std::vector<bool> dup = duplicates_of(sent);
  a.path = build_path(sent, dup, false);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    Entry e{sent[i], Role::unrelated, std::nullopt, days_between(at, sent[i].not_after())};
    if (dup[i]) e.role = Role::duplicate;
    a.presented.push_back(std::move(e));
  }
  for (std::size_t k = 0; k < a.path.size(); ++k) {
    Entry& e = a.presented[a.path[k]];
    e.role = k == 0 ? Role::leaf : e.cert.is_self_issued() ? Role::root : Role::intermediate;
    if (k + 1 < a.path.size()) e.issuer = a.path[k + 1];
    if (k > 0 && a.path[k] < a.path[k - 1]) a.wrong_order = true;
  }
  a.root_sent = a.presented[a.path.back()].role == Role::root;

  // Fetched issuers continue the path from its top.
  std::vector<Certificate> all = sent;
  all.insert(all.end(), inputs.fetched.begin(), inputs.fetched.end());
  std::size_t top_index = a.path.back();
  for (std::size_t i = 0; i < inputs.fetched.size(); ++i) {
    const Certificate& f = inputs.fetched[i];
    Entry e{f, Role::unrelated, std::nullopt, days_between(at, f.not_after())};
    if (issued_by(all[top_index], f)) {
      e.role = f.is_self_issued() ? Role::root : Role::intermediate;
      if (top_index < sent.size()) a.presented[top_index].issuer = sent.size() + i;
      else a.fetched[top_index - sent.size()].issuer = sent.size() + i;
      top_index = sent.size() + i;
    }
    a.fetched.push_back(std::move(e));
  }
  a.incomplete = missing_issuer(sent, {}, trust).has_value();

  for (std::size_t i = 0; i < sent.size(); ++i) {
    if (a.presented[i].role == Role::duplicate) {
      std::size_t first = 0;
      while (!(sent[first] == sent[i])) ++first;
      a.warnings.push_back({"duplicate", fmt::format("certificate {} is sent again (the same as [{}])",
                                                     describe(a.presented, i), first)});
    }
  }
  for (std::size_t i = 0; i < sent.size(); ++i) {
    if (a.presented[i].role == Role::unrelated) {
      a.warnings.push_back({"unrelated", fmt::format("certificate {} is not part of the path from "
                                                     "the leaf", describe(a.presented, i))});
    }
  }
  if (a.wrong_order) {
    std::string order;
    for (const std::size_t i : a.path) order += (order.empty() ? "" : ", ") + std::to_string(i);
    a.warnings.push_back({"wrong-order", fmt::format("the certificates are not sent in path order "
                                                     "(the path is {}); an ESP32 looks for each "
                                                     "issuer only after its child", order)});
  }
  if (a.incomplete) {
    const Certificate& top = sent[a.path.back()];
    bool completed = false;
    for (const Entry& e : a.fetched) completed = completed || e.role != Role::unrelated;
    a.warnings.push_back(
        {"incomplete-chain", fmt::format("the server does not send the issuer of \"{}\" (\"{}\")",
                                         top.common_name(), top.issuer())});
    if (completed) {
      a.warnings.push_back({"aia-completed", "the chain was completed with the issuer downloaded "
                                             "from the AIA caIssuers URL"});
    }
  }
  auto date_warnings = [&](const std::vector<Entry>& entries, std::size_t offset) {
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const Certificate& c = entries[i].cert;
      if (entries[i].role == Role::duplicate) continue;
      const std::string who = fmt::format("[{}] \"{}\"", offset + i, c.common_name());
      if (c.not_after() < at) {
        a.warnings.push_back({"expired", fmt::format("certificate {} expired on {} ({} days ago)", who,
                                                     format_time(c.not_after()), -entries[i].days_left)});
      } else if (c.not_before() > at) {
        a.warnings.push_back({"not-yet-valid", fmt::format("certificate {} is not valid before {}",
                                                           who, format_time(c.not_before()))});
      }
    }
  };
  date_warnings(a.presented, 0);
  date_warnings(a.fetched, sent.size());

  // The host name.
  check_name(a, sent[0], inputs.host);
  if (!inputs.host.empty() && !a.name.matches) {
    std::string sans;
    for (const auto& d : a.name.dns) sans += (sans.empty() ? "" : ", ") + ("DNS:" + d);
    for (const auto& ip : a.name.ip) sans += (sans.empty() ? "" : ", ") + ("IP:" + ip);
    a.warnings.push_back({"name-mismatch", fmt::format("the leaf does not cover \"{}\" (it names {})",
                                                       inputs.host, sans.empty() ? "no SANs" : sans)});
  }

  // The browser view.
  std::vector<Certificate> untrusted(sent.begin() + 1, sent.end());
  untrusted.insert(untrusted.end(), inputs.fetched.begin(), inputs.fetched.end());
  std::vector<const Anchor*> trusted;
  for (const Anchor& anchor : trust.anchors) {
    if (anchor.trusted) trusted.push_back(&anchor);
  }
  // A path whose certificate below the anchor was issued after the anchor's distrust-after date
  // is not trusted (NSS's rule).
  auto distrusted_path = [&](const std::vector<Certificate>& path) -> std::optional<std::string> {
    if (path.size() < 2) return std::nullopt;
    const Anchor* anchor = find_anchor(trust, path.back());
    const Certificate& below = path[path.size() - 2];
    if (anchor != nullptr && anchor->distrust_after && below.not_before() > *anchor->distrust_after) {
      return fmt::format("\"{}\" was issued on {}, after \"{}\" was distrusted for new certificates "
                         "({})", below.common_name(), format_date(below.not_before()), anchor->label,
                         format_date(*anchor->distrust_after));
    }
    return std::nullopt;
  };
  const Verification v = verify(untrusted, sent[0], trusted, at);
  a.browser.trusted = v.ok;
  a.browser.reason = v.reason;
  if (v.ok) {
    a.browser.path = v.path;
    if (const Anchor* anchor = find_anchor(trust, v.path.back())) a.browser.anchor = ref(*anchor, at);
    if (auto why = distrusted_path(v.path)) {
      a.browser.trusted = false;
      a.browser.reason = *why;
    }
  }
  for (const Anchor* anchor : trusted) {
    bool names_it = false;
    for (const Certificate& c : all) names_it = names_it || same_bytes(c.issuer_der(), anchor->cert.subject_der());
    if (!names_it) continue;
    const Verification one = verify(untrusted, sent[0], {anchor}, at);
    if (one.ok && one.path.back() == anchor->cert && !distrusted_path(one.path)) {
      a.browser.roots.push_back(ref(*anchor, at));
    }
  }
  std::sort(a.browser.roots.begin(), a.browser.roots.end(), [](const AnchorRef& x, const AnchorRef& y) {
    const auto xs = x.cert.subject();
    const auto ys = y.cert.subject();
    return std::tie(x.label, xs, x.cert.sha256()) < std::tie(y.label, ys, y.cert.sha256());
  });
  a.browser.roots.erase(std::unique(a.browser.roots.begin(), a.browser.roots.end(),
                                    [](const AnchorRef& x, const AnchorRef& y) { return x.cert == y.cert; }),
                        a.browser.roots.end());
  if (!a.browser.trusted) {
    a.warnings.push_back({"untrusted", "browser view: not trusted: " + a.browser.reason});
  }

  // The device view: mbedtls's path through what was sent, then the bundle entry for the issuer
  // of its top certificate.
  const std::vector<std::size_t> device_path = build_path(sent, dup, true);
  const std::size_t top = device_path.back();
  const Certificate& top_cert = sent[top];
  a.device.top = top;
  a.device.issuer = top_cert.issuer();
  const Anchor* chosen = nullptr;
  for (const Anchor& anchor : trust.anchors) {
    if (!same_bytes(anchor.cert.subject_der(), top_cert.issuer_der()) || !issued_by(top_cert, anchor.cert)) continue;
    if (chosen == nullptr || (anchor.trusted && !chosen->trusted)) chosen = &anchor;
  }
  if (chosen != nullptr) {
    a.device.anchor = ref(*chosen, at);
    a.device.anchor_distrusted = !chosen->trusted ||
                                 (chosen->distrust_after && top_cert.not_before() > *chosen->distrust_after);
  } else {
    for (const Certificate& f : inputs.fetched) {
      if (!a.device.anchor && same_bytes(f.subject_der(), top_cert.issuer_der()) && issued_by(top_cert, f)) {
        a.device.anchor = AnchorRef{f, f.common_name(), "aia", f.is_self_issued(), false,
                                    days_between(at, f.not_after())};
      }
    }
  }
  if (a.device.anchor) {
    const AnchorRef& d = *a.device.anchor;
    a.device.anchor_is_intermediate = !d.self_issued;
    a.device.anchor_expired = d.cert.not_after() < at;
    a.device.differs_from_browser = a.browser.trusted && a.browser.anchor &&
                                    !same_key_and_subject(a.browser.anchor->cert, d.cert);
  }
  if (!a.device.anchor) {
    a.warnings.push_back({"device-no-anchor",
                          fmt::format("device view: no known certificate is the issuer \"{}\" of "
                                      "[{}] \"{}\": no bundle can make an ESP32 accept this chain",
                                      a.device.issuer, top, top_cert.common_name())});
  } else {
    const AnchorRef& d = *a.device.anchor;
    if (a.device.anchor_is_intermediate) {
      a.warnings.push_back(
          {"device-intermediate",
           fmt::format("device view: the server does not send the issuer of [{}] \"{}\", so the "
                       "bundle would have to carry the intermediate \"{}\" (expires {}, in {} days); "
                       "intermediates expire and rotate far sooner than roots: fix the server to "
                       "send its intermediate",
                       top, top_cert.common_name(), d.cert.common_name(),
                       format_date(d.cert.not_after()), d.days_left)});
    }
    if (a.device.differs_from_browser && !a.device.anchor_is_intermediate) {
      a.warnings.push_back(
          {"device-differs",
           fmt::format("device view: the bundle needs \"{}\", not the browser's root \"{}\"",
                       d.label, a.browser.anchor->label)});
    }
    if (a.device.anchor_expired) {
      a.warnings.push_back({"device-anchor-expired",
                            fmt::format("device view: the anchor \"{}\" expired on {}", d.label,
                                        format_time(d.cert.not_after()))});
    }
    if (a.device.anchor_distrusted) {
      a.warnings.push_back({"device-anchor-distrusted",
                            fmt::format("device view: the anchor \"{}\" is distrusted by Mozilla "
                                        "for server authentication", d.label)});
    }
  }
  return a;
}

}  // namespace certbundle::chain
