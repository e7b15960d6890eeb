#include "certbundle/project/impact.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "certbundle/core/error.hpp"
#include "certbundle/core/text.hpp"
#include "certbundle/project/build.hpp"

namespace certbundle::project {

namespace {

bool holds(const OutputContents& out, const OutputContents::Item& item) {
  return std::any_of(out.items.begin(), out.items.end(), [&](const auto& i) { return i.cert == item.cert; });
}

}  // namespace

std::string snapshot_impact(const Manifest& manifest, const Lock* lock, const mozilla::Store& before,
                            const mozilla::Store& after, Time at) {
  std::string out;
  const Lock empty;
  const BuildResult old_build = plan_build(manifest, lock != nullptr ? *lock : empty, before, at);
  BuildResult new_build;
  try {
    new_build = plan_build(manifest, lock != nullptr ? *lock : empty, after, at);
  } catch (const Error& e) {
    // A label of the manifest that the new snapshot lacks, for example.
    return fmt::format("the manifest does not build with the new snapshot until it is changed: {}\n", e.what());
  }
  for (std::size_t i = 0; i < old_build.outputs.size() && i < new_build.outputs.size(); ++i) {
    const OutputContents& o = old_build.outputs[i];
    const OutputContents& n = new_build.outputs[i];
    for (const auto& item : n.items) {
      if (!holds(o, item)) out += fmt::format("{}: gains \"{}\"\n", n.name, printable(item.label));
    }
    for (const auto& item : o.items) {
      if (!holds(n, item)) out += fmt::format("{}: loses \"{}\"\n", o.name, printable(item.label));
    }
  }
  if (lock != nullptr) {
    for (const auto& [name, e] : lock->endpoints) {
      for (const LockedCert& a : e.anchors()) {
        if (a.source != "mozilla") continue;
        const bool trusted = std::any_of(after.roots.begin(), after.roots.end(), [&](const mozilla::Root& r) {
          return r.cert == a.cert && r.trust.server_auth == mozilla::Trust::trusted_delegator;
        });
        if (!trusted) {
          out += fmt::format(
              "endpoint {}: its anchor \"{}\" is not trusted for server authentication in the new "
              "snapshot: the server should move to another CA\n",
              name, printable(a.label));
        }
      }
    }
  }
  if (out.empty()) out = "no output and no endpoint of this project changes\n";
  return out;
}

}  // namespace certbundle::project
