// certbundle inspect: what is in a bundle, PEM or DER file, and which Mozilla roots its entries
// are.
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "certbundle/bundle/inspect.hpp"
#include "certbundle/core/error.hpp"
#include "certbundle/core/file.hpp"
#include "certbundle/mozilla/certdata.hpp"
#include "command.hpp"

namespace certbundle::cli {

namespace {

enum class Output { table, json };

struct InspectArgs {
  std::vector<std::string> files;
  bool json = false;
  std::string mozilla;
};

int run_inspect(const InspectArgs& args, Streams streams) {
  const Output output = args.json ? Output::json : Output::table;
  std::unique_ptr<mozilla::Store> loaded;
  if (!args.mozilla.empty())
    loaded = std::make_unique<mozilla::Store>(mozilla::load_store(args.mozilla));
  const mozilla::Store& store = loaded ? *loaded : mozilla::bundled_store();

  // Every file is read before anything is printed: a damaged one gives only its error.
  std::vector<bundle::Inspection> inspections;
  for (const std::string& file : args.files) {
    const std::string data = read_file(file);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.data());
    inspections.push_back(bundle::inspect(ByteView(bytes, data.size()), file, &store));
  }
  if (output == Output::json) {
    streams.out << bundle::to_json(inspections);
  } else {
    for (std::size_t i = 0; i < inspections.size(); ++i) {
      if (i > 0) streams.out << '\n';
      bundle::print_table(inspections[i], streams.out);
    }
  }
  return static_cast<int>(ExitCode::ok);
}

}  // namespace

void setup_inspect(CLI::App& app, Runner& run) {
  auto args = std::make_shared<InspectArgs>();
  auto* cmd = app.add_subcommand(
      "inspect",
      "Show what an ESP-IDF bundle (V1 or V2, told apart by content), a PEM file or a DER "
      "certificate holds, and which Mozilla root each entry is");
  cmd->add_option("files", args->files, "The files to inspect")->required();
  cmd->add_flag("--json", args->json, "Print JSON instead of tables");
  cmd->add_option("--mozilla", args->mozilla,
                  "Name entries after the roots of this certdata.txt or curl cacert.pem "
                  "(default: the snapshot built into certbundle)");
  cmd->callback([&run, args] { run = [args](Streams s) { return run_inspect(*args, s); }; });
}

}  // namespace certbundle::cli
