// certbundle verify: would the ESP32 connect? A handshake with mbedtls against TARGET (or, with
// --chain, a saved chain checked offline), trusting only the given bundle or PEM, verified as
// ESP-IDF's bundle callback does. A thin layer over certbundle/device.
//
// Exit codes: 0 the device would connect; 1 it would not (the chain does not verify, or the
// handshake fails: no common cipher suite, protocol version, an alert); 5 no TLS verdict (resolve,
// connect or STARTTLS failed, or the deadline passed); 3 the bundle, PEM, chain or client
// certificate cannot be read or is damaged (including a bundle in the other format than the one
// asked for); 2 bad usage.
//
// Without --idf-version the signature rule is that of the devices that read the trust
// (device::signature_rule_for_trust: a V1 bundle, ESP-IDF 5.3's), and a note on stderr, after the
// verdict, says which.
//
// JSON (--json, version 1; fields are added, never renamed):
//   { "format": "certbundle-verify", "version": 1,
//     "chain": file (--chain) | "target", "peer", "hostname", "outcome": "connects"|"refused"|
//       "network", "connects", "reason", "protocol", "ciphersuite", "alpn", "tls_error",
//       "failure": null|{ "step", "reason" }, "offered_ciphersuites": [ name ],
//     "trust": { "kind": "bundle"|"pem", "file", "mode", "signature_rule", "format", "entries" |
//                "certificates", "clock": null|time },
//     "verification": null | { "connects", "reason", "path": [ { "certificate": index|null,
//       "entry": index|null, "subject", "issuer", "flags", "info" } ], "lookup": null |
//       { "certificate", "issuer", "entry": index|null, "entry_subject", "signature",
//         "same_subject": [ index ], "would_verify": index|null }, "anchor", "anchor_entry",
//       "mbedtls_result", "mbedtls_error", "flags", "verify_info": [..], "device_log": [..],
//       "notes": [..] } }
#include <chrono>
#include <cmath>
#include <optional>
#include <ostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/core/text.hpp"
#include "certbundle/device/handshake.hpp"
#include "certbundle/device/verify.hpp"
#include "certbundle/x509/load.hpp"
#include "command.hpp"
#include "connect_options.hpp"

