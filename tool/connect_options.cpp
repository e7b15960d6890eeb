#include "connect_options.hpp"

#include <cmath>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "certbundle/core/error.hpp"
#include "certbundle/core/secret.hpp"

namespace certbundle::cli {

void add_connect_options(CLI::App& cmd, ConnectArgs& args, std::string_view timeout_help) {
  cmd.add_option("--sni", args.sni, "send NAME as SNI and check the certificate against it (default: the target's host name)");
  cmd.add_flag("--no-sni", args.no_sni, "send no SNI (and check no name)");
  cmd.add_option("--alpn", args.alpn, "offer these ALPN protocols (comma-separated: mqtt,h2)");
  cmd.add_option("--starttls", args.starttls, "speak smtp, imap, pop3, ftp, xmpp or postgres before TLS");
  cmd.add_flag("-4", args.ipv4, "IPv4 addresses only");
  cmd.add_flag("-6", args.ipv6, "IPv6 addresses only");
  cmd.add_option("--timeout", args.timeout, std::string(timeout_help));
  cmd.add_option("--cert", args.cert, "client certificate (PEM) for servers that demand one");
  cmd.add_option("--key", args.key, "its private key (PEM; default: the --cert file)");
  cmd.add_option(
      "--key-pass", args.key_pass,
      "the key's passphrase: env:NAME (an environment variable) or file:PATH (its first line)");
}

Connect parse_connect(const ConnectArgs& args) {
  Connect c;
  if (!(args.timeout > 0) || args.timeout > 3600) throw usage_error("--timeout: give 0 < SECONDS <= 3600");
  c.timeout = std::chrono::milliseconds(static_cast<long long>(std::llround(args.timeout * 1000)));
  if (args.no_sni && !args.sni.empty()) throw usage_error("--sni and --no-sni exclude each other");
  if (args.no_sni) c.name = Connect::Name::none;
  if (!args.sni.empty()) {
    c.name = Connect::Name::custom;
    c.sni = args.sni;
  }
  c.alpn = split_list(args.alpn);
  for (const std::string& p : c.alpn) {
    if (p.size() > 255) throw usage_error(fmt::format("--alpn: \"{}\" is longer than 255 bytes", p));
  }
  if (!args.starttls.empty()) {
    c.starttls = fetch::parse_starttls(args.starttls);
    if (!c.starttls) {
      throw usage_error(fmt::format("--starttls: unknown protocol \"{}\" (smtp, imap, pop3, ftp, xmpp, postgres)",
                                    args.starttls));
    }
  }
  if (args.ipv4 && args.ipv6) throw usage_error("-4 and -6 exclude each other");
  c.ip_version = args.ipv4 ? fetch::IpVersion::v4 : args.ipv6 ? fetch::IpVersion::v6 : fetch::IpVersion::any;
  if (!args.key.empty() && args.cert.empty()) throw usage_error("--key needs --cert");
  if (!args.key_pass.empty() && args.cert.empty()) throw usage_error("--key-pass needs --cert");
  c.client_cert = args.cert;
  c.client_key = args.key;
  if (!args.key_pass.empty()) c.client_key_pass = read_passphrase(args.key_pass, "--key-pass");
  if (!args.cert.empty()) {
    if (auto w = key_file_warning(args.key.empty() ? args.cert : args.key))
      c.warnings.push_back(*w);
  }
  return c;
}

std::vector<std::string> split_list(std::string_view text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(sep, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace certbundle::cli
