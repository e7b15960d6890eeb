#include "certbundle/check/check.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "certbundle/bundle/inspect.hpp"
#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/fetch/fetch.hpp"
#include "certbundle/project/build.hpp"
#include "certbundle/x509/load.hpp"

namespace certbundle::check {

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: break;
  }
  return "note";
}

std::optional<Severity> embedded_severity(std::int64_t days_left, const Thresholds& t) {
  if (days_left < 0 || days_left <= t.fail_days) return Severity::error;
  if (days_left <= t.warn_days) return Severity::warning;
  return std::nullopt;
}

namespace {

// "expires in 12 days (2026-12-03T10:00:00Z)", "expires today (...)", "expired 3 days ago (...)".
std::string when(std::int64_t days_left, Time not_after, Time at) {
  const std::string date = format_time(not_after);
  if (not_after < at) {
    const std::int64_t ago = days_between(not_after, at);
    return ago == 0 ? fmt::format("expired today ({})", date) : fmt::format("expired {} day{} ago ({})", ago, ago == 1 ? "" : "s", date);
  }
  if (days_left == 0) return fmt::format("expires today ({})", date);
  return fmt::format("expires in {} day{} ({})", days_left, days_left == 1 ? "" : "s", date);
}

class Checker {
 public:
  Checker(const Thresholds& t) : t_(t) {}

  // A certificate the firmware depends on. `cap` limits the severity: a CA that no device needs
  // to reach its server now (a browser anchor, a root carried for other servers) warns, and never
  // stops a build; `hint` ends the message.
  void embedded(const Certificate& cert, const std::string& label, const std::string& scope,
                const std::string& file, std::size_t line, const std::string& role,
                Severity cap = Severity::error, const std::string& hint = "") {
    const std::int64_t days = days_between(t_.at, cert.not_after());
    auto severity = embedded_severity(days, t_);
    if (!severity) return;
    severity = std::min(*severity, cap);
    add(*severity, cert.not_after() < t_.at ? "expired" : "expiry", scope,
        fmt::format("{} \"{}\" {}{}", role, label, when(days, cert.not_after(), t_.at), hint), file, line, days);
  }

  // A certificate a server presents: the server renews it. From the lock (offline), what the server
  // presented when it was locked is a warning: an offline build cannot know what it presents now,
  // and the firmware does not embed it. Live, an expired certificate the server still presents is
  // an error.
  enum class Seen { locked, live };
  void presented(const Certificate& cert, const std::string& scope, const std::string& file, std::size_t line,
                 const std::string& role, Seen seen) {
    const std::int64_t days = days_between(t_.at, cert.not_after());
    if (cert.not_after() < t_.at) {
      if (seen == Seen::locked) {
        add(Severity::warning, "expired", scope,
            fmt::format("the {} \"{}\" the server presented when locked {}: the server must renew it (`certbundle "
                        "check --live` tells whether it still presents it; then run `certbundle lock`)",
                        role, cert.common_name(), when(days, cert.not_after(), t_.at)),
            file, line, days);
        return;
      }
      add(Severity::error, "expired", scope,
          fmt::format("the {} \"{}\" the server presents {}", role, cert.common_name(), when(days, cert.not_after(), t_.at)),
          file, line, days);
    } else if (days <= t_.fail_days) {
      add(Severity::warning, "expiry", scope,
          fmt::format("the {} \"{}\" the server presents {}: the server must renew it (then run `certbundle lock`)",
                      role, cert.common_name(), when(days, cert.not_after(), t_.at)),
          file, line, days);
    }
  }

  void add(Severity severity, std::string code, std::string scope, std::string message, std::string file,
           std::size_t line, std::optional<std::int64_t> days = std::nullopt) {
    findings_.push_back({severity, std::move(code), std::move(scope), std::move(message), std::move(file), line, days});
  }

  std::vector<Finding> take() {
    sort_findings(findings_);
    return std::move(findings_);
  }

