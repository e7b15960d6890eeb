#include <optional>

#include <fmt/format.h>

#include "certbundle/bundle/format.hpp"
#include "certbundle/core/error.hpp"
#include "certbundle/core/secret.hpp"
#include "certbundle/device/verify.hpp"
#include "certbundle/fetch/fetch.hpp"
#include "certbundle/project/build.hpp"
#include "certbundle/project/lock.hpp"
#include "certbundle/project/lock_trust.hpp"
#include "certbundle/project/manifest.hpp"
#include "certbundle/x509/load.hpp"

namespace certbundle::project {

namespace {

fetch::FetchOptions options_for(const Manifest& m, const Endpoint& e, const LockOptions& options) {
  const auto bad = [&](const std::string& why) {
    return Error(ExitCode::input, fmt::format("{}:{}: endpoint \"{}\": {}", m.file.string(), e.line, e.name, why));
  };
  fetch::FetchOptions o;
  o.at = options.now;
  o.connect.timeout = options.timeout;
  o.aia_timeout = options.timeout;
  o.connect.alpn = e.alpn;
  o.connect.proxy = e.proxy;
  if (!e.sni.empty()) {
    o.connect.sni_mode = fetch::SniMode::custom;
    o.connect.sni = e.sni;
  }
  if (!e.starttls.empty()) {
    o.connect.starttls = fetch::parse_starttls(e.starttls);
    if (!o.connect.starttls) throw bad(fmt::format("unknown starttls \"{}\" (smtp, imap, pop3, ftp, xmpp, postgres)", e.starttls));
  }
  if (!e.key.empty() && e.cert.empty()) throw bad("key needs cert");
  if (!e.cert.empty()) o.connect.client_cert = m.resolve(e.cert).string();
  if (!e.key.empty()) o.connect.client_key = m.resolve(e.key).string();
  if (!e.key_pass.empty()) {
    if (e.cert.empty()) throw bad("key_pass needs cert");
    std::string spec = e.key_pass;
    if (spec.rfind("file:", 0) == 0) spec = "file:" + m.resolve(spec.substr(5)).string();
    try {
      o.connect.client_key_pass = read_passphrase(spec, "key_pass");
    } catch (const Error& err) {
      throw bad(err.what());
    }
  }
  o.jobs = 1;
  return o;
}

fetch::Target target_for(const Manifest& m, const Endpoint& e) {
  try {
    return fetch::parse_target(e.target);
  } catch (const Error& err) {
    throw Error(ExitCode::input, fmt::format("{}:{}: endpoint \"{}\": {}", m.file.string(), e.line, e.name, err.what()));
  }
}

}  // namespace

chain::TrustMaterial trust_for(const Manifest& manifest, const mozilla::Store& store,
                               const std::vector<std::filesystem::path>& ca) {
  chain::TrustMaterial trust = chain::trust_from_store(store);
  std::vector<Certificate> extra;
  const auto add_files = [&](const std::vector<std::filesystem::path>& files, bool from_manifest) {
    for (const auto& f : files) {
      for (auto& c : load_certificates(from_manifest ? manifest.resolve(f) : f)) extra.push_back(std::move(c.cert));
    }
  };
  if (manifest.bundle) add_files(manifest.bundle->extra, true);
  for (const PemOutput& p : manifest.pems) add_files(p.files, true);
  add_files(ca, false);
  chain::add_extra_anchors(trust, extra);
  return trust;
}

std::vector<fetch::TargetReport> fetch_endpoints(const Manifest& manifest, const chain::TrustMaterial& trust,
                                                 Time now, std::chrono::milliseconds timeout, std::size_t concurrency) {
  LockOptions settings;
  settings.now = now;
  settings.timeout = timeout;
  // Check every setting before connecting anywhere.
  std::vector<std::pair<fetch::Target, fetch::FetchOptions>> jobs;
  for (const Endpoint& e : manifest.endpoints) {
    jobs.emplace_back(target_for(manifest, e), options_for(manifest, e, settings));
  }
  fetch::init_curl();
  // Endpoints share one TLS context, except those with a client certificate of their own (loaded
  // here, before connecting anywhere: a bad file is an input error naming it).
  const fetch::TlsContext shared(fetch::ConnectOptions{});
  std::vector<std::optional<fetch::TlsContext>> own(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!jobs[i].second.connect.client_cert.empty()) own[i].emplace(jobs[i].second.connect);
  }
  std::vector<fetch::TargetReport> reports(jobs.size());
  fetch::for_each_bounded(jobs.size(), concurrency, [&](std::size_t i) {
    reports[i] = fetch::fetch_one_guarded(jobs[i].first, jobs[i].second, own[i] ? *own[i] : shared, trust);
  });
  return reports;
}

device::SignatureRule device_signature_rule(const Manifest& manifest) {
  if (manifest.policy.idf_version.empty()) {
    // A V1 bundle is read by ESP-IDF 5.3 and earlier: their signature check.
    return manifest.policy.format == "v1" ? device::SignatureRule::pk_verify_ext : device::SignatureRule::psa;
  }
  try {
    return device::signature_rule_for_idf_version(manifest.policy.idf_version);
  } catch (const Error& e) {
    throw Error(ExitCode::input, fmt::format("{}: policy.idf_version: {}", manifest.file.string(), e.what()));
  }
}

