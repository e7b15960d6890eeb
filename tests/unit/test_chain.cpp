// The chain analysis as a pure function: certificates made here with OpenSSL, no network.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certbundle/chain/analysis.hpp"
#include "certbundle/fetch/aia.hpp"
#include "certbundle/mozilla/certdata.hpp"

using namespace certbundle;
using namespace certbundle::chain;

namespace {

using Key = std::shared_ptr<EVP_PKEY>;

Key new_key() { return Key(EVP_EC_gen("P-256"), EVP_PKEY_free); }

const Time t0 = parse_time("2026-06-01");

struct Made {
  Certificate cert;
  Key key;
};

void add_ext(X509* x, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  REQUIRE(ext != nullptr);
  X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
}

struct Spec {
  std::string cn;
  bool ca = true;
  std::string san;       // "DNS:localhost,IP:127.0.0.1"
  std::string aia;       // caIssuers URL
  long from_days = -30;  // validity, in days from t0
  long to_days = 365;
  Key key;               // reuse a key (a cross-sign); empty: a new one
};

// `issuer` null: self-signed.
Made make(const Spec& spec, const Made* issuer) {
  static long serial = 1;
  Key key = spec.key ? spec.key : new_key();
  std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial++);
  X509_NAME* name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1, -1, 0);
  X509_set_subject_name(x.get(), name);
  X509_set_issuer_name(x.get(), issuer ? X509_get_subject_name(issuer->cert.native()) : name);
  X509_NAME_free(name);
  time_t base = static_cast<time_t>(t0.time_since_epoch().count());
  X509_time_adj_ex(X509_getm_notBefore(x.get()), static_cast<int>(spec.from_days), 0, &base);
  X509_time_adj_ex(X509_getm_notAfter(x.get()), static_cast<int>(spec.to_days), 0, &base);
  X509_set_pubkey(x.get(), key.get());
  X509* issuer_x = issuer ? issuer->cert.native() : x.get();
  add_ext(x.get(), issuer_x, NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "CA:FALSE");
  if (spec.ca) add_ext(x.get(), issuer_x, NID_key_usage, "critical,keyCertSign,cRLSign");
  if (!spec.ca) add_ext(x.get(), issuer_x, NID_ext_key_usage, "serverAuth");
  add_ext(x.get(), issuer_x, NID_subject_key_identifier, "hash");
  if (!spec.san.empty()) add_ext(x.get(), issuer_x, NID_subject_alt_name, spec.san.c_str());
  if (!spec.aia.empty()) {
    add_ext(x.get(), issuer_x, NID_info_access, ("caIssuers;URI:" + spec.aia).c_str());
  }
  REQUIRE(X509_sign(x.get(), issuer ? issuer->key.get() : key.get(), EVP_sha256()) > 0);
  unsigned char* der = nullptr;
  const int len = i2d_X509(x.get(), &der);
  auto cert = Certificate::from_der(ByteView(der, static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  REQUIRE(cert);
  return {*cert, key};
}

Spec ca(const std::string& cn) {
  Spec s;
  s.cn = cn;
  return s;
}
Spec leaf_spec(const std::string& aia = "") {
  Spec s;
  s.cn = "localhost";
  s.ca = false;
  s.san = "DNS:localhost,DNS:*.example.test,IP:127.0.0.1,IP:::1";
  s.aia = aia;
  return s;
}

struct Pki {
  Made root_a = make(ca("Root A"), nullptr);
  Made root_b = make(ca("Root B"), nullptr);
  Made root_a_by_b = [this] {
    Spec s = ca("Root A");
    s.key = root_a.key;
    return make(s, &root_b);
  }();
  Made inter = make(ca("Intermediate A"), &root_a);
  Made leaf = make(leaf_spec("http://127.0.0.1:1/int.der"), &inter);
  Made unrelated = make(ca("Unrelated"), nullptr);
};

const Pki& pki() {
  static const Pki p;
  return p;
}

TrustMaterial trust_of(std::initializer_list<const Made*> roots) {
  TrustMaterial t;
  std::vector<Certificate> certs;
  for (const Made* m : roots) certs.push_back(m->cert);
  add_extra_anchors(t, certs);
  return t;
}

Analysis run(std::vector<Certificate> presented, const TrustMaterial& trust,
             std::vector<Certificate> fetched = {}, std::string host = "localhost", Time at = t0) {
  Inputs in;
  in.presented = std::move(presented);
  in.fetched = std::move(fetched);
  in.host = std::move(host);
  in.at = at;
  return analyze(in, trust);
}

std::vector<std::string> codes(const Analysis& a) {
  std::vector<std::string> out;
  for (const auto& w : a.warnings) out.push_back(w.code);
  return out;
}

}  // namespace

