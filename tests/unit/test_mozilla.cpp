// The Mozilla stage against independent references: mk-ca-bundle's outputs (cacert.pem,
// cacert-old.pem) and the fingerprint set computed by mk-ca-bundle.pl 1.33 (tests/data/mozilla).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <sstream>

#include <openssl/x509.h>

#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/mozilla/certdata.hpp"
#include "certbundle/mozilla/selection.hpp"
#include "certbundle/x509/load.hpp"

using namespace certbundle;
using namespace certbundle::mozilla;

namespace {

const std::string data = CERTBUNDLE_TEST_DATA;

std::set<std::string> fingerprints(const Selection& s) {
  std::set<std::string> out;
  for (const auto& c : s.certs) out.insert(c.cert.sha256_hex());
  return out;
}

std::set<std::string> expected_fingerprints() {
  std::istringstream in(read_file(data + "/mozilla/expected-serverauth-sha256.txt"));
  std::set<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.insert(line);
  }
  return out;
}

SelectionOptions at(const char* date) {
  SelectionOptions o;
  o.at = parse_time(date);
  return o;
}

// The cacert.pem body after its "##" header: what mk-ca-bundle wrote for each certificate.
std::string body_of(const std::string& pem) { return pem.substr(pem.find("\n\n") + 1); }

std::string error_of(std::string_view text) {
  try {
    (void)build_store(parse_certdata(text, "bad.txt"), "bad.txt", "");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::input);
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("the bundled snapshot is mozilla/certdata.txt, NSS 3.123", "[mozilla]") {
  const SnapshotInfo info = bundled_snapshot_info();
  CHECK(info.sha256 == "77130ef91213772844561fbd3aa31d413b25c2ac7f576fea3bc3bbff7ef93489");
  CHECK(info.nss_version == "3.123");
  CHECK(info.builtins_version == "2.86");
  const std::string_view text = bundled_snapshot_text();
  CHECK(to_hex(sha256(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()))) == info.sha256);
}

TEST_CASE("certdata.txt 2.86 reads as 167 certificates with their trust", "[mozilla]") {
  const Store& store = bundled_store();
  CHECK(store.roots.size() == 167);  // SOURCES.txt: 167 CKO_CERTIFICATE
  CHECK(store.sha256 == bundled_snapshot_info().sha256);
  // The bundled store defers OpenSSL's full parse; every certificate must parse in full, and the
  // names, key and dates read early must be what OpenSSL reads.
  const Store file = load_store(std::string(CERTBUNDLE_TEST_DATA) + "/../../mozilla/certdata.txt");
  CHECK(file.sha256 == store.sha256);
  REQUIRE(file.roots.size() == store.roots.size());
  for (std::size_t i = 0; i < store.roots.size(); ++i) {
    const Certificate& lazy = store.roots[i].cert;
    const Certificate& full = file.roots[i].cert;
    INFO(store.roots[i].label);
    REQUIRE(lazy.native() != nullptr);
    CHECK(std::ranges::equal(lazy.subject_der(), full.subject_der()));
    CHECK(std::ranges::equal(lazy.issuer_der(), full.issuer_der()));
    CHECK(std::ranges::equal(lazy.spki_der(), full.spki_der()));
    CHECK(lazy.not_before() == full.not_before());
    CHECK(lazy.not_after() == full.not_after());
    CHECK(lazy.subject() == full.subject());
  }
  CHECK(store.trust_only.empty());
  const auto count = std::count_if(store.roots.begin(), store.roots.end(), [](const Root& r) {
    return r.trust.server_auth == Trust::trusted_delegator;
  });
  CHECK(count == 121);

  const auto find = [&](std::string_view label) {
    const auto it = std::find_if(store.roots.begin(), store.roots.end(),
                                 [&](const Root& r) { return r.label == label; });
    REQUIRE(it != store.roots.end());
    return *it;
  };
  // FACTS.md §4: distrust-after on the certificate object for Entrust and ePKI; on the trust
  // object only for Izenpe.
  CHECK(format_time(*find("Entrust Root Certification Authority").server_distrust_after) ==
        "2024-11-30T23:59:59Z");
  CHECK(format_date(*find("ePKI Root Certification Authority").server_distrust_after) == "2025-04-15");
  const Root izenpe = find("Izenpe.com");
  CHECK_FALSE(izenpe.server_distrust_after);
  REQUIRE(izenpe.trust_object_server_distrust_after);
  CHECK(format_date(*izenpe.trust_object_server_distrust_after) == "2026-04-15");
  // Labels are kept exactly, non-ASCII included.
  CHECK(find("NetLock Arany (Class Gold) F\xc5\x91tan\xc3\xbas\xc3\xadtv\xc3\xa1ny").cert.key().type == "RSA");
  CHECK(find("e-Szigno TLS Root CA 2023").cert.key().curve == "P-521");
}