 private:
  Thresholds t_;
  std::vector<Finding> findings_;
};

const mozilla::Root* in_store(const mozilla::Store& store, const Certificate& cert) {
  const auto it = std::find_if(store.roots.begin(), store.roots.end(),
                               [&](const mozilla::Root& r) { return r.cert == cert; });
  return it == store.roots.end() ? nullptr : &*it;
}

}  // namespace

void sort_findings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(b.severity, a.file, a.line, a.scope, a.message) <
           std::tie(a.severity, b.file, b.line, b.scope, b.message);
  });
}

std::vector<Finding> check_project(const project::Manifest& manifest, const project::Lock* lock,
                                   const mozilla::Store& store, const Thresholds& t) {
  Checker c(t);
  const std::string file = manifest.file.string();
  const project::Lock empty;
  const project::BuildResult build = project::plan_build(manifest, lock != nullptr ? *lock : empty, store, t.at);

  for (const std::string& failure : build.device_failures) {
    c.add(Severity::error, "device-verify", "outputs", failure, file, 0);
  }

  // Every CA an output embeds.
  for (const project::OutputContents& out : build.outputs) {
    const bool is_bundle = manifest.bundle && out.name == manifest.bundle->name && out.line == manifest.bundle->line;
    const std::string scope = fmt::format("{} {}", is_bundle ? "bundle" : "pem", out.name);
    for (const auto& item : out.items) {
      using Role = project::OutputContents::Role;
      if (item.role == Role::former_anchor) {
        c.embedded(item.cert, item.label, scope, file, out.line, "CA (a former anchor kept through a transition)",
                   Severity::warning,
                   ": devices that still need it stop connecting when it expires; once the servers have moved, "
                   "set retire_after to leave it out");
      } else if (out.serves_endpoints && item.role != Role::device_anchor) {
        c.embedded(item.cert, item.label, scope, file, out.line, "CA", Severity::warning);
      } else {
        c.embedded(item.cert, item.label, scope, file, out.line, "CA");
      }
      if (const mozilla::Root* root = in_store(store, item.cert)) {
        if (store.has_trust_bits && root->trust.server_auth != mozilla::Trust::trusted_delegator) {
          c.add(Severity::warning, "untrusted-root", scope,
                fmt::format("\"{}\" is no longer trusted for server authentication by {} ({})", item.label,
                            store.name, mozilla::to_string(root->trust.server_auth)),
                file, out.line);
        }
        if (root->server_distrust_after && *root->server_distrust_after < t.at) {
          c.add(Severity::warning, "distrusted-root", scope,
                fmt::format("\"{}\": Mozilla distrusts certificates it issued after {}: servers must move to another CA",
                            item.label, format_date(*root->server_distrust_after)),
                file, out.line);
        }
      }
    }
  }

  // The lock: its age, what the servers presented, and the horizon.
  if (lock != nullptr) {
    for (const project::Endpoint& e : manifest.endpoints) {
      const project::LockedEndpoint& locked = lock->endpoints.at(e.name);  // plan_build checked it
      const std::string scope = fmt::format("endpoint {}", e.name);
      for (std::size_t i = 0; i < locked.chain.size(); ++i) {
        c.presented(locked.chain[i].cert, scope, file, e.line, i == 0 ? "leaf" : "certificate", Checker::Seen::locked);
      }
      if (manifest.policy.lock_max_age_days) {
        const std::int64_t age = days_between(locked.locked_at, t.at);
        if (age > *manifest.policy.lock_max_age_days) {
          c.add(Severity::warning, "lock-age", scope,
                fmt::format("locked {} days ago ({}), more than lock_max_age_days = {}: run `certbundle lock`",
                            age, format_date(locked.locked_at), *manifest.policy.lock_max_age_days),
                file, e.line);
        }
      }
      if (manifest.policy.horizon) {
        const auto anchors = locked.anchors();
        const bool any_lasts = std::any_of(anchors.begin(), anchors.end(), [&](const project::LockedCert& a) {
          return a.cert.not_after() >= *manifest.policy.horizon;
        });
        if (!any_lasts) {
          c.add(Severity::error, "horizon", scope,
                fmt::format("every anchor of this endpoint expires before the horizon {}: devices cannot reach it "
                            "until then without a firmware update",
                            format_date(*manifest.policy.horizon)),
                file, e.line);
        }
      }
    }
  }

  for (const project::Identity& id : manifest.identities) {
    for (const auto& loaded : load_certificates(manifest.resolve(id.cert))) {
      c.embedded(loaded.cert, loaded.cert.common_name(), fmt::format("identity {}", id.name), file, id.line,
                 "device certificate");
    }
  }

  // The bundled snapshot ages too.
  if (manifest.policy.mozilla.empty()) {
    const Time changed = parse_time(mozilla::bundled_snapshot_info().changed);
    const std::int64_t age = days_between(changed, t.at);
    if (age > 365) {
      c.add(Severity::warning, "snapshot-age", "snapshot",
            fmt::format("the Mozilla snapshot built into certbundle changed last on {} ({} days ago): update certbundle, "
                        "or point policy.mozilla at a newer certdata.txt (`certbundle mozilla update`)",
                        format_date(changed), age),
            file, 0);
    }
  }
  return c.take();
}