std::string confirm_device_view(const fetch::TargetReport& report, const Manifest& manifest) {
  const chain::Analysis& a = *report.analysis;
  if (!a.device.anchor) return "no device anchor";
  std::vector<bundle::Member> members{{a.device.anchor->cert, a.device.anchor->label}};
  for (const auto& r : a.browser.roots) members.push_back({r.cert, r.label});
  const bundle::Written written = bundle::write_bundle(std::move(members), {bundle::Format::v2, bundle::default_max_certs});
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(written.bytes.data());
  const device::Trust trust = device::bundle_trust(ByteView(bytes, written.bytes.size()), bundle::Format::v2, "anchors");
  std::vector<Bytes> chain;
  for (const auto& e : a.presented) chain.push_back(e.cert.der());
  // No clock and no host name: this confirms the trust path only.
  device::VerifyOptions options;
  options.signature = device_signature_rule(manifest);
  const device::Verification v = device::verify_chain(chain, trust, options);
  return v.connects ? std::string() : v.reason;
}

LockResult lock_manifest(const Manifest& manifest, const Lock* previous, const LockOptions& options) {
  const mozilla::Store store = store_for(manifest);
  const chain::TrustMaterial trust = trust_for(manifest, store, options.ca);
  const std::vector<fetch::TargetReport> reports =
      fetch_endpoints(manifest, trust, options.now, options.timeout, options.jobs);

  std::vector<std::string> failed;
  std::vector<std::string> untrusted;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const std::string& name = manifest.endpoints[i].name;
    const fetch::TargetReport& r = reports[i];
    if (!r.fetched()) {
      failed.push_back(fmt::format("{} ({}): {}: {}", name, r.target.text, fetch::to_string(r.failure->step),
                                   r.failure->reason));
    } else if (!r.analysis->browser.trusted && !manifest.endpoints[i].allow_untrusted &&
               std::find(options.allow_untrusted.begin(), options.allow_untrusted.end(), name) ==
                   options.allow_untrusted.end()) {
      std::string why = r.analysis->browser.reason;
      for (const fetch::AiaDownload& d : r.aia) {
        if (d.error) why += fmt::format(" (aia: {}: {})", d.url, *d.error);
      }
      untrusted.push_back(fmt::format("{} ({}): {}", name, r.target.text, why));
    }
  }
  if (!failed.empty()) {
    throw Error(ExitCode::network, fmt::format("cannot lock: {}", fmt::join(failed, "; ")));
  }
  if (!untrusted.empty()) {
    throw Error(ExitCode::findings,
                fmt::format("cannot lock: a browser does not trust {} (for a private CA, list its file in "
                            "bundle.extra or pem.files; to lock it anyway, set allow_untrusted = true in its "
                            "[[endpoint]], or give --allow-untrusted NAME)",
                            fmt::join(untrusted, "; ")));
  }

  LockResult result;
  for (const Endpoint& e : manifest.endpoints) {
    if (e.cert.empty()) continue;
    if (auto w = key_file_warning(manifest.resolve(e.key.empty() ? e.cert : e.key).string())) {
      result.warnings.push_back(fmt::format("endpoint \"{}\": {}", e.name, *w));
    }
  }
  result.lock.snapshot_name = store.name;
  result.lock.snapshot_sha256 = store.sha256;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const std::string& name = manifest.endpoints[i].name;
    LockedEndpoint fresh = lock_endpoint(reports[i], options.now);
    const LockedEndpoint* old = nullptr;
    if (previous != nullptr) {
      if (const auto it = previous->endpoints.find(name); it != previous->endpoints.end()) old = &it->second;
    }
    if (reports[i].analysis->device.anchor) {
      if (const std::string why = confirm_device_view(reports[i], manifest); !why.empty()) {
        result.changes.push_back(fmt::format(
            "{}: warning: the device verifier (mbedtls) would not connect with the anchors found: {}", name, why));
      }
    }
    if (old == nullptr) {
      result.changes.push_back(fmt::format("{}: locked for the first time{}", name,
                                           fresh.device_anchor ? ", device anchor \"" + fresh.device_anchor->label + "\"" : ""));
    } else {
      for (auto& line : carry_over(name, *old, fresh, options.now)) result.changes.push_back(std::move(line));
    }
    result.lock.endpoints.emplace(name, std::move(fresh));
  }
  // What build and check will refuse: say it now, while the user is at it.
  for (const LockTrustProblem& p : lock_trust_problems(manifest, result.lock, store)) {
    result.changes.push_back(fmt::format("{}: warning: {}: build and check refuse this lock until then", p.endpoint,
                                         p.message));
  }
  if (previous != nullptr) {
    for (const auto& [name, e] : previous->endpoints) {
      if (manifest.find_endpoint(name) == nullptr) {
        result.changes.push_back(fmt::format("{}: no longer in the manifest, dropped from the lock", name));
      }
    }
  }
  return result;
}

}  // namespace certbundle::project
