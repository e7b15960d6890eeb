// certbundle.toml: every section read, and every mistake reported with its line.
#include <catch2/catch.hpp>

#include "certbundle/core/error.hpp"
#include "certbundle/project/lock.hpp"
#include "certbundle/project/manifest.hpp"

using namespace certbundle;
using namespace certbundle::project;

namespace {

std::string error_of(const std::string& text) {
  try {
    (void)parse_manifest(text, "proj/certbundle.toml");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::input);
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a full manifest reads into its parts", "[manifest]") {
  const Manifest m = parse_manifest(R"(
[policy]
warn_days = 60
fail_days = 14
horizon = 2030-12-31
lock_max_age_days = 45
mozilla = "data/certdata.txt"
distrust_after = "grace"
idf_version = "5.3"

[[endpoint]]
name = "api"
url = "https://api.example.com"

[[endpoint]]
name = "mail"
host = "::1"
port = 587
starttls = "smtp"
alpn = ["smtp"]

[bundle]
roots = "common"
include = ["Amazon Root CA *"]
extra = "certs/private.pem"
emit = ["bin", "c"]

[[pem]]
name = "server_root_cert_pem"
endpoints = ["api"]
next = ["ISRG Root X2", "certs/new.pem"]
retire_after = 2027-06-30

[[identity]]
name = "device"
cert = "certs/device.pem"
)", "proj/certbundle.toml");
  CHECK(m.policy.warn_days == 60);
  CHECK(m.policy.fail_days == 14);
  CHECK(format_time(*m.policy.horizon) == "2030-12-31T00:00:00Z");
  CHECK(*m.policy.lock_max_age_days == 45);
  CHECK(m.resolve(m.policy.mozilla) == "proj/data/certdata.txt");
  CHECK(m.policy.distrust_after == mozilla::DistrustAfterRule::grace);
  CHECK(m.policy.idf_version == "5.3");
  REQUIRE(m.endpoints.size() == 2);
  CHECK(m.endpoints[0].target == "https://api.example.com");
  CHECK(m.endpoints[1].target == "[::1]:587");
  CHECK(m.endpoints[1].starttls == "smtp");
  CHECK(m.endpoints[1].line == 15);
  REQUIRE(m.bundle);
  CHECK(m.bundle->name == "x509_crt_bundle");
  CHECK(m.bundle->roots == Roots::common);
  CHECK(m.bundle->extra == std::vector<std::filesystem::path>{"certs/private.pem"});
  CHECK(m.bundle->emit == std::vector<Emit>{Emit::bin, Emit::c});
  REQUIRE(m.pems.size() == 1);
  CHECK(m.pems[0].next.size() == 2);
  CHECK(format_date(*m.pems[0].retire_after) == "2027-06-30");
  CHECK(m.pems[0].emit == std::vector<Emit>{Emit::pem});
  REQUIRE(m.identities.size() == 1);
  CHECK(m.find_endpoint("mail") == &m.endpoints[1]);
  CHECK(m.find_endpoint("nope") == nullptr);
}

TEST_CASE("manifest mistakes name the line and the key", "[manifest][errors]") {
  CHECK(error_of("[policy]\nwarn_day = 10\n") ==
        "cannot read \"proj/certbundle.toml\": line 2: unknown key \"warn_day\" in [policy] "
        "(did you mean \"warn_days\"?)");
  CHECK(error_of("[polcy]\n") ==
        "cannot read \"proj/certbundle.toml\": line 1: unknown key \"polcy\" in the manifest "
        "(did you mean \"policy\"?)");
  CHECK(error_of("[policy]\nzzzzzzzzzz = 1\n") ==
        "cannot read \"proj/certbundle.toml\": line 2: unknown key \"zzzzzzzzzz\" in [policy]");
  CHECK(error_of("[policy]\nwarn_days = \"ninety\"\n") ==
        "cannot read \"proj/certbundle.toml\": line 2: policy.warn_days must be a whole number of days (0 or more)");
  CHECK(error_of("[policy]\nhorizon = 2030-02-30\n").find("line 2") != std::string::npos);
  CHECK(error_of("[policy]\nhorizon = \"soon\"\n") ==
        "cannot read \"proj/certbundle.toml\": line 2: policy.horizon: \"soon\" is not a date: "
        "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
  CHECK(error_of("[[endpoint]]\nname = \"a\"\nurl = \"https://a\"\n[[pem]]\nname = \"p\"\nendpoints = [\"b\"]\n") ==
        "cannot read \"proj/certbundle.toml\": line 6: [[pem]] \"p\" names endpoint \"b\", which is not declared");
  CHECK(error_of("[bundle]\nname = \"x\"\n[[pem]]\nname = \"x\"\nlabels = [\"ISRG Root X1\"]\n") ==
        "cannot read \"proj/certbundle.toml\": line 3: [[pem]] \"x\" would write \"x\", which [bundle] \"x\" (line 1) "
        "writes too");
  CHECK(error_of("[[endpoint]]\nname = \"a\"\n") ==
        "cannot read \"proj/certbundle.toml\": line 1: endpoint \"a\" needs a url or a host");
  CHECK(error_of("[bundle]\nroots = \"most\"\n") ==
        "cannot read \"proj/certbundle.toml\": line 2: bundle.roots \"most\": expected endpoints, common, all or none");
  CHECK(error_of("[bundle]\nemit = [\"bin\", 3]\n") ==
        "cannot read \"proj/certbundle.toml\": line 2: bundle.emit must be a string or an array of strings");
  CHECK(error_of("[policy]\nwarn_days = 10\nfail_days = 20\n") ==
        "cannot read \"proj/certbundle.toml\": line 3: policy.fail_days is larger than policy.warn_days");
  // toml++'s own syntax errors keep their line.
  CHECK(error_of("[policy\n").rfind("cannot read \"proj/certbundle.toml\": line 1: ", 0) == 0);
}

TEST_CASE("the starter manifest is a valid manifest with the endpoints filled in", "[manifest]") {
  const Manifest empty = parse_manifest(starter_manifest({}), "certbundle.toml");
  CHECK(empty.endpoints.empty());
  CHECK(empty.bundle->roots == Roots::endpoints);
  const Manifest m = parse_manifest(
      starter_manifest({"https://api.example.com/v1", "mqtts://[2001:db8::1]:8883"}), "certbundle.toml");
  REQUIRE(m.endpoints.size() == 2);
  CHECK(m.endpoints[0].name == "api.example.com");
  CHECK(m.endpoints[0].target == "https://api.example.com/v1");
  CHECK(m.endpoints[1].name == "2001:db8::1");
  // The ESP-IDF version is said once: left commented unless init is given one.
  CHECK(m.policy.idf_version.empty());
  CHECK(m.policy.version_line == 0);
  CHECK(starter_manifest({}).find("\n# idf_version = \"5.5\"") != std::string::npos);
  const Manifest pinned = parse_manifest(starter_manifest({}, "5.3"), "certbundle.toml");
  CHECK(pinned.policy.idf_version == "5.3");
  CHECK(pinned.policy.version_line == 13);
}

// Found by the manifest fuzz target: a warn_days below the default fail_days (30), with no
// fail_days given, dereferenced the absent fail_days node.
TEST_CASE("a warn_days below the default fail_days names the warn_days line", "[manifest]") {
  CHECK_THROWS_WITH(
      project::parse_manifest("# policy\n[policy]\nwarn_days = 14\n", "proj/certbundle.toml"),
      "cannot read \"proj/certbundle.toml\": line 3: policy.fail_days is larger than policy.warn_days");
}

// Found by the lock fuzz target: a number too large for a double escaped parse_lock as a
// nlohmann::json exception.
TEST_CASE("a lock with a number out of range is refused as input", "[lock]") {
  try {
    (void)project::parse_lock("{\"certbundle_lock\": 1e400}", "certbundle.lock");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::input);
    CHECK(std::string(e.what()).starts_with("cannot read \"certbundle.lock\": not valid JSON"));
  }
}

TEST_CASE("an endpoint's client key passphrase is named, never written", "[manifest]") {
  const Manifest m = parse_manifest(R"(
[[endpoint]]
name = "mtls"
url = "https://127.0.0.1:8443"
cert = "certs/client.pem"
key = "certs/client.key"
key_pass = "env:CLIENT_KEY_PASS"
)",
                                    "proj/certbundle.toml");
  REQUIRE(m.endpoints.size() == 1);
  CHECK(m.endpoints[0].key == std::filesystem::path("certs/client.key"));
  CHECK(m.endpoints[0].key_pass == "env:CLIENT_KEY_PASS");
  CHECK_THAT(error_of("[[endpoint]]\nname = \"a\"\nurl = \"https://127.0.0.1\"\nkey_pass = 1\n"),
             Catch::Contains("endpoint.key_pass must be a string"));
}
