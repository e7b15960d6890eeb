// certbundle fetch (also installed as cert-fetch): the chains servers present, analysed for a
// browser and for an ESP32 with an ESP-IDF certificate bundle. A thin layer over
// certbundle/fetch and certbundle/chain.
//
// Exit codes: 0 every target was fetched and its chain is fine (trusted in the browser view, the
// host name covered, a device anchor that is a root, neither expired nor distrusted); 1 every
// target was fetched but at least one chain is not fine; 5 at least one target failed (resolve, connect, starttls or handshake);
// 2 bad usage; 3 an input file (--from, --ca, --mozilla, --cert, --key) cannot be read; 4 the
// output cannot be written.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <mutex>
#include <ostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/core/text.hpp"
#include "certbundle/fetch/fetch.hpp"
#include "certbundle/fetch/report.hpp"
#include "certbundle/mozilla/certdata.hpp"
#include "certbundle/x509/load.hpp"
#include "command.hpp"
#include "connect_options.hpp"

namespace certbundle::cli {

namespace {

struct FetchArgs {
  std::vector<std::string> targets;
  std::string from;
  ConnectArgs connect;
  std::string proxy;
  std::string mozilla;
  std::vector<std::string> ca;
  std::string at = "now";
  bool no_aia = false;
  bool pem = false;
  bool with_root = false;
  bool json = false;
  std::string output;
  std::size_t jobs = fetch::default_jobs;
};

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  return std::string(s.substr(b, s.find_last_not_of(" \t\r") - b + 1));
}

std::vector<fetch::Target> read_targets(const FetchArgs& args) {
  std::vector<std::string> texts = args.targets;
  if (!args.from.empty()) {
    const std::string content = read_file(args.from, list_limit);
    for (const std::string& line : split_list(content, '\n')) {
      const std::string t = trim(line);
      if (!t.empty() && t.front() != '#') texts.push_back(t);
    }
  }
  if (texts.empty()) throw usage_error("fetch: no target (give host[:port] or URL, or --from FILE)");
  std::vector<fetch::Target> targets;
  for (const std::string& t : texts) targets.push_back(fetch::parse_target(t));
  return targets;
}

fetch::FetchOptions options_from(const FetchArgs& args, std::vector<std::string>& warnings) {
  const Connect c = parse_connect(args.connect);
  warnings = c.warnings;
  fetch::FetchOptions o;
  o.connect.timeout = c.timeout;
  o.aia_timeout = c.timeout;
  o.connect.sni_mode = c.name == Connect::Name::none     ? fetch::SniMode::none
                       : c.name == Connect::Name::custom ? fetch::SniMode::custom
                                                         : fetch::SniMode::host;
  o.connect.sni = c.sni;
  o.connect.alpn = c.alpn;
  o.connect.starttls = c.starttls;
  o.connect.proxy = args.proxy;
  o.connect.ip_version = c.ip_version;
  o.connect.client_cert = c.client_cert;
  o.connect.client_key = c.client_key;
  o.connect.client_key_pass = c.client_key_pass;
  o.aia = args.no_aia ? fetch::Aia::off : fetch::Aia::download;
  o.at = parse_time(args.at);
  if (args.jobs == 0 || args.jobs > fetch::max_jobs) throw usage_error("--jobs: give 1 to 256");
  o.jobs = args.jobs;
  return o;
}

chain::TrustMaterial trust_from(const FetchArgs& args) {
  chain::TrustMaterial trust = chain::trust_from_store(
      args.mozilla.empty() ? mozilla::bundled_store() : mozilla::load_store(args.mozilla));
  for (const std::string& file : args.ca) {
    std::vector<Certificate> certs;
    for (auto& s : load_certificates(file)) certs.push_back(std::move(s.cert));
    chain::add_extra_anchors(trust, certs);
  }
  return trust;
}

// A chain is fine when a browser trusts it for this host and an ESP32 bundle can hold a root
// for it that is neither expired nor distrusted.
bool fine(const fetch::TargetReport& r) {
  const auto& a = *r.analysis;
  const auto& d = a.device;
  return a.browser.trusted && (a.name.name.empty() || a.name.matches) && d.anchor.has_value() &&
         !d.anchor_is_intermediate && !d.anchor_expired && !d.anchor_distrusted;
}

int run_fetch(const FetchArgs& args, Streams streams) {
  if (args.pem && args.json) throw usage_error("--pem and --json exclude each other");
  if (args.with_root && !args.pem) throw usage_error("--with-root needs --pem");
  const std::vector<fetch::Target> targets = read_targets(args);
  std::vector<std::string> warnings;
  const fetch::FetchOptions options = options_from(args, warnings);
  for (const std::string& w : warnings)
    streams.err << "certbundle: warning: " << one_line(w) << "\n";
  const chain::TrustMaterial trust = trust_from(args);

  // A progress line on a terminal only; never when stderr is piped or redirected.
  const bool progress_line = targets.size() > 1 && ::isatty(STDERR_FILENO) == 1;
  fetch::Progress progress;
  if (progress_line) {
    progress = [&streams](std::size_t done, std::size_t total) {
      streams.err << fmt::format("\rcertbundle: fetched {}/{}", done, total) << std::flush;
    };
  }
  const auto reports = fetch::fetch_all(targets, options, trust, progress);
  if (progress_line) streams.err << "\r\033[K" << std::flush;

  std::ostringstream text;
  if (args.json) {
    fetch::write_json(text, reports, options.at);
  } else {
    for (std::size_t i = 0; i < reports.size(); ++i) {
      if (args.pem) {
        fetch::write_pem(text, reports[i], args.with_root ? fetch::WithRoot::yes : fetch::WithRoot::no);
      } else {
        if (i > 0) text << "\n";
        fetch::write_text(text, reports[i]);
      }
    }
  }

  bool failed = false;
  bool findings = false;
  for (const auto& r : reports) {
    for (const auto& d : r.aia) {
      if (d.error) {
        streams.err << fmt::format("certbundle: warning: {}: aia: {}: {}\n",
                                   printable(r.target.text), printable(d.url), one_line(*d.error));
      }
    }
    if (!r.fetched()) {
      failed = true;
      streams.err << fmt::format("certbundle: error: {}: {}: {}\n", printable(r.target.text),
                                 fetch::to_string(r.failure->step), one_line(r.failure->reason));
    } else if (!fine(r)) {
      findings = true;
    }
  }
  if (args.output.empty() || args.output == "-") {
    streams.out << text.str() << std::flush;
  } else {
    write_file_atomic(args.output, text.str());
  }
  if (failed) return static_cast<int>(ExitCode::network);
  return static_cast<int>(findings ? ExitCode::findings : ExitCode::ok);
}

}  // namespace

