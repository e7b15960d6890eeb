#include <CLI/CLI.hpp>

#include "command.hpp"

namespace certbundle::cli {

void setup_inspect(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("inspect", "(not yet written)");
  cmd->callback([&run] { run = [](Streams) { return 0; }; });
}

}  // namespace certbundle::cli
