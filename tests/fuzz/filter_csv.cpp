// ESP-IDF's common-CA filter (cmn_crt_authorities.csv, `--filter`) applied by select_roots to
// the bundled Mozilla store, and the label globs of --include/--exclude (glob_match): the first
// line of the input (the CSV header, which the filter skips) is also used as a glob against every
// label of the store.
#include "certbundle/mozilla/certdata.hpp"
#include "certbundle/mozilla/selection.hpp"
#include "fuzz.hpp"

using namespace certbundle;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::text(data, size);
  const mozilla::Store& store = mozilla::bundled_store();
  mozilla::SelectionOptions options;
  options.at = Time{std::chrono::seconds{1'800'000'000}};
  options.filter_csv = mozilla::FilterCsv{"cmn_crt_authorities.csv", std::string(text)};
  try {
    const mozilla::Selection selection = mozilla::select_roots(store, options);
    for (const std::string& w : selection.warnings) fuzz::require(fuzz::one_line(w), "warnings are one line", w);
  } catch (const Error& e) {
    fuzz::check_refusal(e);
  }
  const std::string_view pattern = text.substr(0, std::min(text.find('\n'), std::size_t{256}));
  for (const mozilla::Root& root : store.roots) {
    if (mozilla::glob_match(pattern, root.label)) {
      fuzz::require(!pattern.empty(), "an empty glob matches no label");
    }
  }
  return 0;
}
