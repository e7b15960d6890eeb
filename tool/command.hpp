#pragma once
// The shape of every subcommand: a setup_<name>() that declares its options on a CLI11 subcommand
// and, when that subcommand is chosen, leaves in `run` the function that does the work. The work
// itself is a call into the library; what is printed goes to the given streams.
#include <functional>
#include <iosfwd>

namespace CLI {
class App;
}

namespace certbundle::cli {

struct Streams {
  std::ostream& out;
  std::ostream& err;
};

// Returns the process exit code; throws certbundle::Error for failures that stop the command.
using Runner = std::function<int(Streams)>;

void setup_roots(CLI::App& app, Runner& run);
void setup_bundle(CLI::App& app, Runner& run);
void setup_inspect(CLI::App& app, Runner& run);
void setup_fetch(CLI::App& app, Runner& run);
void setup_verify(CLI::App& app, Runner& run);
void setup_init(CLI::App& app, Runner& run);
void setup_lock(CLI::App& app, Runner& run);
void setup_build(CLI::App& app, Runner& run);
void setup_check(CLI::App& app, Runner& run);
void setup_mozilla(CLI::App& app, Runner& run);

}  // namespace certbundle::cli
