#include "certbundle/core/secret.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include <fmt/format.h>

#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"

namespace certbundle {

namespace {

// The user information of `url` ("user:password"), located: [begin, end) in `url`, or npos.
struct Userinfo {
  std::size_t begin = std::string_view::npos;
  std::size_t colon = std::string_view::npos;
  std::size_t end = std::string_view::npos;
};

Userinfo find_userinfo(std::string_view url) {
  Userinfo u;
  std::size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  // The authority ends at the first '/', '?' or '#'; its last '@' ends the user information
  // (a password may itself hold an '@' that its owner did not percent-encode).
  std::size_t auth_end = url.find_first_of("/?#", start);
  if (auth_end == std::string_view::npos) auth_end = url.size();
  const std::size_t at = url.substr(0, auth_end).rfind('@');
  if (at == std::string_view::npos || at < start) return u;
  const std::size_t colon = url.substr(0, at).find(':', start);
  if (colon == std::string_view::npos) return u;
  u.begin = start;
  u.colon = colon;
  u.end = at;
  return u;
}

}  // namespace

std::string redact_url_password(std::string_view url) {
  const Userinfo u = find_userinfo(url);
  if (u.colon == std::string_view::npos) return std::string(url);
  return fmt::format("{}***{}", url.substr(0, u.colon + 1), url.substr(u.end));
}

std::string redact_password_of(std::string_view text, std::string_view url) {
  const Userinfo u = find_userinfo(url);
  std::string out(text);
  if (u.colon == std::string_view::npos || u.end == u.colon + 1) return out;
  const std::string password(url.substr(u.colon + 1, u.end - u.colon - 1));
  for (std::size_t pos = out.find(password); pos != std::string::npos;
       pos = out.find(password, pos + 3)) {
    out.replace(pos, password.size(), "***");
  }
  return out;
}

std::string read_passphrase(std::string_view spec, std::string_view option) {
  if (spec.rfind("env:", 0) == 0) {
    const std::string name(spec.substr(4));
    const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
    if (value == nullptr) {
      throw usage_error(
          fmt::format("{} env:{}: the environment variable \"{}\" is not set", option, name, name));
    }
    return value;
  }
  if (spec.rfind("file:", 0) == 0) {
    const std::string path(spec.substr(5));
    std::ifstream in(path, std::ios::binary);
    std::string line;
    if (path.empty() || !in || (!std::getline(in, line) && !in.eof())) {
      throw Error(ExitCode::input,
                  fmt::format("{}: cannot read {}", option, certbundle::quoted(path)));
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  if (spec.rfind("pass:", 0) == 0) {
    throw usage_error(
        fmt::format("{} pass:...: not accepted (a passphrase on the command line is visible to "
                    "every user through ps); give env:NAME or file:PATH",
                    option));
  }
  // The value is not echoed: it may well be the passphrase itself.
  throw usage_error(
      fmt::format("{}: give env:NAME or file:PATH (a passphrase itself is not accepted)", option));
}

std::optional<std::string> key_file_warning(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  if ((st.st_mode & (S_IRGRP | S_IROTH)) == 0) return std::nullopt;
  return fmt::format("client key {} is readable by group or others (chmod 600 {})",
                     certbundle::quoted(path), path);
}

}  // namespace certbundle
