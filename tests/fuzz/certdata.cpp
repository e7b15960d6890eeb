// certdata.txt (mozilla::parse_certdata, build_store) and the store detection that `--mozilla`
// uses (parse_store: certdata.txt or a curl cacert.pem), then the default selection on the store.
#include "certbundle/mozilla/certdata.hpp"
#include "certbundle/mozilla/selection.hpp"
#include "fuzz.hpp"

using namespace certbundle;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::text(data, size);
  std::optional<mozilla::Store> store;
  try {
    const std::vector<mozilla::Object> objects = mozilla::parse_certdata(text, "certdata.txt");
    for (const mozilla::Object& object : objects) fuzz::require(object.line > 0, "objects have a line");
    store = mozilla::build_store(objects, "certdata.txt", "0", Parse::full);
  } catch (const Error& e) {
    fuzz::check_refusal(e);
  }
  // Without BEGINDATA, parse_store reads a cacert.pem (with it, it does what is done above).
  if (text.find("BEGINDATA") == std::string_view::npos) {
    try {
      store = mozilla::parse_store(text, "cacert.pem");
    } catch (const Error& e) {
      fuzz::check_refusal(e);
    }
  }
  if (!store) return 0;
  for (const mozilla::Root& root : store->roots) {
    (void)root.cert.subject();
    (void)root.cert.key();
  }
  mozilla::SelectionOptions options;
  options.at = Time{std::chrono::seconds{1'800'000'000}};
  for (const auto rule : {mozilla::DistrustAfterRule::ignore, mozilla::DistrustAfterRule::grace,
                          mozilla::DistrustAfterRule::strict}) {
    options.distrust_after = rule;
    try {
      const mozilla::Selection selection = mozilla::select_roots(*store, options);
      fuzz::require(selection.certs.size() <= store->roots.size(), "a selection is part of the store");
      for (const std::string& w : selection.warnings) fuzz::require(fuzz::one_line(w), "warnings are one line", w);
    } catch (const Error& e) {
      fuzz::check_refusal(e);
    }
  }
  return 0;
}
