// The device verifier (certbundle/device/verify.hpp) on the test PKI of tests/pki-device
// (make-pki.sh says what each certificate is) and on ESP-IDF's own test bundles.
//
// Independent expectations: `openssl verify` on the same files (quoted in each test, run when
// the PKI was made), ESP-IDF's mbedtls_ut bundles with their server root, and the OpenSSL device
// view of certbundle/chain, which must agree except where the test says why not.
#include <mbedtls/x509_crt.h>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "certbundle/bundle/format.hpp"
#include "certbundle/chain/analysis.hpp"
#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/device/esp_crt_bundle.hpp"
#include "certbundle/device/handshake.hpp"
#include "certbundle/device/verify.hpp"
#include "certbundle/x509/load.hpp"

using namespace certbundle;

namespace {

const std::string pki = std::string(CERTBUNDLE_TEST_DATA) + "/../pki-device/";
const std::string idf = std::string(CERTBUNDLE_TEST_DATA) + "/idf/";

std::vector<Certificate> certs(const std::string& file) {
  std::vector<Certificate> out;
  for (auto& c : load_certificates(pki + file))
    out.push_back(c.cert);
  return out;
}

Certificate cert(const std::string& name) { return certs(name + ".pem").front(); }

// A bundle of these PKI certificates, written as gen_crt_bundle.py writes it.
device::Trust bundle_of(const std::vector<std::string>& names,
                        bundle::Format format = bundle::Format::v2) {
  std::vector<bundle::Member> members;
  for (const auto& n : names)
    members.push_back({cert(n), n});
  const auto written = bundle::write_bundle(members, {format, bundle::default_max_certs});
  const ByteView data(reinterpret_cast<const std::uint8_t*>(written.bytes.data()),
                      written.bytes.size());
  return device::bundle_trust(data, format, "test.bin");
}

device::Verification verify(const std::string& chain, const device::Trust& trust,
                            device::Mode mode = device::Mode::standard,
                            std::optional<Time> clock = std::nullopt) {
  device::VerifyOptions o;
  o.mode = mode;
  o.clock = clock;
  return device::verify_chain(certs(chain), trust, o);
}

ByteView view(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

TEST_CASE("device: a full chain verifies through the bundle entry of its root", "[device]") {
  // openssl verify -CAfile root-a.pem -untrusted int.pem leaf.pem: OK
  const auto trust = bundle_of({"root-a", "root-x"});
  const auto v = verify("chain-full.pem", trust);
  CHECK(v.connects);
  CHECK(v.reason.empty());
  CHECK(v.mbedtls_result == 0);
  REQUIRE(v.path.size() == 3);
  CHECK(v.path[2].flags == MBEDTLS_X509_BADCERT_NOT_TRUSTED);
  REQUIRE(v.lookup);
  CHECK(v.lookup->certificate == 2);
  REQUIRE(v.lookup->entry);
  CHECK(v.lookup->signature == device::Signature::valid);
  CHECK(v.anchor.find("Device Test Root A") != std::string::npos);
  CHECK(v.device_log == std::vector<std::string>{"esp-x509-crt-bundle: Certificate validated"});
}

TEST_CASE("device: leaf + intermediate verifies; the top is the intermediate", "[device]") {
  const auto v = verify("chain-leaf-int.pem", bundle_of({"root-a"}, bundle::Format::v1));
  CHECK(v.connects);
  REQUIRE(v.lookup);
  CHECK(v.lookup->certificate == 1);
  CHECK(v.lookup->issuer.find("Device Test Root A") != std::string::npos);
}

TEST_CASE("device: a chain ending in a cross-signed root", "[device]") {
  // The server sends leaf, int, and Root A cross-signed by Root X.
  SECTION("standard mode needs the cross-signer, as the device does") {
    const auto v = verify("chain-cross.pem", bundle_of({"root-a"}));
    CHECK_FALSE(v.connects);
    REQUIRE(v.lookup);
    CHECK(v.lookup->certificate == 2);
    CHECK_FALSE(v.lookup->entry);
    CHECK(v.lookup->issuer.find("Device Test Root X") != std::string::npos);
    CHECK(v.reason.find("has no entry for") != std::string::npos);
    CHECK(v.mbedtls_result == -0x3000);  // what mbedtls_ssl_handshake returns on the device
    CHECK(v.flags == 0xffffffffu);
    CHECK(verify("chain-cross.pem", bundle_of({"root-x"})).connects);
  }
  SECTION("cross-signed mode anchors at the inner root when the bundle holds it") {
    const auto v = verify("chain-cross.pem", bundle_of({"root-a"}), device::Mode::cross_signed);
    CHECK(v.connects);
    REQUIRE(v.anchor_entry);
    CHECK(*v.anchor_entry == 0);
    REQUIRE(v.path.size() == 3);  // leaf, int, the bundle entry (not the cross-signed cert)
    CHECK(v.path[2].entry == std::optional<std::size_t>(0));
    CHECK_FALSE(v.path[2].certificate);
    // And still through the cross-signer when only that is there.
    CHECK(verify("chain-cross.pem", bundle_of({"root-x"}), device::Mode::cross_signed).connects);
    CHECK_FALSE(
        verify("chain-cross.pem", bundle_of({"dup-1"}), device::Mode::cross_signed).connects);
  }
}

TEST_CASE("device: a bundle without the root", "[device]") {
  const auto v = verify("chain-full.pem", bundle_of({"root-x", "dup-1"}));
  CHECK_FALSE(v.connects);
  REQUIRE(v.lookup);
  CHECK_FALSE(v.lookup->entry);
  CHECK(v.device_log.front() == "esp-x509-crt-bundle: No matching trusted root certificate found");
  CHECK_FALSE(v.verify_info.empty());
  CHECK(v.verify_info.front().rfind("  ! ", 0) == 0);
}

TEST_CASE("device: two entries with the same subject, the search lands on the wrong one",
          "[device]") {
  // openssl verify -CAfile dup-2.pem -untrusted int-dup.pem leaf-dup.pem: OK. dup-1 has the same
  // subject and another key; written first, it is the entry the binary search reaches.
  const auto v = verify("chain-dup.pem", bundle_of({"dup-1", "dup-2"}));
  CHECK_FALSE(v.connects);
  REQUIRE(v.lookup);
  REQUIRE(v.lookup->entry);
  CHECK(*v.lookup->entry == 0);
  CHECK(v.lookup->signature == device::Signature::invalid);
  CHECK(v.lookup->same_subject == std::vector<std::size_t>{1});
  CHECK(v.lookup->would_verify == std::optional<std::size_t>(1));
  CHECK(v.reason.find("would verify") != std::string::npos);
  CHECK(v.device_log.front() ==
        "esp-x509-crt-bundle: Certificate matched but signature verification failed");
  // The other order: the search lands on dup-2.
  CHECK(verify("chain-dup.pem", bundle_of({"dup-2", "dup-1"})).connects);
}

TEST_CASE("device: an expired intermediate, with the clock set and unset", "[device]") {
  // openssl verify -attime <2023> -CAfile root-a.pem -untrusted int-expired.pem leaf-exp.pem:
  // "error 10 at 1 depth lookup: certificate has expired".
  const auto trust = bundle_of({"root-a"});
  CHECK(verify("chain-expired.pem", trust).connects);  // no clock: dates are not checked
  CHECK(verify("chain-expired.pem", trust, device::Mode::standard, parse_time("2020-06-01"))
            .connects);
  const auto v =
      verify("chain-expired.pem", trust, device::Mode::standard, parse_time("2030-01-01"));
  CHECK_FALSE(v.connects);
  REQUIRE(v.path.size() == 2);
  CHECK((v.path[1].flags & MBEDTLS_X509_BADCERT_EXPIRED) != 0);
  CHECK(v.reason.find("[1]") != std::string::npos);
  CHECK(v.reason.find("expired") != std::string::npos);
  CHECK_FALSE(v.lookup);  // the top was not only "not trusted": the bundle was never asked
  CHECK(v.mbedtls_result == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
  // Not valid yet either.
  CHECK_FALSE(verify("chain-full.pem", bundle_of({"root-a"}), device::Mode::standard,
                     parse_time("2019-06-01"))
                  .connects);
}

TEST_CASE("device: a PEM buffer instead of a bundle", "[device]") {
  CHECK(device::verify_chain(certs("chain-full.pem"), device::pem_trust({cert("root-a")}, "ca.pem"),
                             {})
            .connects);
  // mbedtls tries every trusted certificate: the cross-signed chain verifies through Root X.
  CHECK(device::verify_chain(certs("chain-cross.pem"),
                             device::pem_trust({cert("root-x")}, "ca.pem"), {})
            .connects);
  const auto v = device::verify_chain(certs("chain-leaf-int.pem"),
                                      device::pem_trust({cert("root-x")}, "ca.pem"), {});
  CHECK_FALSE(v.connects);
  CHECK(v.reason.find("issuer") != std::string::npos);
  CHECK(v.mbedtls_result == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
  // A PEM of the two duplicate roots: mbedtls tries both, unlike the bundle search.
  CHECK(device::verify_chain(certs("chain-dup.pem"),
                             device::pem_trust({cert("dup-1"), cert("dup-2")}, "ca.pem"), {})
            .connects);
}

TEST_CASE("device: the host name is checked as mbedtls checks it", "[device]") {
  device::VerifyOptions o;
  o.host = "localhost";
  CHECK(device::verify_chain(certs("chain-full.pem"), bundle_of({"root-a"}), o).connects);
  o.host = "example.com";
  const auto v = device::verify_chain(certs("chain-full.pem"), bundle_of({"root-a"}), o);
  CHECK_FALSE(v.connects);
  CHECK(v.reason.find("example.com") != std::string::npos);
}

TEST_CASE("device: an RSA-PSS signature fails the bundle check (ESP-IDF 6)", "[device]") {
  // openssl verify -CAfile root-pss.pem -untrusted int-pss.pem leaf-pss.pem: OK. ESP-IDF 6
  // checks the top certificate's signature as PKCS#1 v1.5 only: by design the device refuses.
  const auto v = verify("chain-pss.pem", bundle_of({"root-pss"}));
  CHECK_FALSE(v.connects);
  REQUIRE(v.lookup);
  CHECK(v.lookup->signature == device::Signature::invalid);
  // ESP-IDF 4.x/5.x verified with mbedtls_pk_verify_ext, which takes RSA-PSS.
  device::VerifyOptions o;
  o.signature = device::signature_rule_for_idf_version("5.5.1");
  CHECK(o.signature == device::SignatureRule::pk_verify_ext);
  CHECK(device::verify_chain(certs("chain-pss.pem"), bundle_of({"root-pss"}), o).connects);
  CHECK(device::signature_rule_for_idf_version("v6.0") == device::SignatureRule::psa);
  CHECK_THROWS_AS(device::signature_rule_for_idf_version("six"), Error);
}

TEST_CASE("device: ESP-IDF's own test bundle holds its test server's root", "[device]") {
  const std::string bytes = read_file(idf + "mbedtls_ut.server_cert_bundle");
  const auto trust = device::bundle_trust(view(bytes), bundle::Format::v2, "server_cert_bundle");
  std::vector<Certificate> root;
  for (auto& c : load_certificates(idf + "mbedtls_ut.server_root.pem"))
    root.push_back(c.cert);
  // The server root on its own: the top is the root itself, found by its (self-)issuer.
  const auto v = device::verify_chain(root, trust, {});
  CHECK(v.connects);
  // And not with the ECDSA test bundle, which holds other roots.
  const std::string ecdsa = read_file(idf + "mbedtls_ut.ecdsa_cert_bundle");
  CHECK_FALSE(device::verify_chain(root, device::bundle_trust(view(ecdsa), std::nullopt, "e"), {})
                  .connects);
}

TEST_CASE("device: a bundle in the other format is a clear error, not a crash", "[device]") {
  const std::string v1 = read_file(idf + "baltimore_crt_bundle.v1_BE");
  const std::string v2 = read_file(idf + "baltimore_crt_bundle.v2_LEoffsets");
  CHECK(device::bundle_trust(view(v1), std::nullopt, "b1").format == bundle::Format::v1);
  CHECK(device::bundle_trust(view(v2), std::nullopt, "b2").format == bundle::Format::v2);
  try {
    (void)device::bundle_trust(view(v1), bundle::Format::v2, "v1.bin");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::input);
    CHECK(std::string(e.what()).find("\"v1.bin\" is a V1 bundle, not V2") != std::string::npos);
  }
  try {
    (void)device::bundle_trust(view(v2), bundle::Format::v1, "v2.bin");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::input);
    CHECK(std::string(e.what()).find("is a V2 bundle, not V1") != std::string::npos);
  }
  // The Baltimore root verifies itself through either.
  std::vector<Certificate> baltimore;
  for (auto& c : load_certificates(idf + "baltimore.der"))
    baltimore.push_back(c.cert);
  CHECK(device::verify_chain(baltimore, device::bundle_trust(view(v1), std::nullopt, "b1"), {})
            .connects);
}

TEST_CASE("device: a damaged bundle is an input error naming the file", "[device]") {
  const std::string v2 = read_file(idf + "baltimore_crt_bundle.v2_LEoffsets");
  for (std::size_t cut :
       {std::size_t{1}, std::size_t{3}, std::size_t{7}, v2.size() / 2, v2.size() - 1}) {
    const std::string damaged = v2.substr(0, cut);
    try {
      (void)device::bundle_trust(view(damaged), bundle::Format::v2, "damaged.bin");
      FAIL("no error at " << cut);
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::input);
      CHECK(std::string(e.what()).find("damaged.bin") != std::string::npos);
    }
  }
  // Every single-byte corruption either reads (and then verifies or not) or is an input error.
  const auto chain = std::vector<Certificate>{cert("root-a")};
  for (std::size_t i = 0; i < v2.size(); i += 7) {
    std::string damaged = v2;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
    try {
      (void)device::verify_chain(chain, device::bundle_trust(view(damaged), std::nullopt, "d"), {});
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::input);
    }
  }
}