std::vector<Finding> check_files(const std::vector<std::filesystem::path>& files, const mozilla::Store& store,
                                 const Thresholds& t) {
  Checker c(t);
  // The snapshot's roots by key and subject, as inspect() names bundle entries: made once, so the
  // check stays linear in the number of entries.
  std::map<std::pair<std::string, std::string>, const mozilla::Root*> roots_by_key;
  for (const mozilla::Root& r : store.roots) roots_by_key.emplace(std::pair{to_hex(r.cert.spki_sha256()), r.cert.subject()}, &r);
  for (const auto& path : files) {
    const std::string data = read_file(path);
    const auto* p = reinterpret_cast<const std::uint8_t*>(data.data());
    const bundle::Inspection inspection = bundle::inspect(ByteView(p, data.size()), path.string(), &store);
    const std::string file = path.string();
    if (inspection.kind == bundle::Kind::pem || inspection.kind == bundle::Kind::der) {
      for (const auto& loaded : load_certificates(path)) {
        const std::size_t line = loaded.line;
        c.embedded(loaded.cert, loaded.label.empty() ? loaded.cert.common_name() : loaded.label, file, file, line,
                   "certificate");
      }
      continue;
    }
    // A bundle stores no dates: learn them from the snapshot root with the same subject and key.
    for (const auto& entry : inspection.entries) {
      const auto found = roots_by_key.find(std::pair{entry.spki_sha256, entry.subject});
      const mozilla::Root* root = found == roots_by_key.end() ? nullptr : found->second;
      const std::string scope = fmt::format("{} entry {}", file, entry.index);
      if (root == nullptr) {
        c.add(Severity::warning, "expiry-unknown", scope,
              fmt::format("entry {} ({}) matches no root of {}: expiry unknown", entry.index, entry.subject, store.name),
              file, 0);
        continue;
      }
      c.embedded(root->cert, root->label, scope, file, 0, "CA");
    }
  }
  return c.take();
}

