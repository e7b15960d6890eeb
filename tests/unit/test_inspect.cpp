// Inspecting bundles, PEM and DER files. Expected names, keys and fingerprints were printed by
// `openssl x509 -nameopt RFC2253 -subject -fingerprint -sha256` and `openssl x509 -pubkey |
// openssl pkey -pubin -outform DER | sha256sum` from ESP-IDF's test inputs.
#include <catch2/catch.hpp>

#include <random>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "certbundle/bundle/inspect.hpp"
#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/mozilla/certdata.hpp"

using namespace certbundle;
using namespace certbundle::bundle;

namespace {

const std::string data_dir = std::string(CERTBUNDLE_TEST_DATA);
const std::string idf = data_dir + "/idf/";

ByteView view(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

Inspection inspect_file(const std::string& file, const mozilla::Store* store = nullptr) {
  static std::string keep;  // inspect() does not keep the bytes; the name is enough
  keep = read_file(idf + file);
  return inspect(view(keep), file, store);
}

const char* const baltimore_subject = "CN=Baltimore CyberTrust Root,OU=CyberTrust,O=Baltimore,C=IE";
const char* const baltimore_spki =
    "63d9af9b47b1064d49a10e7b7fd566dbc8caa399459bfc2829c571ad8c6ef34a";
const char* const entrust_subject =
    "CN=Entrust Root Certification Authority,OU=(c) 2006 Entrust\\, Inc.,OU=www.entrust.net/CPS is "
    "incorporated by reference,O=Entrust\\, Inc.,C=US";
const char* const entrust_spki = "6dbfae00d37b9cd73f8fb47de65917af00e0dddf42dbceac20c17c0275ee2095";

// A V1 bundle made of the records of single-certificate V1 test vectors, in the order given.
std::string v1_of(std::initializer_list<std::string> singles) {
  std::string out(1, '\0');
  out.push_back(static_cast<char>(singles.size()));
  for (const auto& s : singles)
    out += s.substr(2);
  return out;
}

}  // namespace

TEST_CASE("inspect: each test vector's kind is told by its content", "[inspect]") {
  for (const auto& [file, kind] :
       {std::pair{"baltimore_crt_bundle.v1_BE", Kind::bundle_v1},
        std::pair{"entrust_crt_bundle.v1_BE", Kind::bundle_v1},
        std::pair{"baltimore_crt_bundle.v2_LEoffsets", Kind::bundle_v2},
        std::pair{"entrust_crt_bundle.v2_LEoffsets", Kind::bundle_v2},
        std::pair{"mbedtls_ut.server_cert_bundle", Kind::bundle_v2},
        std::pair{"mbedtls_ut.ecdsa_cert_bundle", Kind::bundle_v2},
        std::pair{"mbedtls_ut.bad_md_test_bundle", Kind::bundle_v2},
        std::pair{"baltimore.der", Kind::der}, std::pair{"entrust.pem", Kind::pem},
        std::pair{"cacrt_all.pem", Kind::pem}}) {
    INFO(file);
    const std::string data = read_file(idf + file);
    CHECK(detect(view(data)) == kind);
  }
  CHECK(detect(ByteView{}) == Kind::bundle_v2);
}

TEST_CASE("inspect: bundle entries show subject, key and SPKI fingerprint", "[inspect]") {
  const Inspection v1 = inspect_file("baltimore_crt_bundle.v1_BE");
  CHECK(v1.kind == Kind::bundle_v1);
  CHECK(v1.size == 392);
  REQUIRE(v1.entries.size() == 1);
  CHECK(v1.entries[0].offset == 2U);
  CHECK(v1.entries[0].subject == baltimore_subject);
  CHECK(v1.entries[0].key == "RSA 2048");
  CHECK(v1.entries[0].spki_sha256 == baltimore_spki);
  CHECK(v1.entries[0].sha256.empty());
  CHECK_FALSE(v1.entries[0].not_after);
  CHECK(v1.warnings.empty());

  const Inspection v2 = inspect_file("entrust_crt_bundle.v2_LEoffsets");
  CHECK(v2.kind == Kind::bundle_v2);
  REQUIRE(v2.entries.size() == 1);
  CHECK(v2.entries[0].offset == 4U);
  CHECK(v2.entries[0].subject == entrust_subject);
  CHECK(v2.entries[0].spki_sha256 == entrust_spki);

  const Inspection ecdsa = inspect_file("mbedtls_ut.ecdsa_cert_bundle");
  REQUIRE_FALSE(ecdsa.entries.empty());
  CHECK(ecdsa.entries[0].key.rfind("EC ", 0) == 0);
}

TEST_CASE("inspect: certificates also show their dates and SHA-256", "[inspect]") {
  const Inspection der = inspect_file("baltimore.der");
  CHECK(der.kind == Kind::der);
  REQUIRE(der.entries.size() == 1);
  CHECK(der.entries[0].subject == baltimore_subject);
  CHECK(der.entries[0].spki_sha256 == baltimore_spki);
  CHECK(format_time(*der.entries[0].not_before) == "2000-05-12T18:46:00Z");
  CHECK(format_time(*der.entries[0].not_after) == "2025-05-12T23:59:00Z");
  CHECK(der.entries[0].sha256 ==
        "16af57a9f676b0ab126095aa5ebadef22ab31119d644ac95cd4b93dbf3f26aeb");

  const Inspection pem = inspect_file("entrust.pem");
  CHECK(pem.kind == Kind::pem);
  REQUIRE(pem.entries.size() == 1);
  // entrust.pem starts with curl's heading: the label, a line of '=', then the block on line 3.
  CHECK(pem.entries[0].origin == "entrust.pem:3");
  CHECK(pem.entries[0].label == "Entrust Root Certification Authority");
  CHECK(format_time(*pem.entries[0].not_after) == "2026-11-27T20:53:42Z");
  CHECK(pem.entries[0].sha256 ==
        "73c176434f1bc6d5adf45b0e76e727287c8de57616c1e6e6141a2b2cbc7d8e4c");
}

TEST_CASE("inspect: entries are named after the Mozilla root with the same subject and key",
          "[inspect]") {
  const mozilla::Store store = mozilla::load_store(data_dir + "/mozilla/cacert.pem");
  const Inspection entrust = inspect_file("entrust_crt_bundle.v2_LEoffsets", &store);
  REQUIRE(entrust.entries.size() == 1);
  CHECK(entrust.entries[0].mozilla_label == "Entrust Root Certification Authority");
  // Baltimore CyberTrust Root expired in 2025 and is no longer in Mozilla's store.
  const Inspection baltimore = inspect_file("baltimore_crt_bundle.v1_BE", &store);
  CHECK(baltimore.entries.at(0).mozilla_label.empty());
  // The same subject with another key is another root.
  const std::string espressif = read_file(idf + "mbedtls_ut.server_cert_bundle");
  CHECK(inspect(view(espressif), "x", &store).entries.at(0).mozilla_label.empty());
}

TEST_CASE("inspect: records out of order and repeated subjects are warned about", "[inspect]") {
  const std::string baltimore = read_file(idf + "baltimore_crt_bundle.v1_BE");
  const std::string entrust = read_file(idf + "entrust_crt_bundle.v1_BE");
  // Entrust's subject (30 81 b0 ...) sorts after Baltimore's (30 5a ...).
  const std::string unsorted = v1_of({entrust, baltimore});
  const Inspection u = inspect(view(unsorted), "u.bin", nullptr);
  CHECK(u.kind == Kind::bundle_v1);
  REQUIRE(u.warnings.size() == 1);
  CHECK(u.warnings[0] ==
        "entry 1 (offset 479) sorts before the entry above it: the device's "
        "binary search may never find it");
  CHECK(inspect(view(v1_of({baltimore, entrust})), "s.bin", nullptr).warnings.empty());

  const std::string twice = v1_of({baltimore, baltimore});
  const Inspection t = inspect(view(twice), "t.bin", nullptr);
  REQUIRE(t.warnings.size() == 1);
  CHECK(t.warnings[0].find("entry 0 (offset 2) and entry 1 (offset 392) have the same subject") ==
        0);
  const std::string thrice = v1_of({baltimore, baltimore, baltimore});
  const Inspection three = inspect(view(thrice), "3.bin", nullptr);
  REQUIRE(three.warnings.size() == 1);
  CHECK(three.warnings[0].find("entry 0 (offset 2), entry 1 (offset 392) and entry 2 (offset 782) "
                               "have the same subject") == 0);
}

TEST_CASE("inspect: damaged files give one-line errors naming the file and where", "[inspect]") {
  const auto error_of = [](const std::string& data) {
    try {
      (void)inspect(view(data), "bad.bin", nullptr);
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::input);
      const std::string message = e.what();
      CHECK(message.find('\n') == std::string::npos);
      return message;
    }
    FAIL("no error");
    return std::string();
  };
  const std::string v2 = read_file(idf + "baltimore_crt_bundle.v2_LEoffsets");
  CHECK(error_of(v2.substr(0, 300)).find("cannot read \"bad.bin\": offset 4: record 0") == 0);
  std::string count = read_file(idf + "baltimore_crt_bundle.v1_BE");
  count[1] = 3;
  CHECK(error_of(count).find("cannot read \"bad.bin\": offset 392: the count announces 3") == 0);
  // DER that is not a certificate: a SEQUENCE holding an INTEGER.
  CHECK(error_of(std::string("\x30\x82\x00\x03\x02\x01\x00", 7))
            .find("cannot read \"bad.bin\": not a DER certificate") == 0);
  // Text without a certificate is read as PEM and says so.
  CHECK(error_of("hello\n").find("cannot read \"bad.bin\"") == 0);
}

