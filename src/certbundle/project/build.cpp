#include "certbundle/project/build.hpp"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "certbundle/bundle/c_array.hpp"
#include "certbundle/bundle/format.hpp"
#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/device/verify.hpp"
#include "certbundle/mozilla/selection.hpp"
#include "certbundle/project/lock_trust.hpp"
#include "certbundle/x509/load.hpp"

namespace certbundle::project {

mozilla::Store store_for(const Manifest& manifest) {
  if (manifest.policy.mozilla.empty()) return mozilla::bundled_store();
  return mozilla::load_store(manifest.resolve(manifest.policy.mozilla));
}

namespace {

// The certificates of one output, each once, in the order they were added, with why.
class Contents {
 public:
  using Item = OutputContents::Item;

  void add(const Certificate& cert, const std::string& label, const std::string& why,
           OutputContents::Role role = OutputContents::Role::other) {
    const auto it = std::find_if(items_.begin(), items_.end(), [&](const Item& i) { return i.cert == cert; });
    if (it != items_.end()) {
      it->why += "; " + why;
      it->role = std::min(it->role, role);
      return;
    }
    items_.push_back({cert, label, why, role});
  }

  [[nodiscard]] const std::vector<Item>& items() const { return items_; }

 private:
  std::vector<Item> items_;
};

class Planner {
 public:
  Planner(const Manifest& manifest, const Lock& lock, const mozilla::Store& store, Time at,
          std::optional<bundle::Format> default_format)
      : m_(manifest), lock_(lock), store_(store), at_(at), default_format_(default_format) {}

  BuildResult run() {
    check_lock();
    verify_lock_trust(m_, lock_, store_);
    BuildResult result;
    std::string report = fmt::format("certbundle build of {}\nsnapshot: {}\n", m_.file.string(), store_.name);
    if (m_.bundle) plan_bundle(*m_.bundle, result, report);
    for (const PemOutput& pem : m_.pems) plan_pem(pem, result, report);
    result.warnings = std::move(warnings_);
    for (const std::string& w : result.warnings) report += "warning: " + w + "\n";
    result.report = std::move(report);
    result.files.push_back({std::string(build_report_name), result.report});
    result.file_lines.resize(result.files.size(), 0);
    result.inputs = inputs();
    return result;
  }

 private:
  [[nodiscard]] Error manifest_error(std::size_t line, const std::string& why) const {
    return Error(ExitCode::input, fmt::format("{}:{}: {}", m_.file.string(), line, why));
  }

  std::vector<BuildInput> inputs() const {
    std::vector<BuildInput> out{{m_.file, "the manifest"}, {m_.dir / "certbundle.lock", "the lock"}};
    if (!m_.policy.mozilla.empty()) out.push_back({m_.resolve(m_.policy.mozilla), "policy.mozilla"});
    if (m_.bundle) {
      for (const auto& f : m_.bundle->extra) out.push_back({m_.resolve(f), "bundle.extra"});
    }
    for (const PemOutput& p : m_.pems) {
      for (const auto& f : p.files) out.push_back({m_.resolve(f), "pem.files"});
      for (const auto& n : p.next) {
        if (next_names_file(n)) out.push_back({m_.resolve(n), "pem.next"});
      }
    }
    for (const Identity& id : m_.identities) out.push_back({m_.resolve(id.cert), "identity.cert"});
    return out;
  }

  void check_lock() const {
    for (const Endpoint& e : m_.endpoints) {
      const auto it = lock_.endpoints.find(e.name);
      if (it == lock_.endpoints.end()) {
        throw manifest_error(e.line, fmt::format("endpoint \"{}\" is not in the lock: run `certbundle lock`", e.name));
      }
      if (it->second.target != e.target) {
        throw manifest_error(e.line, fmt::format("endpoint \"{}\" was locked for {}, the manifest says {}: "
                                                 "run `certbundle lock`",
                                                 e.name, it->second.target, e.target));
      }
    }
  }

