/* Prints the size of the embedded PEM buffer (with its NUL). */
#include <stdio.h>

#include "certbundle_embedded.h"

int main(void) {
  printf("private_ca.pem: %zu bytes\n", (size_t)CERTBUNDLE_PRIVATE_CA_PEM_SIZE);
  return 0;
}
