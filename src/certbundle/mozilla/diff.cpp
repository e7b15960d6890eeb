#include "certbundle/mozilla/diff.hpp"
#include "certbundle/core/text.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace certbundle::mozilla {

namespace {

std::map<Sha256, const Root*> server_trusted(const Store& store) {
  std::map<Sha256, const Root*> out;
  for (const Root& r : store.roots) {
    if (r.trust.server_auth == Trust::trusted_delegator) out.emplace(r.cert.sha256(), &r);
  }
  return out;
}

std::string line(char sign, const Root& r, Time at) {
  const bool expired = r.cert.not_after() < at;
  return fmt::format("{} {} (SHA-256 {}…, {} {})\n", sign, printable(r.label),
                     r.cert.sha256_hex().substr(0, 16), expired ? "expired" : "expires",
                     format_date(r.cert.not_after()));
}

std::string date_or_none(const std::optional<Time>& t) { return t ? format_date(*t) : "none"; }

}  // namespace

StoreDiff diff_stores(const Store& before, const Store& after) {
  const auto old_set = server_trusted(before);
  const auto new_set = server_trusted(after);
  StoreDiff diff;
  for (const Root& r : after.roots) {
    if (r.trust.server_auth == Trust::trusted_delegator && !old_set.contains(r.cert.sha256())) diff.added.push_back(&r);
  }
  for (const Root& r : before.roots) {
    if (r.trust.server_auth != Trust::trusted_delegator) continue;
    const auto it = new_set.find(r.cert.sha256());
    if (it == new_set.end()) {
      diff.removed.push_back(&r);
    } else if (r.server_distrust_after != it->second->server_distrust_after) {
      diff.distrust_changed.emplace_back(&r, it->second);
    }
  }
  return diff;
}

std::string describe(const StoreDiff& diff, Time at) {
  std::string out;
  for (const Root* r : diff.added) out += line('+', *r, at);
  for (const Root* r : diff.removed) out += line('-', *r, at);
  for (const auto& [before, after] : diff.distrust_changed) {
    out += fmt::format("~ {}: server distrust-after {} -> {}\n", printable(before->label),
                       date_or_none(before->server_distrust_after),
                       date_or_none(after->server_distrust_after));
  }
  out += fmt::format("{} added, {} removed, {} with a new distrust-after date\n", diff.added.size(),
                     diff.removed.size(), diff.distrust_changed.size());
  return out;
}

}  // namespace certbundle::mozilla
