#pragma once
// What replacing the Mozilla snapshot means for a project: the certificates each output gains or
// loses, and the endpoints whose locked anchors the new snapshot no longer trusts.
#include <string>

#include "certbundle/mozilla/certdata.hpp"
#include "certbundle/project/lock.hpp"
#include "certbundle/project/manifest.hpp"

namespace certbundle::project {

// One line per consequence, or a line saying there is none; when the manifest does not build with
// `after` (a label it names is gone), that one line. `lock` may be null.
[[nodiscard]] std::string snapshot_impact(const Manifest& manifest, const Lock* lock,
                                          const mozilla::Store& before, const mozilla::Store& after, Time at);

}  // namespace certbundle::project
