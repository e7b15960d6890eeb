#include "certbundle/project/lock.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "certbundle/core/base64.hpp"
#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/core/text.hpp"
#include "certbundle/fetch/fetch.hpp"

namespace certbundle::project {

using json = nlohmann::json;  // std::map underneath: keys come out sorted

std::vector<LockedCert> LockedEndpoint::anchors() const {
  std::vector<LockedCert> out;
  if (device_anchor) out.push_back(*device_anchor);
  for (const LockedCert& a : browser_anchors) {
    if (std::none_of(out.begin(), out.end(), [&](const LockedCert& o) { return o.cert == a.cert; })) {
      out.push_back(a);
    }
  }
  return out;
}

namespace {

json cert_json(const LockedCert& c) {
  return json{{"label", c.label},
              {"source", c.source},
              {"subject", c.cert.subject()},
              {"issuer", c.cert.issuer()},
              {"sha256", c.cert.sha256_hex()},
              {"not_after", format_time(c.cert.not_after())},
              {"der", base64_encode(c.cert.der())}};
}

// Where a value of a lock is, for messages. The lock holds one value a line (to_json), so a
// certificate's line is found by its endpoint, its field and its SHA-256, searched in that order;
// in a lock edited by hand it may be an approximate line, or 0 when not found.
class LineFinder {
 public:
  explicit LineFinder(std::string_view text) : text_(text) {}

  [[nodiscard]] std::size_t line(const std::string& endpoint, const char* field, std::size_t index,
                                 const std::string& sha256) const {
    std::size_t pos = text_.find("\"endpoints\"");
    for (const std::string& needle : {json(endpoint).dump() + ":", fmt::format("\"{}\"", field)}) {
      if (pos == std::string_view::npos) return 0;
      pos = text_.find(needle, pos);
    }
    for (std::size_t i = 0; i <= index && pos != std::string_view::npos; ++i) {
      pos = text_.find("\"sha256\"", i == 0 ? pos : pos + 1);
    }
    if (pos == std::string_view::npos) return 0;
    const std::size_t hex = text_.find(sha256, pos);
    if (hex == std::string_view::npos) return 0;
    return 1 + static_cast<std::size_t>(std::count(text_.begin(), text_.begin() + static_cast<std::ptrdiff_t>(hex), '\n'));
  }

 private:
  std::string_view text_;
};

class LockReader {
 public:
  explicit LockReader(std::string name) : name_(std::move(name)) {}

  [[nodiscard]] Error error(const std::string& where, const std::string& why) const {
    return Error(ExitCode::input,
                 fmt::format("cannot read \"{}\": {}{}{} (run `certbundle lock` to write it again)",
                             name_, where, where.empty() ? "" : ": ", why));
  }

  const json& member(const json& object, const char* key, const std::string& where) const {
    if (!object.is_object() || !object.contains(key)) throw error(where, fmt::format("no \"{}\"", key));
    return object.at(key);
  }

  // Every string of a lock is one line of text: a control character (a line break that would start
  // a PEM block in an output, an escape sequence) is refused, not passed on.
  std::string string(const json& object, const char* key, const std::string& where) const {
    const json& v = member(object, key, where);
    if (!v.is_string()) throw error(where, fmt::format("\"{}\" is not a string", key));
    std::string s = v.get<std::string>();
    if (std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
      throw error(where, fmt::format("\"{}\" holds a control character (the lock was edited by hand?)", key));
    }
    return s;
  }

  Time time(const json& object, const char* key, const std::string& where) const {
    try {
      return parse_time(string(object, key, where));
    } catch (const Error& e) {
      throw error(where, fmt::format("\"{}\": {}", key, e.what()));
    }
  }

  LockedCert cert(const json& object, const std::string& where) const {
    const auto der = base64_decode(string(object, "der", where));
    if (!der) throw error(where, "\"der\" is not base64");
    std::string why;
    auto cert = Certificate::from_der(*der, &why);
    if (!cert) throw error(where, fmt::format("\"der\" is not a certificate: {}", why));
    if (cert->sha256_hex() != string(object, "sha256", where)) {
      throw error(where, "\"sha256\" does not match \"der\" (the lock was edited by hand?)");
    }
    return {std::move(*cert), string(object, "label", where), string(object, "source", where)};
  }

  std::vector<LockedCert> certs(const json& object, const char* key, const std::string& where) const {
    const json& array = member(object, key, where);
    if (!array.is_array()) throw error(where, fmt::format("\"{}\" is not an array", key));
    std::vector<LockedCert> out;
    for (std::size_t i = 0; i < array.size(); ++i) {
      out.push_back(cert(array[i], fmt::format("{}.{}[{}]", where, key, i)));
    }
    return out;
  }

