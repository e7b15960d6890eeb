// certbundle.lock: project::parse_lock. A lock that reads is written back by to_json and reads
// back the same.
#include "certbundle/project/lock.hpp"
#include "fuzz.hpp"

using namespace certbundle;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const project::Lock lock = project::parse_lock(fuzz::text(data, size), "certbundle.lock");
    for (const auto& [name, endpoint] : lock.endpoints) (void)endpoint.anchors();
    const std::string written = project::to_json(lock);
    const project::Lock again = project::parse_lock(written, "certbundle.lock (written)");
    fuzz::require(project::to_json(again) == written, "a lock written and read back is the same");
  } catch (const Error& e) {
    fuzz::check_refusal(e);
  }
  return 0;
}
