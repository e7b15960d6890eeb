#pragma once
// Text from data, made safe for one line of a human or machine report.
//
// Labels, subjects, common names, host names, URLs and every other string that comes from a lock,
// a certdata.txt, a certificate, a server or a file name are data: they may hold line breaks,
// escape sequences (ESC [ ... m) or bytes that are not UTF-8. Written raw into a PEM comment, a
// report line or a `check --format gcc|github` line, a line break in a certificate's CN would
// start a line of its own (a fake `main.c:1:1: error:`, a second PEM block, a `::error::`).
// Every writer of text passes data through printable() (a raw string) or one_line() (a message
// that already quotes data through printable()).
//
// The escapes, the same in both functions:
//   \n \r \t             line feed, carriage return, tab
//   \xNN                 any other C0 control (0x00-0x1f), DEL (0x7f), and every byte that is not
//                        part of well-formed UTF-8 (a stray continuation byte, a truncated or
//                        overlong sequence, a surrogate, a code point above U+10FFFF); NN is
//                        lowercase hex
//   \uNNNN               a C1 control (U+0080-U+009F, which terminals may obey as ESC sequences),
//                        the line and paragraph separators U+2028 and U+2029, and the
//                        bidirectional controls U+200E, U+200F, U+202A-U+202E, U+2066-U+2069
//                        ("Trojan Source": text that displays in another order than it reads)
// Every other character, ASCII or well-formed UTF-8 (é, ő, 中), is kept as it is.
#include <cstddef>
#include <string>
#include <string_view>

namespace certbundle {

// `data` with the escapes above and a backslash written as `\\`, so that the mapping can be
// undone: every backslash in the result starts an escape. For one raw string of data.
[[nodiscard]] std::string printable(std::string_view data);

// `text` with the escapes above, backslashes kept as they are: for a message that is already
// composed (it quotes its data through printable(), or is known to hold none). It is the guard
// every report and error message passes through last: one_line(printable(x)) == printable(x).
[[nodiscard]] std::string one_line(std::string_view text);

// A line written between PEM blocks (a PEM buffer's `# label` comment, cacert.pem's label, the
// ` s:subject` lines of `fetch --pem`): one_line(text) with the fifth dash of every five in a row
// written `\x2d`, so that the line holds no "-----".
// mbedtls (the device's PEM reader) looks for "-----BEGIN CERTIFICATE-----" anywhere in the
// buffer, not at the start of a line; a comment quoting one makes it stop and read no certificate
// at all. Give it printable(data) for a raw string.
[[nodiscard]] std::string outside_pem(std::string_view text);

// An error message of at most about `max` bytes: a longer one keeps its start and its end (where
// the reason is) around "…(N bytes left out)…", cut between UTF-8 characters. Errors quote what the
// user or a server gave, which may be megabytes on one line.
inline constexpr std::size_t max_message_bytes = 1000;
[[nodiscard]] std::string shortened(std::string_view text, std::size_t max = max_message_bytes);

}  // namespace certbundle
