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

#include <string>

#include "certbundle/fetch/channel.hpp"
#include "certbundle/fetch/handshake.hpp"

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

// The reason a libcurl transfer failed, as one line that is the same on every run: libcurl's
// message (its error buffer, else curl_easy_strerror) without the elapsed time libcurl puts in
// some ("Failed to connect to h port 1 after 3 ms: ..."), and with the system's reason
// (CURLINFO_OS_ERRNO, e.g. "Connection refused") in place of libcurl's generic "Couldn't connect
// to server" when there is one. Reports and their JSON must not change with the machine's load.
[[nodiscard]] std::string curl_reason(CURLcode code, const char* errbuf, long os_errno);
// The same for a transfer on handle `h`, whose CURLINFO_OS_ERRNO it reads.
[[nodiscard]] std::string curl_reason(CURL* h, CURLcode code, const char* errbuf);

// Why a CURLOPT_CONNECT_ONLY transfer on `h` (resolve, then TCP, through a proxy when one is set)
// failed: the step, and curl_reason's words, or the deadline's for a timeout. fetch and verify
// connect this way.
[[nodiscard]] Failure connect_failure(CURL* h, CURLcode code, const char* errbuf,
                                      const detail::Deadline& deadline);

}  // namespace certbundle::fetch
