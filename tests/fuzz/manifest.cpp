// certbundle.toml: project::parse_manifest, then what the commands look up in it.
#include "certbundle/project/manifest.hpp"
#include "fuzz.hpp"

using namespace certbundle;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const project::Manifest m = project::parse_manifest(fuzz::text(data, size), "firmware/certbundle.toml");
    for (const project::Endpoint& e : m.endpoints) {
      fuzz::require(m.find_endpoint(e.name) != nullptr, "every endpoint is found by its name");
      (void)m.resolve(e.cert);
    }
    for (const project::PemOutput& p : m.pems) {
      for (const std::string& name : p.endpoints) {
        fuzz::require(m.find_endpoint(name) != nullptr, "a [[pem]] names declared endpoints");
      }
    }
  } catch (const Error& e) {
    fuzz::check_refusal(e);
  }
  return 0;
}
