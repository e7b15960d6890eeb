#pragma once
// Mozilla's root store as NSS ships it: certdata.txt.
//
// The file is a header, a BEGINDATA line, then objects separated by blank lines. Each object is
// a list of `ATTRIBUTE TYPE VALUE` lines; `MULTILINE_OCTAL` values follow on `\ooo` lines up to a
// line `END`. parse_certdata() reads every object and errors on anything it does not understand,
// naming the line; build_store() pairs certificates with their trust objects (by issuer + serial,
// as NSS does) into the Store the rest of certbundle uses.
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certbundle/core/time.hpp"
#include "certbundle/x509/certificate.hpp"

namespace certbundle::mozilla {

// One attribute line (and its octal lines).
struct Attribute {
  std::string type;   // "CK_BBOOL", "UTF8", "MULTILINE_OCTAL", "CK_TRUST", ...
  std::string text;   // the value as written for non-octal types; unescaped for UTF8
  Bytes bytes;        // the bytes of a MULTILINE_OCTAL value
  std::size_t line = 0;
};

struct Object {
  std::string klass;  // CKA_CLASS: "CKO_CERTIFICATE", "CKO_NSS_TRUST", ...
  std::size_t line = 0;  // the line of its CKA_CLASS
  std::map<std::string, Attribute, std::less<>> attributes;

  [[nodiscard]] const Attribute* find(std::string_view name) const;
};

// Every object in the file, in order. Throws Error(ExitCode::input) naming `name` and the line
// for: no BEGINDATA, an unknown type, an unterminated MULTILINE_OCTAL (no END), a bad octal
// escape, an unterminated UTF8 string, an attribute before CKA_CLASS, a repeated attribute.
[[nodiscard]] std::vector<Object> parse_certdata(std::string_view text, const std::string& name);

enum class Trust {
  unspecified,        // no trust object, or the attribute is absent
  trusted_delegator,  // CKT_NSS_TRUSTED_DELEGATOR: a trust anchor for that purpose
  must_verify,        // CKT_NSS_MUST_VERIFY_TRUST: not an anchor for it
  not_trusted,        // CKT_NSS_NOT_TRUSTED: actively distrusted
};
[[nodiscard]] std::string_view to_string(Trust trust);

struct TrustBits {
  Trust server_auth = Trust::unspecified;
  Trust email_protection = Trust::unspecified;
  Trust code_signing = Trust::unspecified;
};

// A certificate of the store with what Mozilla says about it.
struct Root {
  std::string label;  // CKA_LABEL exactly (leading spaces, non-ASCII kept)
  Certificate cert;
  TrustBits trust;
  // CKA_NSS_SERVER_DISTRUST_AFTER / _EMAIL_ on the certificate object: certificates this root
  // issued after the date are distrusted (the root itself is not). NSS reads these.
  std::optional<Time> server_distrust_after;
  std::optional<Time> email_distrust_after;
  // The same attributes found on the trust object, where NSS does not read them.
  std::optional<Time> trust_object_server_distrust_after;
  std::optional<Time> trust_object_email_distrust_after;
  std::size_t line = 0;  // where its certificate object starts
};

// A trust object with no certificate object ("Explicitly Distrust ..." in older files).
struct TrustOnly {
  std::string label;
  Bytes issuer_der;
  Bytes serial_der;
  TrustBits trust;
  std::size_t line = 0;
};

struct Store {
  std::string name;          // the file it came from, or "bundled snapshot (NSS 3.123)"
  std::string sha256;        // of the file's bytes
  bool has_trust_bits = true;  // false for a curl cacert.pem: every entry counts as server-auth
  std::vector<Root> roots;     // in file order
  std::vector<TrustOnly> trust_only;
};

// Pairs certificates with trust objects. Throws Error(ExitCode::input) naming the line of a
// certificate object whose CKA_VALUE is missing or not a certificate. `sha256` is the file's.
[[nodiscard]] Store build_store(const std::vector<Object>& objects, const std::string& name,
                                std::string sha256, Parse parse = Parse::full);

// A curl-format cacert.pem (mk-ca-bundle's output): every certificate is taken as trusted for
// server auth, with its heading as label.
[[nodiscard]] Store parse_cacert_pem(std::string_view text, const std::string& name);

// A certdata.txt or a cacert.pem, told apart by content. Throws Error(ExitCode::input).
[[nodiscard]] Store load_store(const std::filesystem::path& path);
[[nodiscard]] Store parse_store(std::string_view text, const std::string& name);

struct SnapshotInfo {
  std::string sha256;
  std::string nss_version;       // "3.123"
  std::string builtins_version;  // "2.86"
  std::string changed;           // "2026-04-09", the date certdata.txt last changed upstream
};
// The snapshot compiled into certbundle from mozilla/ (see mozilla/PROVENANCE).
[[nodiscard]] SnapshotInfo bundled_snapshot_info();
[[nodiscard]] std::string_view bundled_snapshot_text();
// Parsed once per process.
[[nodiscard]] const Store& bundled_store();

}  // namespace certbundle::mozilla
