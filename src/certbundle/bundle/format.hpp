#pragma once
// ESP-IDF certificate bundles: the binary file that esp_crt_bundle.c searches on the device, as
// ESP-IDF's gen_crt_bundle.py writes it.
//
// A bundle holds, for each CA certificate, only its subject and its SubjectPublicKeyInfo, both as
// the raw DER bytes inside the certificate. Records are sorted ascending by subject DER (plain
// byte order, a shorter prefix first) because the device finds the issuer of a server's
// certificate by binary search on the subject. Two formats exist, and neither carries a magic
// number or a version:
//
//   V1 (ESP-IDF v4.2 to v5.3.x, arduino-esp32's generator):
//     u16 big-endian count N, then N records: u16 BE subject length, u16 BE SPKI length,
//     subject DER, SPKI DER.
//   V2 (ESP-IDF v5.4 and later):
//     N little-endian u32 offsets, each counted from the start of the file (so N = offset[0] / 4),
//     then N records: u16 LE subject length, u16 LE SPKI length, subject DER, SPKI DER.
//
// For the same certificates a V2 bundle is 4N - 2 bytes longer than a V1 bundle. No certificates
// give an empty (0-byte) file, as ESP-IDF v5.5 and later write it.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "certbundle/x509/certificate.hpp"

namespace certbundle::bundle {

enum class Format { v1, v2 };

// "V1" | "V2", as messages and summaries print it.
[[nodiscard]] std::string_view to_string(Format format);

// "v1" | "v2" (any case). Throws usage_error naming the text on anything else.
[[nodiscard]] Format parse_format(std::string_view text);

// The format an ESP-IDF release reads: "4.4", "5.3", "v5.3.2" -> V1 (v5.3.x and earlier);
// "5.4", "5.5.1", "6.0", "v6.1" -> V2. Accepts MAJOR.MINOR[.PATCH] with an optional leading 'v'.
// Throws usage_error naming the text on anything else, and for versions before 4.2 (no bundles).
[[nodiscard]] Format format_for_idf_version(std::string_view text);

// CONFIG_MBEDTLS_CERTIFICATE_BUNDLE_MAX_CERTS' default: the device refuses a bigger bundle.
inline constexpr std::size_t default_max_certs = 200;

// The largest subject or SPKI a record can hold (its length is a u16).
inline constexpr std::size_t max_field_bytes = 0xffff;

// One certificate to put in a bundle, with the name messages use for it (its origin and label,
// for example `cacrt_all.pem:3530 (ISRG Root X1)`).
struct Member {
  Certificate cert;
  std::string name;
};

struct WriteOptions {
  Format format = Format::v2;
  std::size_t max_certs = default_max_certs;  // more than this is warned about, not refused
};

struct Written {
  std::string bytes;                  // the bundle file
  std::size_t count = 0;              // certificates in it
  std::vector<std::string> warnings;  // one line each, without a "warning: " prefix
};

// The bundle gen_crt_bundle.py writes for these certificates, byte for byte: `members` sorted
// stably by subject DER (equal subjects keep their input order), then encoded in `format`.
// Warns (does not refuse) when there are more than `max_certs` certificates, and for each pair of
// certificates with the same subject, naming both: the device only ever tries one of them.
// Throws Error(ExitCode::input) naming the certificate when its subject or SPKI is longer than
// 65535 bytes.
[[nodiscard]] Written write_bundle(std::vector<Member> members, const WriteOptions& options);

// One record of a bundle as read back.
struct Record {
  Bytes subject_der;
  Bytes spki_der;
  std::size_t offset = 0;  // where its length fields start in the file
};

struct Parsed {
  Format format = Format::v2;
  std::vector<Record> records;  // in file order
};

// Reads `data` as a bundle in the given format. `name` (the file) is used in messages. Throws
// Error(ExitCode::input) with a one-line message naming the file and the byte offset where the
// structure breaks: a file too short for its header, an offset table entry that is not where
// its record starts (wrong, unsorted or out of range), a record that runs past the end of the
// file, fewer records than the count announces, bytes after the last record.
// The order of records is not checked here (see unsorted_records()).
[[nodiscard]] Parsed read_bundle(ByteView data, Format format, std::string_view name);

// Reads `data` as whichever format it is. A file that is valid in exactly one format is read as
// that one; a file valid in both (possible only for contrived bytes) as the one whose every
// subject and SPKI starts like DER (a SEQUENCE), preferring V2. An empty file is an empty V2
// bundle. A damaged file is reported against the more plausible format: the one that read more
// whole records before breaking; on a tie the one whose header looks like its format (a V2
// offset table below 64 KiB and a multiple of 4, or a V1 first subject starting at byte 6 with
// a SEQUENCE tag), else V2.
[[nodiscard]] Parsed read_bundle(ByteView data, std::string_view name);

// The format read_bundle(data, name) reads `data` as, or reports its damage against.
[[nodiscard]] Format likely_format(ByteView data);

// True when `data` reads without error as a bundle in `format`.
[[nodiscard]] bool is_bundle(ByteView data, Format format);

// Indices i where record i sorts before record i-1: the device's binary search may miss them.
[[nodiscard]] std::vector<std::size_t> unsorted_records(const std::vector<Record>& records);

// True when subject DER `a` sorts before `b` in a bundle (byte order, a shorter prefix first).
[[nodiscard]] bool subject_less(ByteView a, ByteView b);

}  // namespace certbundle::bundle