TEST_CASE("device: an empty bundle and nonsense chains are verdicts", "[device]") {
  const auto empty = device::bundle_trust(ByteView{}, bundle::Format::v2, "empty.bin");
  const auto v = device::verify_chain(certs("chain-full.pem"), empty, {});
  CHECK_FALSE(v.connects);
  CHECK(v.reason.find("empty") != std::string::npos);
  const std::vector<Bytes> garbage{Bytes{0x30, 0x03, 0x02, 0x01, 0x01}};
  const auto g = device::verify_chain(garbage, bundle_of({"root-a"}), {});
  CHECK_FALSE(g.connects);
  CHECK(g.reason.find("cannot parse certificate [0]") != std::string::npos);
  CHECK_FALSE(device::verify_chain(std::vector<Bytes>{}, bundle_of({"root-a"}), {}).connects);
  // Damaged certificates in the chain: a verdict every time, never a crash; in both modes.
  const auto full = certs("chain-full.pem");
  const auto trust = bundle_of({"root-a"});
  device::VerifyOptions cross;
  cross.mode = device::Mode::cross_signed;
  for (std::size_t which = 0; which < full.size(); ++which) {
    for (std::size_t i = 0; i < full[which].der().size(); i += 11) {
      std::vector<Bytes> chain;
      for (const auto& c : full)
        chain.push_back(c.der());
      chain[which][i] = static_cast<std::uint8_t>(chain[which][i] ^ 0xa5);
      const auto r =
          device::verify_chain(chain, trust, i % 2 == 0 ? cross : device::VerifyOptions{});
      CHECK((r.connects || !r.reason.empty()));
    }
  }
}