  // The anchors an endpoint's devices need now, with the transition anchors not yet retired.
  void add_endpoint(Contents& out, const std::string& name, const std::optional<Time>& retire_after,
                    const std::string& output) {
    const LockedEndpoint& e = lock_.endpoints.at(name);
    if (e.device_anchor) {
      out.add(e.device_anchor->cert, e.device_anchor->label, fmt::format("device anchor of {}", name),
              OutputContents::Role::device_anchor);
    } else {
      warnings_.push_back(fmt::format("{}: endpoint \"{}\" has no device anchor in the lock", output, name));
    }
    for (const LockedCert& a : e.browser_anchors) {
      out.add(a.cert, a.label, fmt::format("browser anchor of {}", name));
    }
    for (const PreviousAnchor& p : e.previous) {
      if (p.anchor.cert.not_after() < at_) {
        warnings_.push_back(fmt::format("{}: \"{}\", a former anchor of {}, expired on {} and leaves",
                                        output, p.anchor.label, name, format_date(p.anchor.cert.not_after())));
      } else if (retire_after && at_ > *retire_after) {
        warnings_.push_back(fmt::format("{}: \"{}\", a former anchor of {}, is retired (retire_after {})",
                                        output, p.anchor.label, name, format_date(*retire_after)));
      } else {
        out.add(p.anchor.cert, p.anchor.label,
                fmt::format("former anchor of {} (replaced {}), kept through the transition", name,
                            format_date(p.replaced_at)),
                OutputContents::Role::former_anchor);
      }
    }
  }

  mozilla::SelectionOptions selection(std::vector<std::string> include) const {
    mozilla::SelectionOptions o;
    o.at = at_;
    o.distrust_after = m_.policy.distrust_after;
    o.include = std::move(include);
    return o;
  }

  // Mozilla roots matching `patterns`; a pattern that matches no root of the snapshot is an error
  // naming the manifest line.
  void add_labels(Contents& out, const std::vector<std::string>& patterns, std::size_t line,
                  const std::string& output, const std::string& why) {
    if (patterns.empty()) return;
    mozilla::Selection s;
    try {
      s = mozilla::select_roots(store_, selection(patterns));
    } catch (const Error& e) {
      throw manifest_error(line, fmt::format("{}: {}", output, e.what()));
    }
    for (auto& w : s.warnings) warnings_.push_back(std::move(w));
    for (const auto& c : s.certs) out.add(c.cert, c.label, why);
  }

  void add_files(Contents& out, const std::vector<std::filesystem::path>& files, const std::string& why) {
    for (const auto& file : files) {
      for (const auto& c : load_certificates(m_.resolve(file))) {
        out.add(c.cert, c.label.empty() ? c.cert.common_name() : c.label, fmt::format("{} ({})", why, file.string()));
      }
    }
  }

  bundle::Format format() const {
    if (!m_.policy.format.empty()) return bundle::parse_format(m_.policy.format);
    if (!m_.policy.idf_version.empty()) {
      try {
        return bundle::format_for_idf_version(m_.policy.idf_version);
      } catch (const Error& e) {
        throw Error(ExitCode::input, fmt::format("{}: policy.idf_version: {}", m_.file.string(), e.what()));
      }
    }
    return default_format_.value_or(bundle::Format::v2);
  }

  void emit_c(const std::string& name, const std::string& bytes, BuildResult& result, std::string& report) {
    const std::string id = bundle::c_identifier_from(name);
    const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
    const bundle::CSource c = bundle::to_c_source(ByteView(p, bytes.size()), id, id + ".h");
    result.files.push_back({id + ".c", c.source});
    result.files.push_back({id + ".h", c.header});
    report += fmt::format("  wrote {0}.c and {0}.h: const unsigned char {0}[{1}]\n", id, bytes.size());
  }

  static void list(const Contents& contents, std::string& report) {
    for (const auto& item : contents.items()) {
      report += fmt::format("  + {} (expires {}): {}\n", printable(item.label),
                            format_date(item.cert.not_after()), one_line(item.why));
    }
  }