TEST_CASE("chain: a full chain with the root sent", "[chain]") {
  const Pki& p = pki();
  const Analysis a = run({p.leaf.cert, p.inter.cert, p.root_a.cert}, trust_of({&p.root_a}));
  CHECK(a.path == std::vector<std::size_t>{0, 1, 2});
  CHECK(a.presented[0].role == Role::leaf);
  CHECK(a.presented[1].role == Role::intermediate);
  CHECK(a.presented[2].role == Role::root);
  CHECK(a.root_sent);
  CHECK(!a.wrong_order);
  CHECK(!a.incomplete);
  CHECK(a.browser.trusted);
  REQUIRE(a.browser.anchor);
  CHECK(a.browser.anchor->cert == p.root_a.cert);
  REQUIRE(a.device.anchor);
  CHECK(a.device.anchor->cert == p.root_a.cert);
  CHECK(a.device.top == 2u);
  CHECK(a.warnings.empty());
  CHECK(a.presented[0].days_left == 365);
}

TEST_CASE("chain: leaf and intermediate; the device needs the root", "[chain]") {
  const Pki& p = pki();
  const Analysis a = run({p.leaf.cert, p.inter.cert}, trust_of({&p.root_a, &p.root_b}));
  CHECK(!a.root_sent);
  CHECK(a.browser.trusted);
  REQUIRE(a.device.anchor);
  CHECK(a.device.anchor->cert == p.root_a.cert);
  CHECK(a.device.issuer == "CN=Root A");
  CHECK(!a.device.differs_from_browser);
  CHECK(a.browser.roots.size() == 1);
}

TEST_CASE("chain: a leaf alone, completed through AIA: the device needs the intermediate", "[chain]") {
  const Pki& p = pki();
  const TrustMaterial trust = trust_of({&p.root_a});
  const auto missing = missing_issuer({p.leaf.cert}, {}, trust);
  REQUIRE(missing);
  CHECK(*missing == p.leaf.cert);
  CHECK(ca_issuers_urls(p.leaf.cert) == std::vector<std::string>{"http://127.0.0.1:1/int.der"});
  CHECK(!missing_issuer({p.leaf.cert}, {p.inter.cert}, trust));

  const Analysis a = run({p.leaf.cert}, trust, {p.inter.cert});
  CHECK(a.incomplete);
  CHECK(a.browser.trusted);
  CHECK(a.browser.anchor->cert == p.root_a.cert);
  REQUIRE(a.device.anchor);
  CHECK(a.device.anchor->cert == p.inter.cert);
  CHECK(a.device.anchor->source == "aia");
  CHECK(a.device.anchor_is_intermediate);
  CHECK(codes(a) == std::vector<std::string>{"incomplete-chain", "aia-completed", "device-intermediate"});
  REQUIRE(a.fetched.size() == 1);
  CHECK(a.fetched[0].role == Role::intermediate);
  CHECK(a.presented[0].issuer == 1u);

  // Without the download: not trusted, no device anchor.
  const Analysis b = run({p.leaf.cert}, trust);
  CHECK(!b.browser.trusted);
  CHECK(!b.device.anchor);
  CHECK(codes(b) == std::vector<std::string>{"incomplete-chain", "untrusted", "device-no-anchor"});
}

