#pragma once
// Secrets the user gives certbundle (a proxy's password, a client key and its passphrase) stay
// out of everything certbundle prints, out of the command line and off the terminal.
#include <optional>
#include <string>
#include <string_view>

namespace certbundle {

// `url` with the password of its user information replaced by "***":
// "http://alice:s3cr3t@proxy:3128" gives "http://alice:***@proxy:3128". A URL without a password
// (or without user information) is returned as it is. Apply it wherever a proxy URL is written.
[[nodiscard]] std::string redact_url_password(std::string_view url);

// `text` with every occurrence of the password in `url`'s user information replaced by "***";
// for messages from libraries that may quote the URL (curl's error buffer).
[[nodiscard]] std::string redact_password_of(std::string_view text, std::string_view url);

// The passphrase named by `spec`, as openssl's -passin and curl name them:
//   env:NAME   the environment variable NAME (it must exist: usage_error otherwise)
//   file:PATH  the first line of PATH, without its line end (unreadable: Error(ExitCode::input))
// Anything else, pass:TEXT included (the command line is visible to every user through ps), is a
// usage_error naming `option`.
[[nodiscard]] std::string read_passphrase(std::string_view spec, std::string_view option);

// "client key "PATH" is readable by group or others (chmod 600 PATH)" when the file's mode lets
// its group or others read it; nothing when it does not, or when it cannot be examined.
[[nodiscard]] std::optional<std::string> key_file_warning(const std::string& path);

}  // namespace certbundle
