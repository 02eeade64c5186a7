#include "cli.h"

#include <algorithm>
#include <iostream>

#include "base/utf8.h"

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

std::string TerminalSafe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [&out](unsigned char byte) {
    static constexpr char kDigits[] = "0123456789abcdef";
    out += "\\x";
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xf];
  };
  for (size_t i = 0; i < text.size();) {
    size_t bad = FindInvalidUtf8(text.substr(i));
    std::string_view valid = text.substr(i, bad == std::string_view::npos ? text.size() - i : bad);
    for (size_t j = 0; j < valid.size(); ++j) {
      unsigned char c = static_cast<unsigned char>(valid[j]);
      if (c == '\n') out += "\\n";
      else if (c == '\t') out += "\\t";
      else if (c == 0x1b) out += "\\e";
      else if (c < 0x20 || c == 0x7f) hex(c);
      else if (c == 0xc2 && j + 1 < valid.size() && static_cast<unsigned char>(valid[j + 1]) < 0xa0) {
        hex(c);  // a C1 control character (U+0080 to U+009F), such as CSI
        hex(static_cast<unsigned char>(valid[++j]));
      } else {
        out += static_cast<char>(c);
      }
    }
    i += valid.size();
    if (i < text.size()) hex(static_cast<unsigned char>(text[i++]));
  }
  return out;
}

}  // namespace smdl::cli
