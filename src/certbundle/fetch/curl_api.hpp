#pragma once
// libcurl, loaded the first time certbundle goes to the network.
//
// Only fetch, verify, lock, check --live and mozilla update use libcurl. Linked in the usual way,
// it would be loaded by every run, offline ones too, with the 27 libraries it depends on (GnuTLS,
// Kerberos, LDAP, libssh2, ...): about 3 ms and 9 M instructions of dynamic linking at each start,
// a quarter of an offline `certbundle bundle` (tests/bench/README.md). So the library does not
// link libcurl: curl_api() opens libcurl.so.4 with dlopen (RTLD_LOCAL: its symbols stay out of
// the global scope) once per process, and calls curl_global_init. The function pointers take
// their types from <curl/curl.h>, so every call is type-checked as a direct call would be.
#include <curl/curl.h>

namespace certbundle::fetch {

struct CurlApi {
  decltype(&::curl_easy_init) easy_init = nullptr;
  decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&::curl_easy_setopt) easy_setopt = nullptr;
  decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&::curl_easy_perform) easy_perform = nullptr;
  decltype(&::curl_easy_strerror) easy_strerror = nullptr;
};

// libcurl's functions, loaded and initialised on first use (thread-safe). Throws
// Error(ExitCode::internal) naming libcurl.so.4 and the loader's reason when it cannot be loaded.
[[nodiscard]] const CurlApi& curl_api();

}  // namespace certbundle::fetch
