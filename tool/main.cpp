// certbundle: CA certificates for ESP32 firmware. A thin layer over the certbundle library: it
// parses arguments, calls the library, and turns errors into one line and an exit code.
#include <csignal>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "certbundle/core/error.hpp"
#include "certbundle/core/text.hpp"
#include "command.hpp"

int main(int argc, char** argv) {
  using certbundle::ExitCode;
  // fetch, verify, lock, check --live and mozilla update write to sockets: a server that hangs up
  // must be an error of that write, not the end of the process.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"certbundle: CA certificates for ESP32 firmware (Mozilla roots, server chains, "
               "ESP-IDF bundles)",
               "certbundle"};
  app.set_version_flag("--version", std::string("certbundle ") + CERTBUNDLE_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);

  certbundle::cli::Runner run;
  certbundle::cli::setup_roots(app, run);
  certbundle::cli::setup_bundle(app, run);
  certbundle::cli::setup_inspect(app, run);
  certbundle::cli::setup_fetch(app, run);
  certbundle::cli::setup_verify(app, run);
  certbundle::cli::setup_init(app, run);
  certbundle::cli::setup_lock(app, run);
  certbundle::cli::setup_build(app, run);
  certbundle::cli::setup_check(app, run);
  certbundle::cli::setup_mozilla(app, run);

  // Installed as cert-fetch too (a link to this binary): then it is `certbundle fetch`.
  std::vector<char*> args(argv, argv + argc);
  static char fetch_command[] = "fetch";
  if (argc > 0 && std::filesystem::path(argv[0]).filename() == "cert-fetch") {
    args.insert(args.begin() + 1, fetch_command);
  }

  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "certbundle: error: " << certbundle::shortened(certbundle::one_line(e.what())) << "\n";
    return static_cast<int>(ExitCode::usage);
  }
  try {
    return run(certbundle::cli::Streams{std::cout, std::cerr});
  } catch (const certbundle::Error& e) {
    std::cout.flush();
    std::cerr << "certbundle: error: " << e.what() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << "certbundle: internal error: " << certbundle::one_line(e.what()) << "\n";
    return static_cast<int>(ExitCode::internal);
  }
}
