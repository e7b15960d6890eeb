// ESP-IDF bundle formats. Expected bytes are ESP-IDF's own test vectors (tests/data/idf, see
// SOURCES-testvectors.txt), never certbundle's output.
#include <catch2/catch.hpp>

#include <string>
#include <tuple>
#include <vector>

#include "certbundle/bundle/c_array.hpp"
#include "certbundle/bundle/format.hpp"
#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/x509/load.hpp"

using namespace certbundle;
using namespace certbundle::bundle;

namespace {

const std::string idf = std::string(CERTBUNDLE_TEST_DATA) + "/idf/";

ByteView view(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::vector<Member> members_of(const std::string& file) {
  std::vector<Member> out;
  for (auto& c : load_certificates(idf + file))
    out.push_back({c.cert, c.origin});
  return out;
}

std::string bundle_of(const std::vector<Member>& members, Format format) {
  return write_bundle(members, {format, default_max_certs}).bytes;
}

// The message of the Error that `fn` throws, checking its code.
template <typename Fn>
std::string error_of(Fn&& fn, ExitCode code = ExitCode::input) {
  try {
    fn();
  } catch (const Error& e) {
    CHECK(e.code() == code);
    return e.what();
  }
  FAIL("no error thrown");
  return {};
}

}  // namespace

TEST_CASE("bundle: ESP-IDF's test vectors are reproduced byte for byte in both formats",
          "[bundle]") {
  for (const char* input : {"baltimore.der", "entrust.pem"}) {
    const std::string stem = std::string(input).substr(0, std::string(input).find('.'));
    INFO(input);
    const auto members = members_of(input);
    CHECK(bundle_of(members, Format::v1) == read_file(idf + stem + "_crt_bundle.v1_BE"));
    CHECK(bundle_of(members, Format::v2) == read_file(idf + stem + "_crt_bundle.v2_LEoffsets"));
  }
}

TEST_CASE("bundle: mbedtls_ut's server root reproduces its V2 server_cert_bundle", "[bundle]") {
  const auto members = members_of("mbedtls_ut.server_root.pem");
  CHECK(bundle_of(members, Format::v2) == read_file(idf + "mbedtls_ut.server_cert_bundle"));
}

TEST_CASE("bundle: the test vectors read back to the certificates' subject and key", "[bundle]") {
  for (const auto& [input, file, format] :
       {std::tuple{"baltimore.der", "baltimore_crt_bundle.v1_BE", Format::v1},
        std::tuple{"baltimore.der", "baltimore_crt_bundle.v2_LEoffsets", Format::v2},
        std::tuple{"entrust.pem", "entrust_crt_bundle.v1_BE", Format::v1},
        std::tuple{"entrust.pem", "entrust_crt_bundle.v2_LEoffsets", Format::v2},
        std::tuple{"mbedtls_ut.server_root.pem", "mbedtls_ut.server_cert_bundle", Format::v2}}) {
    INFO(file);
    const std::string data = read_file(idf + file);
    const Parsed parsed = read_bundle(view(data), file);
    CHECK(parsed.format == format);
    CHECK(likely_format(view(data)) == format);
    CHECK(is_bundle(view(data), format));
    CHECK_FALSE(is_bundle(view(data), format == Format::v1 ? Format::v2 : Format::v1));
    const auto cert = load_certificates(idf + input).at(0).cert;
    REQUIRE(parsed.records.size() == 1);
    CHECK(parsed.records[0].subject_der ==
          Bytes(cert.subject_der().begin(), cert.subject_der().end()));
    CHECK(parsed.records[0].spki_der == Bytes(cert.spki_der().begin(), cert.spki_der().end()));
    // One record: V1 starts it after the 2-byte count, V2 after one 4-byte offset.
    CHECK(parsed.records[0].offset == (format == Format::v1 ? 2U : 4U));
  }
}

TEST_CASE("bundle: all three mbedtls_ut bundles read as V2", "[bundle]") {
  for (const char* file : {"mbedtls_ut.server_cert_bundle", "mbedtls_ut.ecdsa_cert_bundle",
                           "mbedtls_ut.bad_md_test_bundle"}) {
    INFO(file);
    const std::string data = read_file(idf + file);
    const Parsed parsed = read_bundle(view(data), file);
    CHECK(parsed.format == Format::v2);
    CHECK_FALSE(parsed.records.empty());
    CHECK(unsorted_records(parsed.records).empty());
  }
}

TEST_CASE("bundle: V2 is V1 plus 4N - 2 bytes, and several certificates sort by subject",
          "[bundle]") {
  auto members = members_of("entrust.pem");
  for (auto& m : members_of("baltimore.der"))
    members.push_back(m);
  for (auto& m : members_of("mbedtls_ut.server_root.pem"))
    members.push_back(m);
  const std::string v1 = bundle_of(members, Format::v1);
  const std::string v2 = bundle_of(members, Format::v2);
  CHECK(v2.size() == v1.size() + 4 * 3 - 2);
  // Each record is the test vector's record: V1 = count + the three records in subject order.
  const Parsed parsed = read_bundle(view(v2), "three");
  REQUIRE(parsed.records.size() == 3);
  CHECK(unsorted_records(parsed.records).empty());
  CHECK(v1.substr(0, 2) == std::string("\0\3", 2));
  const std::string one_v1 = read_file(idf + "baltimore_crt_bundle.v1_BE");
  CHECK(v1.find(one_v1.substr(2)) != std::string::npos);
  // Offsets: 12-byte table, then each record where the previous one ends.
  CHECK(parsed.records[0].offset == 12);
  CHECK(parsed.records[1].offset ==
        12 + 4 + parsed.records[0].subject_der.size() + parsed.records[0].spki_der.size());
}

TEST_CASE("bundle: subjects sort in plain byte order, a shorter prefix first", "[bundle]") {
  const std::vector<std::uint8_t> a{0x30, 0x01}, ab{0x30, 0x01, 0x00}, b{0x30, 0x02}, c{0x31};
  CHECK(subject_less(a, ab));
  CHECK_FALSE(subject_less(ab, a));
  CHECK(subject_less(ab, b));
  CHECK(subject_less(b, c));
  CHECK_FALSE(subject_less(a, a));
  CHECK(
      subject_less(std::vector<std::uint8_t>{0x7f}, std::vector<std::uint8_t>{0x80}));  // unsigned
}

TEST_CASE("bundle: equal subjects keep their input order and are warned about by name",
          "[bundle]") {
  const auto baltimore = members_of("baltimore.der").at(0).cert;
  const auto entrust = members_of("entrust.pem").at(0).cert;
  // The same certificate twice under two names, around another one: the bytes cannot show the
  // order, so the warning (which names the first of the run, then the next) does.
  const auto written =
      write_bundle({{baltimore, "first"}, {entrust, "other"}, {baltimore, "second"}},
                   {Format::v2, default_max_certs});
  CHECK(written.count == 3);
  REQUIRE(written.warnings.size() == 1);
  CHECK(written.warnings[0].find("first and second have the same subject and key") == 0);
  const auto reversed =
      write_bundle({{baltimore, "second"}, {entrust, "other"}, {baltimore, "first"}},
                   {Format::v2, default_max_certs});
  REQUIRE(reversed.warnings.size() == 1);
  CHECK(reversed.warnings[0].find("second and first") == 0);
}

TEST_CASE("bundle: more certificates than the device accepts is a warning", "[bundle]") {
  const auto m = members_of("baltimore.der");
  const auto written = write_bundle(m, {Format::v1, 0});
  REQUIRE(written.warnings.size() == 1);
  CHECK(written.warnings[0].find("more than the 0 the device accepts") != std::string::npos);
  CHECK(write_bundle(m, {Format::v1, 1}).warnings.empty());
}

TEST_CASE("bundle: no certificates give an empty file, read back as an empty V2 bundle",
          "[bundle]") {
  for (const Format f : {Format::v1, Format::v2})
    CHECK(write_bundle({}, {f, 200}).bytes.empty());
  const Parsed parsed = read_bundle(ByteView{}, "empty.bin");
  CHECK(parsed.format == Format::v2);
  CHECK(parsed.records.empty());
  // A V1 with count 0 (older generators never wrote one, but the device reads it).
  const std::string zero("\0\0", 2);
  CHECK(read_bundle(view(zero), "zero.bin").format == Format::v1);
}

TEST_CASE("bundle: damaged bundles name the file and the byte offset", "[bundle]") {
  const std::string v1 = read_file(idf + "entrust_crt_bundle.v1_BE");         // 479 bytes
  const std::string v2 = read_file(idf + "entrust_crt_bundle.v2_LEoffsets");  // 481 bytes
  const auto message = [](const std::string& data) {
    return error_of([&] { (void)read_bundle(view(data), "x.bin"); });
  };
  SECTION("truncated") {
    CHECK(message(v2.substr(0, 400)) ==
          "cannot read \"x.bin\": offset 4: record 0 (179 bytes of subject, 294 of public key) "
          "runs past the end of the file at byte 400 (read as a V2 bundle)");
    CHECK(message(v1.substr(0, 400)) ==
          "cannot read \"x.bin\": offset 2: record 0 (179 bytes of subject, 294 of public key) "
          "runs past the end of the file at byte 400 (read as a V1 bundle)");
  }
  SECTION("a trailing byte") {
    CHECK(message(v2 + '\0') ==
          "cannot read \"x.bin\": offset 481: 1 bytes after the 1 records "
          "the offset table announces (read as a V2 bundle)");
    CHECK(message(v1 + '\0') ==
          "cannot read \"x.bin\": offset 479: 1 bytes after the 1 records "
          "the count announces (read as a V1 bundle)");
  }
  SECTION("a wrong count") {
    std::string two = v1;
    two[1] = 2;
    CHECK(message(two) ==
          "cannot read \"x.bin\": offset 479: the count announces 2 records, but "
          "the file ends after 1 (read as a V1 bundle)");
    std::string zero = v1;
    zero[1] = 0;
    CHECK(message(zero) ==
          "cannot read \"x.bin\": offset 2: 477 bytes after the 0 records the "
          "count announces (read as a V1 bundle)");
  }
  SECTION("a corrupt offset") {
    // Two records: the second offset points one byte too far.
    const auto m = members_of("entrust.pem");
    const auto b = members_of("baltimore.der");
    std::string two = bundle_of({m[0], b[0]}, Format::v2);
    // Baltimore sorts first (subject 30 5a < 30 81): the second record starts after its 4 + 92 +
    // 294 bytes, at 8 + 390 = 398 = 0x18e.
    REQUIRE(two.substr(4, 4) == std::string("\x8e\x01\0\0", 4));
    two[4] = '\x8f';
    CHECK(message(two) ==
          "cannot read \"x.bin\": offset 4: offset 1 is 399, but record 1 starts "
          "at byte 398 (read as a V2 bundle)");
    std::string first = v2;
    first[0] = 5;  // not a multiple of 4
    CHECK(
        message(first).find("offset 0: the first offset, 5, is not the size of an offset table") !=
        std::string::npos);
  }
  SECTION("too short for any header") {
    CHECK(message(std::string("\x04", 1)) ==
          "cannot read \"x.bin\": offset 0: 1 bytes: too short for an offset table (read as a V2 "
          "bundle)");
  }
  SECTION("a forced format reports against that format") {
    CHECK(error_of([&] {
            (void)read_bundle(view(v2), Format::v1, "x.bin");
          }).find("(read as a V1") != std::string::npos);
  }
}

TEST_CASE("bundle: no byte string crashes the reader", "[bundle]") {
  // Every prefix and every single-byte change of a real bundle either reads or throws Error.
  const std::string v2 = read_file(idf + "baltimore_crt_bundle.v2_LEoffsets");
  for (std::size_t n = 0; n <= v2.size(); ++n) {
    try {
      (void)read_bundle(view(v2.substr(0, n)), "x");
    } catch (const Error&) {
    }
  }
  for (std::size_t i = 0; i < 16; ++i) {
    for (const int b : {0x00, 0x01, 0x7f, 0xff}) {
      std::string d = v2;
      d[i] = static_cast<char>(b);
      try {
        (void)read_bundle(view(d), "x");
      } catch (const Error&) {
      }
    }
  }
}

TEST_CASE("bundle: ESP-IDF versions choose the format they read", "[bundle]") {
  for (const char* v1 : {"4.2", "4.4", "5.0", "5.3", "v5.3.2", "5.3.4"}) {
    INFO(v1);
    CHECK(format_for_idf_version(v1) == Format::v1);
  }
  for (const char* v2 : {"5.4", "v5.4.1", "5.5", "6.0", "10.0"}) {
    INFO(v2);
    CHECK(format_for_idf_version(v2) == Format::v2);
  }
  for (const char* bad : {"", "5", "5.", "latest", "5.4.1.2", "v", "4.1", "3.3", "5.x", "-5.4"}) {
    INFO(bad);
    const std::string msg = error_of([&] { (void)format_for_idf_version(bad); }, ExitCode::usage);
    CHECK(msg.find(std::string("\"") + bad + "\"") != std::string::npos);
  }
  CHECK(parse_format("v1") == Format::v1);
  CHECK(parse_format("v2") == Format::v2);
  CHECK(error_of([] { (void)parse_format("v3"); }, ExitCode::usage).find("\"v3\"") !=
        std::string::npos);
}

TEST_CASE("bundle: C arrays: xxd -i layout, a header with extern declarations", "[bundle][c]") {
  const std::string bytes("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\xff", 13);
  const CSource c = to_c_source(view(bytes), "my_bundle", "my_bundle.h");
  // The body as `xxd -i` prints these 13 bytes.
  CHECK(c.source.find("const unsigned char my_bundle[] = {\n"
                      "  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,\n"
                      "  0xff\n"
                      "};\n"
                      "const unsigned int my_bundle_len = 13;\n") != std::string::npos);
  CHECK(c.source.find("#include \"my_bundle.h\"\n") != std::string::npos);
  CHECK(c.header.find("extern const unsigned char my_bundle[];\n") != std::string::npos);
  CHECK(c.header.find("extern const unsigned int my_bundle_len;\n") != std::string::npos);
  CHECK(c.header.find("#ifndef CERTBUNDLE_MY_BUNDLE_MY_BUNDLE_H\n") != std::string::npos);
  CHECK(c.header.find("#ifdef __cplusplus\nextern \"C\" {\n") != std::string::npos);
  const CSource empty = to_c_source(ByteView{}, "e", "e.h");
  CHECK(empty.source.find("const unsigned int e_len = 0;") != std::string::npos);
}

TEST_CASE("bundle: C array names are C identifiers", "[bundle][c]") {
  CHECK(c_identifier_from("x509_crt_bundle") == "x509_crt_bundle");
  CHECK(c_identifier_from("my-certs.v2") == "my_certs_v2");
  CHECK(c_identifier_from("2026") == "_2026");
  CHECK(c_identifier_from("") == "cert_bundle");
  CHECK(c_identifier_from("int") == "cert_bundle");
  for (const char* bad : {"", "9lives", "my-name", "int", "class", "__x", "_Bad", "caf\xc3\xa9"}) {
    INFO(bad);
    CHECK(
        error_of([&] { check_c_identifier(bad); }, ExitCode::usage).find("invalid C array name") ==
        0);
  }
  check_c_identifier("_ok");
  check_c_identifier("x509_crt_bundle");
}

TEST_CASE("bundle: bytes valid in both formats are read as V2", "[bundle]") {
  // V2: one offset (4), one record with LE lengths 0x1010 + 0x0ffa ending at byte 8210.
  // V1: count 0x0400; record 0 = lengths 0 and 0x1010 (bytes 2-5), then 1023 empty records.
  std::string both(8210, '\0');
  for (const auto& [at, byte] : {std::pair{0, 0x04}, std::pair{4, 0x10}, std::pair{5, 0x10},
                                 std::pair{6, 0xfa}, std::pair{7, 0x0f}}) {
    both[static_cast<std::size_t>(at)] = static_cast<char>(byte);
  }
  REQUIRE(is_bundle(view(both), Format::v1));
  REQUIRE(is_bundle(view(both), Format::v2));
  CHECK(read_bundle(view(both), Format::v1, "both").records.size() == 1024);
  const Parsed parsed = read_bundle(view(both), "both");
  CHECK(parsed.format == Format::v2);
  CHECK(parsed.records.size() == 1);
}