 private:
  std::string name_;
};

}  // namespace

std::string to_json(const Lock& lock) {
  json endpoints = json::object();
  for (const auto& [name, e] : lock.endpoints) {
    json previous = json::array();
    for (const PreviousAnchor& p : e.previous) {
      json a = cert_json(p.anchor);
      a["replaced_at"] = format_time(p.replaced_at);
      previous.push_back(std::move(a));
    }
    json chain = json::array();
    for (const LockedCert& c : e.chain) chain.push_back(cert_json(c));
    json browser = json::array();
    for (const LockedCert& c : e.browser_anchors) browser.push_back(cert_json(c));
    endpoints[name] = json{{"target", e.target},
                           {"locked_at", format_time(e.locked_at)},
                           {"browser_trusted", e.browser_trusted},
                           {"browser_reason", e.browser_reason},
                           {"chain", std::move(chain)},
                           {"device_anchor", e.device_anchor ? cert_json(*e.device_anchor) : json(nullptr)},
                           {"browser_anchors", std::move(browser)},
                           {"previous_anchors", std::move(previous)}};
  }
  const json doc{{"certbundle_lock", lock_version},
                 {"snapshot", {{"name", lock.snapshot_name}, {"sha256", lock.snapshot_sha256}}},
                 {"endpoints", std::move(endpoints)}};
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Lock parse_lock(std::string_view text, const std::string& name) {
  const LockReader in(name);
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw in.error(fmt::format("byte {}", e.byte), "not valid JSON");
  } catch (const json::out_of_range&) {  // a number too large for a double: valid JSON, not a lock
    throw in.error("", "not valid JSON for a lock (a number out of range)");
  }
  if (!doc.is_object() || !doc.contains("certbundle_lock")) throw in.error("", "not a certbundle lock");
  if (doc["certbundle_lock"] != lock_version) {
    throw in.error("", fmt::format("lock version {} is not {}", doc["certbundle_lock"].dump(), lock_version));
  }
  Lock lock;
  lock.file = name;
  const LineFinder lines(text);
  const auto locate = [&](const std::string& endpoint, const char* field, std::vector<LockedCert>& certs) {
    for (std::size_t i = 0; i < certs.size(); ++i) {
      certs[i].line = lines.line(endpoint, field, i, certs[i].cert.sha256_hex());
    }
  };
  const json& snapshot = in.member(doc, "snapshot", "");
  lock.snapshot_name = in.string(snapshot, "name", "snapshot");
  lock.snapshot_sha256 = in.string(snapshot, "sha256", "snapshot");
  const json& endpoints = in.member(doc, "endpoints", "");
  if (!endpoints.is_object()) throw in.error("", "\"endpoints\" is not an object");
  for (const auto& [key, value] : endpoints.items()) {
    const std::string where = fmt::format("endpoint \"{}\"", key);
    LockedEndpoint e;
    e.target = in.string(value, "target", where);
    e.locked_at = in.time(value, "locked_at", where);
    const json& trusted = in.member(value, "browser_trusted", where);
    if (!trusted.is_boolean()) throw in.error(where, "\"browser_trusted\" is not true or false");
    e.browser_trusted = trusted.get<bool>();
    e.browser_reason = in.string(value, "browser_reason", where);
    e.chain = in.certs(value, "chain", where);
    // What lock wrote came through fetch, which refuses more from a server: a chain beyond it was
    // not written by certbundle.
    std::size_t chain_bytes = 0;
    for (const LockedCert& c : e.chain) chain_bytes += c.cert.der().size();
    if (e.chain.size() > static_cast<std::size_t>(fetch::max_presented_certificates) ||
        chain_bytes > fetch::max_certificate_message) {
      throw in.error(where, fmt::format("\"chain\" holds {} certificates, {} bytes: more than a server may send "
                                        "({} certificates, {} bytes)",
                                        e.chain.size(), chain_bytes, fetch::max_presented_certificates,
                                        fetch::max_certificate_message));
    }
    if (const json& device = in.member(value, "device_anchor", where); !device.is_null()) {
      e.device_anchor = in.cert(device, where + ".device_anchor");
    }
    e.browser_anchors = in.certs(value, "browser_anchors", where);
    const json& previous = in.member(value, "previous_anchors", where);
    if (!previous.is_array()) throw in.error(where, "\"previous_anchors\" is not an array");
    for (std::size_t i = 0; i < previous.size(); ++i) {
      const std::string at = fmt::format("{}.previous_anchors[{}]", where, i);
      e.previous.push_back({in.cert(previous[i], at), in.time(previous[i], "replaced_at", at)});
    }
    locate(key, "chain", e.chain);
    locate(key, "browser_anchors", e.browser_anchors);
    if (e.device_anchor) {
      e.device_anchor->line = lines.line(key, "device_anchor", 0, e.device_anchor->cert.sha256_hex());
    }
    for (std::size_t i = 0; i < e.previous.size(); ++i) {
      e.previous[i].anchor.line = lines.line(key, "previous_anchors", i, e.previous[i].anchor.cert.sha256_hex());
    }
    lock.endpoints.emplace(key, std::move(e));
  }
  return lock;
}

Lock read_lock(const std::filesystem::path& file) { return parse_lock(read_file(file, lock_limit), file.string()); }

namespace {

// Labels come from certificates a server sent (a common name may hold a line break): the lock keeps
// them escaped, as one line of text (core/text.hpp), and its reader refuses any other.
LockedCert from_anchor(const chain::AnchorRef& a) { return {a.cert, printable(a.label), a.source}; }

}  // namespace

LockedEndpoint lock_endpoint(const fetch::TargetReport& report, Time now) {
  LockedEndpoint e;
  e.target = report.target.text;
  e.locked_at = now;
  const chain::Analysis& analysis = *report.analysis;
  e.browser_trusted = analysis.browser.trusted;
  e.browser_reason = printable(analysis.browser.reason);
  for (const chain::Entry& entry : analysis.presented) {
    e.chain.push_back({entry.cert, printable(entry.cert.common_name()), "presented"});
  }
  if (analysis.device.anchor) e.device_anchor = from_anchor(*analysis.device.anchor);
  for (const chain::AnchorRef& a : analysis.browser.roots) e.browser_anchors.push_back(from_anchor(a));
  return e;
}

namespace {

std::string describe(const LockedCert& c) {
  return fmt::format("\"{}\" (SHA-256 {}…, expires {})", c.label, c.cert.sha256_hex().substr(0, 16),
                     format_date(c.cert.not_after()));
}

bool contains(const std::vector<LockedCert>& list, const Certificate& cert) {
  return std::any_of(list.begin(), list.end(), [&](const LockedCert& c) { return c.cert == cert; });
}

}  // namespace

std::vector<std::string> carry_over(const std::string& name, const LockedEndpoint& old,
                                    LockedEndpoint& fresh, Time now) {
  std::vector<std::string> lines;
  const std::vector<LockedCert> old_anchors = old.anchors();
  const std::vector<LockedCert> new_anchors = fresh.anchors();

  if (old.chain.empty() || fresh.chain.empty() || !(old.chain.front().cert == fresh.chain.front().cert)) {
    lines.push_back(fmt::format("{}: the server presents a new leaf certificate{}", name,
                                fresh.chain.empty() ? "" : " " + describe(fresh.chain.front())));
  }
  const auto anchor_name = [](const std::optional<LockedCert>& a) {
    return a ? describe(*a) : std::string("none");
  };
  const bool device_changed = old.device_anchor.has_value() != fresh.device_anchor.has_value() ||
                              (old.device_anchor && !(old.device_anchor->cert == fresh.device_anchor->cert));
  if (device_changed) {
    lines.push_back(fmt::format("{}: device anchor changed from {} to {}", name,
                                anchor_name(old.device_anchor), anchor_name(fresh.device_anchor)));
  }

  // Earlier transitions go on, unless the anchor is current again or has expired.
  for (const PreviousAnchor& p : old.previous) {
    if (contains(new_anchors, p.anchor.cert)) continue;
    if (p.anchor.cert.not_after() < now) {
      lines.push_back(fmt::format("{}: {} has expired and leaves the transition", name, describe(p.anchor)));
      continue;
    }
    fresh.previous.push_back(p);
  }
  for (const LockedCert& a : old_anchors) {
    if (contains(new_anchors, a.cert)) continue;
    if (std::any_of(fresh.previous.begin(), fresh.previous.end(),
                    [&](const PreviousAnchor& p) { return p.anchor.cert == a.cert; })) {
      continue;
    }
    if (a.cert.not_after() < now) continue;
    fresh.previous.push_back({a, now});
    lines.push_back(fmt::format(
        "{}: transition started: {} is no longer an anchor of the server; it stays in the outputs "
        "next to the new anchors until retire_after (or until it expires)",
        name, describe(a)));
  }
  for (const LockedCert& a : new_anchors) {
    if (!contains(old_anchors, a.cert)) lines.push_back(fmt::format("{}: new anchor {}", name, describe(a)));
  }
  return lines;
}

}  // namespace certbundle::project
