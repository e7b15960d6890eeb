# --emit c: the .c and .h an Arduino sketch includes. Compiled with the system C compiler (and the
# C++ compiler, as a sketch's .ino is C++), the array holds exactly the bytes of the .bin.
. "$(dirname "$0")/lib.sh"
idf="$TEST_DATA/idf"
command -v cc >/dev/null || { echo "SKIP: no C compiler (cc) to compile the emitted C"; exit 77; }

expect_exit 0 "$CERTBUNDLE" bundle -o bundle.bin "$idf/baltimore.der" "$idf/entrust.pem"
expect_exit 0 "$CERTBUNDLE" bundle --emit c -o x509_crt_bundle.c "$idf/baltimore.der" "$idf/entrust.pem"
expect_in out "wrote x509_crt_bundle.c and x509_crt_bundle.h (array x509_crt_bundle): format V2, 2 certificates"
expect_in x509_crt_bundle.h "extern const unsigned char x509_crt_bundle[];"
expect_in x509_crt_bundle.h "extern const unsigned int x509_crt_bundle_len;"

cat >dump.c <<'C'
#include <stdio.h>
#include "x509_crt_bundle.h"
int main(void) {
  return fwrite(x509_crt_bundle, 1, x509_crt_bundle_len, stdout) == x509_crt_bundle_len ? 0 : 1;
}
C
cc -std=c99 -Wall -Wextra -Werror -o dump dump.c x509_crt_bundle.c
./dump >dumped.bin
cmp dumped.bin bundle.bin

# The same bytes as xxd -i gives for the .bin, when it is there to ask.
if command -v xxd >/dev/null; then
  xxd -i bundle.bin | sed -n '/^  0x/p' >xxd.txt
  sed -n '/^  0x/p' x509_crt_bundle.c >ours.txt
  cmp xxd.txt ours.txt
fi

if command -v c++ >/dev/null; then
  cat >dump.cpp <<'CPP'
#include <cstdio>
#include "x509_crt_bundle.h"
int main() { return std::fwrite(x509_crt_bundle, 1, x509_crt_bundle_len, stdout) == x509_crt_bundle_len ? 0 : 1; }
CPP
  cc -c -o bundle.o x509_crt_bundle.c
  c++ -Wall -Werror -o dump_cpp dump.cpp bundle.o
  ./dump_cpp >dumped_cpp.bin
  cmp dumped_cpp.bin bundle.bin
fi

# --name, and a default name made from the file name.
expect_exit 0 "$CERTBUNDLE" bundle --emit c --name my_roots -o roots.c "$idf/entrust.pem"
expect_in roots.h "extern const unsigned char my_roots[];"
expect_in roots.c "const unsigned int my_roots_len = 481;"
expect_exit 0 "$CERTBUNDLE" bundle --emit c -o my-certs.v2.c "$idf/entrust.pem"
expect_in my-certs.v2.h "extern const unsigned char my_certs_v2[];"

# An empty bundle still compiles (C has no empty arrays) and says its length is 0.
expect_exit 0 "$CERTBUNDLE" bundle --emit c --mozilla "$idf/cacrt_all.pem" --exclude '*' -o empty.c
expect_in err "certbundle: warning: no certificates"
expect_in empty.c "const unsigned int empty_len = 0;"
cc -std=c99 -Wall -Werror -c -o empty.o empty.c

# Not a C identifier, or a .c that would be its own header: usage errors, nothing written.
for name in 9lives my-name int; do
  expect_exit 2 "$CERTBUNDLE" bundle --emit c --name "$name" -o bad.c "$idf/entrust.pem"
  expect_one_line err
  expect_in err "invalid C array name \"$name\""
done
expect_exit 2 "$CERTBUNDLE" bundle --emit c -o bad.h "$idf/entrust.pem"
expect_one_line err
[ ! -e bad.c ] && [ ! -e bad.h ] || fail "a file was written"