TEST_CASE("chain: ending in a cross-signed root, the device needs the cross-signer", "[chain]") {
  const Pki& p = pki();
  const Analysis a = run({p.leaf.cert, p.inter.cert, p.root_a_by_b.cert}, trust_of({&p.root_a, &p.root_b}));
  CHECK(!a.root_sent);
  CHECK(a.browser.trusted);
  CHECK(a.browser.anchor->cert == p.root_a.cert);
  REQUIRE(a.browser.roots.size() == 2);
  CHECK(a.browser.roots[0].cert == p.root_a.cert);  // sorted by label
  CHECK(a.browser.roots[1].cert == p.root_b.cert);
  REQUIRE(a.device.anchor);
  CHECK(a.device.anchor->cert == p.root_b.cert);
  CHECK(a.device.differs_from_browser);
  CHECK(codes(a) == std::vector<std::string>{"device-differs"});
}

TEST_CASE("chain: duplicates, unrelated certificates and wrong order", "[chain]") {
  const Pki& p = pki();
  const TrustMaterial trust = trust_of({&p.root_a});
  const Analysis a = run({p.leaf.cert, p.unrelated.cert, p.inter.cert, p.inter.cert}, trust);
  CHECK(a.presented[1].role == Role::unrelated);
  CHECK(a.presented[2].role == Role::intermediate);
  CHECK(a.presented[3].role == Role::duplicate);
  CHECK(codes(a) == std::vector<std::string>{"duplicate", "unrelated"});
  CHECK(a.device.anchor->cert == p.root_a.cert);

  // The root before the intermediate: out of order. mbedtls looks for a parent only after its
  // child, so its path stops at the intermediate, whose issuer the bundle then gives.
  const Analysis b = run({p.leaf.cert, p.root_a.cert, p.inter.cert}, trust);
  CHECK(b.wrong_order);
  CHECK(b.path == std::vector<std::size_t>{0, 2, 1});
  CHECK(b.device.top == 2u);
  CHECK(b.device.anchor->cert == p.root_a.cert);
  CHECK(codes(b) == std::vector<std::string>{"wrong-order"});

  // Two intermediates in the wrong order: the device path stops at the lower one, whose issuer
  // (an intermediate) no bundle of roots holds.
  const Made inter2 = make(ca("Intermediate 2"), &p.inter);
  const Made leaf2 = make(leaf_spec(), &inter2);
  const Analysis c = run({leaf2.cert, p.inter.cert, inter2.cert}, trust);
  CHECK(c.wrong_order);
  CHECK(c.browser.trusted);
  CHECK(c.device.top == 2u);
  CHECK(!c.device.anchor);
  CHECK(codes(c) == std::vector<std::string>{"wrong-order", "device-no-anchor"});
}