  // The output as the device will use it, against the chain each endpoint presented when locked.
  // Endpoints without a device anchor are already warned about. What an output holds decides only
  // the trust path, so neither the device clock nor the host name is checked here: dates are
  // `certbundle check`'s job, names `lock`'s and `check --live`'s. `make_trust` is called only when
  // there is a chain to verify.
  void verify_on_device(const std::string& output, const std::function<device::Trust()>& make_trust,
                        const std::vector<std::string>& endpoints, BuildResult& result, std::string& report) const {
    std::vector<device::EndpointChain> chains;
    for (const std::string& name : endpoints) {
      const LockedEndpoint& e = lock_.endpoints.at(name);
      if (!e.device_anchor || e.chain.empty()) continue;
      device::EndpointChain chain{name, {}, {}};
      for (const LockedCert& c : e.chain) chain.chain.push_back(c.cert.der());
      chains.push_back(std::move(chain));
    }
    if (chains.empty()) return;
    device::VerifyOptions options;
    options.signature = device_signature_rule(m_);
    std::size_t failed = 0;
    for (const auto& verdict : device::verify_endpoints(make_trust(), chains, options)) {
      if (verdict.verification.connects) continue;
      ++failed;
      result.device_failures.push_back(
          fmt::format("{}: the device would not connect to {}: {}", output, verdict.endpoint, verdict.verification.reason));
    }
    if (failed == 0) {
      report += fmt::format("  verified as the device does (mbedtls, ESP-IDF's bundle lookup): {} endpoint(s) connect\n",
                            chains.size());
    }
  }

  void plan_bundle(const BundleOutput& b, BuildResult& result, std::string& report) {
    Contents contents;
    if (b.roots != Roots::none) {
      for (const Endpoint& e : m_.endpoints) add_endpoint(contents, e.name, b.retire_after, b.name);
    }
    if (b.roots == Roots::common || b.roots == Roots::all) {
      auto o = selection({});
      if (b.roots == Roots::common) o.filter_csv = mozilla::bundled_common_filter();
      mozilla::Selection s = mozilla::select_roots(store_, o);
      for (auto& w : s.warnings) warnings_.push_back(b.name + ": " + w);
      for (const auto& c : s.certs) {
        const bool excluded = std::any_of(b.exclude.begin(), b.exclude.end(), [&](const std::string& p) {
          const auto digest = parse_sha256(p);
          return digest ? *digest == c.cert.sha256() : mozilla::glob_match(p, c.label);
        });
        if (!excluded) contents.add(c.cert, c.label, b.roots == Roots::common ? "ESP-IDF common CA" : "Mozilla root");
      }
    }
    add_labels(contents, b.include, b.line, fmt::format("[bundle] \"{}\": include", b.name), "bundle.include");
    add_files(contents, b.extra, "bundle.extra");

    std::vector<bundle::Member> members;
    for (const auto& item : contents.items()) members.push_back({item.cert, item.label});
    const bundle::Format fmt_ = format();
    const bundle::Written written = bundle::write_bundle(std::move(members), {fmt_, bundle::default_max_certs});
    for (const auto& w : written.warnings) warnings_.push_back(b.name + ": " + w);

    // ESP-IDF's full bundle: every Mozilla root the same policy selects, in the same format.
    std::vector<bundle::Member> full;
    for (const auto& c : mozilla::select_roots(store_, selection({})).certs) full.push_back({c.cert, c.label});
    const std::size_t full_size = bundle::write_bundle(std::move(full), {fmt_, 100000}).bytes.size();

    report += fmt::format("\n{}: ESP-IDF certificate bundle, format {}, {} certificates, {} bytes "
                          "({:.1f}% of the {} bytes of a full Mozilla bundle)\n",
                          b.name, bundle::to_string(fmt_), written.count, written.bytes.size(),
                          full_size == 0 ? 0.0 : 100.0 * static_cast<double>(written.bytes.size()) / static_cast<double>(full_size),
                          full_size);
    list(contents, report);
    if (b.roots != Roots::none) {
      std::vector<std::string> names;
      for (const Endpoint& e : m_.endpoints) names.push_back(e.name);
      const auto* bytes = reinterpret_cast<const std::uint8_t*>(written.bytes.data());
      if (!written.bytes.empty()) {
        verify_on_device(
            b.name, [&] { return device::bundle_trust(ByteView(bytes, written.bytes.size()), fmt_, b.name); }, names,
            result, report);
      }
    }
    result.outputs.push_back({b.name, b.line, contents.items(), b.roots != Roots::none && !m_.endpoints.empty()});
    for (const Emit e : b.emit) {
      if (e == Emit::bin) result.files.push_back({b.name, written.bytes});
      if (e == Emit::c) emit_c(b.name, written.bytes, result, report);
    }
    result.file_lines.resize(result.files.size(), b.line);
  }

