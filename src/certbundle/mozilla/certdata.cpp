#include "certbundle/mozilla/certdata.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/x509/load.hpp"

namespace certbundle::mozilla {

const Attribute* Object::find(std::string_view name) const {
  const auto it = attributes.find(name);
  return it == attributes.end() ? nullptr : &it->second;
}

std::string_view to_string(Trust trust) {
  switch (trust) {
    case Trust::trusted_delegator: return "trusted_delegator";
    case Trust::must_verify: return "must_verify";
    case Trust::not_trusted: return "not_trusted";
    case Trust::unspecified: break;
  }
  return "unspecified";
}

namespace {

class Reader {
 public:
  Reader(std::string_view text, const std::string& name) : text_(text), name_(name) {}

  // The next line without its line end, or nullopt at the end of the text.
  std::optional<std::string_view> next() {
    if (pos_ >= text_.size()) return std::nullopt;
    const std::size_t nl = text_.find('\n', pos_);
    std::string_view line = text_.substr(pos_, nl == std::string_view::npos ? nl : nl - pos_);
    pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
    ++line_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  }

  [[nodiscard]] std::size_t line() const { return line_; }

  [[nodiscard]] Error error(std::size_t line, const std::string& why) const {
    return Error(ExitCode::input, fmt::format("cannot read \"{}\": line {}: {}", name_, line, why));
  }

