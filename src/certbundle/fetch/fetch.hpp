#pragma once
// Fetching and analysing the chains of many servers at once.
//
// For each target: handshake (fetch/handshake.hpp); if the chain is incomplete, download the
// missing issuer from its AIA caIssuers URL, repeatedly (at most 4 levels), unless turned off;
// then analyse the chain (chain/analysis.hpp). Targets are fetched concurrently by a fixed number
// of worker threads; results come back in the order of the targets. A failing target is a result
// with the failed step and the reason, never an exception, and never stops the others.
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "certbundle/chain/analysis.hpp"
#include "certbundle/fetch/aia.hpp"
#include "certbundle/fetch/handshake.hpp"
#include "certbundle/fetch/target.hpp"

namespace certbundle::fetch {

enum class Aia { download, off };

// Targets fetched at once by every command that goes to the network (--jobs): threads and sockets
// stay within this many (plus the calling thread), whatever the number of targets.
inline constexpr std::size_t default_jobs = 16;
inline constexpr std::size_t max_jobs = 256;

// Runs work(i) for every i in [0, count), at most `jobs` at a time (clamped to 1..max_jobs and to
// count): worker threads and the calling thread take the next index until none is left. Returns
// when all are done. `work` must not throw.
void for_each_bounded(std::size_t count, std::size_t jobs, const std::function<void(std::size_t)>& work);

struct FetchOptions {
  ConnectOptions connect;
  Aia aia = Aia::download;
  std::chrono::milliseconds aia_timeout{5'000};  // per download
  Time at{};                                    // judge expiry at this moment
  std::size_t jobs = default_jobs;              // concurrent targets (1 to max_jobs)
};

struct TargetReport {
  Target target;                       // its starttls is the protocol used (--starttls or the URL)
  std::optional<Handshake> handshake;  // set when the handshake succeeded
  std::optional<Failure> failure;      // set when it did not (step resolve..handshake)
  std::vector<AiaDownload> aia;        // every AIA download tried, in order
  std::optional<chain::Analysis> analysis;  // set with handshake

  [[nodiscard]] bool fetched() const { return handshake.has_value(); }
};

// Handshake, AIA completion, analysis, for one target.
[[nodiscard]] TargetReport fetch_one(const Target& target, const FetchOptions& options,
                                     const TlsContext& context, const chain::TrustMaterial& trust);

// fetch_one behind an exception barrier: whatever goes wrong with one target (a certificate that
// cannot be read, an allocation that fails) is that target's failure, step "handshake", with the
// reason; it never stops, or loses, the reports of the others.
[[nodiscard]] TargetReport fetch_one_guarded(const Target& target, const FetchOptions& options,
                                             const TlsContext& context, const chain::TrustMaterial& trust);

// Called after each target completes, from the worker thread that fetched it (calls are
// serialised): how many are done, out of how many.
using Progress = std::function<void(std::size_t done, std::size_t total)>;

// All targets, `options.jobs` at a time. Throws Error(ExitCode::input) only when the client
// certificate cannot be loaded (before any connection).
[[nodiscard]] std::vector<TargetReport> fetch_all(const std::vector<Target>& targets,
                                                  const FetchOptions& options,
                                                  const chain::TrustMaterial& trust,
                                                  const Progress& progress = {});

}  // namespace certbundle::fetch
