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
