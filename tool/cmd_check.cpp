// certbundle check: expiry and drift of what the firmware embeds, offline or live.
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "certbundle/check/check.hpp"
#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/fetch/fetch.hpp"
#include "certbundle/project/build.hpp"
#include "certbundle/project/version.hpp"
#include "command.hpp"

namespace certbundle::cli {

namespace {

struct CheckArgs {
  std::vector<std::string> inputs;
  std::optional<std::int64_t> warn_days;
  std::optional<std::int64_t> fail_days;
  std::string at = "now";
  std::string mozilla;
  std::string format = "text";
  std::string idf_version;
  std::string bundle_format;
  std::string output;
  bool live = false;
  bool strict = false;
  double timeout = 10;
  std::size_t jobs = fetch::default_jobs;
};

bool is_manifest(const std::string& path) { return path.ends_with(".toml"); }

}  // namespace

void setup_check(CLI::App& app, Runner& run) {
  auto args = std::make_shared<CheckArgs>();
  auto* cmd = app.add_subcommand(
      "check",
      "Check expiry (offline) and drift (--live) of what the firmware embeds. Exit 0: no errors; 1: errors found "
      "(or warnings, with --strict)");
  cmd->add_option("inputs", args->inputs,
                  "A manifest (default ./certbundle.toml), or bare files: bundles, PEM, DER");
  cmd->add_option("--warn-days", args->warn_days, "Warn within this many days (default: the manifest's, else 90)");
  cmd->add_option("--fail-days", args->fail_days, "Error within this many days (default: the manifest's, else 30)");
  cmd->add_option("--at", args->at, "Check as of this moment (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC; default: "
                  "SOURCE_DATE_EPOCH when set and not --live, else now)");
  cmd->add_option("--mozilla", args->mozilla, "The snapshot to match bare bundles against (default: bundled)");
  cmd->add_option("--format", args->format, "text, json, junit, github (annotations) or gcc (file:line: warning: ...)")
      ->capture_default_str();
  auto* idf = cmd->add_option("--idf-version", args->idf_version,
                              "The ESP-IDF version the firmware is built for; must agree with the manifest");
  cmd->add_option("--bundle-format", args->bundle_format, "v1 or v2 (as build --format); must agree with the manifest")
      ->excludes(idf);
  cmd->add_option("-o,--output", args->output, "Write the report to this file (atomically; - for standard output)");
  cmd->add_flag("--live", args->live, "Also fetch every endpoint now and compare with the lock and the outputs");
  cmd->add_flag("--strict", args->strict, "Warnings count as errors for the exit code");
  cmd->add_option("--timeout", args->timeout, "--live: seconds per endpoint")->capture_default_str();
  cmd->add_option("-j,--jobs", args->jobs, "--live: endpoints fetched at once (1 to 256)")->capture_default_str();
  cmd->callback([args, &run] {
    run = [args](Streams streams) {
      check::Thresholds t;
      // Offline, "now" is the build's (SOURCE_DATE_EPOCH): the gate of a tag judges as it did then.
      // The live check is about the servers now.
      t.at = args->at == "now" ? (args->live ? now() : build_time()) : parse_time(args->at);
      const check::Format format = check::parse_format(args->format);
      if (!(args->timeout > 0) || args->timeout > 3600) throw usage_error("--timeout: give 0 < SECONDS <= 3600");
      if (args->jobs == 0 || args->jobs > fetch::max_jobs) throw usage_error("--jobs: give 1 to 256");

      std::vector<check::Finding> findings;
      std::string note;
      const bool bare = !args->inputs.empty() && !(args->inputs.size() == 1 && is_manifest(args->inputs[0]));
      if (bare) {
        if (args->live) throw usage_error("--live checks a manifest, not bare files");
        if (!args->idf_version.empty() || !args->bundle_format.empty()) {
          throw usage_error("--idf-version and --bundle-format apply to a manifest, not bare files");
        }
        t.warn_days = args->warn_days.value_or(t.warn_days);
        t.fail_days = args->fail_days.value_or(t.fail_days);
        const mozilla::Store store = args->mozilla.empty() ? mozilla::bundled_store() : mozilla::load_store(args->mozilla);
        std::vector<std::filesystem::path> files(args->inputs.begin(), args->inputs.end());
        findings = check::check_files(files, store, t);
      } else {
        const std::string path = args->inputs.empty() ? "certbundle.toml" : args->inputs[0];
        project::Manifest manifest = project::load_manifest(path);
        project::apply_build_version(manifest, {args->idf_version, args->bundle_format, "--bundle-format"});
        // Said on the terminal, once the check has run; machine formats (and build logs, where the
        // CMake module said it when configuring) stay as they are.
        if (format == check::Format::text) note = project::assumed_version_note(manifest);
        t.warn_days = args->warn_days.value_or(manifest.policy.warn_days);
        t.fail_days = args->fail_days.value_or(manifest.policy.fail_days);
        if (t.fail_days > t.warn_days) throw usage_error("--fail-days is larger than --warn-days");
        const auto lock_file = manifest.file.parent_path() / "certbundle.lock";
        std::optional<project::Lock> lock;
        std::error_code ec;
        if (std::filesystem::exists(lock_file, ec)) {
          lock = project::read_lock(lock_file);
        } else if (!manifest.endpoints.empty()) {
          throw Error(ExitCode::input, fmt::format("{} does not exist: run `certbundle lock`", certbundle::quoted(lock_file)));
        }
        const mozilla::Store store = project::store_for(manifest);
        findings = check::check_project(manifest, lock ? &*lock : nullptr, store, t);
        if (args->live && lock) {
          check::LiveOptions live;
          live.timeout = std::chrono::milliseconds(std::llround(args->timeout * 1000));
          live.jobs = args->jobs;
          auto more = check::check_live(manifest, *lock, store, t, live);
          findings.insert(findings.end(), more.begin(), more.end());
          check::sort_findings(findings);
        }
      }

      const bool to_stdout = args->output.empty() || args->output == "-";
      const bool colour = format == check::Format::text && to_stdout && ::isatty(STDOUT_FILENO) == 1 &&
                          std::getenv("NO_COLOR") == nullptr;
      const std::string report = check::render(findings, format, colour);
      if (to_stdout) {
        streams.out << report;
      } else {
        write_file_atomic(args->output, report);
      }
      if (!note.empty()) streams.err << "certbundle: note: " << note << "\n";
      const bool errors = std::any_of(findings.begin(), findings.end(), [&](const check::Finding& f) {
        return f.severity == check::Severity::error || (args->strict && f.severity == check::Severity::warning);
      });
      return static_cast<int>(errors ? ExitCode::findings : ExitCode::ok);
    };
  });
}

}  // namespace certbundle::cli
