#pragma once
// A lock grants no trust. certbundle.lock is a file anyone can edit in a pull request, so before a
// build (or a check) embeds the anchors it records, they are verified against what code review
// sees, the manifest and the Mozilla snapshot it names:
// - each endpoint's chain links by signature to its device anchor and to each browser anchor (the
//   anchor is a certificate of the chain, or signed one, or signed an anchor that links);
// - every anchor (device, browser, and previous anchors kept for a transition) is trusted for server
//   authentication in the snapshot, or is in a file the manifest lists (bundle.extra, pem.files,
//   pem.next), or was issued by such a certificate (an intermediate the device needs when the
//   server omits it), or belongs to an endpoint the manifest marks `allow_untrusted = true`.
#include <cstddef>
#include <string>
#include <vector>

#include "certbundle/mozilla/certdata.hpp"
#include "certbundle/project/lock.hpp"
#include "certbundle/project/manifest.hpp"

namespace certbundle::project {

struct LockTrustProblem {
  std::string endpoint;
  std::size_t lock_line = 0;  // of the certificate's "sha256" in the lock (0: unknown)
  std::string message;        // one line: which certificate, what is wrong, what to do
};

// Every problem of the lock's endpoints that the manifest declares, in manifest order. The lock
// must hold every endpoint (plan_build checks that first). Throws Error(ExitCode::input) for a
// file the manifest lists that cannot be read.
[[nodiscard]] std::vector<LockTrustProblem> lock_trust_problems(const Manifest& manifest, const Lock& lock,
                                                                const mozilla::Store& store);

// Throws Error(ExitCode::input) naming the lock line, the endpoint and the certificate for the first
// problem (and how many more there are).
void verify_lock_trust(const Manifest& manifest, const Lock& lock, const mozilla::Store& store);

}  // namespace certbundle::project
