#include "cli.h"

#include <algorithm>
#include <iostream>

namespace smdl::cli {

std::optional<Args> Args::Parse(const std::vector<std::string>& argv, const std::vector<std::string>& value_flags,
                                const std::vector<std::string>& switches, std::string& error) {
  Args args;
  auto contains = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  bool only_positional = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (only_positional || a.size() < 2 || a[0] != '-' || (a[1] != '-' && a != "-h")) {
      args.positional_.push_back(a);
      continue;
    }
    if (a == "--") { only_positional = true; continue; }
    std::string flag = a, value;
    bool has_value = false;
    if (auto eq = a.find('='); eq != std::string::npos) {
      flag = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    if (contains(switches, flag)) {
      if (has_value) { error = flag + " takes no value"; return std::nullopt; }
      args.values_.emplace(flag, "");
    } else if (contains(value_flags, flag)) {
      if (!has_value) {
        if (i + 1 >= argv.size()) { error = flag + " needs a value"; return std::nullopt; }
        value = argv[++i];
      }
      args.values_.emplace(flag, value);
    } else {
      error = "unknown option " + flag;
      return std::nullopt;
    }
  }
  return args;
}

std::string Args::Get(const std::string& flag, const std::string& fallback) const {
  auto it = values_.find(flag);
  return it == values_.end() ? fallback : it->second;
}

std::vector<std::string> Args::GetAll(const std::string& flag) const {
  std::vector<std::string> out;
  auto [begin, end] = values_.equal_range(flag);
  for (auto it = begin; it != end; ++it) out.push_back(it->second);
  return out;
}

bool MaybeHelp(const std::vector<std::string>& args, const char* help) {
  for (const auto& a : args) {
    if (a == "--") break;
    if (a == "-h" || a == "--help") {
      std::cout << help;
      return true;
    }
  }
  return false;
}

int UsageError(const std::string& command, const std::string& message) {
  std::cerr << "smdl " << command << ": " << message << "\n"
            << "Try 'smdl " << command << " --help'.\n";
  return kUsageError;
}

namespace {
std::vector<Command>& Registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace

CommandRegistrar::CommandRegistrar(const Command& command) {
  auto& commands = Registry();
  auto at = std::find_if(commands.begin(), commands.end(),
                         [&](const Command& c) { return c.order > command.order; });
  commands.insert(at, command);
}

const std::vector<Command>& Commands() { return Registry(); }

}  // namespace smdl::cli
