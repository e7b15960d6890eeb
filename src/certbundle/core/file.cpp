#include "certbundle/core/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>

#include <fmt/format.h>

#include "certbundle/core/error.hpp"

namespace certbundle {

std::string quoted(const std::filesystem::path& path) { return fmt::format("\"{}\"", path.string()); }

std::string read_file(const std::filesystem::path& path, ReadLimit limit) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw Error(ExitCode::input, fmt::format("cannot read {}: is a directory", quoted(path)));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(ExitCode::input,
                fmt::format("cannot read {}: {}", quoted(path), std::strerror(errno)));
  }
  std::string data;
  std::array<char, 65536> chunk{};
  while (in) {
    in.read(chunk.data(), chunk.size());
    data.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    if (data.size() > limit.max_bytes) {
      throw Error(ExitCode::input, fmt::format("cannot read {}: larger than {} MiB, the limit for {}", quoted(path),
                                               limit.max_bytes >> 20, limit.what));
    }
  }
  if (in.bad()) {
    throw Error(ExitCode::input, fmt::format("cannot read {}: read error", quoted(path)));
  }
  return data;
}

namespace {

[[noreturn]] void fail_write(const std::filesystem::path& path, const char* what, int err) {
  throw Error(ExitCode::output,
              fmt::format("cannot write {}: {}: {}", quoted(path), what, std::strerror(err)));
}

std::filesystem::path directory_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

// ".NAME.tmpXXXXXX" beside NAME; `random` fills in the Xs (else mkstemp does).
std::string temp_name(const std::filesystem::path& path, bool random) {
  std::string name = (directory_of(path) / ("." + path.filename().string() + ".tmpXXXXXX")).string();
  if (random) {
    static constexpr std::string_view chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    thread_local std::mt19937_64 gen{std::random_device{}()};
    for (std::size_t i = name.size() - 6; i < name.size(); ++i) name[i] = chars[gen() % chars.size()];
  }
  return name;
}

// A file written and flushed beside its target, not yet in place.
struct Staged {
  std::filesystem::path target;
  std::string tmp;  // its name; empty while it has none (O_TMPFILE) or once renamed
  int fd = -1;
};

// Removes what stage() or commit() left: the descriptor, and a named temporary file.
void discard(Staged& s) {
  if (s.fd >= 0) ::close(s.fd);
  s.fd = -1;
  if (!s.tmp.empty()) ::unlink(s.tmp.c_str());
  s.tmp.clear();
}

// Writes `data` to a temporary file in the target's directory and flushes it to disk.
void stage(Staged& s, std::string_view data) {
  const std::filesystem::path& path = s.target;
  const std::filesystem::path dir = directory_of(path);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw Error(ExitCode::output, fmt::format("cannot write {}: directory {} does not exist",
                                              quoted(path), quoted(dir)));
  }
  if (std::filesystem::is_directory(path, ec)) {
    throw Error(ExitCode::output, fmt::format("cannot write {}: is a directory", quoted(path)));
  }
#ifdef O_TMPFILE
  // Unnamed until commit() links it, through /proc (linkat with AT_EMPTY_PATH needs a privilege).
  if (::access("/proc/self/fd", X_OK) == 0) s.fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
#endif
  if (s.fd < 0) {  // no O_TMPFILE here (or no /proc): a named temporary file from the start
    s.tmp = temp_name(path, false);
    s.fd = ::mkostemp(s.tmp.data(), O_CLOEXEC);
    if (s.fd < 0) {
      const int err = errno;
      s.tmp.clear();
      fail_write(path, "cannot create a temporary file", err);
    }
    // mkstemp creates the file 0600; an output is an ordinary file that the umask governs.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(s.fd, 0666 & ~mask);
  }
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    const ssize_t n = ::write(s.fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      discard(s);
      fail_write(path, "write failed", err);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(s.fd) != 0) {
    const int err = errno;
    discard(s);
    fail_write(path, "flush failed", err);
  }
}

