#include "certbundle/fetch/fetch.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "certbundle/core/error.hpp"

namespace certbundle::fetch {

TargetReport fetch_one(const Target& target, const FetchOptions& options, const TlsContext& context,
                       const chain::TrustMaterial& trust) {
  TargetReport report;
  report.target = target;
  report.target.starttls = options.connect.starttls.value_or(target.starttls);  // as used
  HandshakeResult hs = handshake(target, options.connect, context);
  if (!hs.handshake) {
    report.failure = hs.failure;
    return report;
  }
  report.handshake = std::move(hs.handshake);
  chain::Inputs inputs;
  inputs.presented = report.handshake->presented;
  inputs.at = options.at;
  inputs.host = options.connect.sni_mode == SniMode::custom ? options.connect.sni : target.host;

  if (options.aia == Aia::download) {
    for (int level = 0; level < 4; ++level) {
      const auto missing = chain::missing_issuer(inputs.presented, inputs.fetched, trust);
      if (!missing) break;
      bool got = false;
      for (const std::string& url : chain::ca_issuers_urls(*missing)) {
        AiaDownload d = download_issuer(url, options.aia_timeout);
        for (const Certificate& c : d.certs) {
          if (chain::issued_by(*missing, c)) got = true;
          if (std::find(inputs.fetched.begin(), inputs.fetched.end(), c) == inputs.fetched.end()) {
            inputs.fetched.push_back(c);
          }
        }
        report.aia.push_back(std::move(d));
        if (got) break;
      }
      if (!got) break;
    }
  }
  report.analysis = chain::analyze(inputs, trust);
  return report;
}

TargetReport fetch_one_guarded(const Target& target, const FetchOptions& options, const TlsContext& context,
                               const chain::TrustMaterial& trust) {
  const auto failed = [&](std::string reason) {
    TargetReport report;
    report.target = target;
    report.failure = Failure{Step::handshake, std::move(reason)};
    return report;
  };
  try {
    return fetch_one(target, options, context, trust);
  } catch (const Error& e) {
    return failed(e.what());
  } catch (const std::exception& e) {
    return failed(std::string("unexpected failure: ") + e.what());
  }
}

void for_each_bounded(std::size_t count, std::size_t jobs, const std::function<void(std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < count; i = next++) work(i);
  };
  const std::size_t n = std::clamp<std::size_t>(std::min(jobs, max_jobs), 1, std::max<std::size_t>(count, 1));
  std::vector<std::jthread> threads;
  for (std::size_t t = 1; t < n; ++t) threads.emplace_back(worker);
  worker();
  threads.clear();  // joins
}

std::vector<TargetReport> fetch_all(const std::vector<Target>& targets, const FetchOptions& options,
                                    const chain::TrustMaterial& trust, const Progress& progress) {
  init_curl();
  const TlsContext context(options.connect);
  std::vector<TargetReport> reports(targets.size());
  std::size_t done = 0;
  std::mutex progress_mutex;
  for_each_bounded(targets.size(), options.jobs, [&](std::size_t i) {
    reports[i] = fetch_one_guarded(targets[i], options, context, trust);
    const std::lock_guard lock(progress_mutex);
    ++done;
    if (progress) progress(done, targets.size());
  });
  return reports;
}

}  // namespace certbundle::fetch
