/* The main component: prints what it embeds (sizes, the format of each bundle as its first
 * bytes show it), as the test reads it. */
#include <stdint.h>
#include <stdio.h>

#include "certbundle_embedded.h"
#include "legacy_crt_bundle_embedded.h"
#include "pinned_embedded.h"

/* V2 starts with N little-endian u32 offsets, the first being 4N; V1 with a big-endian count. */
static const char* format_of(const uint8_t* b, size_t size) {
  uint32_t first = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
  return (size >= 4 && first % 4 == 0 && first > 0 && first < size) ? "V2" : "V1";
}

int app_main(void) {
  printf("app_crt_bundle: %zu bytes, %s\n", (size_t)CERTBUNDLE_APP_CRT_BUNDLE_SIZE,
         format_of(CERTBUNDLE_APP_CRT_BUNDLE_START, CERTBUNDLE_APP_CRT_BUNDLE_SIZE));
  printf("pinned_crt_bundle: %zu bytes, %s\n", (size_t)CERTBUNDLE_PINNED_CRT_BUNDLE_SIZE,
         format_of(CERTBUNDLE_PINNED_CRT_BUNDLE_START, CERTBUNDLE_PINNED_CRT_BUNDLE_SIZE));
  printf("legacy_crt_bundle: %zu bytes, %s\n", (size_t)CERTBUNDLE_LEGACY_CRT_BUNDLE_SIZE,
         format_of(CERTBUNDLE_LEGACY_CRT_BUNDLE_START, CERTBUNDLE_LEGACY_CRT_BUNDLE_SIZE));
  printf("server_root_cert.pem: %zu bytes, last byte %d\n", (size_t)CERTBUNDLE_SERVER_ROOT_CERT_PEM_SIZE,
         CERTBUNDLE_SERVER_ROOT_CERT_PEM_START[CERTBUNDLE_SERVER_ROOT_CERT_PEM_SIZE - 1]);
  return 0;
}
