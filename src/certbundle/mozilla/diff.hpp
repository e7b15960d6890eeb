#pragma once
// What changes between two Mozilla root stores: the roots Mozilla trusts for server
// authentication (CKT_NSS_TRUSTED_DELEGATOR, whatever their dates) that one has and the other has
// not, matched by SHA-256, and the roots whose server distrust-after date changed.
#include <string>
#include <vector>

#include "certbundle/mozilla/certdata.hpp"

namespace certbundle::mozilla {

struct StoreDiff {
  std::vector<const Root*> added;    // in `after`, in its order
  std::vector<const Root*> removed;  // in `before`, in its order
  std::vector<std::pair<const Root*, const Root*>> distrust_changed;  // before, after
};

[[nodiscard]] StoreDiff diff_stores(const Store& before, const Store& after);

// One line per change: "+ label (SHA-256 …, expires …)", "- label (...)", "~ label: ...", and a
// last line counting them. `at` marks roots that have expired by then.
[[nodiscard]] std::string describe(const StoreDiff& diff, Time at);

}  // namespace certbundle::mozilla
