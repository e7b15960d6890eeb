#include "certbundle/fetch/report.hpp"

#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "certbundle/core/text.hpp"
#include "certbundle/x509/load.hpp"

namespace certbundle::fetch {

namespace {

using Json = nlohmann::ordered_json;

using chain::Entry;
using chain::Role;

std::string days(std::int64_t n) {
  if (n < 0) return fmt::format("expired {} days ago", -n);
  return fmt::format("{} days left", n);
}


void write_entry(std::ostream& out, const std::string& indent, const std::string& tag,
                 const Entry& e) {
  out << fmt::format("{}{} {}  {}\n", indent, tag, to_string(e.role), one_line(e.cert.subject()));
  const std::string pad(indent.size() + tag.size() + 1, ' ');
  out << fmt::format("{}issuer {}\n", pad, one_line(e.cert.issuer()));
  out << fmt::format("{}expires {} ({}), sha256 {}\n", pad, format_time(e.cert.not_after()),
                     days(e.days_left), e.cert.sha256_hex());
}

std::string anchor_line(const chain::AnchorRef& a) {
  return fmt::format("\"{}\" ({}{}, expires {}, {})", printable(a.label), a.source,
                     a.self_issued ? ", root" : ", intermediate", format_date(a.cert.not_after()),
                     days(a.days_left));
}

Json cert_json(const Entry& e, std::size_t index) {
  return {{"index", index},
          {"role", std::string(to_string(e.role))},
          {"issued_by", e.issuer ? Json(*e.issuer) : Json(nullptr)},
          {"subject", e.cert.subject()},
          {"issuer", e.cert.issuer()},
          {"common_name", e.cert.common_name()},
          {"serial", e.cert.serial_hex()},
          {"sha256", e.cert.sha256_hex()},
          {"not_before", format_time(e.cert.not_before())},
          {"not_after", format_time(e.cert.not_after())},
          {"days_left", e.days_left},
          {"self_issued", e.cert.is_self_issued()},
          {"pem", to_pem(e.cert)}};
}

Json anchor_json(const std::optional<chain::AnchorRef>& a) {
  if (!a) return nullptr;
  return {{"label", a->label},
          {"source", a->source},
          {"subject", a->cert.subject()},
          {"sha256", a->cert.sha256_hex()},
          {"self_issued", a->self_issued},
          {"trusted", a->trusted},
          {"not_after", format_time(a->cert.not_after())},
          {"days_left", a->days_left},
          {"pem", to_pem(a->cert)}};
}

}  // namespace

void write_text(std::ostream& out, const TargetReport& r) {
  if (!r.handshake) {
    out << fmt::format("{}: {} failed: {}\n", printable(r.target.text), to_string(r.failure->step),
                       one_line(r.failure->reason));
    return;
  }
  const Handshake& hs = *r.handshake;
  const chain::Analysis& a = *r.analysis;
  out << fmt::format("{}: connected to {}{}, {}, {}, {}{}\n", printable(r.target.text),
                     printable(hs.peer),
                     r.target.starttls == Starttls::none
                         ? std::string()
                         : fmt::format(" (STARTTLS {})", to_string(r.target.starttls)),
                     hs.protocol, hs.cipher, hs.sni.empty() ? "no SNI" : "SNI " + printable(hs.sni),
                     hs.alpn.empty() ? "" : ", ALPN " + printable(hs.alpn));
  if (!hs.via_proxy.empty()) {
    out << fmt::format("  through proxy {} ({})\n", printable(hs.proxy_url),
                       printable(hs.via_proxy));
  }
  out << fmt::format("chain as sent: {} certificate{}{}\n", a.presented.size(),
                     a.presented.size() == 1 ? "" : "s",
                     a.root_sent ? ", the root was sent" : ", no root sent");
  // The path as a tree, then what is off the path, then what AIA gave.
  std::string indent = "  ";
  std::vector<bool> shown(a.presented.size() + a.fetched.size(), false);
  std::optional<std::size_t> at = 0;
  for (bool first = true; at && !shown[*at]; first = false) {
    const std::size_t i = *at;
    shown[i] = true;
    if (i < a.presented.size()) {
      write_entry(out, indent, fmt::format("{}[{}]", first ? "" : "└ ", i), a.presented[i]);
      at = a.presented[i].issuer;
    } else {
      const std::size_t f = i - a.presented.size();
      write_entry(out, indent, fmt::format("└ [{}] (from AIA)", i), a.fetched[f]);
      at = a.fetched[f].issuer;
    }
    if (!first) indent += "  ";
  }
  for (std::size_t i = 0; i < a.presented.size(); ++i) {
    if (!shown[i]) write_entry(out, "  ", fmt::format("[{}]", i), a.presented[i]);
  }
  for (std::size_t f = 0; f < a.fetched.size(); ++f) {
    if (!shown[a.presented.size() + f]) {
      write_entry(out, "  ", fmt::format("[{}] (from AIA)", a.presented.size() + f), a.fetched[f]);
    }
  }
  for (const AiaDownload& d : r.aia) {
    out << fmt::format(
        "AIA {}: {}\n", printable(d.url),
        d.error ? "failed: " + one_line(*d.error)
                : fmt::format("{} certificate{}", d.certs.size(), d.certs.size() == 1 ? "" : "s"));
  }
  if (!a.name.name.empty()) {
    std::string sans;
    for (const auto& d : a.name.dns)
      sans += (sans.empty() ? "" : ", ") + ("DNS:" + printable(d));
    for (const auto& ip : a.name.ip)
      sans += (sans.empty() ? "" : ", ") + ("IP:" + printable(ip));
    out << fmt::format("host name \"{}\": {} ({})\n", printable(a.name.name),
                       a.name.matches ? "covered" : "NOT covered", sans.empty() ? "no SANs" : sans);
  }
  if (a.browser.trusted) {
    out << fmt::format("browser view: trusted, anchor {}\n", anchor_line(*a.browser.anchor));
  } else {
    out << fmt::format("browser view: NOT trusted: {}\n", one_line(a.browser.reason));
  }
  for (const auto& root : a.browser.roots) {
    out << fmt::format("  valid path through {}\n", anchor_line(root));
  }
  const std::size_t top = a.device.top.value_or(0);
  out << fmt::format("device view: the top certificate sent is [{}] \"{}\", issuer {}\n", top,
                     printable(a.presented[top].cert.common_name()), one_line(a.device.issuer));
  if (a.device.anchor) {
    out << fmt::format("  the ESP32 bundle must hold {}\n", anchor_line(*a.device.anchor));
    out << fmt::format("  sha256 {}\n", a.device.anchor->cert.sha256_hex());
  } else {
    out << "  no known certificate can be that anchor\n";
  }
  if (!a.warnings.empty()) {
    out << "warnings:\n";
    for (const auto& w : a.warnings)
      out << fmt::format("  {}: {}\n", w.code, one_line(w.message));
  }
}

void write_pem(std::ostream& out, const TargetReport& r, WithRoot with_root) {
  if (!r.handshake) return;
  const auto& certs = r.handshake->presented;
  for (std::size_t i = 0; i < certs.size(); ++i) {
    out << fmt::format("{:2} s:{}\n   i:{}\n", i, outside_pem(certs[i].subject()),
                       outside_pem(certs[i].issuer()));
    out << to_pem(certs[i]);
  }
  if (with_root == WithRoot::yes && r.analysis && r.analysis->device.anchor) {
    const auto& anchor = r.analysis->device.anchor->cert;
    out << fmt::format("device-view anchor ({}): s:{}\n",
                       outside_pem(printable(r.analysis->device.anchor->label)),
                       outside_pem(anchor.subject()));
    out << to_pem(anchor);
  }
}

void write_json(std::ostream& out, const std::vector<TargetReport>& reports, Time at) {
  Json targets = Json::array();
  for (const TargetReport& r : reports) {
    Json t = {{"target", r.target.text},
                        {"host", r.target.host},
                        {"port", r.target.port},
                        {"starttls", std::string(to_string(r.target.starttls))},
                        {"fetched", r.fetched()}};
    t["error"] = r.failure ? Json{{"step", std::string(to_string(r.failure->step))},
                                            {"message", r.failure->reason}}
                           : Json(nullptr);
    t["connection"] = nullptr;
    t["chain"] = Json::array();
    t["aia"] = Json::array();
    if (r.handshake && r.analysis) {
      const Handshake& hs = *r.handshake;
      const chain::Analysis& a = *r.analysis;
      t["connection"] = {{"peer", hs.peer},
                         {"proxy", hs.via_proxy},
                         {"proxy_url", hs.proxy_url},
                         {"protocol", hs.protocol},
                         {"cipher", hs.cipher},
                         {"alpn", hs.alpn},
                         {"sni", hs.sni}};
      for (std::size_t i = 0; i < a.presented.size(); ++i) t["chain"].push_back(cert_json(a.presented[i], i));
      for (const AiaDownload& d : r.aia) {
        Json certs = Json::array();
        for (const Certificate& c : d.certs) {
          for (std::size_t f = 0; f < a.fetched.size(); ++f) {
            if (a.fetched[f].cert == c) certs.push_back(cert_json(a.fetched[f], a.presented.size() + f));
          }
        }
        t["aia"].push_back({{"url", d.url},
                            {"ok", !d.error.has_value()},
                            {"error", d.error ? Json(*d.error) : Json(nullptr)},
                            {"certificates", certs}});
      }
      t["root_sent"] = a.root_sent;
      t["wrong_order"] = a.wrong_order;
      t["incomplete"] = a.incomplete;
      t["name"] = {{"name", a.name.name}, {"matches", a.name.matches}, {"dns", a.name.dns}, {"ip", a.name.ip}};
      Json roots = Json::array();
      for (const auto& root : a.browser.roots) roots.push_back(anchor_json(root));
      Json path = Json::array();
      for (const auto& c : a.browser.path) path.push_back(c.sha256_hex());
      t["browser"] = {{"trusted", a.browser.trusted}, {"reason", a.browser.reason},
                      {"anchor", anchor_json(a.browser.anchor)}, {"roots", roots}, {"path", path}};
      t["device"] = {{"top", a.device.top ? Json(*a.device.top) : Json(nullptr)},
                     {"issuer", a.device.issuer},
                     {"anchor", anchor_json(a.device.anchor)},
                     {"anchor_is_intermediate", a.device.anchor_is_intermediate},
                     {"differs_from_browser", a.device.differs_from_browser},
                     {"anchor_expired", a.device.anchor_expired},
                     {"anchor_distrusted", a.device.anchor_distrusted}};
      Json warnings = Json::array();
      for (const auto& w : a.warnings) warnings.push_back({{"code", w.code}, {"message", w.message}});
      t["warnings"] = warnings;
    }
    targets.push_back(std::move(t));
  }
  const Json doc = {{"format", "certbundle-fetch"}, {"version", 1},
                              {"at", format_time(at)}, {"targets", targets}};
  out << doc.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
}

}  // namespace certbundle::fetch
