#include "certbundle/project/manifest.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "certbundle/bundle/c_array.hpp"
#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/core/text.hpp"

namespace certbundle::project {

const Endpoint* Manifest::find_endpoint(std::string_view name) const {
  const auto it = std::find_if(endpoints.begin(), endpoints.end(),
                               [&](const Endpoint& e) { return e.name == name; });
  return it == endpoints.end() ? nullptr : &*it;
}

std::filesystem::path Manifest::resolve(const std::filesystem::path& p) const {
  if (p.empty() || p.is_absolute() || dir.empty()) return p;
  return dir / p;
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[nodiscard]] Error error(const toml::source_region& where, const std::string& why) const {
    return Error(ExitCode::input,
                 fmt::format("cannot read \"{}\": line {}: {}", file_, where.begin.line, why));
  }

  void check_keys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                  std::string_view section) const {
    for (auto&& [key, node] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      std::string_view nearest;
      std::size_t best = 4;  // suggest only close matches
      for (const std::string_view candidate : allowed) {
        const std::size_t d = edit_distance(key.str(), candidate);
        if (d < best) {
          best = d;
          nearest = candidate;
        }
      }
      std::string why = fmt::format("unknown key \"{}\" in {}", key.str(), section);
      if (!nearest.empty()) why += fmt::format(" (did you mean \"{}\"?)", nearest);
      throw error(key.source(), why);
    }
  }

  [[nodiscard]] std::optional<std::string> string(const toml::table& t, std::string_view key,
                                                  std::string_view section) const {
    const toml::node* node = t.get(key);
    if (node == nullptr) return std::nullopt;
    if (const auto* s = node->as_string()) return s->get();
    throw error(node->source(), fmt::format("{}.{} must be a string", section, key));
  }

  [[nodiscard]] std::optional<bool> boolean(const toml::table& t, std::string_view key,
                                            std::string_view section) const {
    const toml::node* node = t.get(key);
    if (node == nullptr) return std::nullopt;
    if (const auto* b = node->as_boolean()) return b->get();
    throw error(node->source(), fmt::format("{}.{} must be true or false", section, key));
  }

  [[nodiscard]] std::optional<std::int64_t> integer(const toml::table& t, std::string_view key,
                                                    std::string_view section) const {
    const toml::node* node = t.get(key);
    if (node == nullptr) return std::nullopt;
    if (const auto* i = node->as_integer(); i != nullptr && i->get() >= 0) return i->get();
    throw error(node->source(), fmt::format("{}.{} must be a whole number of days (0 or more)", section, key));
  }

  [[nodiscard]] std::vector<std::string> strings(const toml::table& t, std::string_view key,
                                                 std::string_view section) const {
    const toml::node* node = t.get(key);
    if (node == nullptr) return {};
    if (const auto* s = node->as_string()) return {s->get()};
    const auto* array = node->as_array();
    std::vector<std::string> out;
    if (array != nullptr) {
      for (const toml::node& element : *array) {
        const auto* s = element.as_string();
        if (s == nullptr) break;
        out.push_back(s->get());
      }
    }
    if (array == nullptr || out.size() != array->size()) {
      throw error(node->source(), fmt::format("{}.{} must be a string or an array of strings", section, key));
    }
    return out;
  }

  [[nodiscard]] std::vector<std::filesystem::path> paths(const toml::table& t, std::string_view key,
                                                         std::string_view section) const {
    std::vector<std::filesystem::path> out;
    for (auto& s : strings(t, key, section)) out.emplace_back(std::move(s));
    return out;
  }

  // A TOML date (2027-06-30), a TOML date-time with offset, or a string parse_time() accepts.
  [[nodiscard]] std::optional<Time> date(const toml::table& t, std::string_view key,
                                         std::string_view section) const {
    const toml::node* node = t.get(key);
    if (node == nullptr) return std::nullopt;
    std::string text;
    if (const auto* d = node->as_date()) {
      const toml::date v = d->get();
      text = fmt::format("{:04}-{:02}-{:02}", v.year, v.month, v.day);
    } else if (const auto* s = node->as_string()) {
      text = s->get();
    } else {
      throw error(node->source(), fmt::format("{}.{} must be a date (YYYY-MM-DD)", section, key));
    }
    try {
      return parse_time(text);
    } catch (const Error& e) {
      throw error(node->source(), fmt::format("{}.{}: {}", section, key, e.what()));
    }
  }

  [[nodiscard]] std::vector<Emit> emit(const toml::table& t, std::string_view section,
                                       std::initializer_list<std::string_view> allowed,
                                       std::vector<Emit> fallback) const {
    const toml::node* node = t.get("emit");
    if (node == nullptr) return fallback;
    std::vector<Emit> out;
    for (const std::string& s : strings(t, "emit", section)) {
      if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
        throw error(node->source(), fmt::format("{}.emit: \"{}\" is not one of {}", section, s,
                                                fmt::join(allowed, ", ")));
      }
      out.push_back(s == "bin" ? Emit::bin : s == "pem" ? Emit::pem : Emit::c);
    }
    return out;
  }

  [[nodiscard]] const toml::table& table_at(const toml::node& node, std::string_view what) const {
    if (const auto* t = node.as_table()) return *t;
    throw error(node.source(), fmt::format("{} must be a table", what));
  }

  // The tables of an array of tables ([[endpoint]]), or of a single table written [endpoint].
  [[nodiscard]] std::vector<const toml::table*> tables(const toml::table& root, std::string_view key) const {
    const toml::node* node = root.get(key);
    if (node == nullptr) return {};
    if (const auto* t = node->as_table()) return {t};
    std::vector<const toml::table*> out;
    if (const auto* array = node->as_array()) {
      for (const toml::node& element : *array) out.push_back(&table_at(element, fmt::format("[[{}]]", key)));
      return out;
    }
    throw error(node->source(), fmt::format("{} must be written [[{}]]", key, key));
  }

 private:
  std::string file_;
};

