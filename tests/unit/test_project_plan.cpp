// build --plan (what a build writes and reads, from the manifest alone) and the agreement of the
// ESP-IDF version given by the build with the manifest's. Expected values are read off the
// manifests written here by hand.
#include <catch2/catch.hpp>

#include <filesystem>

#include "certbundle/core/error.hpp"
#include "certbundle/project/manifest.hpp"
#include "certbundle/project/plan.hpp"
#include "certbundle/project/version.hpp"

using namespace certbundle;
using namespace certbundle::project;

namespace {

// Line numbers matter below: [policy] is line 2, idf_version line 3.
const char* const plan_manifest = R"(# a plan test
[policy]
idf_version = "5.3"   # not "5.4": the devices in the field
mozilla = 'store/cacert.pem'   # our "public" store

[[endpoint]]
name = "api"
url = "https://api.example.com"

[bundle]
name = "app-crt.bundle"   # not "x509_crt_bundle"
roots = "none"
extra = [
  "certs/private.pem",   # a comment, "quoted"
  '/abs/ca.der',
]
emit = ["bin", "c"]

[[pem]]
name = "server_root_cert.pem"
files = ["certs/private.pem"]
next = ["ISRG Root X2", "certs/next.crt"]

[[pem]]
name = "2nd.pem"
labels = ["ISRG Root X1"]
emit = ["c"]

[[identity]]
name = "device"
cert = "certs/device.pem"
)";

std::string usage_error_of(Manifest m, const BuildVersion& v) {
  try {
    apply_build_version(m, v);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::usage);
    return e.what();
  }
  return "no error";
}

Manifest manifest_with(const std::string& policy) {
  return parse_manifest("# a version test\n[policy]\n" + policy + "\n[bundle]\nroots = \"none\"\n",
                        "proj/certbundle.toml");
}

}  // namespace

TEST_CASE("the plan lists every output's files and symbols and every input", "[plan]") {
  const std::filesystem::path dir = std::filesystem::absolute("proj").lexically_normal();
  const Plan plan = plan_outputs(parse_manifest(plan_manifest, "proj/certbundle.toml"));
  CHECK(plan.manifest == dir / "certbundle.toml");
  CHECK(plan.format == bundle::Format::v1);
  CHECK(plan.idf_version == "5.3");
  CHECK(plan.signature == device::SignatureRule::pk_verify_ext);
  CHECK(plan.assumed.empty());
  CHECK(plan.report == "certbundle-build.txt");
  CHECK(plan.endpoints == std::vector<std::string>{"api"});

  REQUIRE(plan.outputs.size() == 3);
  const PlannedOutput& b = plan.outputs[0];
  CHECK(b.name == "app-crt.bundle");
  CHECK(b.kind == OutputKind::bundle);
  CHECK(b.format == bundle::Format::v1);
  CHECK(b.line == 10);
  REQUIRE(b.files.size() == 3);
  CHECK(b.files[0].name == "app-crt.bundle");
  CHECK(b.files[0].embed == Embed::binary);
  CHECK(b.files[0].symbol == "_binary_app_crt_bundle_start");
  CHECK(b.files[1].name == "app_crt_bundle.c");
  CHECK(b.files[1].embed == Embed::none);
  CHECK(b.files[1].symbol.empty());
  CHECK(b.files[2].name == "app_crt_bundle.h");

  const PlannedOutput& p = plan.outputs[1];
  CHECK(p.name == "server_root_cert.pem");
  CHECK(p.kind == OutputKind::pem);
  CHECK_FALSE(p.format);
  CHECK(p.line == 19);
  REQUIRE(p.files.size() == 1);
  CHECK(p.files[0].embed == Embed::text);
  CHECK(p.files[0].symbol == "_binary_server_root_cert_pem_start");

  const PlannedOutput& c = plan.outputs[2];
  REQUIRE(c.files.size() == 2);  // emit = ["c"] only: nothing to embed
  CHECK(c.files[0].name == "_2nd_pem.c");
  CHECK(c.files[0].embed == Embed::none);

  // The manifest, the lock (missing, and listed: there is an endpoint), then in manifest order,
  // each once; labels are not files.
  REQUIRE(plan.inputs.size() == 7);
  CHECK(plan.inputs[0].path == dir / "certbundle.toml");
  CHECK(plan.inputs[0].role == InputRole::manifest);
  CHECK(plan.inputs[1].path == dir / "certbundle.lock");
  CHECK(plan.inputs[1].role == InputRole::lock);
  CHECK_FALSE(plan.inputs[1].exists);
  CHECK(plan.inputs[2].path == dir / "store/cacert.pem");
  CHECK(plan.inputs[2].role == InputRole::mozilla);
  CHECK(plan.inputs[3].path == dir / "certs/private.pem");
  CHECK(plan.inputs[3].role == InputRole::bundle_extra);
  CHECK(plan.inputs[4].path == "/abs/ca.der");
  CHECK(plan.inputs[5].path == dir / "certs/next.crt");
  CHECK(plan.inputs[5].role == InputRole::pem_next);
  CHECK(plan.inputs[6].path == dir / "certs/device.pem");
  CHECK(plan.inputs[6].role == InputRole::identity);
}

