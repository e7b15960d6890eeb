// plain_demo: prints what the embedded outputs hold; with a directory argument, also checks that
// each one equals the file of the same name in that directory, byte for byte (a PEM buffer with
// the NUL that ESP-IDF's TEXT embedding adds). Exit 0 when every comparison holds.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "certbundle_embedded.h"         // certbundle_add: x509_crt_bundle, server_root_cert.pem
#include "common_crt_bundle_embedded.h"  // certbundle_add_bundle
#include "isrg_roots_pem_embedded.h"     // certbundle_add_pem

namespace {

struct Embedded {
  const char* name;
  const std::uint8_t* start;
  std::size_t size;
  bool text;  // embedded as TEXT: one NUL after the file
};

std::size_t count_pem(const Embedded& e) {
  const std::string text(reinterpret_cast<const char*>(e.start), e.size);
  std::size_t n = 0;
  for (std::size_t at = 0; (at = text.find("-----BEGIN CERTIFICATE-----", at)) != std::string::npos; ++at) ++n;
  return n;
}

// The number of records: V2 starts with N little-endian u32 offsets (the first is 4N), V1 with
// a big-endian u16 count.
std::size_t count_bundle(const Embedded& e, const char** format) {
  if (e.size < 4) return 0;
  const std::uint32_t first = e.start[0] | (e.start[1] << 8) | (e.start[2] << 16) | (std::uint32_t{e.start[3]} << 24);
  if (first % 4 == 0 && first > 0 && first < e.size) {
    *format = "V2";
    return first / 4;
  }
  *format = "V1";
  return static_cast<std::size_t>((e.start[0] << 8) | e.start[1]);
}

bool same_as_file(const Embedded& e, const std::string& dir) {
  std::ifstream in(dir + "/" + e.name, std::ios::binary);
  if (!in) {
    std::printf("  cannot read %s/%s\n", dir.c_str(), e.name);
    return false;
  }
  std::vector<std::uint8_t> expected{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (e.text) expected.push_back(0);
  const std::vector<std::uint8_t> embedded(e.start, e.start + e.size);
  if (embedded != expected) {
    std::printf("  %s: embedded %zu bytes differ from %s/%s (%zu bytes)\n", e.name, embedded.size(), dir.c_str(),
                e.name, expected.size());
    return false;
  }
  std::printf("  %s: the same %zu bytes as %s/%s\n", e.name, embedded.size(), dir.c_str(), e.name);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const Embedded outputs[] = {
      {"x509_crt_bundle", CERTBUNDLE_X509_CRT_BUNDLE_START, CERTBUNDLE_X509_CRT_BUNDLE_SIZE, false},
      {"server_root_cert.pem", CERTBUNDLE_SERVER_ROOT_CERT_PEM_START, CERTBUNDLE_SERVER_ROOT_CERT_PEM_SIZE, true},
      {"common_crt_bundle", CERTBUNDLE_COMMON_CRT_BUNDLE_START, CERTBUNDLE_COMMON_CRT_BUNDLE_SIZE, false},
      {"isrg_roots.pem", CERTBUNDLE_ISRG_ROOTS_PEM_START, CERTBUNDLE_ISRG_ROOTS_PEM_SIZE, true},
  };
  for (const Embedded& e : outputs) {
    if (e.text) {
      std::printf("%-22s %6zu bytes, PEM, %zu certificate(s), ends with NUL: %s\n", e.name, e.size, count_pem(e),
                  e.size > 0 && e.start[e.size - 1] == 0 ? "yes" : "no");
    } else {
      const char* format = "?";
      const std::size_t n = count_bundle(e, &format);
      std::printf("%-22s %6zu bytes, bundle %s, %zu certificate(s)\n", e.name, e.size, format, n);
    }
  }
  int failures = 0;
  for (int i = 1; i < argc; ++i) {
    std::printf("compare with %s:\n", argv[i]);
    for (const Embedded& e : outputs) {
      // Each directory given holds some of the outputs; compare those it holds.
      std::ifstream probe(std::string(argv[i]) + "/" + e.name);
      if (probe && !same_as_file(e, argv[i])) ++failures;
    }
  }
  return failures == 0 ? 0 : 1;
}
