#pragma once
// Errors and exit codes: the contract between certbundle and the scripts that call it.
//
// Every failure that stops a command is a certbundle::Error. Its message names what the user gave
// (a file, a line, a byte offset, a host) and the reason, in one line, without the
// "certbundle: error: " prefix that the CLI adds. Its code is the process exit code; the codes
// are documented in README.md ("Exit codes") and must never change meaning.
#include <stdexcept>
#include <string>
#include <string_view>

#include "certbundle/core/text.hpp"

namespace certbundle {

enum class ExitCode : int {
  ok = 0,        // the command did what was asked
  findings = 1,  // the command ran, and what it checked is not fine (for example a failed target)
  usage = 2,     // the command line is wrong: unknown option, bad value, missing argument
  input = 3,     // an input file cannot be read, or is not what it should be
  output = 4,    // an output cannot be written; the previous file is left as it was
  network = 5,   // a network step failed (resolve, connect, STARTTLS, handshake, download)
  internal = 70  // a bug in certbundle (EX_SOFTWARE)
};

class Error : public std::runtime_error {
 public:
  // The message is kept to one line (one_line()) of bounded length (shortened()), whatever bytes
  // of the input it quotes.
  Error(ExitCode code, const std::string& message)
      : std::runtime_error(shortened(one_line(message))), code_(code) {}
  [[nodiscard]] ExitCode code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

// A value the user gave on the command line (a date, a format name) is not valid.
[[nodiscard]] inline Error usage_error(const std::string& message) {
  return Error(ExitCode::usage, message);
}

}  // namespace certbundle
