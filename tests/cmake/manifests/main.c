/* The program of the test "cmake: manifests": every embedded output, through the symbols ESP-IDF
 * users write, must be the file `certbundle build` wrote into the directory given as argv[1],
 * byte for byte (a PEM buffer followed by its NUL). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certbundle_embedded.h"

static int same(const char* dir, const char* name, const uint8_t* start, const uint8_t* end, int text) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    printf("%s: cannot open %s\n", name, path);
    return 0;
  }
  static unsigned char buf[1 << 20];
  const size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  const size_t size = (size_t)(end - start);
  const size_t expected = n + (text ? 1 : 0);
  if (size != expected || memcmp(buf, start, n) != 0 || (text && start[n] != 0)) {
    printf("%s: embedded %zu bytes, the file has %zu: NOT the same\n", name, size, n);
    return 0;
  }
  printf("%s: the same %zu bytes as %s%s\n", name, n, path, text ? ", then a NUL" : "");
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: manifests OUTPUT_DIR\n");
    return 2;
  }
  int ok = same(argv[1], "app_crt_bundle", _binary_app_crt_bundle_start, _binary_app_crt_bundle_end, 0);
  ok &= same(argv[1], "server_root_cert.pem", _binary_server_root_cert_pem_start,
             _binary_server_root_cert_pem_end, 1);
  ok &= CERTBUNDLE_APP_CRT_BUNDLE_SIZE == (size_t)(_binary_app_crt_bundle_end - _binary_app_crt_bundle_start);
  printf("app_crt_bundle: first bytes %02x %02x\n", CERTBUNDLE_APP_CRT_BUNDLE_START[0], CERTBUNDLE_APP_CRT_BUNDLE_START[1]);
  return ok ? 0 : 1;
}
