#include "certbundle/bundle/inspect.hpp"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/core/text.hpp"
#include "certbundle/mozilla/certdata.hpp"
#include "certbundle/x509/load.hpp"

namespace certbundle::bundle {

std::string_view to_string(Kind kind) {
  switch (kind) {
    case Kind::bundle_v1: return "ESP-IDF bundle V1";
    case Kind::bundle_v2: return "ESP-IDF bundle V2";
    case Kind::pem: return "PEM";
    case Kind::der: return "DER certificate";
  }
  return "?";
}

std::string_view json_name(Kind kind) {
  switch (kind) {
    case Kind::bundle_v1: return "bundle_v1";
    case Kind::bundle_v2: return "bundle_v2";
    case Kind::pem: return "pem";
    case Kind::der: return "der";
  }
  return "?";
}

namespace {

Kind bundle_kind(Format format) { return format == Format::v1 ? Kind::bundle_v1 : Kind::bundle_v2; }

std::string_view as_text(ByteView data) {
  return {reinterpret_cast<const char*>(data.data()), data.size()};
}

bool same(ByteView a, ByteView b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

// Both pieces a bundle keeps, and what a store knows about them.
void describe_key_and_name(InspectedEntry& e, ByteView subject, ByteView spki,
                           const mozilla::Store* store, std::vector<std::string>& warnings) {
  const auto name = name_from_der(subject);
  e.subject = name ? *name : "(not a DER name)";
  e.subject_bytes = subject.size();
  const auto key = key_info_from_spki(spki);
  e.key = key ? key->describe() : "(not a public key)";
  e.spki_sha256 = to_hex(sha256(spki));
  if (!name) warnings.push_back(fmt::format("entry {}: the subject is not a DER name", e.index));
  if (!key) {
    warnings.push_back(
        fmt::format("entry {}: the public key does not parse; the device cannot "
                    "verify with it",
                    e.index));
  }
  if (store == nullptr) return;
  for (const mozilla::Root& root : store->roots) {
    if (same(root.cert.subject_der(), subject) && same(root.cert.spki_der(), spki)) {
      e.mozilla_label = root.label;
      break;
    }
  }
}

std::string where(const InspectedEntry& e) {
  return e.offset ? fmt::format("entry {} (offset {})", e.index, *e.offset)
                  : fmt::format("entry {} ({})", e.index, e.origin);
}

}  // namespace

Kind detect(ByteView data) {
  const std::string_view text = as_text(data);
  if (data.empty()) return Kind::bundle_v2;
  if (data[0] == 0x30 && Certificate::from_der(data)) return Kind::der;
  if (text.find("-----BEGIN") != std::string_view::npos) return Kind::pem;
  // Bundles always hold NUL bytes (in their counts, offsets and lengths); text never does.
  if (text.find('\0') == std::string_view::npos) return Kind::pem;
  const bool long_sequence =
      data.size() > 1 && data[0] == 0x30 && data[1] >= 0x81 && data[1] <= 0x83;
  if (long_sequence && !is_bundle(data, Format::v1) && !is_bundle(data, Format::v2)) {
    return Kind::der;
  }
  return bundle_kind(likely_format(data));
}

Inspection inspect(ByteView data, std::string_view name, const mozilla::Store* store) {
  Inspection out;
  out.name = std::string(name);
  out.kind = detect(data);
  out.size = data.size();
  auto& warnings = out.warnings;

  if (out.kind == Kind::bundle_v1 || out.kind == Kind::bundle_v2) {
    const Parsed parsed =
        read_bundle(data, out.kind == Kind::bundle_v1 ? Format::v1 : Format::v2, name);
    for (const Record& r : parsed.records) {
      InspectedEntry& e = out.entries.emplace_back();
      e.index = out.entries.size() - 1;
      e.offset = r.offset;
      describe_key_and_name(e, r.subject_der, r.spki_der, store, warnings);
    }
    for (const std::size_t i : unsorted_records(parsed.records)) {
      warnings.push_back(
          fmt::format("{} sorts before the entry above it: the device's binary "
                      "search may never find it",
                      where(out.entries[i])));
    }
    // The device looks up by subject; equal subjects are a problem even out of order. Sorting
    // indices keeps this fast for files with tens of thousands of (tiny) records.
    std::vector<std::size_t> by_subject(parsed.records.size());
    for (std::size_t i = 0; i < by_subject.size(); ++i)
      by_subject[i] = i;
    std::stable_sort(by_subject.begin(), by_subject.end(), [&](std::size_t a, std::size_t b) {
      return subject_less(parsed.records[a].subject_der, parsed.records[b].subject_der);
    });
    for (std::size_t first = 0; first < by_subject.size();) {
      std::size_t end = first + 1;
      while (end < by_subject.size() && parsed.records[by_subject[end]].subject_der ==
                                            parsed.records[by_subject[first]].subject_der) {
        ++end;
      }
      if (end - first > 1) {
        std::string names = where(out.entries[by_subject[first]]);
        const std::size_t shown = std::min<std::size_t>(end - first, 3);
        for (std::size_t k = first + 1; k < first + shown; ++k) {
          names += (k + 1 == first + shown && shown == end - first ? " and " : ", ");
          names += where(out.entries[by_subject[k]]);
        }
        if (shown < end - first) names += fmt::format(" and {} more", end - first - shown);
        warnings.push_back(
            fmt::format("{} have the same subject: the device only ever tries one of them", names));
      }
      first = end;
    }
    if (data.empty()) {
      warnings.push_back(
          "an empty file: ESP-IDF 5.5 and later read it as a bundle with no "
          "certificates, which lets the device verify no server");
    }
    if (parsed.records.size() > default_max_certs) {
      warnings.push_back(
          fmt::format("{} entries: more than the {} the device accepts by default "
                      "(CONFIG_MBEDTLS_CERTIFICATE_BUNDLE_MAX_CERTS)",
                      parsed.records.size(), default_max_certs));
    }
    return out;
  }

  std::vector<SourcedCertificate> certs;
  if (out.kind == Kind::pem) {
    certs = parse_pem(as_text(data), std::string(name));
  } else {
    std::string why;
    auto cert = Certificate::from_der(data, &why);
    if (!cert) {
      throw Error(ExitCode::input, fmt::format("cannot read {}: not a DER certificate: {}",
                                               quoted(std::filesystem::path(name)), why));
    }
    certs.push_back({std::move(*cert), {}, std::string(name)});
  }
  for (const SourcedCertificate& c : certs) {
    InspectedEntry& e = out.entries.emplace_back();
    e.index = out.entries.size() - 1;
    e.origin = c.origin;
    e.label = c.label;
    describe_key_and_name(e, c.cert.subject_der(), c.cert.spki_der(), store, warnings);
    e.not_before = c.cert.not_before();
    e.not_after = c.cert.not_after();
    e.sha256 = c.cert.sha256_hex();
  }
  return out;
}

void print_table(const Inspection& in, std::ostream& out) {
  const bool bundle = in.kind == Kind::bundle_v1 || in.kind == Kind::bundle_v2;
  std::string reader;
  if (in.kind == Kind::bundle_v1) reader = " (ESP-IDF 4.2 to 5.3, arduino-esp32 2.0.x to 3.1.x)";
  if (in.kind == Kind::bundle_v2) reader = " (ESP-IDF 5.4 and later, arduino-esp32 3.2 and later)";
  out << fmt::format("{}: {}{}, {} {}, {} bytes\n", printable(in.name), to_string(in.kind), reader,
                     in.entries.size(), in.entries.size() == 1 ? "entry" : "entries", in.size);

  std::vector<std::vector<std::string>> rows;
  if (bundle) {
    rows.push_back({"#", "offset", "key", "spki_sha256", "mozilla", "subject"});
  } else {
    rows.push_back({"#", "origin", "key", "not_after", "sha256", "mozilla", "subject"});
  }
  for (const InspectedEntry& e : in.entries) {
    // Labels, origins (file names) and subjects are data: one line each, whatever they hold.
    const std::string mozilla = e.mozilla_label.empty() ? "-" : printable(e.mozilla_label);
    if (bundle) {
      rows.push_back({std::to_string(e.index), std::to_string(e.offset.value_or(0)), e.key,
                      e.spki_sha256, mozilla, one_line(e.subject)});
    } else {
      rows.push_back({std::to_string(e.index), printable(e.origin), e.key,
                      e.not_after ? format_date(*e.not_after) : "-", e.sha256, mozilla,
                      one_line(e.subject)});
    }
  }
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c)
      width[c] = std::max(width[c], row[c].size());
  }
  if (!in.entries.empty()) {
    for (const auto& row : rows) {
      std::string line;
      for (std::size_t c = 0; c < row.size(); ++c) {
        line += "  ";
        line += row[c];
        // The last column is not padded, so lines carry no trailing blanks.
        if (c + 1 < row.size()) line.append(width[c] - row[c].size(), ' ');
      }
      out << line << '\n';
    }
  }
  for (const std::string& w : in.warnings)
    out << "  warning: " << w << '\n';
}

