#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <sys/stat.h>

#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/core/secret.hpp"
#include "certbundle/core/time.hpp"

using namespace certbundle;

TEST_CASE("dates parse in UTC and reject what is not a date", "[core][time]") {
  CHECK(format_time(parse_time("2026-11-21")) == "2026-11-21T00:00:00Z");
  CHECK(format_time(parse_time("2024-02-29T23:59:59Z")) == "2024-02-29T23:59:59Z");
  CHECK(format_time(parse_time("2026-11-27 20:53:42Z")) == "2026-11-27T20:53:42Z");
  // `date -u -d 2026-11-21 +%s` prints 1795219200.
  CHECK(parse_time("2026-11-21").time_since_epoch().count() == 1795219200);
  for (const char* bad : {"2026-02-29", "2026-13-01", "26-11-21", "2026-11-21T25:00:00Z",
                          "2026-11-21T10:00:00", "yesterday", ""}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_time(bad), Error);
  }
}

TEST_CASE("days between two moments are whole UTC days, floored", "[core][time]") {
  const Time t = parse_time("2026-11-21T12:00:00Z");
  CHECK(days_between(t, parse_time("2026-11-22T11:59:59Z")) == 0);
  CHECK(days_between(t, parse_time("2026-11-22T12:00:00Z")) == 1);
  CHECK(days_between(t, parse_time("2026-11-21T11:59:59Z")) == -1);
  CHECK(days_between(parse_time("2024-02-28"), parse_time("2024-03-01")) == 2);  // leap day
}

TEST_CASE("atomic writes replace whole files and leave them intact on failure", "[core][file]") {
  const auto dir = std::filesystem::temp_directory_path() / "certbundle-test-core";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto file = dir / "out.bin";
  write_file_atomic(file, "first");
  CHECK(read_file(file) == "first");
  write_file_atomic(file, "second");
  CHECK(read_file(file) == "second");

  try {
    write_file_atomic(dir / "missing" / "out.bin", "x");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::output);
    CHECK_THAT(e.what(), Catch::Contains("missing/out.bin") && Catch::Contains("does not exist"));
  }
  // The target is a directory: the error names it, and nothing is left behind.
  CHECK_THROWS_AS(write_file_atomic(dir, "x"), Error);
  CHECK(std::distance(std::filesystem::directory_iterator(dir), {}) == 1);
  CHECK_THROWS_WITH(read_file(dir / "nope"), Catch::Contains("nope") && Catch::Contains("No such file"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("several files are written in two phases: a failure changes none of them", "[core][file]") {
  const auto dir = std::filesystem::temp_directory_path() / "certbundle-test-core-set";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "sub");
  write_files_atomic({{dir / "a", "old a"}, {dir / "sub" / "b", "old b"}});
  // The last target is a directory: nothing is renamed, no temporary file is left.
  std::filesystem::create_directories(dir / "c");
  CHECK_THROWS_AS(write_files_atomic({{dir / "a", "new a"}, {dir / "sub" / "b", "new b"}, {dir / "c", "x"}}), Error);
  CHECK(read_file(dir / "a") == "old a");
  CHECK(read_file(dir / "sub" / "b") == "old b");
  write_files_atomic({{dir / "a", "new a"}, {dir / "sub" / "b", "new b"}});
  CHECK(read_file(dir / "a") == "new a");
  CHECK(read_file(dir / "sub" / "b") == "new b");
  std::size_t entries = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    INFO(e.path().string());
    CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
    ++entries;
  }
  CHECK(entries == 4);  // a, sub, sub/b, c
  std::filesystem::remove_all(dir);
}

TEST_CASE("a proxy URL's password is never written", "[core][secret]") {
  CHECK(redact_url_password("http://alice:s3cr3t@127.0.0.1:3128") ==
        "http://alice:***@127.0.0.1:3128");
  CHECK(redact_url_password("http://alice:s3cr3t@proxy:3128/") == "http://alice:***@proxy:3128/");
  CHECK(redact_url_password("alice:s3cr3t@proxy:3128") == "alice:***@proxy:3128");
  CHECK(redact_url_password("http://alice:p@ss@proxy") == "http://alice:***@proxy");
  CHECK(redact_url_password("http://alice@proxy:3128") == "http://alice@proxy:3128");
  CHECK(redact_url_password("http://proxy:3128") == "http://proxy:3128");
  CHECK(redact_url_password("http://proxy:3128/a@b") == "http://proxy:3128/a@b");
  CHECK(redact_url_password("") == "");
  CHECK(redact_password_of("Failed: alice:s3cr3t@x and s3cr3t", "http://alice:s3cr3t@x") ==
        "Failed: alice:***@x and ***");
  CHECK(redact_password_of("nothing here", "http://x:3128") == "nothing here");
}

TEST_CASE("a key passphrase comes from the environment or a file, never the command line",
          "[core][secret]") {
  ::setenv("CERTBUNDLE_TEST_PASS", "from env", 1);
  CHECK(read_passphrase("env:CERTBUNDLE_TEST_PASS", "--key-pass") == "from env");
  ::unsetenv("CERTBUNDLE_TEST_UNSET");
  try {
    (void)read_passphrase("env:CERTBUNDLE_TEST_UNSET", "--key-pass");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::usage);
    CHECK_THAT(e.what(), Catch::Contains("\"CERTBUNDLE_TEST_UNSET\" is not set"));
  }
  const auto dir = std::filesystem::temp_directory_path() / "certbundle-test-secret";
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "pass.txt").string();
  std::ofstream(file) << "first line\r\nsecond\n";
  CHECK(read_passphrase("file:" + file, "--key-pass") == "first line");
  std::ofstream(file, std::ios::trunc) << "no newline";
  CHECK(read_passphrase("file:" + file, "--key-pass") == "no newline");
  try {
    (void)read_passphrase("file:" + (dir / "missing").string(), "--key-pass");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::input);
  }
  for (const char* bad : {"pass:hunter2", "hunter2", "stdin", ""}) {
    INFO(bad);
    try {
      (void)read_passphrase(bad, "--key-pass");
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::usage);
      CHECK_THAT(e.what(), !Catch::Contains("hunter2"));
    }
  }

  ::chmod(file.c_str(), 0644);
  const auto warning = key_file_warning(file);
  REQUIRE(warning);
  CHECK(*warning ==
        "client key \"" + file + "\" is readable by group or others (chmod 600 " + file + ")");
  ::chmod(file.c_str(), 0640);
  CHECK(key_file_warning(file));
  ::chmod(file.c_str(), 0600);
  CHECK_FALSE(key_file_warning(file));
  std::filesystem::remove_all(dir);
}
