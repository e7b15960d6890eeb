// ESP-IDF bundles as `inspect`, `verify` and `check` read them: read_bundle in V1, V2 and by
// detection, is_bundle, likely_format, detect, and inspect (also of PEM and DER files) with its
// table and JSON outputs.
#include <sstream>

#include "certbundle/bundle/format.hpp"
#include "certbundle/bundle/inspect.hpp"
#include "certbundle/mozilla/certdata.hpp"
#include "fuzz.hpp"

using namespace certbundle;

namespace {

void check_records(const bundle::Parsed& parsed, std::size_t size) {
  for (const bundle::Record& r : parsed.records) {
    fuzz::require(r.offset + 4 + r.subject_der.size() + r.spki_der.size() <= size,
                  "a record lies inside the file");
  }
  for (const std::size_t i : bundle::unsorted_records(parsed.records)) {
    fuzz::require(i > 0 && i < parsed.records.size(), "unsorted_records names records");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView bytes = fuzz::bytes(data, size);
  int valid = 0;
  std::optional<bundle::Format> only;
  for (const auto format : {bundle::Format::v1, bundle::Format::v2}) {
    bool ok = false;
    try {
      const bundle::Parsed parsed = bundle::read_bundle(bytes, format, "x509_crt_bundle");
      fuzz::require(parsed.format == format, "read_bundle reads the format asked for");
      check_records(parsed, size);
      ok = true;
      ++valid;
      only = format;
    } catch (const Error& e) {
      fuzz::check_refusal(e);
    }
    fuzz::require(bundle::is_bundle(bytes, format) == ok, "is_bundle agrees with read_bundle");
  }
  const bundle::Format likely = bundle::likely_format(bytes);
  try {
    const bundle::Parsed parsed = bundle::read_bundle(bytes, "x509_crt_bundle");
    fuzz::require(valid > 0, "detection reads only valid bundles");
    fuzz::require(valid == 2 || parsed.format == *only, "a bundle valid in one format is read as it");
    fuzz::require(parsed.format == likely, "likely_format is the format read");
    check_records(parsed, size);
  } catch (const Error& e) {
    fuzz::check_refusal(e);
    fuzz::require(valid == 0, "detection reads every valid bundle");
  }
  (void)bundle::detect(bytes);
  try {
    const bundle::Inspection inspection =
        bundle::inspect(bytes, "x509_crt_bundle", &mozilla::bundled_store());
    for (const std::string& w : inspection.warnings) fuzz::require(fuzz::one_line(w), "warnings are one line", w);
    std::ostringstream table;
    bundle::print_table(inspection, table);
    (void)bundle::to_json({inspection});
  } catch (const Error& e) {
    fuzz::check_refusal(e);
  }
  return 0;
}