std::string to_json(const std::vector<Inspection>& inspections) {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const Inspection& in : inspections) {
    nlohmann::ordered_json entries = nlohmann::ordered_json::array();
    for (const InspectedEntry& e : in.entries) {
      nlohmann::ordered_json j;
      j["index"] = e.index;
      if (e.offset) {
        j["offset"] = *e.offset;
      } else {
        j["origin"] = e.origin;
        j["label"] = e.label.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(e.label);
        j["not_before"] = e.not_before ? format_time(*e.not_before) : "";
        j["not_after"] = e.not_after ? format_time(*e.not_after) : "";
        j["sha256"] = e.sha256;
      }
      j["subject"] = e.subject;
      j["subject_bytes"] = e.subject_bytes;
      j["key"] = e.key;
      j["spki_sha256"] = e.spki_sha256;
      j["mozilla_label"] = e.mozilla_label.empty() ? nlohmann::ordered_json()
                                                   : nlohmann::ordered_json(e.mozilla_label);
      entries.push_back(std::move(j));
    }
    nlohmann::ordered_json f;
    f["file"] = in.name;
    f["kind"] = json_name(in.kind);
    f["size"] = in.size;
    f["count"] = in.entries.size();
    f["warnings"] = in.warnings;
    f["entries"] = std::move(entries);
    files.push_back(std::move(f));
  }
  nlohmann::ordered_json root;
  root["files"] = std::move(files);
  // Labels and subjects can hold any bytes; replace invalid UTF-8 rather than throw.
  return root.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace certbundle::bundle
