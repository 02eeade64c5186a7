// smdl: the command-line tool for the Service Management Definition Language.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "base/version.h"
#include "cli.h"
#include "service.h"

namespace {

void PrintUsage(std::ostream& out) {
  out << "smdl " << smdl::Version() << ": IT service management processes under ISO/IEC 20000, as code.\n\n"
         "Usage: smdl [--server URL] COMMAND [ARGS...]\n\n"
         "With --server (or when a running smdl serve holds --db), the database\n"
         "commands work through the server, authenticated by $SMDL_TOKEN.\n\nCommands:\n";
  size_t width = 0;
  for (const auto& c : smdl::cli::Commands()) width = std::max(width, std::string(c.name).size());
  for (const auto& c : smdl::cli::Commands()) {
    std::string name = c.name;
    name.resize(width + 2, ' ');
    out << "  " << name << c.summary << "\n";
  }
  out << "\nRun 'smdl COMMAND --help' for a command's options.\n"
         "Exit status: 0 success, 1 problems in the input, 2 usage or I/O errors.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // smdl --server URL COMMAND ...: the command runs through that server.
  if (!args.empty() && (args[0] == "--server" || args[0].rfind("--server=", 0) == 0)) {
    std::string url;
    if (args[0] == "--server") {
      if (args.size() < 2) {
        std::cerr << "smdl: --server needs a URL, such as http://127.0.0.1:8080\n";
        return smdl::cli::kUsageError;
      }
      url = args[1];
      args.erase(args.begin(), args.begin() + 2);
    } else {
      url = args[0].substr(9);
      args.erase(args.begin());
    }
    if (url.rfind("http://", 0) != 0) {
      std::cerr << "smdl: --server takes an http:// URL, such as http://127.0.0.1:8080\n";
      return smdl::cli::kUsageError;
    }
    smdl::cli::ServerOverride() = url;
  }
  if (args.empty()) {
    PrintUsage(std::cerr);
    return smdl::cli::kUsageError;
  }
  const std::string& command = args[0];
  if (command == "--help" || command == "-h" || command == "help") {
    PrintUsage(std::cout);
    return smdl::cli::kOk;
  }
  if (command == "--version" || command == "version") {
    std::cout << "smdl " << smdl::Version() << " (git " << smdl::GitRevision() << ")\n";
    return smdl::cli::kOk;
  }
  for (const auto& c : smdl::cli::Commands()) {
    if (command != c.name) continue;
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (smdl::cli::MaybeHelp(rest, c.help)) return smdl::cli::kOk;
    return c.run(rest);
  }
  std::cerr << "smdl: unknown command '" << command << "'\n\n";
  PrintUsage(std::cerr);
  return smdl::cli::kUsageError;
}
