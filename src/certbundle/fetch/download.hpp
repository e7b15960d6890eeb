#pragma once
// One HTTP(S) GET with libcurl: certificate verification always on for HTTPS (against the system
// store, or `ca_file`), redirects followed (5 at most, to the protocols allowed), a deadline for
// the whole transfer and a cap on the size of the body. Proxies come from the environment as curl
// reads them (https_proxy, no_proxy).
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace certbundle::fetch {

struct DownloadOptions {
  std::chrono::milliseconds timeout{60'000};
  std::size_t max_bytes = 64u << 20;
  std::string ca_file;  // PEM: trust these instead of the system store
  // libcurl's protocol lists (CURLOPT_PROTOCOLS_STR, CURLOPT_REDIR_PROTOCOLS_STR): the URL given
  // may use `protocols`, a redirect only `redirect_protocols`; empty: redirect_protocols_for(url).
  std::string protocols = "http,https";
  std::string redirect_protocols;
};

// What a download started at `url` may be redirected to: "https" when `url` is https (a download
// started over https never continues in clear text), "http,https" otherwise.
[[nodiscard]] std::string redirect_protocols_for(const std::string& url);

struct Downloaded {
  std::string body;                   // empty on failure
  std::optional<std::string> error;   // one line: "HTTP 404", "timed out after 5 s", curl's words
  std::string effective_url;          // where the body came from, after redirects
};

[[nodiscard]] Downloaded download(const std::string& url, const DownloadOptions& options);

}  // namespace certbundle::fetch