TEST_CASE("selection equals mk-ca-bundle 1.33's set on 2026-11-21, and 120 a week later", "[mozilla]") {
  const Selection s = select_roots(bundled_store(), at("2026-11-21"));
  CHECK(s.certs.size() == 121);
  CHECK(fingerprints(s) == expected_fingerprints());
  CHECK(s.warnings.empty());

  // Entrust Root Certification Authority expires 2026-11-27T20:53:42Z.
  CHECK(select_roots(bundled_store(), at("2026-11-27T20:53:42Z")).certs.size() == 121);
  CHECK(select_roots(bundled_store(), at("2026-11-27T20:53:43Z")).certs.size() == 120);
  CHECK(select_roots(bundled_store(), at("2026-11-28")).certs.size() == 120);
}

TEST_CASE("export equals curl's cacert.pem, certificates and order", "[mozilla]") {
  const Selection s = select_roots(bundled_store(), at("2026-11-21"));
  const std::string ours = to_cacert_pem(s.certs, "##\n\n");
  CHECK(body_of(ours) == body_of(read_file(data + "/mozilla/cacert.pem")));
}

TEST_CASE("a deferred parse reads v1 roots and odd serials as OpenSSL does", "[mozilla]") {
  // certdata-old.txt holds X.509 v1 roots (no version field) and a negative serial (EC-ACC).
  const std::string text = read_file(data + "/mozilla/certdata-old.txt");
  const Store full = load_store(data + "/mozilla/certdata-old.txt");
  const Store lazy = build_store(parse_certdata(text, "old"), "old", full.sha256, Parse::deferred);
  REQUIRE(lazy.roots.size() == full.roots.size());
  std::size_t v1 = 0;
  for (std::size_t i = 0; i < full.roots.size(); ++i) {
    INFO(full.roots[i].label);
    CHECK(std::ranges::equal(lazy.roots[i].cert.subject_der(), full.roots[i].cert.subject_der()));
    CHECK(std::ranges::equal(lazy.roots[i].cert.spki_der(), full.roots[i].cert.spki_der()));
    CHECK(lazy.roots[i].cert.not_after() == full.roots[i].cert.not_after());
    if (X509_get_version(full.roots[i].cert.native()) == 0) ++v1;
  }
  CHECK(v1 > 0);
  std::string why;
  const std::uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
  CHECK_FALSE(Certificate::from_der(junk, &why, Parse::deferred));
  CHECK(why == "not a certificate");
}

TEST_CASE("certdata-old.txt (2021) on 2021-11-01 gives cacert-old.pem's 130", "[mozilla]") {
  const Store store = load_store(data + "/mozilla/certdata-old.txt");
  CHECK(store.roots.size() == 150);
  CHECK(store.trust_only.size() == 4);  // "Explicitly Distrust" trust objects without certificates
  for (const TrustOnly& t : store.trust_only) CHECK(t.trust.server_auth == Trust::not_trusted);
  const Selection s = select_roots(store, at("2021-11-01"));
  CHECK(s.certs.size() == 130);
  CHECK(body_of(to_cacert_pem(s.certs, "##\n\n")) == body_of(read_file(data + "/mozilla/cacert-old.pem")));
  // DST Root CA X3 expired on 2021-09-30 and is left out; EC-ACC's distrust-after date had passed
  // but mk-ca-bundle ignores it.
  const auto has = [&](std::string_view label) {
    return std::any_of(s.certs.begin(), s.certs.end(), [&](const Selected& c) { return c.label == label; });
  };
  CHECK_FALSE(has("DST Root CA X3"));
  CHECK(has("EC-ACC"));
  CHECK(select_roots(store, at("2021-09-30")).certs.size() == 131);  // DST Root CA X3 still valid
}

