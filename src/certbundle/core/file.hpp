#pragma once
// Reading inputs and writing outputs.
//
// Outputs are written atomically: the bytes go to a temporary file in the same directory, which is
// flushed to disk (fsync) and then renamed over the target; the directory is flushed after the
// rename. A run that fails or is killed (even with SIGKILL) leaves each file either as it was or
// complete in its new version, never partial.
//
// The temporary file has no name while it is written (Linux O_TMPFILE), so a killed run leaves
// nothing behind; it is given a hidden name (".NAME.tmpXXXXXX") only for the instant between its
// link and the rename over NAME. On file systems without O_TMPFILE it has that name from the start.
// A run killed within that window leaves such a file: a complete copy of the new NAME that no
// certbundle command reads, safe to delete.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace certbundle {

// What certbundle reads is bounded: each kind of input has a size limit, checked as the file is
// read (a device or a FIFO has no size to look at first), so that memory stays bounded whatever a
// file holds. The limits are far above real inputs.
struct ReadLimit {
  std::size_t max_bytes;
  std::string_view what;  // "a manifest", for the message
};
inline constexpr ReadLimit manifest_limit{1u << 20, "a manifest"};                 // certbundle.toml: 1 MiB
inline constexpr ReadLimit lock_limit{64u << 20, "a lock"};                        // certbundle.lock: 64 MiB
inline constexpr ReadLimit store_limit{16u << 20, "a certdata.txt or cacert.pem"}; // 1.3 MB today: 16 MiB
inline constexpr ReadLimit certificates_limit{16u << 20, "a certificate or bundle file"};  // 16 MiB
inline constexpr ReadLimit list_limit{16u << 20, "a list"};                        // fetch --from, a CSV: 16 MiB

// The whole file, at most `limit.max_bytes`. Throws Error(ExitCode::input) naming the file:
// `cannot read "x": reason`, and `cannot read "x": larger than 16 MiB, the limit for a ...`.
[[nodiscard]] std::string read_file(const std::filesystem::path& path, ReadLimit limit = certificates_limit);

// Writes `data` to `path` atomically. A symbolic link is kept: the file it points to is replaced,
// atomically in that file's directory. A FIFO or a device (`/dev/null`) is not replaced by a
// regular file: it is opened and written to as it is (not atomic: there is nothing to swap).
// Throws Error(ExitCode::output) naming the file (a socket is refused).
void write_file_atomic(const std::filesystem::path& path, std::string_view data);

struct FileToWrite {
  std::filesystem::path path;
  std::string_view data;
};

// Writes several files, each atomically, in two phases: every file is written and flushed to its
// temporary file first, then all are renamed over their targets, one after the other. A failure
// while writing (a full disk) leaves every target as it was. The set is not atomic as a whole: a run
// killed during the renames (the last moments of a run: one rename() per file, no writing) leaves
// the files renamed so far new and the rest old; running the command again completes the set.
// Throws Error(ExitCode::output) naming the file.
void write_files_atomic(const std::vector<FileToWrite>& files);

// The path as the user wrote it, quoted for messages: "certs/ca.pem". Called with a std::string,
// write certbundle::quoted(s): argument-dependent lookup would also find std::quoted.
[[nodiscard]] std::string quoted(const std::filesystem::path& path);

}  // namespace certbundle
