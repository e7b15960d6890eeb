#include "selection_options.hpp"

#include <algorithm>
#include <ostream>
#include <set>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "certbundle/core/error.hpp"
#include "certbundle/core/text.hpp"
#include "certbundle/x509/load.hpp"

namespace certbundle::cli {

bool SelectionArgs::selects_mozilla() const {
  return std::any_of(selecting.begin(), selecting.end(),
                     [](const CLI::Option* o) { return o->count() > 0; });
}

void add_selection_options(CLI::App& cmd, SelectionArgs& args) {
  const char* group = "Root selection";
  args.selecting = {
      cmd.add_option("--mozilla", args.mozilla,
                     "Mozilla root store to select from: a certdata.txt or a curl cacert.pem "
                     "(default: the snapshot built into certbundle)")
          ->group(group),
      cmd.add_option("--at", args.at,
                     "Judge expiry and distrust as of this moment: YYYY-MM-DD or "
                     "YYYY-MM-DDTHH:MM:SSZ, UTC (default: now)")
          ->group(group),
      cmd.add_option("--distrust-after", args.distrust_after,
                     "Mozilla's distrust-after dates: ignore (as curl's mk-ca-bundle), grace (drop "
                     "398 days after the date), strict (drop once it passed)")
          ->check(CLI::IsMember({"ignore", "grace", "strict"}))
          ->group(group),
      cmd.add_option("--include", args.include,
                     "Keep only roots whose label matches (exact or glob) or whose SHA-256 is "
                     "given; repeatable; adds to --filter")
          ->allow_extra_args(false)
          ->group(group),
      cmd.add_option("--exclude", args.exclude,
                     "Leave out roots whose label matches (exact or glob) or whose SHA-256 is "
                     "given; repeatable")
          ->allow_extra_args(false)
          ->group(group),
      cmd.add_option("--filter", args.filter,
                     "ESP-IDF's common-CA filter: a CSV (cmn_crt_authorities.csv) whose second "
                     "column names the roots to keep")
          ->group(group),
  };
  cmd.add_option("--extra", args.extra, "Add the certificates of this PEM or DER file (private CAs); repeatable")
      ->allow_extra_args(false)
      ->group(group);
}

const mozilla::Store& store_for(const SelectionArgs& args) {
  if (args.mozilla.empty()) return mozilla::bundled_store();
  static const mozilla::Store store = mozilla::load_store(args.mozilla);
  return store;
}

mozilla::Selection select(const SelectionArgs& args, bool with_mozilla, Streams streams) {
  mozilla::Selection selection;
  if (with_mozilla) {
    mozilla::SelectionOptions options;
    options.at = parse_time(args.at);
    options.distrust_after = mozilla::parse_distrust_after_rule(args.distrust_after);
    options.include = args.include;
    options.exclude = args.exclude;
    if (!args.filter.empty()) options.filter_csv = mozilla::read_filter_csv(args.filter);
    try {
      selection = mozilla::select_roots(store_for(args), options);
    } catch (const Error& e) {
      if (e.code() != ExitCode::usage) throw;
      throw usage_error(fmt::format("--include {}", e.what()));
    }
  }
  std::set<Sha256> seen;
  for (const auto& s : selection.certs) seen.insert(s.cert.sha256());
  for (const std::string& file : args.extra) {
    for (auto& loaded : load_certificates(file)) {
      if (!seen.insert(loaded.cert.sha256()).second) continue;  // already selected
      std::string label = loaded.label.empty() ? loaded.cert.common_name() : loaded.label;
      selection.certs.push_back({std::move(loaded.cert), std::move(label), std::move(loaded.origin), nullptr});
    }
  }
  for (const std::string& warning : selection.warnings) {
    streams.err << "certbundle: warning: " << one_line(warning) << "\n";
  }
  return selection;
}

}  // namespace certbundle::cli