std::size_t line_of(const toml::table& t) { return t.source().begin.line; }

// Why `name` is not a plain file name for an output, or "" when it is one. Outputs are written
// into the output directory and nowhere else.
std::string output_name_problem(std::string_view name) {
  if (name.size() > max_output_name) return fmt::format("is longer than {} bytes", max_output_name);
  if (std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return "holds a control character";
  }
  if (name.find('/') != std::string_view::npos) return "holds a \"/\"";
  if (name.find('\\') != std::string_view::npos) return "holds a \"\\\"";
  if (name.find("..") != std::string_view::npos) return "holds \"..\"";
  if (name == ".") return "is \".\"";
  return "";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The files an output writes into the output directory (the bin or pem file, and NAME.c/NAME.h for
// emit "c"), and the C name it is embedded under (_binary_NAME_start, or the array NAME).
struct OutputFiles {
  std::vector<std::string> files;
  std::string symbol;
};

OutputFiles files_of(const std::string& name, const std::vector<Emit>& emit) {
  OutputFiles out;
  out.symbol = bundle::c_identifier_from(name);
  for (const Emit e : emit) {
    if (e == Emit::c) {
      out.files.push_back(out.symbol + ".c");
      out.files.push_back(out.symbol + ".h");
    } else {
      out.files.push_back(name);
    }
  }
  return out;
}

}  // namespace

Manifest parse_manifest(std::string_view text, const std::filesystem::path& file) {
  const Reader in(file.string());
  toml::table root;
  try {
    root = toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    throw in.error(e.source(), std::string(e.description()));
  }

  Manifest m;
  m.file = file;
  m.dir = file.parent_path();
  in.check_keys(root, {"policy", "endpoint", "bundle", "pem", "identity"}, "the manifest");

  if (const toml::node* node = root.get("policy")) {
    const toml::table& t = in.table_at(*node, "[policy]");
    const std::string_view s = "[policy]";
    in.check_keys(t, {"warn_days", "fail_days", "horizon", "lock_max_age_days", "mozilla",
                      "distrust_after", "idf_version", "format"}, s);
    Policy& p = m.policy;
    p.warn_days = in.integer(t, "warn_days", "policy").value_or(p.warn_days);
    p.fail_days = in.integer(t, "fail_days", "policy").value_or(p.fail_days);
    if (p.fail_days > p.warn_days) {
      // Either may be the default: name the line of the one that is given.
      const toml::node* given = t.get("fail_days") != nullptr ? t.get("fail_days") : t.get("warn_days");
      throw in.error(given->source(), "policy.fail_days is larger than policy.warn_days");
    }
    p.horizon = in.date(t, "horizon", "policy");
    p.lock_max_age_days = in.integer(t, "lock_max_age_days", "policy");
    if (auto v = in.string(t, "mozilla", "policy"); v && *v != "bundled") p.mozilla = *v;
    if (auto v = in.string(t, "distrust_after", "policy")) {
      try {
        p.distrust_after = mozilla::parse_distrust_after_rule(*v);
      } catch (const Error&) {
        throw in.error(t.get("distrust_after")->source(),
                       fmt::format("policy.distrust_after \"{}\": expected ignore, grace or strict", *v));
      }
    }
    p.idf_version = in.string(t, "idf_version", "policy").value_or("");
    p.format = in.string(t, "format", "policy").value_or("");
    if (!p.format.empty() && p.format != "v1" && p.format != "v2") {
      throw in.error(t.get("format")->source(), fmt::format("policy.format \"{}\": expected v1 or v2", p.format));
    }
    if (!p.format.empty() && !p.idf_version.empty()) {
      throw in.error(t.get("format")->source(), "give policy.format or policy.idf_version, not both");
    }
    if (const toml::node* v = t.get(p.format.empty() ? "idf_version" : "format")) {
      p.version_line = v->source().begin.line;
    }
  }

  std::set<std::string> endpoint_names;
  for (const toml::table* t : in.tables(root, "endpoint")) {
    in.check_keys(*t,
                  {"name", "url", "host", "port", "starttls", "alpn", "sni", "proxy", "cert", "key",
                   "key_pass", "allow_untrusted"},
                  "[[endpoint]]");
    Endpoint e;
    e.line = line_of(*t);
    e.name = in.string(*t, "name", "endpoint").value_or("");
    if (e.name.empty()) throw in.error(t->source(), "[[endpoint]] needs a name");
    if (!endpoint_names.insert(e.name).second) {
      throw in.error(t->source(), fmt::format("endpoint \"{}\" is declared twice", e.name));
    }
    const auto url = in.string(*t, "url", "endpoint");
    const auto host = in.string(*t, "host", "endpoint");
    const auto port = in.integer(*t, "port", "endpoint");
    if (url && (host || port)) {
      throw in.error(t->source(), fmt::format("endpoint \"{}\": give url, or host and port, not both", e.name));
    }
    if (!url && !host) throw in.error(t->source(), fmt::format("endpoint \"{}\" needs a url or a host", e.name));
    if (port && (*port < 1 || *port > 65535)) {
      throw in.error(t->get("port")->source(), fmt::format("endpoint \"{}\": port {} is out of range", e.name, *port));
    }
    if (url) {
      e.target = *url;
    } else {
      const bool v6 = host->find(':') != std::string::npos;  // an IPv6 address needs brackets
      e.target = v6 ? fmt::format("[{}]:{}", *host, port.value_or(443))
                    : fmt::format("{}:{}", *host, port.value_or(443));
    }
    e.starttls = in.string(*t, "starttls", "endpoint").value_or("");
    e.alpn = in.strings(*t, "alpn", "endpoint");
    e.sni = in.string(*t, "sni", "endpoint").value_or("");
    e.proxy = in.string(*t, "proxy", "endpoint").value_or("");
    e.cert = in.string(*t, "cert", "endpoint").value_or("");
    e.key = in.string(*t, "key", "endpoint").value_or("");
    e.key_pass = in.string(*t, "key_pass", "endpoint").value_or("");
    e.allow_untrusted = in.boolean(*t, "allow_untrusted", "endpoint").value_or(false);
    m.endpoints.push_back(std::move(e));
  }

  // Every file an output writes, and every C name it is embedded under, belongs to one output: the
  // first to claim it. File names are compared without case (a project may be built on macOS or
  // Windows); the build report's name is taken.
  struct Claim {
    std::string what;  // [[pem]] "ca.pem"
    std::size_t line = 0;
  };
  std::map<std::string, Claim> claimed_files{{lower(build_report_name), {"the build report", 0}}};
  std::map<std::string, Claim> claimed_symbols;
  const auto claim = [&](const std::string& name, const std::vector<Emit>& emit, const toml::table& t,
                         std::string_view what) {
    if (name.empty()) throw in.error(t.source(), fmt::format("{} needs a name", what));
    const std::string me = fmt::format("{} \"{}\"", what, printable(name));
    if (const std::string problem = output_name_problem(name); !problem.empty()) {
      throw in.error(t.get("name")->source(), fmt::format("{}: not a plain file name: it {} (an output is written "
                                                          "into the output directory, nowhere else)",
                                                          me, problem));
    }
    const auto other = [](const Claim& c) {
      return c.line == 0 ? c.what : fmt::format("{} (line {})", c.what, c.line);
    };
    const OutputFiles files = files_of(name, emit);
    for (const std::string& written : files.files) {
      const auto [it, fresh] = claimed_files.emplace(lower(written), Claim{me, line_of(t)});
      if (!fresh) {
        throw in.error(t.source(), fmt::format("{} would write \"{}\", which {} writes too", me, written, other(it->second)));
      }
    }
    const auto [it, fresh] = claimed_symbols.emplace(files.symbol, Claim{me, line_of(t)});
    if (!fresh) {
      throw in.error(t.source(), fmt::format("{} would be embedded as _binary_{}_start (C array {}), as {} is",
                                             me, files.symbol, files.symbol, other(it->second)));
    }
  };

  if (const toml::node* node = root.get("bundle")) {
    const toml::table& t = in.table_at(*node, "[bundle]");
    in.check_keys(t, {"name", "roots", "include", "exclude", "extra", "emit", "retire_after"}, "[bundle]");
    BundleOutput b;
    b.line = line_of(t);
    b.name = in.string(t, "name", "bundle").value_or(b.name);
    if (const auto roots = in.string(t, "roots", "bundle")) {
      if (*roots == "endpoints") b.roots = Roots::endpoints;
      else if (*roots == "common") b.roots = Roots::common;
      else if (*roots == "all") b.roots = Roots::all;
      else if (*roots == "none") b.roots = Roots::none;
      else {
        throw in.error(t.get("roots")->source(),
                       fmt::format("bundle.roots \"{}\": expected endpoints, common, all or none", *roots));
      }
    }
    b.include = in.strings(t, "include", "bundle");
    b.exclude = in.strings(t, "exclude", "bundle");
    b.extra = in.paths(t, "extra", "bundle");
    b.emit = in.emit(t, "bundle", {"bin", "c"}, b.emit);
    b.retire_after = in.date(t, "retire_after", "bundle");
    claim(b.name, b.emit, t, "[bundle]");
    m.bundle = std::move(b);
  }

  for (const toml::table* t : in.tables(root, "pem")) {
    in.check_keys(*t, {"name", "endpoints", "labels", "files", "next", "retire_after", "emit"}, "[[pem]]");
    PemOutput p;
    p.line = line_of(*t);
    p.name = in.string(*t, "name", "pem").value_or("");
    p.endpoints = in.strings(*t, "endpoints", "pem");
    for (const std::string& name : p.endpoints) {
      if (endpoint_names.count(name) == 0) {
        throw in.error(t->get("endpoints")->source(),
                       fmt::format("[[pem]] \"{}\" names endpoint \"{}\", which is not declared", p.name, name));
      }
    }
    p.labels = in.strings(*t, "labels", "pem");
    p.files = in.paths(*t, "files", "pem");
    p.next = in.strings(*t, "next", "pem");
    p.retire_after = in.date(*t, "retire_after", "pem");
    p.emit = in.emit(*t, "pem", {"pem", "c"}, p.emit);
    claim(p.name, p.emit, *t, "[[pem]]");
    if (p.endpoints.empty() && p.labels.empty() && p.files.empty() && p.next.empty()) {
      throw in.error(t->source(), fmt::format("[[pem]] \"{}\" holds nothing: give endpoints, labels, files or next", p.name));
    }
    m.pems.push_back(std::move(p));
  }

  std::set<std::string> identity_names;
  for (const toml::table* t : in.tables(root, "identity")) {
    in.check_keys(*t, {"name", "cert"}, "[[identity]]");
    Identity id;
    id.line = line_of(*t);
    id.name = in.string(*t, "name", "identity").value_or("");
    id.cert = in.string(*t, "cert", "identity").value_or("");
    if (id.name.empty() || id.cert.empty()) throw in.error(t->source(), "[[identity]] needs a name and a cert");
    if (!identity_names.insert(id.name).second) {
      throw in.error(t->source(), fmt::format("identity \"{}\" is declared twice", id.name));
    }
    m.identities.push_back(std::move(id));
  }
  return m;
}

bool next_names_file(std::string_view entry) {
  for (const std::string_view ext : {".pem", ".crt", ".cer", ".der"}) {
    if (entry.size() > 4 && entry.ends_with(ext)) return true;
  }
  return false;
}

Manifest load_manifest(const std::filesystem::path& file) { return parse_manifest(read_file(file, manifest_limit), file); }

std::string starter_manifest(const std::vector<std::string>& endpoint_urls,
                             std::string_view idf_version) {
  std::string out = R"(# certbundle.toml: the servers this firmware talks to, and the CAs it embeds.
# Reference: the "certbundle.toml" section of certbundle's README.md. Paths are relative to this file.
# Workflow: `certbundle lock` records what the servers present (certbundle.lock, commit it);
# `certbundle build --out DIR` writes the outputs offline; `certbundle check` warns on expiry.

[policy]
warn_days = 90              # warn when a CA or certificate expires within this many days
fail_days = 30              # fail (the build, the check) within this many days
# horizon = 2030-12-31      # devices must keep trusting their servers until this date
# lock_max_age_days = 90    # complain when certbundle.lock is older than this
# mozilla = "bundled"       # or the path of a certdata.txt / cacert.pem
distrust_after = "ignore"   # ignore | grace | strict: Mozilla's distrust-after dates
)";
  // Said once: here, or by the build (--idf-version, the CMake module inside ESP-IDF).
  out += idf_version.empty()
             ? "# idf_version = \"5.5\"       # or give it to the build (--idf-version); "
               "up to 5.3: bundle format v1, from 5.4: v2\n"
             : fmt::format("idf_version = \"{}\"{}# up to 5.3: bundle format v1, from 5.4: v2\n",
                           idf_version, std::string(idf_version.size() < 12 ? 12 - idf_version.size() : 1, ' '));
  out += R"(# format = "v2"             # instead of idf_version

)";
  if (endpoint_urls.empty()) {
    out += R"(# One [[endpoint]] per server the device connects to.
# [[endpoint]]
# name = "api"
# url = "https://api.example.com"     # or host = "..." and port = 443
# starttls = "smtp"                   # smtp | imap | pop3 | ftp | xmpp | postgres
# alpn = ["mqtt"]                     # AWS IoT on port 443 wants ALPN "mqtt"
# sni = "api.example.com"             # when it differs from the host
# proxy = "http://proxy:3128"         # an HTTP CONNECT proxy
# cert = "certs/client.pem"           # for servers that demand a client certificate
# key = "certs/client.key"
# key_pass = "env:CLIENT_KEY_PASS"     # an encrypted key's passphrase: env:NAME or file:PATH

)";
  }
  for (std::size_t i = 0; i < endpoint_urls.size(); ++i) {
    const std::string& url = endpoint_urls[i];
    // A name from the host part of the URL: "https://api.example.com:8443/x" -> "api.example.com".
    std::string host = url;
    if (const auto scheme = host.find("://"); scheme != std::string::npos) host = host.substr(scheme + 3);
    host = host.substr(0, host.find_first_of("/?#"));
    if (!host.empty() && host.front() == '[') {
      host = host.substr(1, host.find(']') - 1);
    } else {
      host = host.substr(0, host.find(':'));
    }
    const std::string name = host.empty() ? fmt::format("endpoint{}", i + 1) : host;
    out += fmt::format("[[endpoint]]\nname = \"{}\"\nurl = \"{}\"\n\n", name, url);
  }
  out += R"(# The ESP-IDF certificate bundle (esp_crt_bundle_attach / esp_crt_bundle_set).
[bundle]
name = "x509_crt_bundle"
roots = "endpoints"         # endpoints (the smallest bundle that keeps every endpoint working)
                            # | common (ESP-IDF's common CAs) | all (every Mozilla root) | none
# include = ["Amazon Root CA 1"]      # more Mozilla roots: labels, globs or SHA-256
# exclude = []
# extra = ["certs/private-ca.pem"]    # private CAs
emit = ["bin"]              # bin (embed with EMBED_FILES) and/or c (a C array, for Arduino IDE)

# A PEM buffer for esp_tls cacert_pem_buf (its size includes the terminating NUL).
# [[pem]]
# name = "server_root_cert_pem"
# endpoints = ["api"]                 # the anchors of these endpoints, from certbundle.lock
# labels = ["ISRG Root X1"]           # Mozilla roots
# files = ["certs/private-ca.pem"]
# next = ["ISRG Root X2"]             # the new CA(s) to carry before the server moves
# retire_after = 2027-06-30           # old CAs of a transition leave after this date
# emit = ["pem", "c"]

# Device client certificates: checked for expiry, never embedded.
# [[identity]]
# name = "device"
# cert = "certs/device.pem"
)";
  return out;
}

}  // namespace certbundle::project
