#include "certbundle/fetch/target.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>

#include <fmt/format.h>

#include "certbundle/core/error.hpp"

namespace certbundle::fetch {

namespace {

struct Scheme {
  std::string_view name;
  std::uint16_t port;
  Starttls starttls;
};

constexpr std::array schemes{
    Scheme{"https", 443, Starttls::none},      Scheme{"wss", 443, Starttls::none},
    Scheme{"mqtts", 8883, Starttls::none},     Scheme{"smtps", 465, Starttls::none},
    Scheme{"submissions", 465, Starttls::none}, Scheme{"imaps", 993, Starttls::none},
    Scheme{"pop3s", 995, Starttls::none},      Scheme{"ftps", 990, Starttls::none},
    Scheme{"ldaps", 636, Starttls::none},      Scheme{"amqps", 5671, Starttls::none},
    Scheme{"xmpps", 5223, Starttls::none},     Scheme{"smtp", 25, Starttls::smtp},
    Scheme{"submission", 587, Starttls::smtp}, Scheme{"imap", 143, Starttls::imap},
    Scheme{"pop3", 110, Starttls::pop3},       Scheme{"ftp", 21, Starttls::ftp},
    Scheme{"xmpp", 5222, Starttls::xmpp},      Scheme{"postgres", 5432, Starttls::postgres},
    Scheme{"postgresql", 5432, Starttls::postgres},
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::uint16_t parse_port(std::string_view port, std::string_view text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value == 0 ||
      value > 65535) {
    throw usage_error(fmt::format("target \"{}\": port \"{}\" is not a number from 1 to 65535",
                                  text, port));
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string_view to_string(Starttls protocol) {
  switch (protocol) {
    case Starttls::none: return "none";
    case Starttls::smtp: return "smtp";
    case Starttls::imap: return "imap";
    case Starttls::pop3: return "pop3";
    case Starttls::ftp: return "ftp";
    case Starttls::xmpp: return "xmpp";
    case Starttls::postgres: return "postgres";
  }
  return "none";
}

std::optional<Starttls> parse_starttls(std::string_view name) {
  for (const Starttls p : {Starttls::none, Starttls::smtp, Starttls::imap, Starttls::pop3,
                           Starttls::ftp, Starttls::xmpp, Starttls::postgres}) {
    if (lower(name) == to_string(p)) return p;
  }
  return std::nullopt;
}

bool Target::host_is_ip() const {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::string Target::endpoint() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

Target parse_target(std::string_view text) {
  Target target;
  target.text = std::string(text);
  std::string_view rest = text;
  if (const auto sep = rest.find("://"); sep != std::string_view::npos) {
    const std::string scheme = lower(rest.substr(0, sep));
    const Scheme* found = nullptr;
    for (const Scheme& s : schemes) {
      if (s.name == scheme) found = &s;
    }
    if (found == nullptr) {
      throw usage_error(fmt::format("target \"{}\": unknown scheme \"{}\"", text, scheme));
    }
    target.port = found->port;
    target.starttls = found->starttls;
    rest = rest.substr(sep + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  }
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) {
      throw usage_error(fmt::format("target \"{}\": no \"]\" after the IPv6 address", text));
    }
    target.host = std::string(rest.substr(1, close - 1));
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        throw usage_error(fmt::format("target \"{}\": \"{}\" after the address", text, after));
      }
      target.port = parse_port(after.substr(1), text);
    }
    unsigned char buf[16];
    if (inet_pton(AF_INET6, target.host.c_str(), buf) != 1) {
      throw usage_error(fmt::format("target \"{}\": \"{}\" is not an IPv6 address", text, target.host));
    }
  } else {
    const auto colon = rest.find(':');
    if (colon != std::string_view::npos && rest.find(':', colon + 1) != std::string_view::npos) {
      unsigned char buf[16];
      if (inet_pton(AF_INET6, std::string(rest).c_str(), buf) == 1) {
        target.host = std::string(rest);  // a bare IPv6 address: default port
      } else {
        throw usage_error(fmt::format(
            "target \"{}\": write an IPv6 address with a port as [address]:port", text));
      }
    } else if (colon != std::string_view::npos) {
      target.host = std::string(rest.substr(0, colon));
      target.port = parse_port(rest.substr(colon + 1), text);
    } else {
      target.host = std::string(rest);
    }
  }
  if (target.host.empty()) throw usage_error(fmt::format("target \"{}\": no host name", text));
  return target;
}

}  // namespace certbundle::fetch
