// certbundle build, planned in memory from a manifest and a lock made of real certificates.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "certbundle/bundle/format.hpp"
#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/mozilla/certdata.hpp"
#include "certbundle/project/build.hpp"
#include "certbundle/x509/load.hpp"

using namespace certbundle;
using namespace certbundle::project;

namespace {

const std::string data = CERTBUNDLE_TEST_DATA;

Certificate cert_of(const std::string& file) { return load_certificates(data + "/" + file).front().cert; }

// An endpoint "api" whose device anchor is Baltimore CyberTrust Root (from ESP-IDF's test data),
// which also stands for the chain (a server that sends its root alone): the anchor is part of the
// chain, as a lock requires (tests/cli/project_lifecycle.sh builds from real chains). Mozilla no
// longer carries Baltimore, so the manifests below say allow_untrusted = true.
Lock baltimore_lock() {
  Lock lock;
  LockedEndpoint e;
  e.target = "https://api.example.com";
  e.browser_trusted = true;
  e.chain = {LockedCert{cert_of("idf/baltimore.der"), "Baltimore CyberTrust Root", "presented"}};
  e.device_anchor = LockedCert{cert_of("idf/baltimore.der"), "Baltimore CyberTrust Root", "mozilla"};
  e.browser_anchors = {*e.device_anchor};
  lock.endpoints["api"] = e;
  return lock;
}

const char* const manifest_text = R"(
[policy]
format = "v1"
[[endpoint]]
name = "api"
url = "https://api.example.com"
allow_untrusted = true
[bundle]
roots = "endpoints"
[[pem]]
name = "ca.pem"
endpoints = ["api"]
labels = ["ISRG Root X1"]
emit = ["pem", "c"]
)";

std::string build_error(const std::string& text, const Lock& lock) {
  try {
    (void)plan_build(parse_manifest(text, "certbundle.toml"), lock, mozilla::bundled_store(), parse_time("2026-11-21"));
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::input);
    return e.what();
  }
  return "no error";
}

