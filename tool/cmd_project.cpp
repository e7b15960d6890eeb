// certbundle init | lock | build: the project manifest (certbundle.toml) and its lock.
#include <cmath>
#include <filesystem>
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/core/text.hpp"
#include "certbundle/fetch/fetch.hpp"
#include "certbundle/project/build.hpp"
#include "certbundle/project/lock.hpp"
#include "certbundle/project/manifest.hpp"
#include "certbundle/project/plan.hpp"
#include "certbundle/project/version.hpp"
#include "command.hpp"

namespace certbundle::cli {

namespace {

// certbundle.lock lives beside the manifest.
std::filesystem::path lock_path(const std::filesystem::path& manifest) {
  return manifest.parent_path() / "certbundle.lock";
}

struct InitArgs {
  std::vector<std::string> endpoints;
  std::string idf_version;
  std::string output = "certbundle.toml";
  bool force = false;
};

struct LockArgs {
  std::string manifest = "certbundle.toml";
  std::vector<std::string> allow_untrusted;
  std::vector<std::string> ca;
  double timeout = 10;
  std::size_t jobs = fetch::default_jobs;
};

struct BuildArgs {
  std::string manifest = "certbundle.toml";
  std::string out;
  std::string at = "now";
  std::string idf_version;
  std::string format;
  bool plan = false;
  bool quiet = false;
};

void print_note(const std::string& note, Streams streams) {
  if (!note.empty()) streams.err << "certbundle: note: " << note << "\n";
}

// `build --plan`, version 1 (fields are added, never renamed):
//   { "format": "certbundle-plan", "version": 1, "manifest": absolute path,
//     "bundle_format": "v1"|"v2", "idf_version": "5.4"|null, "signature_rule": "psa"|"pk_verify_ext",
//     "assumed": null | the note printed when no version is given,
//     "outputs": [ { "name", "kind": "bundle"|"pem", "line", "format": "v1"|"v2"|null,
//                    "files": [ { "name", "embed": "BINARY"|"TEXT"|null, "symbol": "_binary_..._start"|null } ] } ],
//     "report": "certbundle-build.txt", "endpoints": [ name ],
//     "inputs": [ { "path": absolute, "role": "manifest"|"lock"|"mozilla"|"bundle.extra"|"pem.files"|
//                   "pem.next"|"identity", "exists": bool } ] }
std::string plan_json(const project::Plan& plan) {
  nlohmann::json j{{"format", "certbundle-plan"},
                   {"version", 1},
                   {"manifest", plan.manifest.string()},
                   {"bundle_format", plan.format == bundle::Format::v1 ? "v1" : "v2"},
                   {"signature_rule", plan.signature == device::SignatureRule::psa ? "psa" : "pk_verify_ext"},
                   {"report", plan.report},
                   {"endpoints", plan.endpoints}};
  j["idf_version"] = plan.idf_version.empty() ? nlohmann::json() : nlohmann::json(plan.idf_version);
  j["assumed"] = plan.assumed.empty() ? nlohmann::json() : nlohmann::json(plan.assumed);
  j["outputs"] = nlohmann::json::array();
  for (const project::PlannedOutput& o : plan.outputs) {
    nlohmann::json out{{"name", o.name}, {"kind", project::to_string(o.kind)}, {"line", o.line}};
    out["format"] = o.format ? nlohmann::json(*o.format == bundle::Format::v1 ? "v1" : "v2") : nlohmann::json();
    out["files"] = nlohmann::json::array();
    for (const project::PlannedFile& f : o.files) {
      nlohmann::json file{{"name", f.name}};
      const bool embedded = f.embed != project::Embed::none;
      file["embed"] = embedded ? nlohmann::json(project::to_string(f.embed)) : nlohmann::json();
      file["symbol"] = embedded ? nlohmann::json(f.symbol) : nlohmann::json();
      out["files"].push_back(std::move(file));
    }
    j["outputs"].push_back(std::move(out));
  }
  j["inputs"] = nlohmann::json::array();
  for (const project::PlannedInput& i : plan.inputs) {
    j["inputs"].push_back({{"path", i.path.string()}, {"role", project::to_string(i.role)}, {"exists", i.exists}});
  }
  return j.dump(2) + "\n";
}

}  // namespace

void setup_init(CLI::App& app, Runner& run) {
  auto args = std::make_shared<InitArgs>();
  auto* cmd = app.add_subcommand("init", "Write a commented starter certbundle.toml");
  cmd->add_option("--endpoint", args->endpoints, "A server the device talks to (URL or host:port); repeatable");
  cmd->add_option("--idf-version", args->idf_version,
                  "Write policy.idf_version (default: left commented, for the build to give it)");
  cmd->add_option("-o,--output", args->output, "The manifest to write")->capture_default_str();
  cmd->add_flag("--force", args->force, "Overwrite an existing manifest");
  cmd->callback([args, &run] {
    run = [args](Streams streams) {
      std::error_code ec;
      if (!args->idf_version.empty()) (void)bundle::format_for_idf_version(args->idf_version);
      if (args->output == "-") {
        streams.out << project::starter_manifest(args->endpoints, args->idf_version);
        return 0;
      }
      if (!args->force && std::filesystem::exists(args->output, ec)) {
        throw Error(ExitCode::output, fmt::format("{} exists; use --force to overwrite it", certbundle::quoted(args->output)));
      }
      if (!args->idf_version.empty()) (void)bundle::format_for_idf_version(args->idf_version);
      const std::string text = project::starter_manifest(args->endpoints, args->idf_version);
      (void)project::parse_manifest(text, args->output);  // what init writes always reads back
      write_file_atomic(args->output, text);
      streams.out << fmt::format("wrote {} with {} endpoint(s); next: certbundle lock\n", args->output,
                                 args->endpoints.size());
      return 0;
    };
  });
}

void setup_lock(CLI::App& app, Runner& run) {
  auto args = std::make_shared<LockArgs>();
  auto* cmd = app.add_subcommand("lock", "Fetch every endpoint of the manifest and write certbundle.lock");
  cmd->add_option("manifest", args->manifest, "The manifest")->capture_default_str();
  cmd->add_option("--allow-untrusted", args->allow_untrusted,
                  "Lock this endpoint even though a browser does not trust its chain; repeatable");
  cmd->add_option("--ca", args->ca, "More trusted CAs for the browser view (PEM or DER); repeatable");
  cmd->add_option("-j,--jobs", args->jobs, "Endpoints fetched at once (1 to 256)")->capture_default_str();
  cmd->add_option("--timeout", args->timeout, "Seconds per endpoint for connect + STARTTLS + handshake")
      ->capture_default_str();
  cmd->callback([args, &run] {
    run = [args](Streams streams) {
      if (!(args->timeout > 0) || args->timeout > 3600) throw usage_error("--timeout: give 0 < SECONDS <= 3600");
      if (args->jobs == 0 || args->jobs > fetch::max_jobs) throw usage_error("--jobs: give 1 to 256");
      const project::Manifest manifest = project::load_manifest(args->manifest);
      for (const std::string& name : args->allow_untrusted) {
        if (manifest.find_endpoint(name) == nullptr) {
          throw usage_error(fmt::format("--allow-untrusted \"{}\": no such endpoint in {}", name, args->manifest));
        }
      }
      const auto path = lock_path(args->manifest);
      std::optional<project::Lock> previous;
      std::error_code ec;
      if (std::filesystem::exists(path, ec)) previous = project::read_lock(path);

      project::LockOptions options;
      options.now = now();
      options.timeout = std::chrono::milliseconds(std::llround(args->timeout * 1000));
      options.allow_untrusted = args->allow_untrusted;
      options.jobs = args->jobs;
      for (const auto& c : args->ca) options.ca.emplace_back(c);
      const project::LockResult result =
          project::lock_manifest(manifest, previous ? &*previous : nullptr, options);
      write_file_atomic(path, project::to_json(result.lock));
      for (const std::string& w : result.warnings)
        streams.err << "certbundle: warning: " << one_line(w) << "\n";
      for (const std::string& line : result.changes)
        streams.out << one_line(line) << "\n";
      streams.out << fmt::format("wrote {}: {} endpoint(s)\n", path.string(), result.lock.endpoints.size());
      // After the work, so that a failure stays one line.
      print_note(project::assumed_version_note(manifest), streams);
      return 0;
    };
  });
}

void setup_build(CLI::App& app, Runner& run) {
  auto args = std::make_shared<BuildArgs>();
  auto* cmd = app.add_subcommand("build", "Write the manifest's outputs from the lock, offline");
  cmd->add_option("manifest", args->manifest, "The manifest")->capture_default_str();
  cmd->add_option("--out", args->out, "The directory to write into (created if missing)");
  cmd->add_flag("--plan", args->plan,
                "Write nothing: print as JSON what the build would write and read (for build systems)");
  cmd->add_option("--at", args->at, "Decide expiry and retirement as of this moment (default: SOURCE_DATE_EPOCH when set, else now)");
  auto* idf = cmd->add_option("--idf-version", args->idf_version,
                              "The ESP-IDF version being built (5.3: format V1, 5.4: V2); must agree with "
                              "the manifest's policy.idf_version / policy.format");
  cmd->add_option("--format,--bundle-format", args->format, "v1 or v2; must agree with the manifest")
      ->excludes(idf);
  cmd->add_flag("-q,--quiet", args->quiet, "Print only warnings");
  cmd->callback([args, &run] {
    run = [args](Streams streams) {
      project::Manifest manifest = project::load_manifest(args->manifest);
      project::apply_build_version(manifest, {args->idf_version, args->format});
      if (args->plan) {
        if (!args->out.empty()) throw usage_error("--plan writes nothing: leave out --out");
        streams.out << plan_json(project::plan_outputs(manifest));
        return 0;
      }
      if (args->out.empty()) throw usage_error("--out is required (or --plan)");
      const Time at = args->at == "now" ? build_time() : parse_time(args->at);
      const auto path = lock_path(args->manifest);
      std::error_code ec;
      if (!manifest.endpoints.empty() && !std::filesystem::exists(path, ec)) {
        throw Error(ExitCode::input, fmt::format("{} does not exist: run `certbundle lock`", quoted(path)));
      }
      const project::Lock lock = manifest.endpoints.empty() && !std::filesystem::exists(path, ec)
                                     ? project::Lock{}
                                     : project::read_lock(path);
      // apply_build_version() put the build's version into the manifest's policy.
      const project::BuildResult result = project::plan_build(manifest, lock, project::store_for(manifest), at);
      project::write_build(result, args->out);
      for (const std::string& w : result.warnings)
        streams.err << "certbundle: warning: " << one_line(w) << "\n";
      if (!args->quiet) print_note(project::assumed_version_note(manifest), streams);
      if (!args->quiet) {
        streams.out << result.report;
        streams.out << fmt::format("wrote {} file(s) into {}\n", result.files.size(), args->out);
      }
      return 0;
    };
  });
}

}  // namespace certbundle::cli
