#include "certbundle/core/text.hpp"

#include <cstdint>

#include <fmt/format.h>

namespace certbundle {

namespace {

enum class Backslash { escape, keep };

// The length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF) and its code point; 0 when it is not one.
std::size_t utf8_sequence(std::string_view s, char32_t& code_point) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  char32_t cp = 0;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2, cp = lead & 0x1fu;
  else if (lead >= 0xe0 && lead <= 0xef) length = 3, cp = lead & 0x0fu;
  else if (lead >= 0xf0 && lead <= 0xf4) length = 4, cp = lead & 0x07u;
  else return 0;
  if (s.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xc0u) != 0x80u) return 0;
    cp = (cp << 6) | (byte(i) & 0x3fu);
  }
  if ((length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000)) return 0;  // overlong
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return 0;
  code_point = cp;
  return length;
}

bool is_format_control(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || cp == 0x200e ||
         cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

std::string escape(std::string_view in, Backslash backslash) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    const unsigned char c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      if (c == '\\' && backslash == Backslash::escape) out += "\\\\";
      else if (c == '\n') out += "\\n";
      else if (c == '\r') out += "\\r";
      else if (c == '\t') out += "\\t";
      else if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
      else out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t length = utf8_sequence(in.substr(i), cp);
    if (length == 0) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
    } else if (is_format_control(cp)) {
      out += fmt::format("\\u{:04x}", static_cast<std::uint32_t>(cp));
      i += length;
    } else {
      out.append(in.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace

std::string printable(std::string_view data) { return escape(data, Backslash::escape); }

std::string one_line(std::string_view text) { return escape(text, Backslash::keep); }

std::string outside_pem(std::string_view text) {
  const std::string line = one_line(text);
  std::string out;
  out.reserve(line.size());
  int dashes = 0;  // in a row, at the end of `out`
  for (const char c : line) {
    dashes = c == '-' ? dashes + 1 : 0;
    if (dashes == 5) {
      out += "\\x2d";
      dashes = 0;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string shortened(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  const auto continuation = [&](std::size_t at) { return (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80; };
  std::size_t head = max / 2;
  while (head > 0 && continuation(head)) --head;
  std::size_t tail = text.size() - max / 2;
  while (tail < text.size() && continuation(tail)) ++tail;
  return fmt::format("{}…({} bytes left out)…{}", text.substr(0, head), tail - head, text.substr(tail));
}

}  // namespace certbundle
