#include <CLI/CLI.hpp>

#include "command.hpp"

namespace certbundle::cli {

void setup_roots(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("roots", "(not yet written)");
  cmd->callback([&run] { run = [](Streams) { return 0; }; });
}

}  // namespace certbundle::cli
