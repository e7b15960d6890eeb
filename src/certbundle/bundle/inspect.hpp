#pragma once
// What is in a certificate file: an ESP-IDF bundle (V1 or V2), a PEM file or a DER certificate.
//
// inspect() tells the kind by content (no file has a magic number), reads every entry and, given
// a Mozilla store, names the root each entry is: a root of the store with the same subject AND
// the same SubjectPublicKeyInfo, the two things a bundle keeps. A bundle entry has no dates and
// no fingerprint of its own, only its subject and key; certificates also show their validity and
// SHA-256.
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certbundle/bundle/format.hpp"
#include "certbundle/core/time.hpp"
#include "certbundle/x509/certificate.hpp"

namespace certbundle::mozilla {
struct Store;
}

namespace certbundle::bundle {

enum class Kind { bundle_v1, bundle_v2, pem, der };

// "ESP-IDF bundle V1", "ESP-IDF bundle V2", "PEM", "DER certificate".
[[nodiscard]] std::string_view to_string(Kind kind);
// "bundle_v1", "bundle_v2", "pem", "der": the JSON value.
[[nodiscard]] std::string_view json_name(Kind kind);

// The kind of a file by its content, also for a damaged file (the kind its error is reported
// against): DER when it parses as one certificate; PEM when it holds "-----BEGIN" or has no NUL
// byte (text); DER when it starts like a long DER SEQUENCE (30 81/82/83) and is no valid bundle;
// else the bundle format that likely_format() picks. An empty file is an empty V2 bundle.
[[nodiscard]] Kind detect(ByteView data);

struct InspectedEntry {
  std::size_t index = 0;              // from 0, in file order
  std::optional<std::size_t> offset;  // a bundle record's byte offset
  std::string origin;                 // a certificate's "file:line" (PEM) or file name (DER)
  std::string label;                  // the heading above a PEM block (curl's cacert.pem)
  std::string subject;                // one line, RFC 2253; "(not a DER name)" if it is none
  std::size_t subject_bytes = 0;
  std::string key;            // "RSA 2048", "EC P-256"; "(not a public key)" if none
  std::string spki_sha256;    // hex
  std::string mozilla_label;  // the matching root of the store, else empty
  // Certificates only (PEM, DER):
  std::optional<Time> not_before;
  std::optional<Time> not_after;
  std::string sha256;  // of the certificate DER, hex; empty for a bundle entry
};

struct Inspection {
  std::string name;  // the file, as given
  Kind kind = Kind::bundle_v2;
  std::size_t size = 0;  // bytes
  std::vector<InspectedEntry> entries;
  // What the device or a reader would trip over, one line each without a "warning: " prefix:
  // bundle records out of order (the device's binary search can miss them), entries with the same
  // subject, more than default_max_certs entries, a subject or key that does not parse.
  std::vector<std::string> warnings;
};

// Inspects the bytes of the file `name`. `store` may be null (no Mozilla labels). Throws
// Error(ExitCode::input) with read_bundle()'s or parse_pem()'s one-line message for a damaged
// file, and for a DER file that is not a certificate.
[[nodiscard]] Inspection inspect(ByteView data, std::string_view name, const mozilla::Store* store);

// A table for people: a heading line with the name, kind, count and size, then one row per entry
// and the warnings as "warning: ..." lines.
void print_table(const Inspection& inspection, std::ostream& out);

// JSON for scripts, stable snake_case names:
// {"files": [{"file", "kind", "size", "count", "warnings": [...], "entries": [{"index",
// "offset" (bundle) | "origin", "label", "not_before", "not_after", "sha256" (certificates),
// "subject", "subject_bytes", "key", "spki_sha256", "mozilla_label" (string or null)}]}]}.
// Dates are "YYYY-MM-DDTHH:MM:SSZ". Ends with a newline.
[[nodiscard]] std::string to_json(const std::vector<Inspection>& inspections);

}  // namespace certbundle::bundle