const std::string* file_named(const BuildResult& r, const std::string& name) {
  for (const auto& f : r.files) {
    if (f.name == name) return &f.bytes;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("an endpoints bundle holds the endpoint's anchors and nothing else", "[project]") {
  const BuildResult r = plan_build(parse_manifest(manifest_text, "certbundle.toml"), baltimore_lock(),
                                   mozilla::bundled_store(), parse_time("2026-11-21"));
  const std::string* bundle = file_named(r, "x509_crt_bundle");
  REQUIRE(bundle != nullptr);
  // ESP-IDF's own expected V1 bundle for baltimore.der.
  CHECK(*bundle == read_file(data + "/idf/baltimore_crt_bundle.v1_BE"));
  const std::string* pem = file_named(r, "ca.pem");
  REQUIRE(pem != nullptr);
  const auto certs = parse_pem(*pem, "ca.pem");
  REQUIRE(certs.size() == 2);
  CHECK(certs[0].cert == cert_of("idf/baltimore.der"));
  CHECK(certs[1].cert.common_name() == "ISRG Root X1");
  CHECK(pem->back() == '\n');
  const std::string* c = file_named(r, "ca_pem.c");
  REQUIRE(c != nullptr);
  CHECK_THAT(*c, Catch::Contains(fmt::format("ca_pem_len = {};", pem->size() + 1)));
  CHECK(file_named(r, "certbundle-build.txt") != nullptr);
  CHECK_THAT(r.report, Catch::Contains("x509_crt_bundle: ESP-IDF certificate bundle, format V1, 1 certificates, 392 bytes"));
}

TEST_CASE("roots = common and all add Mozilla's roots to the endpoint anchors", "[project]") {
  std::string text = manifest_text;
  text.replace(text.find("roots = \"endpoints\""), 19, "roots = \"common\"");
  BuildResult r = plan_build(parse_manifest(text, "m.toml"), baltimore_lock(), mozilla::bundled_store(),
                             parse_time("2026-11-21"));
  // 33 common CAs (tests/unit/test_mozilla.cpp) + Baltimore, which Mozilla no longer carries.
  CHECK(bundle::read_bundle(ByteView(reinterpret_cast<const std::uint8_t*>(file_named(r, "x509_crt_bundle")->data()),
                                     file_named(r, "x509_crt_bundle")->size()),
                            bundle::Format::v1, "b")
            .records.size() == 34);
  text.replace(text.find("roots = \"common\""), 16, "roots = \"all\"");
  r = plan_build(parse_manifest(text, "m.toml"), baltimore_lock(), mozilla::bundled_store(), parse_time("2026-11-21"));
  CHECK_THAT(r.report, Catch::Contains("122 certificates"));
}

TEST_CASE("build refuses a manifest and lock that disagree, naming the line", "[project][errors]") {
  Lock lock = baltimore_lock();
  CHECK(build_error(manifest_text, Lock{}) ==
        "certbundle.toml:4: endpoint \"api\" is not in the lock: run `certbundle lock`");
  lock.endpoints["api"].target = "https://old.example.com";
  CHECK(build_error(manifest_text, lock) ==
        "certbundle.toml:4: endpoint \"api\" was locked for https://old.example.com, the manifest says "
        "https://api.example.com: run `certbundle lock`");
  std::string text = manifest_text;
  text.replace(text.find("ISRG Root X1"), 12, "ISRG Root X9");
  CHECK(build_error(text, baltimore_lock()) ==
        "certbundle.toml:10: [[pem]] \"ca.pem\": labels: \"ISRG Root X9\" matches no root in bundled certdata.txt "
        "(NSS 3.123, builtins 2.86, 2026-04-09)");
  text = std::string(manifest_text) + "[[pem]]\nname = \"x.pem\"\nfiles = [\"no/such.pem\"]\n";
  CHECK(build_error(text, baltimore_lock()) == "cannot read \"no/such.pem\": No such file or directory");
}

TEST_CASE("a damaged lock is refused with what is wrong", "[project][errors]") {
  const std::string good = to_json(baltimore_lock());
  CHECK(parse_lock(good, "l").endpoints.at("api").device_anchor->label == "Baltimore CyberTrust Root");
  CHECK(to_json(parse_lock(good, "l")) == good);  // stable: read and written back, the same bytes
  const auto error_of = [](const std::string& text) {
    try {
      (void)parse_lock(text, "certbundle.lock");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::input);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of(good.substr(0, good.size() / 2)).starts_with("cannot read \"certbundle.lock\": byte "));
  CHECK(error_of("{}") == "cannot read \"certbundle.lock\": not a certbundle lock (run `certbundle lock` to write it again)");
  std::string edited = good;
  const auto pos = edited.find("\"sha256\": \"") + 11;
  edited[pos] = edited[pos] == '0' ? '1' : '0';
  CHECK_THAT(error_of(edited), Catch::Contains("does not match \"der\""));
}

TEST_CASE("the build's IDF version picks the format only when the manifest gives none", "[project]") {
  const std::string endpoint =
      "[[endpoint]]\nname = \"api\"\nurl = \"https://api.example.com\"\nallow_untrusted = true\n[bundle]\n";
  const auto bundle_of = [&](const std::string& text, std::optional<bundle::Format> fallback) {
    const BuildResult r = plan_build(parse_manifest(text, "m.toml"), baltimore_lock(), mozilla::bundled_store(),
                                     parse_time("2026-11-21"), fallback);
    return *file_named(r, "x509_crt_bundle");
  };
  const std::string v1 = read_file(data + "/idf/baltimore_crt_bundle.v1_BE");
  const std::string v2 = read_file(data + "/idf/baltimore_crt_bundle.v2_LEoffsets");
  CHECK(bundle_of(endpoint, std::nullopt) == v2);
  CHECK(bundle_of(endpoint, bundle::Format::v1) == v1);
  CHECK(bundle_of("[policy]\nidf_version = \"5.4\"\n" + endpoint, bundle::Format::v1) == v2);
  CHECK(bundle_of("[policy]\nformat = \"v1\"\n" + endpoint, bundle::Format::v2) == v1);
}
