/* The application of the IDF-shaped fixture: the top-level PEM, then the main component. */
#include <stdio.h>

#include "top_level_root_pem_embedded.h"

int app_main(void);

int main(void) {
  printf("top_level_root.pem: %zu bytes, last byte %d\n", (size_t)CERTBUNDLE_TOP_LEVEL_ROOT_PEM_SIZE,
         CERTBUNDLE_TOP_LEVEL_ROOT_PEM_START[CERTBUNDLE_TOP_LEVEL_ROOT_PEM_SIZE - 1]);
  return app_main();
}