TEST_CASE("inspect: the table and the JSON carry every field", "[inspect]") {
  const mozilla::Store store = mozilla::load_store(data_dir + "/mozilla/cacert.pem");
  const Inspection bundle = inspect_file("entrust_crt_bundle.v1_BE", &store);
  const Inspection pem = inspect_file("entrust.pem", &store);

  std::ostringstream table;
  print_table(bundle, table);
  const std::string text = table.str();
  CHECK(text.rfind("entrust_crt_bundle.v1_BE: ESP-IDF bundle V1 (ESP-IDF 4.2 to 5.3, "
                   "arduino-esp32 2.0.x to 3.1.x), 1 entry, 479 bytes\n",
                   0) == 0);
  CHECK(text.find(entrust_spki) != std::string::npos);
  CHECK(text.find("Entrust Root Certification Authority  CN=Entrust") != std::string::npos);

  const auto json = nlohmann::json::parse(to_json({bundle, pem}));
  REQUIRE(json["files"].size() == 2);
  const auto& b = json["files"][0];
  CHECK(b["file"] == "entrust_crt_bundle.v1_BE");
  CHECK(b["kind"] == "bundle_v1");
  CHECK(b["size"] == 479);
  CHECK(b["count"] == 1);
  CHECK(b["entries"][0]["offset"] == 2);
  CHECK(b["entries"][0]["subject"] == entrust_subject);
  CHECK(b["entries"][0]["key"] == "RSA 2048");
  CHECK(b["entries"][0]["spki_sha256"] == entrust_spki);
  CHECK(b["entries"][0]["mozilla_label"] == "Entrust Root Certification Authority");
  const auto& p = json["files"][1];
  CHECK(p["kind"] == "pem");
  CHECK(p["entries"][0]["not_after"] == "2026-11-27T20:53:42Z");
  CHECK(p["entries"][0]["origin"] == "entrust.pem:3");
  CHECK(p["entries"][0]["label"] == "Entrust Root Certification Authority");
}

TEST_CASE("inspect: no input crashes it", "[inspect]") {
  // Random bytes, and real files with random bytes changed: each inspects or throws Error.
  std::mt19937 random(20261121);
  std::vector<std::string> seeds;
  for (const char* file : {"entrust_crt_bundle.v1_BE", "entrust_crt_bundle.v2_LEoffsets",
                           "baltimore.der", "entrust.pem", "mbedtls_ut.ecdsa_cert_bundle"}) {
    seeds.push_back(read_file(idf + file));
  }
  seeds.emplace_back();
  for (int round = 0; round < 3000; ++round) {
    std::string data = seeds[static_cast<std::size_t>(round) % seeds.size()];
    if (data.empty()) data.resize(1 + random() % 64);
    const std::size_t changes = 1 + random() % 4;
    for (std::size_t i = 0; i < changes; ++i) {
      data[random() % data.size()] = static_cast<char>(random() % 256);
    }
    if (random() % 4 == 0) data.resize(random() % (data.size() + 1));
    try {
      (void)inspect(view(data), "fuzz", nullptr);
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find('\n') == std::string::npos);
    }
  }
}