// Puts a staged file in place of its target.
void commit(Staged& s) {
  if (s.tmp.empty()) {
    const std::string proc = fmt::format("/proc/self/fd/{}", s.fd);
    for (int attempt = 0;; ++attempt) {
      std::string name = temp_name(s.target, true);
      if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0) {
        s.tmp = std::move(name);
        break;
      }
      if (errno != EEXIST || attempt == 100) {
        const int err = errno;
        discard(s);
        fail_write(s.target, "cannot name the temporary file", err);
      }
    }
  }
  if (::close(s.fd) != 0) {
    const int err = errno;
    s.fd = -1;
    discard(s);
    fail_write(s.target, "flush failed", err);
  }
  s.fd = -1;
  if (::rename(s.tmp.c_str(), s.target.c_str()) != 0) {
    const int err = errno;
    discard(s);
    fail_write(s.target, "rename failed", err);
  }
  s.tmp.clear();
}

// The renames reach the disk with the directory (best effort: some file systems refuse).
void flush_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Where an output really goes. A symbolic link is followed to the file it names (a link that
// dangles: to the file it would create), so the link stays and its target is replaced atomically
// in the target's own directory. A FIFO or a device is written to directly: replacing it with a
// regular file would break what the user pointed at (`-o /dev/null`, `-o fifo`).
struct Destination {
  std::filesystem::path path;
  bool direct = false;  // not a regular file: open and write, no temporary file, no rename
};

Destination destination_of(const std::filesystem::path& path) {
  std::filesystem::path current = path;
  for (int hops = 0;; ++hops) {
    struct stat st {};
    if (::lstat(current.c_str(), &st) != 0) {
      if (errno == ENOENT) return {current, false};
      fail_write(path, "cannot look at it", errno);
    }
    if (S_ISLNK(st.st_mode)) {
      if (hops == 40) fail_write(path, "cannot follow the symbolic link", ELOOP);
      std::error_code ec;
      const std::filesystem::path link = std::filesystem::read_symlink(current, ec);
      if (ec) fail_write(path, "cannot follow the symbolic link", ec.value());
      current = link.is_absolute() ? link : directory_of(current) / link;
      continue;
    }
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) return {current, true};
    if (S_ISSOCK(st.st_mode)) {
      throw Error(ExitCode::output, fmt::format("cannot write {}: is a socket", quoted(path)));
    }
    return {current, false};  // a regular file, or a directory (which stage() refuses)
  }
}

// Writes `data` to a FIFO or a device as it is.
void write_direct(const std::filesystem::path& shown, const std::filesystem::path& path, std::string_view data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) fail_write(shown, "cannot open", errno);
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      fail_write(shown, "write failed", err);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) fail_write(shown, "write failed", errno);
}

}  // namespace

void write_file_atomic(const std::filesystem::path& path, std::string_view data) {
  write_files_atomic({{path, data}});
}

void write_files_atomic(const std::vector<FileToWrite>& files) {
  std::vector<Destination> destinations;
  for (const FileToWrite& f : files) destinations.push_back(destination_of(f.path));
  std::vector<Staged> staged(files.size());
  try {
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (destinations[i].direct) continue;
      staged[i].target = destinations[i].path;
      stage(staged[i], files[i].data);
    }
    // Every regular file is ready: now the FIFOs and devices, then the renames.
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (destinations[i].direct) write_direct(files[i].path, destinations[i].path, files[i].data);
    }
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (!destinations[i].direct) commit(staged[i]);
    }
  } catch (...) {
    for (Staged& s : staged) discard(s);
    throw;
  }
  std::vector<std::filesystem::path> dirs;
  for (const Destination& d : destinations) {
    if (d.direct) continue;
    const std::filesystem::path dir = directory_of(d.path);
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
  }
  for (const auto& dir : dirs) flush_directory(dir);
}

}  // namespace certbundle