TEST_CASE("distrust-after rules", "[mozilla]") {
  const Store& store = bundled_store();
  auto o = at("2026-11-21");
  o.distrust_after = DistrustAfterRule::strict;  // Entrust (2024-11-30) and ePKI (2025-04-15) out
  CHECK(select_roots(store, o).certs.size() == 119);
  // Grace ends 398 days after the date (Python: datetime + timedelta(days=398)):
  // Entrust 2024-11-30T23:59:59Z -> 2026-01-02T23:59:59Z, ePKI 2025-04-15T23:59:59Z -> 2026-05-18T23:59:59Z.
  o.distrust_after = DistrustAfterRule::grace;
  CHECK(select_roots(store, o).certs.size() == 119);
  o.at = parse_time("2026-01-02T23:59:59Z");
  CHECK(select_roots(store, o).certs.size() == 121);
  o.at = parse_time("2026-01-03T00:00:00Z");
  CHECK(select_roots(store, o).certs.size() == 120);
  o.at = parse_time("2026-05-18T23:59:59Z");
  CHECK(select_roots(store, o).certs.size() == 120);
  o.at = parse_time("2026-05-19T00:00:00Z");
  CHECK(select_roots(store, o).certs.size() == 119);
  // The default, mk-ca-bundle's rule, ignores the dates.
  o.distrust_after = DistrustAfterRule::ignore;
  CHECK(select_roots(store, o).certs.size() == 121);
  CHECK(parse_distrust_after_rule("grace") == DistrustAfterRule::grace);
  CHECK_THROWS_AS(parse_distrust_after_rule("lenient"), Error);
}

TEST_CASE("include and exclude by label, glob and SHA-256", "[mozilla]") {
  const Store& store = bundled_store();
  auto o = at("2026-11-21");
  o.include = {"Amazon Root CA *"};
  CHECK(select_roots(store, o).certs.size() == 4);
  o.exclude = {"Amazon Root CA 4",
               // Amazon Root CA 3, as `openssl x509 -fingerprint -sha256` prints it
               "18:CE:6C:FE:7B:F1:4E:60:B2:E3:47:B8:DF:E8:68:CB:31:D0:2E:BB:3A:DA:27:15:69:F5:03:43:B4:6D:B3:A4"};
  const Selection s = select_roots(store, o);
  REQUIRE(s.certs.size() == 2);
  CHECK(s.certs[0].label == "Amazon Root CA 1");
  CHECK(s.certs[1].label == "Amazon Root CA 2");

  o = at("2026-11-28");
  o.include = {"Entrust Root Certification Authority"};
  const Selection expired = select_roots(store, o);
  CHECK(expired.certs.empty());
  REQUIRE(expired.warnings.size() == 1);
  CHECK_THAT(expired.warnings[0], Catch::Contains("expired on 2026-11-27T20:53:42Z"));

  o.include = {"No Such Root*"};
  CHECK_THROWS_WITH(select_roots(store, o), Catch::StartsWith("\"No Such Root*\" matches no root in bundled certdata.txt"));
}

