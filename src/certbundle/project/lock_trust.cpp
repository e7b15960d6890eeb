#include "certbundle/project/lock_trust.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "certbundle/chain/analysis.hpp"
#include "certbundle/core/error.hpp"
#include "certbundle/core/text.hpp"
#include "certbundle/x509/load.hpp"

namespace certbundle::project {

namespace {

// A label from the lock, which anyone may have edited: no control character reaches a message.
std::string shown(const LockedCert& c) {
  return fmt::format("\"{}\" (SHA-256 {}…)", printable(c.label), c.cert.sha256_hex().substr(0, 16));
}

bool contains(const std::vector<Certificate>& list, const Certificate& cert) {
  return std::find(list.begin(), list.end(), cert) != list.end();
}

class TrustCheck {
 public:
  TrustCheck(const Manifest& manifest, const mozilla::Store& store) : m_(manifest), store_(store) {
    const auto add = [&](const std::filesystem::path& file) {
      for (auto& c : load_certificates(m_.resolve(file))) listed_.push_back(std::move(c.cert));
    };
    if (m_.bundle) {
      for (const auto& f : m_.bundle->extra) add(f);
    }
    for (const PemOutput& p : m_.pems) {
      for (const auto& f : p.files) add(f);
      for (const std::string& n : p.next) {
        if (next_names_file(n)) add(n);
      }
    }
  }

  // A root of the snapshot that Mozilla trusts for server authentication (every entry of a
  // cacert.pem, which carries no trust bits).
  [[nodiscard]] bool server_trusted(const mozilla::Root& r) const {
    return !store_.has_trust_bits || r.trust.server_auth == mozilla::Trust::trusted_delegator;
  }

  // Trusted as it is: a server-auth root of the snapshot, or a certificate the manifest lists.
  [[nodiscard]] bool trusted(const Certificate& cert) const {
    if (contains(listed_, cert)) return true;
    return std::any_of(store_.roots.begin(), store_.roots.end(),
                       [&](const mozilla::Root& r) { return r.cert == cert && server_trusted(r); });
  }

  // Issued by a certificate that is trusted as it is (an intermediate the device needs when the
  // server does not send it: the lock records it as the device anchor).
  [[nodiscard]] bool issued_by_trusted(const Certificate& cert) const {
    return std::any_of(listed_.begin(), listed_.end(), [&](const Certificate& c) { return chain::issued_by(cert, c); }) ||
           std::any_of(store_.roots.begin(), store_.roots.end(), [&](const mozilla::Root& r) {
             return server_trusted(r) && chain::issued_by(cert, r.cert);
           });
  }

  void endpoint(const Endpoint& e, const LockedEndpoint& locked, std::vector<LockTrustProblem>& out) const {
    const auto problem = [&](const LockedCert& c, const std::string& why) {
      out.push_back({e.name, c.line, fmt::format("endpoint \"{}\": {}", e.name, why)});
    };
    // Trusted by what code review sees (first: the graver finding).
    if (!e.allow_untrusted) {
      const auto check = [&](const LockedCert& a, const char* role) {
        if (trusted(a.cert) || issued_by_trusted(a.cert)) return;
        problem(a, fmt::format("the {} {} is not trusted: it is neither a server-authentication root of {} nor in "
                               "a file {} lists (bundle.extra, pem.files, pem.next), nor issued by one; for a private "
                               "CA, list its file, or set allow_untrusted = true in [[endpoint]] \"{}\" (line {})",
                               role, shown(a), store_.name, m_.file.string(), e.name, e.line));
      };
      if (locked.device_anchor) check(*locked.device_anchor, "device anchor");
      for (const LockedCert& a : locked.browser_anchors) check(a, "browser anchor");
      for (const PreviousAnchor& p : locked.previous) check(p.anchor, "former anchor");
    }
    // Linked by signature to the chain: start from the chain, add every anchor that is one of the
    // linked certificates or signed one, until nothing changes.
    std::vector<Certificate> linked;
    for (const LockedCert& c : locked.chain) linked.push_back(c.cert);
    std::vector<const LockedCert*> anchors;
    if (locked.device_anchor) anchors.push_back(&*locked.device_anchor);
    for (const LockedCert& a : locked.browser_anchors) anchors.push_back(&a);
    std::vector<bool> links(anchors.size(), false);
    for (bool grew = true; grew;) {
      grew = false;
      for (std::size_t i = 0; i < anchors.size(); ++i) {
        if (links[i]) continue;
        const Certificate& a = anchors[i]->cert;
        if (contains(linked, a) ||
            std::any_of(linked.begin(), linked.end(), [&](const Certificate& c) { return chain::issued_by(c, a); })) {
          links[i] = grew = true;
          linked.push_back(a);
        }
      }
    }
    for (std::size_t i = 0; i < anchors.size(); ++i) {
      if (links[i]) continue;
      const bool device = locked.device_anchor && anchors[i] == &*locked.device_anchor;
      problem(*anchors[i], fmt::format("{} anchor {} signs no certificate of the chain the lock records: "
                                       "the lock was edited (run `certbundle lock` to write it again)",
                                       device ? "the device" : "the browser", shown(*anchors[i])));
    }
  }

 private:
  const Manifest& m_;
  const mozilla::Store& store_;
  std::vector<Certificate> listed_;
};

}  // namespace

std::vector<LockTrustProblem> lock_trust_problems(const Manifest& manifest, const Lock& lock,
                                                  const mozilla::Store& store) {
  std::vector<LockTrustProblem> out;
  if (manifest.endpoints.empty()) return out;
  const TrustCheck check(manifest, store);
  for (const Endpoint& e : manifest.endpoints) {
    const auto it = lock.endpoints.find(e.name);
    if (it != lock.endpoints.end()) check.endpoint(e, it->second, out);
  }
  return out;
}

void verify_lock_trust(const Manifest& manifest, const Lock& lock, const mozilla::Store& store) {
  const std::vector<LockTrustProblem> problems = lock_trust_problems(manifest, lock, store);
  if (problems.empty()) return;
  const LockTrustProblem& p = problems.front();
  const std::string where = p.lock_line == 0 ? lock.file : fmt::format("{}:{}", lock.file, p.lock_line);
  const std::string more =
      problems.size() == 1 ? "" : fmt::format(" (and {} more problem{})", problems.size() - 1, problems.size() == 2 ? "" : "s");
  throw Error(ExitCode::input, fmt::format("{}: {}{}", where.empty() ? "certbundle.lock" : where, p.message, more));
}

}  // namespace certbundle::project
