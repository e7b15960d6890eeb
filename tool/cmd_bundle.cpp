// certbundle bundle: write an ESP-IDF certificate bundle (binary, or C source for Arduino) from
// PEM/DER files and/or a selection of Mozilla's roots.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "certbundle/bundle/c_array.hpp"
#include "certbundle/bundle/format.hpp"
#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/core/text.hpp"
#include "certbundle/x509/load.hpp"
#include "command.hpp"
#include "selection_options.hpp"

namespace certbundle::cli {

namespace {

namespace fs = std::filesystem;

enum class Emit { bin, c };

struct BundleArgs {
  std::string output;
  std::vector<std::string> inputs;
  std::string format;
  std::string idf_version;
  std::string emit = "bin";
  std::string name;
  std::size_t max_certs = bundle::default_max_certs;
  SelectionArgs selection;
};

// The certificate files an INPUT stands for: itself, or a directory's certificate files (by
// extension, sorted by name so that runs on any file system give the same bundle).
std::vector<fs::path> input_files(const fs::path& input) {
  std::error_code ec;
  if (!fs::is_directory(input, ec)) return {input};
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(input, ec)) {
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    const bool certificate = ext == ".pem" || ext == ".der" || ext == ".crt" || ext == ".cer";
    std::error_code ignored;  // a dangling link is skipped like any other non-file
    if (certificate && entry.is_regular_file(ignored)) files.push_back(entry.path());
  }
  if (ec)
    throw Error(ExitCode::input, fmt::format("cannot read {}: {}", quoted(input), ec.message()));
  if (files.empty()) {
    throw Error(ExitCode::input, fmt::format("cannot read {}: the directory holds no .pem, .der, "
                                             ".crt or .cer file",
                                             quoted(input)));
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string member_name(const std::string& origin, const std::string& label) {
  return label.empty() ? origin : fmt::format("{} ({})", origin, label);
}

int run_bundle(const BundleArgs& args, Streams streams) {
  const bundle::Format format = !args.idf_version.empty()
                                    ? bundle::format_for_idf_version(args.idf_version)
                                : !args.format.empty() ? bundle::parse_format(args.format)
                                                       : bundle::Format::v2;
  const Emit emit = args.emit == "c" ? Emit::c : Emit::bin;
  const fs::path output = args.output;
  fs::path header = output;
  header.replace_extension(".h");
  std::string name;
  const bool to_stdout = args.output == "-";
  if (emit == Emit::c) {
    if (to_stdout) throw usage_error("with --emit c, -o names the .c file (its .h goes beside it): not -");
    if (header == output) {
      throw usage_error(
          fmt::format("with --emit c, -o names the .c file; {} would be overwritten "
                      "by its header",
                      quoted(output)));
    }
    name = args.name.empty() ? bundle::c_identifier_from(output.stem().string()) : args.name;
    bundle::check_c_identifier(name);
  } else if (!args.name.empty()) {
    throw usage_error("--name names the C array: it needs --emit c");
  }

  std::vector<bundle::Member> members;
  const bool with_mozilla = args.inputs.empty() || args.selection.selects_mozilla();
  if (with_mozilla || !args.selection.extra.empty()) {
    for (auto& s : select(args.selection, with_mozilla, streams).certs) {
      members.push_back({std::move(s.cert), member_name(s.origin, s.label)});
    }
  }
  for (const std::string& input : args.inputs) {
    for (const fs::path& file : input_files(input)) {
      for (auto& c : load_certificates(file)) {
        members.push_back({std::move(c.cert), member_name(c.origin, c.label)});
      }
    }
  }

  const bundle::Written written =
      bundle::write_bundle(std::move(members), {format, args.max_certs});
  for (const std::string& w : written.warnings)
    streams.err << "certbundle: warning: " << one_line(w) << "\n";

  std::string wrote;
  if (emit == Emit::c) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(written.bytes.data());
    const bundle::CSource c = bundle::to_c_source(ByteView(bytes, written.bytes.size()), name,
                                                  header.filename().string());
    // The header first: the source includes it.
    write_files_atomic({{header, c.header}, {output, c.source}});
    wrote = fmt::format("{} and {} (array {})", output.string(), header.string(), name);
  } else if (to_stdout) {
    streams.out.write(written.bytes.data(), static_cast<std::streamsize>(written.bytes.size()));
    streams.out.flush();
    wrote = "standard output";
  } else {
    write_file_atomic(output, written.bytes);
    wrote = output.string();
  }
  // With -o -, standard output holds the bundle: the summary goes to standard error.
  (to_stdout ? streams.err : streams.out) << fmt::format("wrote {}: format {}, {} certificate{}, {} bytes\n", wrote,
                             bundle::to_string(format), written.count,
                             written.count == 1 ? "" : "s", written.bytes.size());
  return static_cast<int>(ExitCode::ok);
}

}  // namespace

void setup_bundle(CLI::App& app, Runner& run) {
  auto args = std::make_shared<BundleArgs>();
  auto* cmd = app.add_subcommand(
      "bundle",
      "Write an ESP-IDF certificate bundle (x509_crt_bundle) from PEM/DER files and/or Mozilla's "
      "roots, byte for byte as ESP-IDF's gen_crt_bundle.py writes it");
  cmd->add_option("-o,--output", args->output,
                  "The bundle file to write, - for standard output (with --emit c: the .c file; its .h goes beside it)")
      ->required();
  cmd->add_option("inputs", args->inputs,
                  "PEM or DER certificate files, or directories of them (*.pem, *.der, *.crt, "
                  "*.cer, in name order). Without any, the bundle holds the Mozilla selection; "
                  "with some and no selection option, exactly these certificates");
  auto* format =
      cmd->add_option("--format", args->format,
                      "Bundle format: v2 (ESP-IDF 5.4 and later, arduino-esp32 3.2 and later; the "
                      "default) or v1 (ESP-IDF 4.2 to 5.3, arduino-esp32 2.0.x to 3.1.x)");
  auto* idf = cmd->add_option("--idf-version", args->idf_version,
                              "Write the format this ESP-IDF release reads, for example 5.3 "
                              "(V1) or 5.4 (V2)");
  format->excludes(idf);
  cmd->add_option("--emit", args->emit,
                  "bin: the binary bundle to embed; c: a C array (.c and .h) for Arduino IDE "
                  "sketches")
      ->check(CLI::IsMember({"bin", "c"}));
  cmd->add_option("--name", args->name,
                  "With --emit c: the C array's name (default: the output file's stem, made a C "
                  "identifier); NAME_len holds its length");
  cmd->add_option("--max-certs", args->max_certs,
                  "Warn when the bundle holds more certificates than the device accepts "
                  "(CONFIG_MBEDTLS_CERTIFICATE_BUNDLE_MAX_CERTS)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_selection_options(*cmd, args->selection);
  cmd->callback([&run, args] { run = [args](Streams s) { return run_bundle(*args, s); }; });
}

}  // namespace certbundle::cli
