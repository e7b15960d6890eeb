# Warnings and sanitizers live on INTERFACE targets that certbundle's own targets link PRIVATE,
# so nothing is forced on a project that consumes certbundle.
include_guard(GLOBAL)

add_library(certbundle_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(certbundle_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Wnull-dereference -Wimplicit-fallthrough)
endif()

option(CERTBUNDLE_SANITIZE "Build certbundle with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
add_library(certbundle_sanitizers INTERFACE)
if(CERTBUNDLE_SANITIZE)
  target_compile_options(certbundle_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(certbundle_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

# CERTBUNDLE_FUZZ (top-level option): every certbundle target is compiled with libFuzzer's coverage
# instrumentation, ASan and UBSan (UB aborts, so the fuzzer sees it as a crash); the fuzz targets
# add -fsanitize=fuzzer at link time (tests/fuzz/CMakeLists.txt).
if(CERTBUNDLE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "CERTBUNDLE_FUZZ needs clang (libFuzzer): configure with the `fuzz` preset "
                        "or -DCMAKE_CXX_COMPILER=clang++")
  endif()
  target_compile_options(certbundle_sanitizers INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(certbundle_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
