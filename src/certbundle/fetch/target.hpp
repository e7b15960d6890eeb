#pragma once
// What the user names as a server: "host", "host:port", "[v6addr]:port", or a URL whose scheme
// gives the default port and the protocol spoken before TLS (STARTTLS).
//
//   https 443, wss 443, mqtts 8883, smtps 465, submissions 465, imaps 993, pop3s 995, ftps 990,
//   ldaps 636, amqps 5671, xmpps 5223, postgres/postgresql 5432 (SSLRequest),
//   smtp 25 and submission 587 (STARTTLS), imap 143, pop3 110, ftp 21 (AUTH TLS),
//   xmpp 5222 (STARTTLS).
//
// A bare host means port 443 and no STARTTLS. A path, query or user info in a URL is ignored.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace certbundle::fetch {

// The plain-text protocol spoken before the TLS handshake.
enum class Starttls { none, smtp, imap, pop3, ftp, xmpp, postgres };

[[nodiscard]] std::string_view to_string(Starttls protocol);
// "smtp", "imap", "pop3", "ftp", "xmpp", "postgres" (and "none"); nullopt for anything else.
[[nodiscard]] std::optional<Starttls> parse_starttls(std::string_view name);

struct Target {
  std::string text;  // as the user wrote it: names the target in every message
  std::string host;  // a DNS name, an IPv4 address, or an IPv6 address without brackets
  std::uint16_t port = 443;
  Starttls starttls = Starttls::none;

  [[nodiscard]] bool host_is_ip() const;
  // "host:port", with brackets around an IPv6 address.
  [[nodiscard]] std::string endpoint() const;
};

// Parses one target. Throws usage_error naming the text for: an empty host, an unknown URL
// scheme, a port that is not 1..65535, an IPv6 address without brackets around it when a port
// follows, an unterminated bracket.
[[nodiscard]] Target parse_target(std::string_view text);

}  // namespace certbundle::fetch
