#include "certbundle/bundle/c_array.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "certbundle/core/error.hpp"

namespace certbundle::bundle {

namespace {

// C's keywords and C++'s: Arduino sketches that include the header are C++.
constexpr auto keywords = std::to_array<std::string_view>({"_Alignas",
                                                           "_Alignof",
                                                           "_Atomic",
                                                           "_Bool",
                                                           "_Complex",
                                                           "_Generic",
                                                           "_Imaginary",
                                                           "_Noreturn",
                                                           "_Static_assert",
                                                           "_Thread_local",
                                                           "alignas",
                                                           "alignof",
                                                           "and",
                                                           "and_eq",
                                                           "asm",
                                                           "auto",
                                                           "bitand",
                                                           "bitor",
                                                           "bool",
                                                           "break",
                                                           "case",
                                                           "catch",
                                                           "char",
                                                           "char16_t",
                                                           "char32_t",
                                                           "char8_t",
                                                           "class",
                                                           "co_await",
                                                           "co_return",
                                                           "co_yield",
                                                           "compl",
                                                           "concept",
                                                           "const",
                                                           "const_cast",
                                                           "consteval",
                                                           "constexpr",
                                                           "constinit",
                                                           "continue",
                                                           "decltype",
                                                           "default",
                                                           "delete",
                                                           "do",
                                                           "double",
                                                           "dynamic_cast",
                                                           "else",
                                                           "enum",
                                                           "explicit",
                                                           "export",
                                                           "extern",
                                                           "false",
                                                           "float",
                                                           "for",
                                                           "friend",
                                                           "goto",
                                                           "if",
                                                           "inline",
                                                           "int",
                                                           "long",
                                                           "mutable",
                                                           "namespace",
                                                           "new",
                                                           "noexcept",
                                                           "not",
                                                           "not_eq",
                                                           "nullptr",
                                                           "operator",
                                                           "or",
                                                           "or_eq",
                                                           "private",
                                                           "protected",
                                                           "public",
                                                           "register",
                                                           "reinterpret_cast",
                                                           "requires",
                                                           "restrict",
                                                           "return",
                                                           "short",
                                                           "signed",
                                                           "sizeof",
                                                           "static",
                                                           "static_assert",
                                                           "static_cast",
                                                           "struct",
                                                           "switch",
                                                           "template",
                                                           "this",
                                                           "thread_local",
                                                           "throw",
                                                           "true",
                                                           "try",
                                                           "typedef",
                                                           "typeid",
                                                           "typename",
                                                           "union",
                                                           "unsigned",
                                                           "using",
                                                           "virtual",
                                                           "void",
                                                           "volatile",
                                                           "wchar_t",
                                                           "while",
                                                           "xor",
                                                           "xor_eq"});

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string identifier_problem(std::string_view name) {
  if (name.empty()) return "it is empty";
  if (is_digit(name.front())) return "it starts with a digit";
  for (const char c : name) {
    if (!is_alpha(c) && !is_digit(c) && c != '_') {
      const auto byte = static_cast<unsigned char>(c);
      return byte > 0x20 && byte < 0x7f
                 ? fmt::format("'{}' is not a letter, digit or '_'", c)
                 : fmt::format("byte 0x{:02x} is not a letter, digit or '_'", byte);
    }
  }
  if (std::find(keywords.begin(), keywords.end(), name) != keywords.end()) {
    return "it is a C or C++ keyword";
  }
  if (name.starts_with("__") ||
      (name.size() > 1 && name[0] == '_' && name[1] >= 'A' && name[1] <= 'Z')) {
    return "names starting with __ or _ and a capital are reserved";
  }
  return {};
}

}  // namespace

void check_c_identifier(std::string_view name) {
  if (const std::string why = identifier_problem(name); !why.empty()) {
    throw usage_error(fmt::format("invalid C array name \"{}\": {}", name, why));
  }
}

std::string c_identifier_from(std::string_view stem) {
  std::string out;
  for (const char c : stem)
    out.push_back(is_alpha(c) || is_digit(c) ? c : '_');
  if (!out.empty() && is_digit(out.front())) out.insert(out.begin(), '_');
  if (!identifier_problem(out).empty()) return "cert_bundle";
  return out;
}

CSource to_c_source(ByteView data, std::string_view name, std::string_view header_file) {
  check_c_identifier(name);
  if (header_file.find_first_of("\"\\\n\r") != std::string_view::npos) {
    throw usage_error(
        fmt::format("cannot #include the header \"{}\": its name holds a quote, a "
                    "backslash or a line break",
                    header_file));
  }
  // The array name keeps two headers with the same file name apart.
  std::string guard = fmt::format("CERTBUNDLE_{}_{}", name, header_file);
  for (char& c : guard) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    else if (!is_alpha(c) && !is_digit(c)) c = '_';
  }

  CSource out;
  out.header = fmt::format(
      "/* Generated by certbundle: an ESP-IDF certificate bundle as a C array. Do not edit. */\n"
      "#ifndef {0}\n"
      "#define {0}\n"
      "\n"
      "#ifdef __cplusplus\n"
      "extern \"C\" {{\n"
      "#endif\n"
      "\n"
      "extern const unsigned char {1}[];\n"
      "extern const unsigned int {1}_len;\n"
      "\n"
      "#ifdef __cplusplus\n"
      "}}\n"
      "#endif\n"
      "\n"
      "#endif /* {0} */\n",
      guard, name);

  std::string bytes;
  if (data.empty()) {
    bytes = "  0x00 /* C has no empty arrays; the bundle is empty */\n";
  }
  for (std::size_t i = 0; i < data.size(); ++i) {
    bytes += i % 12 == 0 ? "  " : " ";
    bytes += fmt::format("0x{:02x}", data[i]);
    if (i + 1 < data.size()) bytes += ',';
    if (i % 12 == 11 || i + 1 == data.size()) bytes += '\n';
  }
  out.source = fmt::format(
      "/* Generated by certbundle: an ESP-IDF certificate bundle as a C array. Do not edit. */\n"
      "#include \"{0}\"\n"
      "\n"
      "#if defined(__GNUC__)\n"
      "__attribute__((aligned(4)))\n"
      "#endif\n"
      "const unsigned char {1}[] = {{\n"
      "{2}"
      "}};\n"
      "const unsigned int {1}_len = {3};\n",
      header_file, name, bytes, data.size());
  return out;
}

}  // namespace certbundle::bundle
