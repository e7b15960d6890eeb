// certbundle mozilla update | diff: a newer Mozilla snapshot, safely, and what it changes.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/core/text.hpp"
#include "certbundle/fetch/download.hpp"
#include "certbundle/mozilla/diff.hpp"
#include "certbundle/project/build.hpp"
#include "certbundle/project/impact.hpp"
#include "command.hpp"

namespace certbundle::cli {

namespace {

// NSS's repository holds the newest certdata.txt.
constexpr const char* default_url =
    "https://hg.mozilla.org/projects/nss/raw-file/default/lib/ckfw/builtins/certdata.txt";

struct UpdateArgs {
  std::string manifest = "certbundle.toml";
  std::string url = default_url;
  std::string sha256;
  std::string ca_file;
  std::string output;
  double timeout = 60;
};

struct DiffArgs {
  std::string before;
  std::string after;
  std::string at = "now";
};

}  // namespace

void setup_mozilla(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("mozilla", "Update the Mozilla snapshot a project uses, or compare two");
  cmd->require_subcommand(1);

  auto up = std::make_shared<UpdateArgs>();
  auto* update = cmd->add_subcommand(
      "update",
      "Download a newer certdata.txt over HTTPS (always verified), show what it changes, and write it to the "
      "manifest's snapshot path (policy.mozilla; the bundled snapshot is never changed)");
  update->add_option("manifest", up->manifest, "The manifest")->capture_default_str();
  update
      ->add_option("--url", up->url,
                   "Where to download certdata.txt from: https:// (redirects to https only), or file:// for a "
                   "local mirror")
      ->capture_default_str();
  update->add_option("--sha256", up->sha256, "Refuse the download unless its SHA-256 is this");
  update->add_option("--ca-file", up->ca_file, "Trust these CAs (PEM) for the download instead of the system's");
  update->add_option("-o,--output", up->output,
                     "Where to write it (default: the manifest's policy.mozilla, else certdata.txt beside the manifest)");
  update->add_option("--timeout", up->timeout, "Seconds for the download")->capture_default_str();
  update->callback([up, &run] {
    run = [up](Streams streams) {
      if (!(up->timeout > 0)) throw usage_error("--timeout: give SECONDS > 0");
      std::optional<Sha256> pinned;
      if (!up->sha256.empty()) {
        pinned = parse_sha256(up->sha256);
        if (!pinned) throw usage_error(fmt::format("--sha256 \"{}\": expected 64 hex digits", up->sha256));
      }
      const project::Manifest manifest = project::load_manifest(up->manifest);
      std::filesystem::path target = up->output;
      if (target.empty()) {
        target = manifest.policy.mozilla.empty() ? manifest.dir / "certdata.txt" : manifest.resolve(manifest.policy.mozilla);
      }

      // Only https (or a local mirror): a snapshot of trust anchors never travels in clear text.
      std::string scheme = up->url.substr(0, std::min(up->url.find("://"), up->url.size()));
      for (char& c : scheme)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (up->url.find("://") == std::string::npos || (scheme != "https" && scheme != "file")) {
        throw usage_error(
            fmt::format("--url \"{}\": give an https:// URL (or file:// for a local mirror)",
                        one_line(up->url)));
      }
      fetch::DownloadOptions options;
      options.protocols = "https,file";
      options.redirect_protocols = "https";
      options.timeout = std::chrono::milliseconds(std::llround(up->timeout * 1000));
      options.ca_file = up->ca_file;
      // certdata.txt is 1.3 MB (2026): 16 MiB leaves it room to grow and keeps the process under
      // the 64 MB that every network command stays within.
      options.max_bytes = std::size_t{16} << 20;
      const fetch::Downloaded got = fetch::download(up->url, options);
      if (got.error) throw Error(ExitCode::network, fmt::format("cannot download {}: {}", up->url, *got.error));
      const Sha256 digest = sha256(ByteView(reinterpret_cast<const std::uint8_t*>(got.body.data()), got.body.size()));
      if (pinned && *pinned != digest) {
        throw Error(ExitCode::input, fmt::format("{}: SHA-256 is {}, --sha256 says {}: not written", up->url,
                                                 to_hex(digest), to_hex(*pinned)));
      }
      const mozilla::Store after = mozilla::parse_store(got.body, up->url);
      if (after.roots.empty() || !after.has_trust_bits) {
        throw Error(ExitCode::input, fmt::format("{}: not a certdata.txt with certificates: not written", up->url));
      }

      const mozilla::Store before = project::store_for(manifest);
      const std::filesystem::path lock_file = manifest.dir / "certbundle.lock";
      std::optional<project::Lock> lock;
      std::error_code ec;
      if (std::filesystem::exists(lock_file, ec)) lock = project::read_lock(lock_file);
      const Time at = now();
      if (got.effective_url != up->url)
        streams.out << fmt::format("{} redirected to {}\n", up->url, got.effective_url);
      streams.out << fmt::format("{} (SHA-256 {}) against {}:\n", got.effective_url, to_hex(digest),
                                 before.name);
      streams.out << mozilla::describe(mozilla::diff_stores(before, after), at);
      streams.out << "for this project:\n" << project::snapshot_impact(manifest, lock ? &*lock : nullptr, before, after, at);
      write_file_atomic(target, got.body);
      streams.out << fmt::format("wrote {}\n", target.string());
      if (manifest.policy.mozilla.empty() && up->output.empty()) {
        streams.out << fmt::format("to use it, set in [policy]: mozilla = \"{}\"\n",
                                   std::filesystem::relative(target, manifest.dir.empty() ? "." : manifest.dir).string());
      }
      return 0;
    };
  });

  auto diff = std::make_shared<DiffArgs>();
  auto* d = cmd->add_subcommand("diff", "Compare the server-auth roots of two certdata.txt (or cacert.pem) files");
  d->add_option("before", diff->before, "The older store")->required();
  d->add_option("after", diff->after, "The newer store")->required();
  d->add_option("--at", diff->at, "Mark roots expired as of this moment (default: now)");
  d->callback([diff, &run] {
    run = [diff](Streams streams) {
      const Time at = parse_time(diff->at);
      const mozilla::Store before = mozilla::load_store(diff->before);
      const mozilla::Store after = mozilla::load_store(diff->after);
      streams.out << mozilla::describe(mozilla::diff_stores(before, after), at);
      return 0;
    };
  });
}

}  // namespace certbundle::cli