TEST_CASE("ESP-IDF's common-CA filter names the entries that match nothing", "[mozilla]") {
  const Store store = load_store(data + "/idf/cacrt_all.pem");
  CHECK_FALSE(store.has_trust_bits);
  CHECK(store.roots.size() == 121);
  auto o = at("2026-11-21");
  o.filter_csv = read_filter_csv(data + "/idf/cmn_crt_authorities.csv");
  const Selection s = select_roots(store, o);
  // 35 rows, of which two name no label of cacrt_all.pem (checked with Python's csv module
  // against the "label / ====" headings).
  CHECK(s.certs.size() == 33);
  REQUIRE(s.warnings.size() == 2);
  CHECK_THAT(s.warnings[0], Catch::Contains(":") && Catch::Contains("\"Starfield Class 2 CA\" matches no trusted root"));
  CHECK_THAT(s.warnings[1], Catch::Contains("\"Comodo AAA Services root\" matches no trusted root"));
  // The row with a quoted owner ("IdenTrust Services, LLC") is read as Python's csv module does.
  CHECK(std::any_of(s.certs.begin(), s.certs.end(),
                    [](const Selected& c) { return c.label == "IdenTrust Commercial Root CA 1"; }));
}

TEST_CASE("the bundled common filter is ESP-IDF's file", "[mozilla]") {
  CHECK(bundled_common_filter().text == read_file(data + "/idf/cmn_crt_authorities.csv"));
  auto o = at("2026-11-21");
  o.filter_csv = bundled_common_filter();
  CHECK(select_roots(bundled_store(), o).certs.size() == 33);
}

TEST_CASE("garbled certdata.txt gives one-line errors naming the line", "[mozilla][errors]") {
  const std::string head = "# header\nBEGINDATA\n";
  CHECK(error_of("no data here\n") == "cannot read \"bad.txt\": no BEGINDATA line: not a certdata.txt");
  CHECK(error_of(head + "CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_VALUE MULTILINE_OCTAL\n\\060\\003\n") ==
        "cannot read \"bad.txt\": line 4: MULTILINE_OCTAL value has no END line (the file ends first)");
  CHECK(error_of(head + "CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_VALUE MULTILINE_OCTAL\n\\060\n"
                        "CKA_LABEL UTF8 \"x\"\n") ==
        "cannot read \"bad.txt\": line 6: MULTILINE_OCTAL value from line 4 has no END line");
  CHECK(error_of(head + "CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_TOKEN CK_WEIRD CK_TRUE\n") ==
        "cannot read \"bad.txt\": line 4: unknown type \"CK_WEIRD\" for CKA_TOKEN");
  CHECK(error_of(head + "CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_LABEL UTF8 \"open\n") ==
        "cannot read \"bad.txt\": line 4: UTF8 value is not a quoted string");
  CHECK(error_of(head + "CKA_LABEL UTF8 \"x\"\n") ==
        "cannot read \"bad.txt\": line 3: CKA_LABEL outside an object (expected CKA_CLASS first)");
  CHECK(error_of(head + "CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_VALUE MULTILINE_OCTAL\n\\06x\nEND\n") ==
        "cannot read \"bad.txt\": line 5: malformed octal escape (expected \\ooo)");
  CHECK(error_of(head + "CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_VALUE MULTILINE_OCTAL\n\\060\\000\nEND\n") ==
        "cannot read \"bad.txt\": line 4: CKA_VALUE is not a certificate: field missing");  // OpenSSL 3.0 reason
  CHECK(error_of(head + "CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\n") ==
        "cannot read \"bad.txt\": line 4: CKA_CLASS given twice in the object that starts at line 3");
  // A file cut off in the middle of the real data.
  const std::string_view real = bundled_snapshot_text();
  const std::string cut(real.substr(0, real.find("END", 20000)));
  CHECK_THAT(error_of(cut), Catch::Contains("has no END line"));
}

TEST_CASE("UTF8 labels with \\x escapes and leading spaces are kept exactly", "[mozilla]") {
  const auto objects = parse_certdata(
      "BEGINDATA\nCKA_CLASS CK_OBJECT_CLASS CKO_NSS_TRUST\nCKA_LABEL UTF8 \" F\\xC5\\x91 \\xc3\\xBA\"\n", "x");
  REQUIRE(objects.size() == 1);
  CHECK(objects[0].find("CKA_LABEL")->text == " F\xc5\x91 \xc3\xba");
  CHECK(objects[0].klass == "CKO_NSS_TRUST");
}
