#pragma once
// Reading inputs and writing outputs.
//
// Outputs are written atomically: the bytes go to a temporary file in the same directory, which is
// flushed to disk and then renamed over the target. A run that fails or is killed leaves the
// previous file as it was.
#include <filesystem>
#include <string>
#include <string_view>

namespace certbundle {

// The whole file. Throws Error(ExitCode::input) naming the file: `cannot read "x": reason`.
[[nodiscard]] std::string read_file(const std::filesystem::path& path);

// Writes `data` to `path` atomically. Throws Error(ExitCode::output) naming the file.
void write_file_atomic(const std::filesystem::path& path, std::string_view data);

// The path as the user wrote it, quoted for messages: "certs/ca.pem". Called with a std::string,
// write certbundle::quoted(s): argument-dependent lookup would also find std::quoted.
[[nodiscard]] std::string quoted(const std::filesystem::path& path);

}  // namespace certbundle