std::vector<Finding> check_live(const project::Manifest& manifest, const project::Lock& lock,
                                const mozilla::Store& store, const Thresholds& t, const LiveOptions& options) {
  Checker c(t);
  const std::string file = manifest.file.string();
  const project::BuildResult build = project::plan_build(manifest, lock, store, t.at);
  // The anchors of the lock were trusted when it was made (perhaps through `lock --ca`).
  chain::TrustMaterial trust = project::trust_for(manifest, store, {});
  std::vector<Certificate> locked_anchors;
  for (const auto& [name, e] : lock.endpoints) {
    for (const auto& a : e.anchors()) locked_anchors.push_back(a.cert);
    for (const auto& p : e.previous) locked_anchors.push_back(p.anchor.cert);
  }
  chain::add_extra_anchors(trust, locked_anchors);
  const auto reports = project::fetch_endpoints(manifest, trust, t.at, options.timeout, options.jobs);

  for (std::size_t i = 0; i < reports.size(); ++i) {
    const project::Endpoint& e = manifest.endpoints[i];
    const fetch::TargetReport& r = reports[i];
    const std::string scope = fmt::format("endpoint {}", e.name);
    if (!r.fetched()) {
      c.add(Severity::error, "fetch-failed", scope,
            fmt::format("{}: {}: {}", e.target, fetch::to_string(r.failure->step), r.failure->reason), file, e.line);
      continue;
    }
    for (const fetch::AiaDownload& d : r.aia) {
      if (d.error) {
        c.add(Severity::warning, "aia-failed", scope,
              fmt::format("{}: aia: cannot download the issuer from {}: {}", e.target, d.url, *d.error), file, e.line);
      }
    }
    const chain::Analysis& a = *r.analysis;
    for (std::size_t k = 0; k < a.presented.size(); ++k) {
      c.presented(a.presented[k].cert, scope, file, e.line, k == 0 ? "leaf" : "certificate", Checker::Seen::live);
    }
    if (!a.name.name.empty() && !a.name.matches) {
      c.add(Severity::error, "name-mismatch", scope,
            fmt::format("the certificate does not cover \"{}\" (DNS: {}; IP: {})", a.name.name,
                        fmt::join(a.name.dns, ", "), fmt::join(a.name.ip, ", ")),
            file, e.line);
    }
    const project::LockedEndpoint& locked = lock.endpoints.at(e.name);
    if (!a.device.anchor) {
      c.add(Severity::error, "anchor-missing", scope, "no certificate can anchor the chain this server presents now",
            file, e.line);
      continue;
    }
    if (const std::string why = project::confirm_device_view(r, manifest); !why.empty()) {
      c.add(Severity::error, "device-verify", scope,
            fmt::format("the device verifier (mbedtls) would not connect with the anchor \"{}\": {}",
                        a.device.anchor->label, why),
            file, e.line);
    }
    const Certificate& live = a.device.anchor->cert;
    if (!locked.device_anchor || !(locked.device_anchor->cert == live)) {
      c.add(Severity::warning, "anchor-changed", scope,
            fmt::format("the device anchor is now \"{}\", the lock has \"{}\": run `certbundle lock` to start a transition",
                        a.device.anchor->label, locked.device_anchor ? locked.device_anchor->label : "none"),
            file, e.line);
    }
    // Every output that serves this endpoint must hold the anchor the device needs now.
    for (const project::OutputContents& out : build.outputs) {
      const bool serves = (manifest.bundle && out.name == manifest.bundle->name && manifest.bundle->roots != project::Roots::none) ||
                          std::any_of(manifest.pems.begin(), manifest.pems.end(), [&](const project::PemOutput& p) {
                            return p.name == out.name &&
                                   std::find(p.endpoints.begin(), p.endpoints.end(), e.name) != p.endpoints.end();
                          });
      if (!serves) continue;
      // The device finds an entry by subject and checks the signature with its key.
      const bool holds = std::any_of(out.items.begin(), out.items.end(), [&](const auto& item) {
        return std::ranges::equal(item.cert.subject_der(), live.subject_der()) &&
               std::ranges::equal(item.cert.spki_der(), live.spki_der());
      });
      if (!holds) {
        c.add(Severity::error, "anchor-missing", scope,
              fmt::format("{} does not hold \"{}\", the anchor the device needs for the chain the server presents "
                          "now: devices running this firmware cannot connect",
                          out.name, a.device.anchor->label),
              file, e.line);
      }
    }
  }
  return c.take();
}

}  // namespace certbundle::check