 private:
  std::string_view text_;
  const std::string& name_;
  std::size_t pos_ = 0;
  std::size_t line_ = 0;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits off the first whitespace-delimited word of `s`.
std::string_view take_word(std::string_view& s) {
  s = trim(s);
  const std::size_t end = std::min(s.find_first_of(" \t"), s.size());
  const std::string_view word = s.substr(0, end);
  s.remove_prefix(end);
  s = trim(s);
  return word;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A UTF8 value: "text" where \xNN (one or two hex digits, any case) is a byte and \c is c.
std::string parse_utf8(std::string_view value, const Reader& in) {
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') {
    throw in.error(in.line(), "UTF8 value is not a quoted string");
  }
  value = value.substr(1, value.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '\\') {
      if (value[i] == '"') throw in.error(in.line(), "unescaped quote inside a UTF8 string");
      out.push_back(value[i]);
      continue;
    }
    if (++i == value.size()) throw in.error(in.line(), "UTF8 string ends with a backslash");
    if (value[i] != 'x') {
      out.push_back(value[i]);
      continue;
    }
    int byte = 0;
    int digits = 0;
    while (digits < 2 && i + 1 < value.size() && hex_value(value[i + 1]) >= 0) {
      byte = byte * 16 + hex_value(value[++i]);
      ++digits;
    }
    if (digits == 0) throw in.error(in.line(), "\\x without hex digits in a UTF8 string");
    out.push_back(static_cast<char>(byte));
  }
  return out;
}

// The lines of a MULTILINE_OCTAL value up to END: each a run of \ooo escapes.
Bytes parse_octal(Reader& in, std::size_t start_line) {
  Bytes out;
  while (const auto raw = in.next()) {
    const std::string_view line = trim(*raw);
    if (line == "END") return out;
    if (line.empty() || line.front() != '\\') {
      throw in.error(in.line(), fmt::format("MULTILINE_OCTAL value from line {} has no END line",
                                            start_line));
    }
    for (std::size_t i = 0; i < line.size(); i += 4) {
      if (i + 4 > line.size() || line[i] != '\\') {
        throw in.error(in.line(), "malformed octal escape (expected \\ooo)");
      }
      int value = 0;
      for (std::size_t k = 1; k <= 3; ++k) {
        const char c = line[i + k];
        if (c < '0' || c > '7') throw in.error(in.line(), "malformed octal escape (expected \\ooo)");
        value = value * 8 + (c - '0');
      }
      if (value > 255) throw in.error(in.line(), "octal escape above \\377");
      out.push_back(static_cast<std::uint8_t>(value));
    }
  }
  throw in.error(start_line, "MULTILINE_OCTAL value has no END line (the file ends first)");
}

constexpr std::string_view known_types[] = {"CK_OBJECT_CLASS", "CK_BBOOL", "CK_CERTIFICATE_TYPE",
                                            "CK_TRUST", "UTF8", "MULTILINE_OCTAL", "CK_ULONG"};

}  // namespace

std::vector<Object> parse_certdata(std::string_view text, const std::string& name) {
  Reader in(text, name);
  bool begun = false;
  while (const auto line = in.next()) {
    if (trim(*line) == "BEGINDATA") {
      begun = true;
      break;
    }
  }
  if (!begun) {
    throw Error(ExitCode::input,
                fmt::format("cannot read \"{}\": no BEGINDATA line: not a certdata.txt", name));
  }

  std::vector<Object> objects;
  bool open = false;  // an object has begun and no blank line has ended it
  while (const auto raw = in.next()) {
    std::string_view line = trim(*raw);
    if (line.empty()) {
      open = false;
      continue;
    }
    if (line.front() == '#') continue;
    const std::size_t line_no = in.line();
    const std::string_view attr = take_word(line);
    const std::string_view type = take_word(line);
    if (type.empty()) throw in.error(line_no, fmt::format("{} has no type", attr));
    if (std::find(std::begin(known_types), std::end(known_types), type) == std::end(known_types)) {
      throw in.error(line_no, fmt::format("unknown type \"{}\" for {}", type, attr));
    }
    if (attr == "CKA_CLASS" && !open) {
      objects.push_back(Object{std::string(line), line_no, {}});
      open = true;
    } else if (!open) {
      throw in.error(line_no, fmt::format("{} outside an object (expected CKA_CLASS first)", attr));
    }
    Attribute value{std::string(type), {}, {}, line_no};
    if (type == "MULTILINE_OCTAL") {
      if (!line.empty()) throw in.error(line_no, "text after MULTILINE_OCTAL");
      value.bytes = parse_octal(in, line_no);
    } else if (type == "UTF8") {
      value.text = parse_utf8(line, in);
    } else {
      if (line.empty()) throw in.error(line_no, fmt::format("{} has no value", attr));
      value.text = std::string(line);
    }
    auto& attributes = objects.back().attributes;
    if (!attributes.emplace(std::string(attr), std::move(value)).second) {
      throw in.error(line_no, fmt::format("{} given twice in the object that starts at line {}",
                                          attr, objects.back().line));
    }
  }
  return objects;
}

namespace {

Trust parse_trust(const Object& object, std::string_view attr) {
  const Attribute* a = object.find(attr);
  if (a == nullptr) return Trust::unspecified;
  if (a->text == "CKT_NSS_TRUSTED_DELEGATOR") return Trust::trusted_delegator;
  if (a->text == "CKT_NSS_MUST_VERIFY_TRUST") return Trust::must_verify;
  if (a->text == "CKT_NSS_NOT_TRUSTED") return Trust::not_trusted;
  return Trust::unspecified;
}

TrustBits trust_bits(const Object& object) {
  return {parse_trust(object, "CKA_TRUST_SERVER_AUTH"),
          parse_trust(object, "CKA_TRUST_EMAIL_PROTECTION"),
          parse_trust(object, "CKA_TRUST_CODE_SIGNING")};
}

Error object_error(const std::string& name, std::size_t line, const std::string& why) {
  return Error(ExitCode::input, fmt::format("cannot read \"{}\": line {}: {}", name, line, why));
}

// CK_BBOOL CK_FALSE (no date), or MULTILINE_OCTAL holding the 13 ASCII bytes YYMMDDHHMMSSZ.
std::optional<Time> distrust_after(const Object& object, std::string_view attr,
                                   const std::string& name) {
  const Attribute* a = object.find(attr);
  if (a == nullptr || a->type == "CK_BBOOL") return std::nullopt;
  const std::string text(a->bytes.begin(), a->bytes.end());
  if (a->type != "MULTILINE_OCTAL" || text.size() != 13 || text.back() != 'Z' ||
      !std::all_of(text.begin(), text.end() - 1, [](char c) { return c >= '0' && c <= '9'; })) {
    throw object_error(name, a->line, fmt::format("{} is not a UTCTime (YYMMDDHHMMSSZ)", attr));
  }
  const int yy = (text[0] - '0') * 10 + (text[1] - '0');
  const std::string iso = fmt::format("{}{}-{}-{}T{}:{}:{}Z", yy < 50 ? "20" : "19", text.substr(0, 2),
                                      text.substr(2, 2), text.substr(4, 2), text.substr(6, 2),
                                      text.substr(8, 2), text.substr(10, 2));
  try {
    return parse_time(iso);
  } catch (const Error&) {
    throw object_error(name, a->line, fmt::format("{} is not a valid date: {}", attr, text));
  }
}

const Bytes* octal(const Object& object, std::string_view attr) {
  const Attribute* a = object.find(attr);
  return a != nullptr && a->type == "MULTILINE_OCTAL" ? &a->bytes : nullptr;
}

}  // namespace

Store build_store(const std::vector<Object>& objects, const std::string& name, std::string sha256,
                  Parse parse) {
  Store store;
  store.name = name;
  store.sha256 = std::move(sha256);

  // Trust objects by issuer + serial, as NSS matches them.
  std::map<std::pair<Bytes, Bytes>, const Object*> trust_by_key;
  for (const Object& object : objects) {
    if (object.klass != "CKO_NSS_TRUST") continue;
    const Bytes* issuer = octal(object, "CKA_ISSUER");
    const Bytes* serial = octal(object, "CKA_SERIAL_NUMBER");
    if (issuer == nullptr || serial == nullptr) {
      throw object_error(name, object.line, "trust object without CKA_ISSUER and CKA_SERIAL_NUMBER");
    }
    trust_by_key.emplace(std::make_pair(*issuer, *serial), &object);
  }

  std::vector<std::pair<Bytes, Bytes>> matched;
  for (const Object& object : objects) {
    if (object.klass != "CKO_CERTIFICATE") continue;
    const Bytes* value = octal(object, "CKA_VALUE");
    if (value == nullptr) throw object_error(name, object.line, "certificate object without CKA_VALUE");
    std::string why;
    auto cert = Certificate::from_der(*value, &why, parse);
    if (!cert) {
      throw object_error(name, object.find("CKA_VALUE")->line,
                         fmt::format("CKA_VALUE is not a certificate: {}", why));
    }
    Root root;
    root.cert = std::move(*cert);
    root.line = object.line;
    if (const Attribute* label = object.find("CKA_LABEL")) root.label = label->text;
    root.server_distrust_after = distrust_after(object, "CKA_NSS_SERVER_DISTRUST_AFTER", name);
    root.email_distrust_after = distrust_after(object, "CKA_NSS_EMAIL_DISTRUST_AFTER", name);

    const Bytes* issuer = octal(object, "CKA_ISSUER");
    const Bytes* serial = octal(object, "CKA_SERIAL_NUMBER");
    if (issuer != nullptr && serial != nullptr) {
      const auto key = std::make_pair(*issuer, *serial);
      if (const auto it = trust_by_key.find(key); it != trust_by_key.end()) {
        root.trust = trust_bits(*it->second);
        root.trust_object_server_distrust_after =
            distrust_after(*it->second, "CKA_NSS_SERVER_DISTRUST_AFTER", name);
        root.trust_object_email_distrust_after =
            distrust_after(*it->second, "CKA_NSS_EMAIL_DISTRUST_AFTER", name);
        matched.push_back(key);
      }
    }
    store.roots.push_back(std::move(root));
  }

  std::sort(matched.begin(), matched.end());
  for (const Object& object : objects) {
    if (object.klass != "CKO_NSS_TRUST") continue;
    auto key = std::make_pair(*octal(object, "CKA_ISSUER"), *octal(object, "CKA_SERIAL_NUMBER"));
    if (std::binary_search(matched.begin(), matched.end(), key)) continue;
    TrustOnly entry{{}, std::move(key.first), std::move(key.second), trust_bits(object), object.line};
    if (const Attribute* label = object.find("CKA_LABEL")) entry.label = label->text;
    store.trust_only.push_back(std::move(entry));
  }
  return store;
}

Store parse_cacert_pem(std::string_view text, const std::string& name) {
  Store store;
  store.name = name;
  store.sha256 = to_hex(sha256(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
  store.has_trust_bits = false;
  for (auto& entry : parse_pem(text, name)) {
    const std::size_t line = entry.line;
    std::string label = entry.label.empty() ? entry.cert.common_name() : entry.label;
    Root root;
    root.label = std::move(label);
    root.cert = std::move(entry.cert);
    root.trust.server_auth = Trust::trusted_delegator;
    root.line = line;
    store.roots.push_back(std::move(root));
  }
  return store;
}

Store load_store(const std::filesystem::path& path) { return parse_store(read_file(path, store_limit), path.string()); }

Store parse_store(std::string_view text, const std::string& name) {
  const bool certdata = text.starts_with("BEGINDATA") || text.find("\nBEGINDATA") != std::string::npos;
  if (certdata) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
    return build_store(parse_certdata(text, name), name, to_hex(certbundle::sha256(ByteView(bytes, text.size()))));
  }
  if (text.find("-----BEGIN ") != std::string_view::npos) return parse_cacert_pem(text, name);
  throw Error(ExitCode::input,
              fmt::format("cannot read \"{}\": neither a certdata.txt (no BEGINDATA line) nor a PEM "
                          "bundle (no BEGIN line)",
                          name));
}

namespace detail {
const char* snapshot_begin();
std::size_t snapshot_size();
const char* snapshot_sha256();
const char* snapshot_nss_version();
const char* snapshot_builtins_version();
const char* snapshot_changed();
}  // namespace detail

SnapshotInfo bundled_snapshot_info() {
  return {detail::snapshot_sha256(), detail::snapshot_nss_version(),
          detail::snapshot_builtins_version(), detail::snapshot_changed()};
}

std::string_view bundled_snapshot_text() {
  return {detail::snapshot_begin(), detail::snapshot_size()};
}

const Store& bundled_store() {
  static const Store store = [] {
    const std::string name = fmt::format("bundled certdata.txt (NSS {}, builtins {}, {})",
                                         detail::snapshot_nss_version(),
                                         detail::snapshot_builtins_version(),
                                         detail::snapshot_changed());
    // The build checked the snapshot against the SHA-256 of mozilla/PROVENANCE: its certificates
    // are parsed in full only when something needs more than names, keys and dates.
    return build_store(parse_certdata(bundled_snapshot_text(), name), name, detail::snapshot_sha256(), Parse::deferred);
  }();
  return store;
}

}  // namespace certbundle::mozilla
