// Shared pieces of the smdl command line: argument parsing and the table of
// subcommands. Exit codes: 0 success, 1 problems in the input (diagnostics,
// rejected operations), 2 usage or I/O problems.
#pragma once

#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smdl::cli {

enum ExitCode { kOk = 0, kInputError = 1, kUsageError = 2 };

// Arguments after the subcommand: positionals, `--flag value` options (or
// `--flag=value`), repeated options and boolean switches.
class Args {
 public:
  // `value_flags` take a value; `switches` do not. Unknown flags are an error.
  static std::optional<Args> Parse(const std::vector<std::string>& argv, const std::vector<std::string>& value_flags,
                                   const std::vector<std::string>& switches, std::string& error);

  const std::vector<std::string>& positional() const { return positional_; }
  bool Has(const std::string& flag) const { return values_.count(flag) > 0; }
  std::string Get(const std::string& flag, const std::string& fallback = "") const;
  std::vector<std::string> GetAll(const std::string& flag) const;

 private:
  std::vector<std::string> positional_;
  std::multimap<std::string, std::string> values_;
};

struct Command {
  const char* name;
  const char* summary;
  const char* help;  // full --help text
  int (*run)(const std::vector<std::string>& args);
  int order;  // place in `smdl --help`: lower first
};

// Every command registers itself from its own cmd_NAME.cc:
//   SMDL_COMMAND(kEval, "eval", "evaluate a CEL expression", kEvalHelp, RunEval, 30);
struct CommandRegistrar {
  explicit CommandRegistrar(const Command& command);
};
#define SMDL_COMMAND(id, name, summary, help, run, order) \
  static const ::smdl::cli::CommandRegistrar id##_registrar({name, summary, help, run, order})

// All registered commands, in help order.
const std::vector<Command>& Commands();

// Prints `help` when args contain -h or --help; returns true if it did.
bool MaybeHelp(const std::vector<std::string>& args, const char* help);

int UsageError(const std::string& command, const std::string& message);

// Text from records or callers made safe to print on a terminal: control
// characters (which could forge lines or send escape sequences) and bytes
// that are not UTF-8 are written as \n, \t, \e or \xNN, so that a value
// can neither start a line of its own nor drive the terminal.
std::string TerminalSafe(std::string_view text);


}  // namespace smdl::cli