TEST_CASE("a plan without a version says what it assumes", "[plan]") {
  const Plan plan =
      plan_outputs(parse_manifest("[[pem]]\nname = \"a.pem\"\nlabels = [\"x\"]\n", "m.toml"));
  CHECK(plan.format == bundle::Format::v2);
  CHECK(plan.signature == device::SignatureRule::psa);
  CHECK_THAT(plan.assumed, Catch::StartsWith("no ESP-IDF version given"));
  CHECK_THAT(plan.assumed, Catch::Contains("bundle format v2"));
  // No endpoints and no lock beside it: the lock is no input.
  REQUIRE(plan.inputs.size() == 1);
  CHECK(plan.inputs[0].role == InputRole::manifest);
}

TEST_CASE("ESP-IDF versions agree at the precision both give", "[version]") {
  CHECK(same_idf_version("5.4", "5.4.1"));
  CHECK(same_idf_version("v5.4.1", "5.4"));
  CHECK(same_idf_version("5.04", "5.4"));
  CHECK_FALSE(same_idf_version("5.4", "5.5"));
  CHECK_FALSE(same_idf_version("5.4.1", "5.4.2"));
  CHECK_FALSE(same_idf_version("6.0", "5.0"));
  CHECK_THROWS_AS(same_idf_version("five", "5.4"), Error);
}

TEST_CASE("a build version that disagrees with the manifest is an error naming both", "[version]") {
  CHECK(usage_error_of(manifest_with("idf_version = \"5.4\""), {"5.3", ""}) ==
        "--idf-version 5.3 (bundle format v1) disagrees with proj/certbundle.toml:3: idf_version = "
        "\"5.4\" "
        "(format v2): give the ESP-IDF version in one place");
  CHECK(usage_error_of(manifest_with("idf_version = \"5.4\""), {"5.5", ""}) ==
        "--idf-version 5.5 (bundle format v2) disagrees with proj/certbundle.toml:3: idf_version = "
        "\"5.4\" "
        "(format v2): give the ESP-IDF version in one place");
  CHECK(usage_error_of(manifest_with("idf_version = \"5.4\""), {"", "v1"}) ==
        "--format v1 disagrees with proj/certbundle.toml:3: idf_version = \"5.4\" (format v2): "
        "give the "
        "ESP-IDF version in one place");
  CHECK(usage_error_of(manifest_with("warn_days = 60\nformat = \"v2\""), {"5.3", ""}) ==
        "--idf-version 5.3 (bundle format v1) disagrees with proj/certbundle.toml:4: format = "
        "\"v2\": give "
        "the ESP-IDF version in one place");
  CHECK(usage_error_of(manifest_with("format = \"v1\""), {"", "v2", "--bundle-format"}) ==
        "--bundle-format v2 disagrees with proj/certbundle.toml:3: format = \"v1\": give the "
        "ESP-IDF version "
        "in one place");
  // Not a version at all: a usage error too.
  CHECK_THAT(usage_error_of(manifest_with(""), {"5", ""}),
             Catch::Contains("invalid ESP-IDF version \"5\""));
}

TEST_CASE("a build version that agrees, or fills a gap, is taken", "[version]") {
  Manifest same = manifest_with("idf_version = \"5.4\"");
  apply_build_version(same, {"5.4.1", ""});
  CHECK(same.policy.idf_version == "5.4");  // the manifest's own, unchanged
  Manifest by_format = manifest_with("idf_version = \"5.5\"");
  apply_build_version(by_format, {"", "v2"});
  CHECK(by_format.policy.idf_version == "5.5");
  Manifest pinned = manifest_with("format = \"v2\"");
  apply_build_version(pinned, {"6.0", ""});
  CHECK(pinned.policy.format == "v2");

  Manifest open = manifest_with("");
  CHECK_FALSE(assumed_version_note(open).empty());
  apply_build_version(open, {"5.3", ""});
  CHECK(open.policy.idf_version == "5.3");
  CHECK(assumed_version_note(open).empty());
  CHECK(manifest_format(open) == bundle::Format::v1);

  Manifest open_format = manifest_with("");
  apply_build_version(open_format, {"", "v1"});
  CHECK(open_format.policy.format == "v1");
  CHECK(manifest_format(open_format) == bundle::Format::v1);
  CHECK(plan_outputs(open_format).signature == device::SignatureRule::pk_verify_ext);

  Manifest nothing = manifest_with("");
  apply_build_version(nothing, {});
  CHECK(nothing.policy.idf_version.empty());
  CHECK(nothing.policy.format.empty());
}
