#include "certbundle/core/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "certbundle/core/error.hpp"

namespace certbundle {

std::string quoted(const std::filesystem::path& path) { return fmt::format("\"{}\"", path.string()); }

std::string read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw Error(ExitCode::input, fmt::format("cannot read {}: is a directory", quoted(path)));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(ExitCode::input,
                fmt::format("cannot read {}: {}", quoted(path), std::strerror(errno)));
  }
  std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
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

}  // namespace

void write_file_atomic(const std::filesystem::path& path, std::string_view data) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw Error(ExitCode::output, fmt::format("cannot write {}: directory {} does not exist",
                                              quoted(path), quoted(dir)));
  }
  if (std::filesystem::is_directory(path, ec)) {
    throw Error(ExitCode::output, fmt::format("cannot write {}: is a directory", quoted(path)));
  }
  std::string tmp = (dir / ("." + path.filename().string() + ".tmpXXXXXX")).string();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) fail_write(path, "cannot create a temporary file", errno);
  // mkstemp creates the file 0600; an output is an ordinary file that the umask governs.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);

  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail_write(path, "write failed", err);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail_write(path, "flush failed", err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail_write(path, "rename failed", err);
  }
}

}  // namespace certbundle
