#pragma once
// Options shared by the commands that choose Mozilla roots (roots, bundle, and later others):
// --mozilla, --at, --distrust-after, --include, --exclude, --filter, --extra.
#include <optional>
#include <string>
#include <vector>

#include "certbundle/mozilla/selection.hpp"
#include "command.hpp"

namespace CLI {
class App;
class Option;
}

namespace certbundle::cli {

struct SelectionArgs {
  std::string mozilla;          // empty: the bundled snapshot
  std::string at = "now";
  std::string distrust_after = "ignore";
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::string filter;           // cmn_crt_authorities.csv
  std::vector<std::string> extra;  // PEM/DER files added after the Mozilla selection
  std::vector<const CLI::Option*> selecting;  // the options that select Mozilla roots

  // True when any option that selects Mozilla roots was given (--extra does not count).
  [[nodiscard]] bool selects_mozilla() const;
};

void add_selection_options(CLI::App& cmd, SelectionArgs& args);

// Loads the store (bundled, or --mozilla), selects from it (unless `with_mozilla` is false) and
// appends the --extra certificates. Prints each warning to streams.err as
// "certbundle: warning: ...". Throws certbundle::Error.
[[nodiscard]] mozilla::Selection select(const SelectionArgs& args, bool with_mozilla, Streams streams);

// The store that --mozilla names, or the bundled one.
[[nodiscard]] const mozilla::Store& store_for(const SelectionArgs& args);

}  // namespace certbundle::cli