  void plan_pem(const PemOutput& p, BuildResult& result, std::string& report) {
    Contents contents;
    for (const std::string& e : p.endpoints) add_endpoint(contents, e, p.retire_after, p.name);
    add_labels(contents, p.labels, p.line, fmt::format("[[pem]] \"{}\": labels", p.name), "pem.labels");
    add_files(contents, p.files, "pem.files");
    std::vector<std::string> next_labels;
    std::vector<std::filesystem::path> next_files;
    for (const std::string& n : p.next) {
      if (next_names_file(n)) next_files.emplace_back(n);
      else next_labels.push_back(n);
    }
    add_labels(contents, next_labels, p.line, fmt::format("[[pem]] \"{}\": next", p.name),
               "pem.next: carried for the transition to a new CA");
    add_files(contents, next_files, "pem.next: carried for the transition to a new CA");

    std::string text;
    for (const auto& item : contents.items()) {
      // The label comes from the lock or certdata.txt: it must not start a line or a PEM block.
      text += fmt::format("# {} (notAfter {})\n", outside_pem(printable(item.label)),
                          format_time(item.cert.not_after()));
      text += to_pem(item.cert);
    }
    report += fmt::format("\n{}: PEM buffer, {} certificates, {} bytes (+1 NUL for esp_tls)\n", p.name,
                          contents.items().size(), text.size());
    list(contents, report);
    if (!text.empty()) {
      verify_on_device(p.name, [&] { return device::pem_trust_from_text(text, p.name); }, p.endpoints, result, report);
    }
    result.outputs.push_back({p.name, p.line, contents.items(), !p.endpoints.empty()});
    for (const Emit e : p.emit) {
      if (e == Emit::pem) result.files.push_back({p.name, text});
      if (e == Emit::c) emit_c(p.name, text + std::string(1, '\0'), result, report);
    }
    result.file_lines.resize(result.files.size(), p.line);
  }

  const Manifest& m_;
  const Lock& lock_;
  const mozilla::Store& store_;
  Time at_;
  std::optional<bundle::Format> default_format_;
  std::vector<std::string> warnings_;
};

}  // namespace

BuildResult plan_build(const Manifest& manifest, const Lock& lock, const mozilla::Store& store, Time at,
                       std::optional<bundle::Format> default_format) {
  return Planner(manifest, lock, store, at, default_format).run();
}

void write_build(const BuildResult& result, const std::filesystem::path& dir) {
  if (!result.device_failures.empty()) {
    throw Error(ExitCode::findings, fmt::format("{}; nothing was written", fmt::join(result.device_failures, "; ")));
  }
  std::error_code ec;
  for (std::size_t i = 0; i < result.files.size(); ++i) {
    const std::filesystem::path target = dir / result.files[i].name;
    for (const BuildInput& input : result.inputs) {
      if (!std::filesystem::equivalent(target, input.path, ec) || ec) continue;
      const std::size_t line = i < result.file_lines.size() ? result.file_lines[i] : 0;
      throw Error(ExitCode::input,
                  fmt::format("{}{}: output \"{}\" would overwrite {} {} (--out {}); nothing was written",
                              result.inputs.front().path.string(), line == 0 ? "" : fmt::format(":{}", line),
                              result.files[i].name.string(), input.what, quoted(input.path), quoted(dir)));
    }
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(ExitCode::output, fmt::format("cannot create {}: {}", quoted(dir), ec.message()));
  std::vector<FileToWrite> files;
  for (const OutputFile& f : result.files) files.push_back({dir / f.name, f.bytes});
  write_files_atomic(files);
}

}  // namespace certbundle::project