namespace certbundle::cli {

namespace {

struct VerifyArgs {
  std::string target;
  std::string bundle;
  std::string pem;
  std::string format;
  std::string idf_version;
  std::string chain;
  bool cross_signed = false;
  std::string time;
  std::string host;
  ConnectArgs connect;
  std::string ciphersuites;
  std::size_t max_certs = device::default_max_certs;
  bool json = false;
};

device::Trust load_trust(const VerifyArgs& args) {
  if (!args.pem.empty()) {
    if (!args.format.empty() || !args.idf_version.empty()) {
      throw usage_error("--format and --idf-version apply to --bundle, not --pem");
    }
    return device::load_pem(args.pem);
  }
  std::optional<bundle::Format> format;
  if (!args.format.empty() && args.format != "auto") format = bundle::parse_format(args.format);
  if (!args.idf_version.empty()) format = bundle::format_for_idf_version(args.idf_version);
  return device::load_bundle(args.bundle, format);
}

std::string trust_line(const device::Trust& trust, const device::VerifyOptions& options) {
  const std::string clock =
      options.clock ? format_time(*options.clock) : std::string("none (dates not checked)");
  if (trust.kind == device::Trust::Kind::pem) {
    return fmt::format("trust: PEM {} ({} certificate{}), device clock: {}",
                       certbundle::quoted(trust.name), trust.certs.size(),
                       trust.certs.size() == 1 ? "" : "s", clock);
  }
  return fmt::format(
      "trust: bundle {} ({}, {} {}), mode: {}, signature check: {}, device clock: "
      "{}",
      certbundle::quoted(trust.name), bundle::to_string(trust.format), trust.records.size(),
      trust.records.size() == 1 ? "entry" : "entries", device::to_string(options.mode),
      options.signature == device::SignatureRule::psa ? "ESP-IDF 6 (PSA)" : "ESP-IDF 4.x-5.x",
      clock);
}

void write_verification(std::ostream& out, const device::Verification& v) {
  if (!v.path.empty()) out << "path (mbedtls):\n";
  for (const device::PathStep& s : v.path) {
    const std::string where = s.certificate ? fmt::format("[{}]", *s.certificate)
                                            : fmt::format("entry #{}", s.entry.value_or(0));
    out << fmt::format("  {} {}{}\n", where, one_line(s.subject),
                       s.info.empty() ? "" : "  ! " + one_line(s.info));
  }
  if (v.lookup) {
    const device::Lookup& l = *v.lookup;
    out << fmt::format("bundle search: issuer \"{}\" of [{}] -> ", one_line(l.issuer),
                       l.certificate);
    if (l.entry) {
      out << fmt::format("entry #{} \"{}\", signature {}\n", *l.entry, one_line(l.entry_subject),
                         device::to_string(*l.signature));
    } else {
      out << "no entry\n";
    }
    for (std::size_t e : l.same_subject) {
      out << fmt::format("  entry #{} has the same subject and is never tried{}\n", e,
                         l.would_verify == e ? " (its key would verify)" : "");
    }
  }
  if (!v.anchor.empty()) {
    out << fmt::format("anchor: {}{}\n", one_line(v.anchor),
                       v.anchor_entry ? fmt::format(" (entry #{})", *v.anchor_entry) : "");
  }
  for (const std::string& line : v.device_log)
    out << "device log: " << one_line(line) << "\n";
  if (v.mbedtls_result != 0) out << "mbedtls: " << one_line(v.mbedtls_error) << "\n";
  if (!v.verify_info.empty()) {
    out << "mbedtls_x509_crt_verify_info (the flags mbedtls left on the path):\n";
    for (const std::string& line : v.verify_info)
      out << one_line(line) << "\n";
  }
  for (const std::string& note : v.notes)
    out << "note: " << one_line(note) << "\n";
}

nlohmann::json to_json(const device::Verification& v) {
  nlohmann::json j;
  j["connects"] = v.connects;
  j["reason"] = v.reason;
  j["path"] = nlohmann::json::array();
  for (const device::PathStep& s : v.path) {
    nlohmann::json step{
        {"subject", s.subject}, {"issuer", s.issuer}, {"flags", s.flags}, {"info", s.info}};
    step["certificate"] = s.certificate ? nlohmann::json(*s.certificate) : nlohmann::json();
    step["entry"] = s.entry ? nlohmann::json(*s.entry) : nlohmann::json();
    j["path"].push_back(std::move(step));
  }
  if (v.lookup) {
    const device::Lookup& l = *v.lookup;
    nlohmann::json lookup{
        {"certificate", l.certificate}, {"issuer", l.issuer}, {"same_subject", l.same_subject}};
    lookup["entry"] = l.entry ? nlohmann::json(*l.entry) : nlohmann::json();
    lookup["entry_subject"] = l.entry_subject;
    lookup["signature"] =
        l.signature ? nlohmann::json(device::to_string(*l.signature)) : nlohmann::json();
    lookup["would_verify"] = l.would_verify ? nlohmann::json(*l.would_verify) : nlohmann::json();
    j["lookup"] = std::move(lookup);
  } else {
    j["lookup"] = nullptr;
  }
  j["anchor"] = v.anchor;
  j["anchor_entry"] = v.anchor_entry ? nlohmann::json(*v.anchor_entry) : nlohmann::json();
  j["mbedtls_result"] = v.mbedtls_result;
  j["mbedtls_error"] = v.mbedtls_error;
  j["flags"] = v.flags;
  j["verify_info"] = v.verify_info;
  j["device_log"] = v.device_log;
  j["notes"] = v.notes;
  return j;
}

nlohmann::json trust_json(const device::Trust& trust, const device::VerifyOptions& options) {
  nlohmann::json j{{"kind", trust.kind == device::Trust::Kind::pem ? "pem" : "bundle"},
                   {"file", trust.name},
                   {"mode", device::to_string(options.mode)},
                   {"signature_rule",
                    options.signature == device::SignatureRule::psa ? "psa" : "pk_verify_ext"}};
  if (trust.kind == device::Trust::Kind::bundle) {
    j["format"] = bundle::to_string(trust.format);
    j["entries"] = trust.records.size();
  } else {
    j["certificates"] = trust.certs.size();
  }
  j["clock"] = options.clock ? nlohmann::json(format_time(*options.clock)) : nlohmann::json();
  return j;
}

int exit_for(bool connects) {
  return static_cast<int>(connects ? ExitCode::ok : ExitCode::findings);
}

// `note` (what was assumed for want of --idf-version) is printed on stderr once a verdict is
// reached, so that a failure before it stays one line.
int run_offline(const VerifyArgs& args, const device::Trust& trust,
                const device::VerifyOptions& options, const std::string& note, Streams streams) {
  std::vector<Certificate> chain;
  for (auto& c : load_certificates(args.chain))
    chain.push_back(std::move(c.cert));
  const device::Verification v = device::verify_chain(chain, trust, options);
  if (args.json) {
    nlohmann::json j{{"format", "certbundle-verify"}, {"version", 1},
                     {"chain", args.chain},           {"trust", trust_json(trust, options)},
                     {"host", options.host},          {"verification", to_json(v)}};
    streams.out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    streams.out << fmt::format("chain: {} ({} certificates)\n", certbundle::quoted(args.chain),
                               chain.size());
    streams.out << trust_line(trust, options) << "\n";
    write_verification(streams.out, v);
    streams.out << (v.connects
                        ? "verdict: the device would connect\n"
                        : "verdict: the device would NOT connect: " + one_line(v.reason) + "\n");
  }
  streams.err << note;
  return exit_for(v.connects);
}

device::HandshakeOptions handshake_options(const VerifyArgs& args,
                                           std::vector<std::string>& warnings) {
  const Connect c = parse_connect(args.connect);
  warnings = c.warnings;
  device::HandshakeOptions o;
  o.timeout = c.timeout;
  o.hostname_mode = c.name == Connect::Name::none     ? device::HostnameMode::none
                    : c.name == Connect::Name::custom ? device::HostnameMode::custom
                                                      : device::HostnameMode::target;
  o.hostname = c.sni;
  o.alpn = c.alpn;
  o.starttls = c.starttls;
  o.ip_version = c.ip_version;
  if (!args.ciphersuites.empty()) o.ciphersuites = device::parse_ciphersuites(args.ciphersuites);
  o.client_cert = c.client_cert;
  o.client_key = c.client_key;
  o.client_key_pass = c.client_key_pass;
  return o;
}

int run_live(const VerifyArgs& args, const device::Trust& trust,
             const device::VerifyOptions& options, const std::string& note, Streams streams) {
  const fetch::Target target = fetch::parse_target(args.target);
  std::vector<std::string> warnings;
  const device::HandshakeOptions hs = handshake_options(args, warnings);
  for (const std::string& w : warnings)
    streams.err << "certbundle: warning: " << one_line(w) << "\n";
  const device::LiveResult r = device::handshake(target, trust, options, hs);
  if (args.json) {
    nlohmann::json j{{"format", "certbundle-verify"},
                     {"version", 1},
                     {"target", target.text},
                     {"peer", r.peer},
                     {"hostname", r.hostname},
                     {"trust", trust_json(trust, options)},
                     {"outcome", device::to_string(r.outcome)},
                     {"connects", r.outcome == device::Outcome::connects},
                     {"reason", r.reason},
                     {"protocol", r.protocol},
                     {"ciphersuite", r.ciphersuite},
                     {"alpn", r.alpn},
                     {"tls_error", r.tls_error}};
    j["failure"] = r.failure ? nlohmann::json{{"step", fetch::to_string(r.failure->step)},
                                              {"reason", r.failure->reason}}
                             : nlohmann::json();
    j["offered_ciphersuites"] = nlohmann::json::array();
    for (int id : hs.ciphersuites)
      j["offered_ciphersuites"].push_back(device::ciphersuite_name(id));
    j["verification"] = r.verification ? to_json(*r.verification) : nlohmann::json();
    streams.out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    streams.out << fmt::format("target: {}{}\n", printable(target.text),
                               r.peer.empty() ? "" : fmt::format(" ({})", r.peer));
    streams.out << trust_line(trust, options) << "\n";
    if (!r.protocol.empty()) {
      streams.out << fmt::format("tls: {}, {}{}\n", r.protocol, r.ciphersuite,
                                 r.alpn.empty() ? "" : ", alpn " + printable(r.alpn));
    } else if (!r.tls_error.empty()) {
      streams.out << "tls: " << one_line(r.tls_error) << "\n";
    }
    if (r.verification) write_verification(streams.out, *r.verification);
    switch (r.outcome) {
      case device::Outcome::connects: streams.out << "verdict: the device would connect\n"; break;
      case device::Outcome::refused:
        streams.out << "verdict: the device would NOT connect: " << one_line(r.reason) << "\n";
        break;
      case device::Outcome::network:
        streams.out << "verdict: none: " << one_line(r.reason) << "\n";
        break;
    }
  }
  if (r.outcome == device::Outcome::network) {
    streams.err << fmt::format("certbundle: error: {}: {}: {}\n", printable(target.text),
                               fetch::to_string(r.failure->step), one_line(r.failure->reason));
    return static_cast<int>(ExitCode::network);
  }
  streams.err << note;
  return exit_for(r.outcome == device::Outcome::connects);
}

int run_verify(const VerifyArgs& args, Streams streams) {
  if (args.bundle.empty() == args.pem.empty()) throw usage_error("give one of --bundle or --pem");
  if (!args.format.empty() && !args.idf_version.empty()) {
    throw usage_error("--format and --idf-version exclude each other");
  }
  if (args.chain.empty() == args.target.empty()) {
    throw usage_error("give a TARGET to connect to, or --chain FILE to check offline");
  }
  if (args.cross_signed && !args.pem.empty()) {
    throw usage_error("--cross-signed-verify applies to --bundle, not --pem");
  }
  if (!args.chain.empty() &&
      (args.connect.shapes_connection() || !args.ciphersuites.empty())) {
    throw usage_error(
        "--chain checks offline: connection options do not apply (use --host "
        "for the name check)");
  }
  if (!args.target.empty() && !args.host.empty()) {
    throw usage_error("--host applies to --chain; a live check uses the target (or --sni)");
  }
  device::VerifyOptions options;
  options.mode = args.cross_signed ? device::Mode::cross_signed : device::Mode::standard;
  if (!args.time.empty()) options.clock = parse_time(args.time);
  options.host = args.host;
  if (args.max_certs == 0) throw usage_error("--max-certs: give at least 1");
  options.max_certs = args.max_certs;
  const device::Trust trust = load_trust(args);
  std::string note;
  if (!args.idf_version.empty()) {
    options.signature = device::signature_rule_for_idf_version(args.idf_version);
  } else {
    options.signature = device::signature_rule_for_trust(trust);
    note = "certbundle: note: " + device::assumed_signature_rule_note(trust) + "\n";
  }
  return args.chain.empty() ? run_live(args, trust, options, note, streams)
                            : run_offline(args, trust, options, note, streams);
}

}  // namespace

void setup_verify(CLI::App& app, Runner& run) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Would the ESP32 connect? A handshake with mbedtls, trusting only a bundle or PEM, "
      "verified as ESP-IDF's bundle callback does (exit 0: it would connect)");
  cmd->add_option("target", args->target,
                  "host, host:port, [v6]:port or URL (https://, mqtts://, smtp:// ...)");
  auto* bundle = cmd->add_option("--bundle", args->bundle,
                                 "the ESP-IDF certificate bundle the "
                                 "device holds");
  auto* pem = cmd->add_option("--pem", args->pem, "a PEM file given as cacert_buf instead");
  bundle->excludes(pem);
  cmd->add_option("--format", args->format,
                  "the bundle format the device reads: v1 (ESP-IDF <= 5.3), v2 (5.4+), auto "
                  "(detected; default)");
  cmd->add_option("--idf-version", args->idf_version,
                  "the ESP-IDF version of the device: gives the format (V1 before 5.4) and the "
                  "signature check (RSA-PSS accepted before 6.0); default: a V1 bundle is checked "
                  "as ESP-IDF 5.3 does, a V2 bundle or a PEM as ESP-IDF 6 does (said in a note)");
  cmd->add_option("--chain", args->chain,
                  "check this saved chain (PEM/DER, leaf first) offline "
                  "instead of connecting");
  cmd->add_flag("--cross-signed-verify", args->cross_signed,
                "ESP-IDF 6's CONFIG_MBEDTLS_CERTIFICATE_BUNDLE_CROSS_SIGNED_VERIFY");
  cmd->add_option("--time", args->time,
                  "the device clock (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or now); default: no clock, "
                  "dates not checked");
  cmd->add_option("--host", args->host, "--chain: the name to check against the leaf");
  add_connect_options(*cmd, args->connect, "seconds for connect + STARTTLS + handshake (default 10)");
  cmd->add_option("--ciphersuites", args->ciphersuites,
                  "offer only these (the device's mbedtls configuration), comma-separated mbedtls "
                  "or IANA names");
  cmd->add_option("--max-certs", args->max_certs,
                  "CONFIG_MBEDTLS_CERTIFICATE_BUNDLE_MAX_CERTS (default 200)");
  cmd->add_flag("--json", args->json, "print JSON");
  cmd->callback([args, &run] { run = [args](Streams s) { return run_verify(*args, s); }; });
}

}  // namespace certbundle::cli
