// certbundle roots: list the Mozilla roots a selection gives, as a table, JSON, or curl's
// cacert.pem layout.
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "certbundle/core/file.hpp"
#include "certbundle/core/text.hpp"
#include "certbundle/mozilla/selection.hpp"
#include "command.hpp"
#include "selection_options.hpp"

namespace certbundle::cli {

namespace {

struct RootsArgs {
  SelectionArgs selection;
  bool json = false;
  bool pem = false;
  std::string output;
};

nlohmann::ordered_json optional_time(const std::optional<Time>& t) {
  return t ? nlohmann::ordered_json(format_time(*t)) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json to_json(const mozilla::Selected& s, const mozilla::Store& store) {
  const KeyInfo key = s.cert.key();
  nlohmann::ordered_json j;
  j["label"] = s.label;
  j["sha256"] = s.cert.sha256_hex();
  j["subject"] = s.cert.subject();
  j["key_type"] = key.type;
  j["key_bits"] = key.bits;
  j["key_curve"] = key.curve.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(key.curve);
  j["spki_sha256"] = to_hex(s.cert.spki_sha256());
  j["not_before"] = format_time(s.cert.not_before());
  j["not_after"] = format_time(s.cert.not_after());
  if (s.root != nullptr) {
    j["server_distrust_after"] = optional_time(s.root->server_distrust_after);
    j["email_distrust_after"] = optional_time(s.root->email_distrust_after);
    j["trust_object_server_distrust_after"] = optional_time(s.root->trust_object_server_distrust_after);
    if (store.has_trust_bits) {
      j["trust"] = {{"server_auth", mozilla::to_string(s.root->trust.server_auth)},
                    {"email_protection", mozilla::to_string(s.root->trust.email_protection)},
                    {"code_signing", mozilla::to_string(s.root->trust.code_signing)}};
    } else {
      j["trust"] = nullptr;  // a cacert.pem carries no trust bits
    }
  } else {
    j["server_distrust_after"] = nullptr;
    j["email_distrust_after"] = nullptr;
    j["trust_object_server_distrust_after"] = nullptr;
    j["trust"] = nullptr;
  }
  j["origin"] = s.origin;
  return j;
}

std::string render(const RootsArgs& args, const mozilla::Selection& selection, Time at) {
  const mozilla::Store& store = store_for(args.selection);
  if (args.pem) {
    // Deterministic: the header names the inputs and the rule, not the time of the run.
    std::string header = fmt::format(
        "##\n## Mozilla root certificates selected by certbundle\n##\n"
        "## Source: {}\n## Source SHA-256: {}\n## Rule: server-auth trust anchors not expired at "
        "the selection date; distrust-after: {}\n##\n\n",
        store.name, store.sha256, args.selection.distrust_after);
    return mozilla::to_cacert_pem(selection.certs, header);
  }
  if (args.json) {
    nlohmann::ordered_json j;
    j["source"] = {{"name", store.name}, {"sha256", store.sha256}};
    j["at"] = format_time(at);
    j["distrust_after"] = args.selection.distrust_after;
    j["count"] = selection.certs.size();
    j["roots"] = nlohmann::ordered_json::array();
    for (const auto& s : selection.certs) j["roots"].push_back(to_json(s, store));
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  std::string out = fmt::format("{:<56} {:<10} {:<10} {}\n", "LABEL", "KEY", "NOT AFTER", "SHA-256");
  for (const auto& s : selection.certs) {
    out += fmt::format("{:<56} {:<10} {:<10} {}\n", printable(s.label), s.cert.key().describe(),
                       format_date(s.cert.not_after()), s.cert.sha256_hex().substr(0, 16));
  }
  out += fmt::format("{} roots from {} at {}\n", selection.certs.size(), store.name, format_time(at));
  return out;
}

}  // namespace

void setup_roots(CLI::App& app, Runner& run) {
  auto args = std::make_shared<RootsArgs>();
  auto* cmd = app.add_subcommand("roots", "List the Mozilla roots a selection gives, or export them as PEM");
  add_selection_options(*cmd, args->selection);
  auto* json = cmd->add_flag("--json", args->json, "Print JSON (label, SHA-256, key, dates, distrust-after, trust bits)");
  cmd->add_flag("--pem", args->pem, "Print PEM in curl's cacert.pem layout (label, '=' underline, PEM)")
      ->excludes(json);
  cmd->add_option("-o,--output", args->output, "Write to this file (atomically) instead of standard output");
  cmd->callback([args, &run] {
    run = [args](Streams streams) {
      const Time at = parse_time(args->selection.at);
      args->selection.at = format_time(at);  // one moment for the whole run
      const mozilla::Selection selection = select(args->selection, true, streams);
      const std::string text = render(*args, selection, at);
      if (args->output.empty() || args->output == "-") {
        streams.out << text;
      } else {
        write_file_atomic(args->output, text);
        streams.err << fmt::format("wrote {}: {} roots\n", args->output, selection.certs.size());
      }
      return 0;
    };
  });
}

}  // namespace certbundle::cli
