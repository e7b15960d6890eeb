#pragma once
// Options shared by the commands that connect to a server (fetch, verify), named as openssl
// s_client names them: --sni, --no-sni, --alpn, --starttls, -4, -6, --timeout, --cert, --key,
// --key-pass.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certbundle/fetch/handshake.hpp"
#include "certbundle/fetch/target.hpp"

namespace CLI {
class App;
}

namespace certbundle::cli {

struct ConnectArgs {
  std::string sni;
  bool no_sni = false;
  std::string alpn;
  std::string starttls;
  bool ipv4 = false;
  bool ipv6 = false;
  double timeout = 10;
  std::string cert;
  std::string key;
  std::string key_pass;  // env:NAME or file:PATH

  // True when an option that shapes the connection was given (--timeout does not count).
  [[nodiscard]] bool shapes_connection() const {
    return !sni.empty() || no_sni || !alpn.empty() || !starttls.empty() || ipv4 || ipv6 ||
           !cert.empty() || !key.empty() || !key_pass.empty();
  }
};

// What the options say, checked.
struct Connect {
  enum class Name { target, custom, none };  // the host name sent (SNI) and checked
  Name name = Name::target;
  std::string sni;  // Name::custom
  std::vector<std::string> alpn;
  std::optional<fetch::Starttls> starttls;
  fetch::IpVersion ip_version = fetch::IpVersion::any;
  std::chrono::milliseconds timeout{10'000};
  std::string client_cert;
  std::string client_key;
  std::optional<std::string> client_key_pass;
  std::vector<std::string> warnings;  // one line each, for "certbundle: warning: "
};

// Adds the options to `cmd`; `timeout_help` says what --timeout bounds for this command.
void add_connect_options(CLI::App& cmd, ConnectArgs& args, std::string_view timeout_help);

// Throws usage_error naming the option: --sni with --no-sni, -4 with -6, --key without --cert, a
// timeout outside (0, 3600] seconds, an ALPN name longer than 255 bytes, an unknown protocol,
// --key-pass without --cert or not env:NAME / file:PATH (Error(ExitCode::input): its file cannot
// be read). A client key readable by group or others gives a warning.
[[nodiscard]] Connect parse_connect(const ConnectArgs& args);

// The non-empty items of `text` separated by `sep`.
[[nodiscard]] std::vector<std::string> split_list(std::string_view text, char sep = ',');

}  // namespace certbundle::cli