TEST_CASE("chain: names, dates and distrust", "[chain]") {
  const Pki& p = pki();
  const TrustMaterial trust = trust_of({&p.root_a});
  const std::vector<Certificate> chain{p.leaf.cert, p.inter.cert};
  CHECK(run(chain, trust, {}, "localhost").name.matches);
  CHECK(run(chain, trust, {}, "a.example.test").name.matches);
  CHECK(run(chain, trust, {}, "::1").name.matches);
  CHECK(run(chain, trust, {}, "127.0.0.1").name.matches);
  const Analysis other = run(chain, trust, {}, "other.test");
  CHECK(!other.name.matches);
  CHECK(other.name.dns == std::vector<std::string>{"localhost", "*.example.test"});
  CHECK(other.name.ip == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK(codes(other) == std::vector<std::string>{"name-mismatch"});

  // A year and a day later everything has expired.
  const Analysis late = run(chain, trust, {}, "localhost", t0 + std::chrono::days(366));
  CHECK(late.presented[0].days_left == -1);
  CHECK(!late.browser.trusted);
  CHECK(late.browser.reason.rfind("certificate has expired", 0) == 0);
  CHECK(codes(late) == std::vector<std::string>{"expired", "expired", "untrusted", "device-anchor-expired"});

  // A device anchor Mozilla does not trust, and one with a distrust-after date.
  TrustMaterial untrusted = trust;
  untrusted.anchors[0].trusted = false;
  const Analysis d = run(chain, untrusted);
  CHECK(!d.browser.trusted);
  CHECK(d.device.anchor_distrusted);
  TrustMaterial dated = trust;
  dated.anchors[0].distrust_after = t0 - std::chrono::days(60);  // before the intermediate
  const Analysis e = run(chain, dated);
  CHECK(!e.browser.trusted);
  CHECK(e.device.anchor_distrusted);
}

TEST_CASE("chain: an expired device anchor and a self-signed leaf", "[chain]") {
  Spec old = ca("Old Root");
  old.from_days = -800;
  old.to_days = -400;
  const Made root = make(old, nullptr);
  const Made leaf = make(leaf_spec(), &root);
  const Analysis a = run({leaf.cert}, trust_of({&root}));
  REQUIRE(a.device.anchor);
  CHECK(a.device.anchor_expired);
  CHECK(a.device.anchor->days_left == -400);
  CHECK(codes(a) == std::vector<std::string>{"untrusted", "device-anchor-expired"});

  Spec self = leaf_spec();
  const Made s = make(self, nullptr);
  const Analysis b = run({s.cert}, trust_of({&pki().root_a}));
  CHECK(b.presented[0].role == Role::leaf);
  CHECK(!b.browser.trusted);
  CHECK(!b.device.anchor);
  const Analysis c = run({s.cert}, trust_of({&s}));
  CHECK(c.browser.trusted);
  CHECK(c.device.anchor->cert == s.cert);
}

TEST_CASE("AIA answers: DER, PKCS#7 and PEM", "[chain][fetch]") {
  const Pki& p = pki();
  std::string why;
  const Bytes& der = p.inter.cert.der();
  auto one = fetch::parse_issuer_response(der, &why);
  REQUIRE(one);
  CHECK(one->front() == p.inter.cert);

  std::unique_ptr<PKCS7, decltype(&PKCS7_free)> p7(PKCS7_new(), PKCS7_free);
  PKCS7_set_type(p7.get(), NID_pkcs7_signed);
  PKCS7_content_new(p7.get(), NID_pkcs7_data);
  PKCS7_add_certificate(p7.get(), p.inter.cert.native());
  PKCS7_add_certificate(p7.get(), p.root_a.cert.native());
  unsigned char* buf = nullptr;
  const int len = i2d_PKCS7(p7.get(), &buf);
  const Bytes p7der(buf, buf + len);
  OPENSSL_free(buf);
  auto two = fetch::parse_issuer_response(p7der, &why);
  REQUIRE(two);
  REQUIRE(two->size() == 2);
  CHECK((*two)[1] == p.root_a.cert);

  const std::string html = "<html>404</html>";
  CHECK(!fetch::parse_issuer_response(ByteView(reinterpret_cast<const std::uint8_t*>(html.data()), html.size()), &why));
  CHECK(why.find("not a DER certificate") != std::string::npos);
}

TEST_CASE("trust material from Mozilla's data keeps the untrusted entries, marked", "[chain]") {
  const TrustMaterial trust = trust_from_store(mozilla::bundled_store());
  std::size_t trusted = 0;
  for (const Anchor& a : trust.anchors) trusted += a.trusted ? 1 : 0;
  CHECK(trust.anchors.size() == 167);  // FACTS.md 4: nssckbi 2.86
  CHECK(trusted == 121);
  // A curl cacert.pem carries no trust bits: every entry is trusted.
  const TrustMaterial curl = trust_from_store(
      mozilla::load_store(std::string(CERTBUNDLE_TEST_DATA) + "/mozilla/cacert.pem"));
  CHECK(curl.anchors.size() == 121);
  for (const Anchor& a : curl.anchors) CHECK(a.trusted);
}