TEST_CASE("device: cipher suite names", "[device]") {
  const auto ids = device::parse_ciphersuites(
      "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
  REQUIRE(ids.size() == 2);
  CHECK(device::ciphersuite_name(ids[0]) == "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256");
  CHECK_THROWS_AS(device::parse_ciphersuites("TLS-NOT-A-SUITE"), Error);
  CHECK_THROWS_AS(device::parse_ciphersuites(","), Error);
}

TEST_CASE("device: the verdict agrees with the OpenSSL device view of certbundle/chain",
          "[device]") {
  // chain::analyze's device view: the anchor is a trusted certificate with the top's issuer as
  // subject whose key verifies the top. It has no clock (no dates here) and models the standard
  // mode. It differs by design on:
  //  - chain-dup with [dup-1, dup-2]: OpenSSL tries every certificate with that subject, the
  //    device only the one its binary search lands on;
  //  - chain-pss: OpenSSL verifies RSA-PSS, ESP-IDF 6's bundle check does not.
  struct Case {
    std::string chain;
    std::vector<std::string> bundle;
    bool same;  // false: differs by design (above)
  };
  const std::vector<Case> cases = {
      {"chain-full.pem", {"root-a"}, true},     {"chain-full.pem", {"root-x"}, true},
      {"chain-leaf-int.pem", {"root-a"}, true}, {"chain-leaf-int.pem", {"root-x"}, true},
      {"chain-cross.pem", {"root-a"}, true},    {"chain-cross.pem", {"root-x"}, true},
      {"chain-expired.pem", {"root-a"}, true},  {"chain-dup.pem", {"dup-2"}, true},
      {"chain-dup.pem", {"dup-1"}, true},       {"chain-dup.pem", {"dup-1", "dup-2"}, false},
      {"chain-pss.pem", {"root-pss"}, false},
  };
  for (const Case& c : cases) {
    chain::TrustMaterial trust;
    std::vector<Certificate> anchors;
    for (const auto& n : c.bundle)
      anchors.push_back(cert(n));
    chain::add_extra_anchors(trust, anchors);
    chain::Inputs in;
    in.presented = certs(c.chain);
    in.at = parse_time("2026-01-01");
    const auto analysis = chain::analyze(in, trust);
    const bool openssl =
        analysis.device.anchor.has_value() && !analysis.device.anchor_is_intermediate;
    const bool mbedtls = verify(c.chain, bundle_of(c.bundle)).connects;
    INFO(c.chain << " with " << c.bundle.front() << (c.bundle.size() > 1 ? " ..." : ""));
    if (c.same) {
      CHECK(openssl == mbedtls);
    } else {
      CHECK(openssl);
      CHECK_FALSE(mbedtls);
    }
  }
}

TEST_CASE("device: verify_endpoints checks every locked chain against one trust", "[device]") {
  const auto der = [](const std::string& file) {
    std::vector<Bytes> out;
    for (const auto& c : certs(file))
      out.push_back(c.der());
    return out;
  };
  const std::string pem = read_file(pki + "root-a.pem");
  const auto trust = device::pem_trust_from_text(pem, "build/ca.pem");
  const auto verdicts = device::verify_endpoints(trust,
                                                 {{"a:443", der("chain-full.pem"), "localhost"},
                                                  {"b:443", der("chain-full.pem"), "b.example"},
                                                  {"c:8883", der("chain-dup.pem"), ""}},
                                                 {});
  REQUIRE(verdicts.size() == 3);
  CHECK(verdicts[0].endpoint == "a:443");
  CHECK(verdicts[0].verification.connects);
  CHECK_FALSE(verdicts[1].verification.connects);
  CHECK_FALSE(verdicts[2].verification.connects);
  CHECK_THROWS_AS(device::pem_trust_from_text("not a pem", "x.pem"), Error);
}

TEST_CASE("device: every root of ESP-IDF's cacrt_all.pem is found by the bundle search",
          "[device]") {
  // A self-signed root sent alone is its own top certificate: the search must land on its own
  // entry in a bundle of all of them (sorted as gen_crt_bundle.py sorts), and its self-signature
  // must verify with the stored key.
  std::vector<bundle::Member> members;
  for (auto& c : load_certificates(idf + "cacrt_all.pem"))
    members.push_back({c.cert, c.label});
  REQUIRE(members.size() > 100);
  const auto written = bundle::write_bundle(members, {bundle::Format::v2, 1000});
  const auto trust = device::bundle_trust(view(written.bytes), bundle::Format::v2, "all.bin");
  device::VerifyOptions o;
  o.max_certs = 1000;
  std::size_t found = 0;
  for (const auto& m : members) {
    const auto v = device::verify_chain(std::vector<Certificate>{m.cert}, trust, o);
    INFO(m.name << ": " << v.reason);
    REQUIRE(v.lookup);
    CHECK(v.lookup->entry);
    if (v.connects) ++found;
  }
  CHECK(found == members.size());
}

TEST_CASE("device: BundleVerifier is ESP-IDF's callback for a host mbedtls client", "[device]") {
  // The same verdicts as verify_chain (no clock needed: the PKI is valid 2020..2099), through
  // mbedtls_x509_crt_verify with the callback, as an mbedtls_ssl_config would run it.
  const auto run = [](const std::string& chain, const device::Trust& trust) {
    device::BundleVerifier verifier(trust);
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    for (const auto& c : certs(chain)) {
      REQUIRE(mbedtls_x509_crt_parse_der(&crt, c.der().data(), c.der().size()) == 0);
    }
    std::uint32_t flags = 0;
    const int ret = mbedtls_x509_crt_verify(&crt, verifier.empty_trusted_list(), nullptr, nullptr,
                                            &flags, &device::BundleVerifier::callback, &verifier);
    mbedtls_x509_crt_free(&crt);
    return std::make_pair(ret, verifier.log());
  };
  const auto ok = run("chain-full.pem", bundle_of({"root-a"}));
  CHECK(ok.first == 0);
  CHECK(ok.second == std::vector<std::string>{"esp-x509-crt-bundle: Certificate validated"});
  const auto cross = run("chain-cross.pem", bundle_of({"root-a"}));
  CHECK(cross.first == MBEDTLS_ERR_X509_FATAL_ERROR);  // -0x3000, as the device reports it
  CHECK(cross.second.front() == "esp-x509-crt-bundle: No matching trusted root certificate found");
  const auto dup = run("chain-dup.pem", bundle_of({"dup-1", "dup-2"}));
  CHECK(dup.first == MBEDTLS_ERR_X509_FATAL_ERROR);
  CHECK(run("chain-dup.pem", bundle_of({"dup-2", "dup-1"})).first == 0);
  CHECK_THROWS_AS(device::BundleVerifier(device::bundle_trust(ByteView{}, std::nullopt, "e")),
                  Error);
  CHECK_THROWS_AS(device::BundleVerifier(device::pem_trust({cert("root-a")}, "p")), Error);
}
