#include "certbundle/fetch/download.hpp"

#include <curl/curl.h>

#include <cctype>
#include <memory>

#include <fmt/format.h>

#include "certbundle/fetch/channel.hpp"
#include "certbundle/fetch/curl_api.hpp"
#include "certbundle/fetch/handshake.hpp"

namespace certbundle::fetch {

namespace {

struct Sink {
  std::string data;
  std::size_t max = 0;
  bool too_big = false;
};

std::size_t on_data(char* ptr, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t bytes = size * n;
  if (sink->data.size() + bytes > sink->max) {
    sink->too_big = true;
    return 0;  // curl stops with CURLE_WRITE_ERROR
  }
  sink->data.append(ptr, bytes);
  return bytes;
}

}  // namespace

std::string redirect_protocols_for(const std::string& url) {
  std::string scheme = url.substr(0, url.find(':'));
  for (char& c : scheme)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return scheme == "https" ? "https" : "http,https";
}

Downloaded download(const std::string& url, const DownloadOptions& options) {
  Downloaded out;
  const CurlApi& api = curl_api();
  std::unique_ptr<CURL, decltype(api.easy_cleanup)> curl(api.easy_init(), api.easy_cleanup);
  if (!curl) {
    out.error = "curl_easy_init failed";
    return out;
  }
  CURL* h = curl.get();
  Sink sink{{}, options.max_bytes, false};
  char errbuf[CURL_ERROR_SIZE] = {};
  api.easy_setopt(h, CURLOPT_URL, url.c_str());
  const std::string redirect_protocols =
      options.redirect_protocols.empty() ? redirect_protocols_for(url) : options.redirect_protocols;
  api.easy_setopt(h, CURLOPT_PROTOCOLS_STR, options.protocols.c_str());
  api.easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, redirect_protocols.c_str());
  api.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  api.easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
  api.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  api.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  api.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) api.easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str());
  api.easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  api.easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  // A length announced beyond the cap is refused before the body; the sink enforces it otherwise.
  api.easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_bytes));
  api.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
  api.easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  api.easy_setopt(h, CURLOPT_USERAGENT, "certbundle");
  const CURLcode rc = api.easy_perform(h);
  long status = 0;
  api.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  long redirects = 0;
  api.easy_getinfo(h, CURLINFO_REDIRECT_COUNT, &redirects);
  char* effective = nullptr;
  api.easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
  out.effective_url = effective != nullptr ? effective : url;
  if (sink.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
    out.error = fmt::format("the response is larger than {} bytes", options.max_bytes);
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    out.error = detail::timed_out_after(options.timeout);
  } else if (rc == CURLE_UNSUPPORTED_PROTOCOL && redirects > 0) {
    // libcurl stops at a redirect whose protocol is not in the list; the effective URL is its
    // target.
    out.error = redirect_protocols == "https"
                    ? fmt::format(
                          "refused the redirect to {} (only https is allowed here: a download that "
                          "started over https never continues in clear text)",
                          out.effective_url)
                    : fmt::format("refused the redirect to {} (only {})", out.effective_url,
                                  redirect_protocols);
  } else if (rc != CURLE_OK) {
    out.error = curl_reason(h, rc, errbuf);
  } else if (status >= 400) {
    out.error = fmt::format("HTTP {}", status);
  } else {
    out.body = std::move(sink.data);
  }
  return out;
}

}  // namespace certbundle::fetch