void setup_fetch(CLI::App& app, Runner& run) {
  auto args = std::make_shared<FetchArgs>();
  auto* cmd = app.add_subcommand(
      "fetch", "Fetch the certificate chains servers present and tell which CA an ESP32 bundle "
               "must hold (also installed as cert-fetch)");
  cmd->add_option("targets", args->targets,
                  "host, host:port, [v6addr]:port, or URL (https://, mqtts://, smtp://, imaps://, ...)");
  cmd->add_option("--from", args->from,
                  "read more targets from FILE, one a line (# starts a comment); they follow the "
                  "targets given as arguments");
  add_connect_options(*cmd, args->connect,
                      "seconds for connect + STARTTLS + handshake, and for each AIA download (default 10)");
  cmd->add_option("--proxy", args->proxy, "HTTP CONNECT proxy (default: https_proxy, honouring no_proxy)");
  cmd->add_option("--mozilla", args->mozilla, "another certdata.txt or curl cacert.pem (default: the bundled snapshot)");
  cmd->add_option("--ca", args->ca, "extra trusted CA certificates (PEM or DER), for private CAs");
  cmd->add_option("--at", args->at, "judge expiry at this date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC)");
  cmd->add_flag("--no-aia", args->no_aia, "do not complete incomplete chains from AIA caIssuers URLs");
  cmd->add_flag("--pem", args->pem, "print the chain as sent, as openssl s_client -showcerts does");
  cmd->add_flag("--with-root", args->with_root, "with --pem: append the device-view anchor");
  cmd->add_flag("--json", args->json, "print everything as JSON");
  cmd->add_option("-o,--output", args->output, "write to FILE (atomically) instead of standard output");
  cmd->add_option("-j,--jobs", args->jobs, "targets fetched at once (1 to 256, default 16)");
  cmd->footer(
      "Exit codes:\n"
      "  0  every target was fetched and its chain is fine: trusted in the browser view, the host\n"
      "     name covered, and a device anchor that is a root, neither expired nor distrusted\n"
      "  1  every target was fetched, and at least one chain is not fine (see its warnings)\n"
      "  2  usage: a bad option or target\n"
      "  3  an input file (--from, --ca, --mozilla, --cert, --key) cannot be read\n"
      "  4  the output (-o) cannot be written\n"
      "  5  at least one target failed at resolve, connect, starttls or handshake; the others\n"
      "     are still reported. A failed AIA download is a warning, not a failure.");
  cmd->callback([&run, args] { run = [args](Streams s) { return run_fetch(*args, s); }; });
}

}  // namespace certbundle::cli
