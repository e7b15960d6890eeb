#include "certbundle/x509/load.hpp"

#include <openssl/evp.h>

#include <fmt/format.h>

#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"

namespace certbundle {

namespace {

constexpr std::string_view begin_marker = "-----BEGIN ";
constexpr std::string_view end_marker = "-----END ";
constexpr std::string_view dashes = "-----";

struct Line {
  std::string_view text;  // without the line end
  std::size_t number;     // 1-based
};

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  std::size_t number = 1;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back({line, number++});
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The block type of a "-----BEGIN X-----" or "-----END X-----" line, or nullopt.
std::optional<std::string_view> marker_type(std::string_view line, std::string_view marker) {
  line = trim(line);
  if (!line.starts_with(marker) || !line.ends_with(dashes) ||
      line.size() < marker.size() + dashes.size()) {
    return std::nullopt;
  }
  return line.substr(marker.size(), line.size() - marker.size() - dashes.size());
}

bool all_equals_signs(std::string_view s) {
  return !s.empty() && s.find_first_not_of('=') == std::string_view::npos;
}

Bytes decode_base64(const std::string& body, bool& ok) {
  Bytes out(body.size() / 4 * 3 + 3);
  EVP_ENCODE_CTX* ctx = EVP_ENCODE_CTX_new();
  EVP_DecodeInit(ctx);
  int len = 0;
  int total = 0;
  ok = EVP_DecodeUpdate(ctx, out.data(), &len, reinterpret_cast<const unsigned char*>(body.data()),
                        static_cast<int>(body.size())) >= 0;
  total = len;
  if (ok) {
    ok = EVP_DecodeFinal(ctx, out.data() + total, &len) == 1;
    total += len;
  }
  EVP_ENCODE_CTX_free(ctx);
  out.resize(static_cast<std::size_t>(ok ? total : 0));
  return out;
}

}  // namespace

std::vector<SourcedCertificate> parse_pem(std::string_view text, const std::string& name) {
  const auto fail = [&](std::size_t line, const std::string& why) {
    return Error(ExitCode::input, fmt::format("cannot read \"{}\": line {}: {}", name, line, why));
  };
  const std::vector<Line> lines = split_lines(text);
  std::vector<SourcedCertificate> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto type = marker_type(lines[i].text, begin_marker);
    if (!type) continue;
    const std::size_t begin_line = lines[i].number;
    if (*type != "CERTIFICATE") {
      throw fail(begin_line, fmt::format("a {} block, not a certificate", *type));
    }
    // curl's layout: "label" then a line of '=' right above BEGIN.
    std::string label;
    if (i >= 2 && all_equals_signs(lines[i - 1].text) && !lines[i - 2].text.empty()) {
      label = std::string(lines[i - 2].text);
    }
    std::string body;
    std::size_t j = i + 1;
    for (; j < lines.size(); ++j) {
      if (marker_type(lines[j].text, end_marker)) break;
      if (marker_type(lines[j].text, begin_marker)) {
        throw fail(begin_line, "certificate block has no END line");
      }
      body.append(trim(lines[j].text));
      body.push_back('\n');
    }
    if (j == lines.size()) throw fail(begin_line, "certificate block has no END line");
    if (*marker_type(lines[j].text, end_marker) != "CERTIFICATE") {
      throw fail(lines[j].number, "END line does not match BEGIN CERTIFICATE");
    }
    bool ok = false;
    const Bytes der = decode_base64(body, ok);
    if (!ok) throw fail(begin_line, "certificate block is not valid base64");
    std::string why;
    auto cert = Certificate::from_der(der, &why);
    if (!cert) throw fail(begin_line, fmt::format("not a valid certificate: {}", why));
    out.push_back({std::move(*cert), std::move(label), fmt::format("{}:{}", name, begin_line), begin_line});
    i = j;
  }
  if (out.empty()) {
    throw Error(ExitCode::input,
                fmt::format("cannot read \"{}\": {}", name,
                            text.empty() ? "the file is empty" : "no PEM certificate in it"));
  }
  return out;
}

std::vector<SourcedCertificate> parse_certificates(std::string_view data, const std::string& name) {
  // DER starts with a SEQUENCE tag; PEM is text.
  if (!data.empty() && static_cast<unsigned char>(data[0]) == 0x30) {
    std::string why;
    const auto* p = reinterpret_cast<const std::uint8_t*>(data.data());
    auto cert = Certificate::from_der(ByteView(p, data.size()), &why);
    if (!cert) {
      throw Error(ExitCode::input,
                  fmt::format("cannot read \"{}\": not a DER certificate: {}", name, why));
    }
    return {{std::move(*cert), {}, name}};
  }
  if (data.find(begin_marker) == std::string_view::npos && !data.empty() &&
      data.find('\0') != std::string_view::npos) {
    throw Error(ExitCode::input,
                fmt::format("cannot read \"{}\": neither PEM nor a DER certificate", name));
  }
  return parse_pem(data, name);
}

std::vector<SourcedCertificate> load_certificates(const std::filesystem::path& path) {
  return parse_certificates(read_file(path), path.string());
}

std::string to_pem(const Certificate& cert, std::size_t line_width) {
  const Bytes& der = cert.der();
  std::string b64(4 * ((der.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), der.data(),
                                static_cast<int>(der.size()));
  b64.resize(static_cast<std::size_t>(n));
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t pos = 0; pos < b64.size(); pos += line_width) {
    out.append(b64, pos, line_width);
    out.push_back('\n');
  }
  out += "-----END CERTIFICATE-----\n";
  return out;
}

}  // namespace certbundle
