#include "certbundle/fetch/curl_api.hpp"

#include <dlfcn.h>

#include <cstring>
#include <regex>

#include <fmt/format.h>

#include "certbundle/core/error.hpp"

namespace certbundle::fetch {

namespace {

// libcurl's soname: its ABI has been 4 since 2006 (Debian's libcurl4 package).
constexpr const char* library = "libcurl.so.4";

CurlApi load() {
  void* lib = ::dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* why = ::dlerror();
    throw Error(ExitCode::internal, fmt::format("cannot load {}, which certbundle needs to reach a server: {}",
                                                library, why != nullptr ? why : "unknown reason"));
  }
  // Never closed: the process keeps libcurl until it exits, as it would a linked library.
  auto symbol = [lib](auto& slot, const char* name) {
    void* p = ::dlsym(lib, name);
    if (p == nullptr) {
      throw Error(ExitCode::internal, fmt::format("{} has no {}: not a usable libcurl", library, name));
    }
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(p);
  };
  CurlApi api;
  symbol(api.easy_init, "curl_easy_init");
  symbol(api.easy_cleanup, "curl_easy_cleanup");
  symbol(api.easy_setopt, "curl_easy_setopt");
  symbol(api.easy_getinfo, "curl_easy_getinfo");
  symbol(api.easy_perform, "curl_easy_perform");
  symbol(api.easy_strerror, "curl_easy_strerror");
  decltype(&::curl_global_init) global_init = nullptr;
  symbol(global_init, "curl_global_init");
  if (const CURLcode rc = global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
    throw Error(ExitCode::internal, fmt::format("curl_global_init failed: {}", api.easy_strerror(rc)));
  }
  return api;
}

}  // namespace

const CurlApi& curl_api() {
  static const CurlApi api = load();  // a throw leaves it unset: the next call tries again
  return api;
}

std::string curl_reason(CURLcode code, const char* errbuf, long os_errno) {
  std::string why = errbuf != nullptr && errbuf[0] != '\0' ? errbuf : curl_api().easy_strerror(code);
  while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
  // libcurl 7.88's wording: "after 12 ms" (connect) and "after 2001 milliseconds" (timeouts).
  static const std::regex elapsed(R"( after [0-9]+ (ms|milliseconds))");
  why = std::regex_replace(why, elapsed, "");
  static constexpr std::string_view generic = ": Couldn't connect to server";
  if (os_errno != 0 && why.size() > generic.size() && why.ends_with(generic)) {
    why.resize(why.size() - generic.size());
    why += ": ";
    why += std::strerror(static_cast<int>(os_errno));
  }
  return why;
}

std::string curl_reason(CURL* h, CURLcode code, const char* errbuf) {
  long os_errno = 0;
  curl_api().easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
  return curl_reason(code, errbuf, os_errno);
}

Failure connect_failure(CURL* h, CURLcode code, const char* errbuf, const detail::Deadline& deadline) {
  std::string why = curl_reason(h, code, errbuf);
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return {Step::resolve, why};
    case CURLE_OPERATION_TIMEDOUT:
      if (why.rfind("Resolving", 0) == 0) return {Step::resolve, deadline.timed_out() + " (resolving the name)"};
      return {Step::connect, deadline.timed_out() + " (no TCP connection)"};
    default:
      return {Step::connect, why};
  }
}

}  // namespace certbundle::fetch
