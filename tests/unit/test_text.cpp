#include <catch2/catch.hpp>

#include <string>

#include "certbundle/core/error.hpp"
#include "certbundle/core/text.hpp"

using namespace certbundle;
using namespace std::string_literals;

// Every expected string below is written by hand from the escapes documented in core/text.hpp.

TEST_CASE("printable keeps ASCII text and well-formed UTF-8 as it is", "[core][text]") {
  CHECK(printable("ISRG Root X1") == "ISRG Root X1");
  CHECK(printable("") == "");
  CHECK(printable("CN=a.example, O=\"Q\" <x>; 100%") == "CN=a.example, O=\"Q\" <x>; 100%");
  // NetLock Arany (Class Gold) F\u0151tan\u00fas\u00edtv\u00e1ny, as certdata.txt spells it.
  CHECK(printable("F\xc5\x91tan\xc3\xbas\xc3\xadtv\xc3\xa1ny") ==
        "F\xc5\x91tan\xc3\xbas\xc3\xadtv\xc3\xa1ny");
  CHECK(printable("\xe4\xb8\xad \xf0\x9f\x94\x92") ==
        "\xe4\xb8\xad \xf0\x9f\x94\x92");  // U+4E2D, U+1F512
}

TEST_CASE("printable escapes line breaks, C0 controls and DEL", "[core][text]") {
  CHECK(printable("a\nb") == R"(a\nb)");
  CHECK(printable("a\r\nb") == R"(a\r\nb)");
  CHECK(printable("a\tb") == R"(a\tb)");
  CHECK(printable("\x1b[31mred\x1b[0m") == R"(\x1b[31mred\x1b[0m)");
  CHECK(printable("nul\0byte"s) == R"(nul\x00byte)");
  CHECK(printable("\x01\x1f\x7f") == R"(\x01\x1f\x7f)");
  CHECK(printable("x\nmain.c:1:1: error: injected") == R"(x\nmain.c:1:1: error: injected)");
  CHECK(printable("x\n::error::injected") == R"(x\n::error::injected)");
}

TEST_CASE("printable escapes a backslash, so the mapping can be undone", "[core][text]") {
  CHECK(printable("\\") == R"(\\)");
  CHECK(printable("a\\nb") == R"(a\\nb)");  // a backslash and an n, not a line feed
  CHECK(printable("a\nb") != printable("a\\nb"));
  CHECK(printable("\\x1b") == R"(\\x1b)");
}

TEST_CASE("printable escapes bytes that are not well-formed UTF-8", "[core][text]") {
  CHECK(printable("\xff") == R"(\xff)");
  CHECK(printable("a\x80z") == R"(a\x80z)");                      // a stray continuation byte
  CHECK(printable("\xc3") == R"(\xc3)");                          // truncated at the end
  CHECK(printable("\xc3z") == R"(\xc3z)");                        // truncated before ASCII
  CHECK(printable("\xc0\xaf") == R"(\xc0\xaf)");                  // overlong '/'
  CHECK(printable("\xe0\x80\xaf") == R"(\xe0\x80\xaf)");          // overlong, three bytes
  CHECK(printable("\xed\xa0\x80") == R"(\xed\xa0\x80)");          // the surrogate U+D800
  CHECK(printable("\xf4\x90\x80\x80") == R"(\xf4\x90\x80\x80)");  // above U+10FFFF
  CHECK(printable("\xf5") == R"(\xf5)");
}

TEST_CASE("printable escapes C1 controls, Unicode line breaks and bidi controls", "[core][text]") {
  CHECK(printable("\xc2\x85") == R"(\u0085)");  // NEL, a line break
  CHECK(printable("\xc2\x9b"
                  "31m") == R"(\u009b31m)");            // CSI, ESC [ in one character
  CHECK(printable("\xc2\xa0") == "\xc2\xa0");           // U+00A0 no-break space is text
  CHECK(printable("a\xe2\x80\xa8z") == R"(a\u2028z)");  // LINE SEPARATOR
  CHECK(printable("\xe2\x80\xa9") == R"(\u2029)");      // PARAGRAPH SEPARATOR
  CHECK(printable("\xe2\x80\xae"
                  "cba") == R"(\u202ecba)");  // RIGHT-TO-LEFT OVERRIDE
  CHECK(printable("\xe2\x81\xa6") == R"(\u2066)");
}

TEST_CASE("one_line escapes the same, keeps backslashes, and leaves printable() output alone",
          "[core][text]") {
  CHECK(one_line("a\nb\x1b\xff") == R"(a\nb\x1b\xff)");
  CHECK(one_line(R"(CN=Foo\, Inc)") == R"(CN=Foo\, Inc)");
  for (const std::string& raw : {"a\nb"s, "\\n"s, "\x1b\\\xff\xc2\x85"s, "plain"s, "\0"s}) {
    INFO(raw);
    CHECK(one_line(printable(raw)) == printable(raw));
  }
}

TEST_CASE("an Error's message is one line whatever data it quotes", "[core][text]") {
  const Error e(ExitCode::input, "cannot read \"a\nb\": line 1:\x1b[2J");
  CHECK(std::string(e.what()) == R"(cannot read "a\nb": line 1:\x1b[2J)");
}

TEST_CASE("outside_pem leaves no PEM header or footer in a line between PEM blocks",
          "[core][text]") {
  CHECK(outside_pem("ISRG Root X1") == "ISRG Root X1");
  CHECK(outside_pem("a-b--c----d") == "a-b--c----d");  // four dashes are no PEM boundary
  CHECK(outside_pem(printable("x\n-----BEGIN CERTIFICATE-----\nMII")) ==
        R"(x\n----\x2dBEGIN CERTIFICATE----\x2d\nMII)");
  CHECK(outside_pem("----------") == R"(----\x2d----\x2d)");
  CHECK(outside_pem("------") == R"(----\x2d-)");
  CHECK(outside_pem("---------") == R"(----\x2d----)");
  CHECK(outside_pem("a\x1b") == R"(a\x1b)");
}
