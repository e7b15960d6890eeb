#include <CLI/CLI.hpp>

#include "command.hpp"

namespace certbundle::cli {

void setup_fetch(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("fetch", "(not yet written)");
  cmd->callback([&run] { run = [](Streams) { return 0; }; });
}

}  // namespace certbundle::cli
