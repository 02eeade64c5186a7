#include "engine_cli.h"

#include <iostream>

#include <nlohmann/json.hpp>

#include "base/time.h"

namespace smdl::cli {

std::optional<OpenedEngine> OpenEngine(const std::string& command, const Args& args, int& exit) {
  std::string dir = args.Get("--db");
  if (dir.empty()) {
    exit = UsageError(command, "--db DIR is required");
    return std::nullopt;
  }
  OpenedEngine opened;
  EngineOptions options;
  options.durability = args.Has("--async") ? Durability::kAsync : Durability::kSync;
  options.search_path = args.GetAll("--path");
  if (args.Has("--now")) {
    auto t = ParseTimestamp(args.Get("--now"));
    if (!t) {
      exit = UsageError(command, "--now must be an RFC 3339 timestamp, such as 2026-03-06T16:00:00+01:00");
      return std::nullopt;
    }
    opened.clock = std::make_unique<ManualClock>(*t);
    options.clock = opened.clock.get();
  }
  auto engine = Engine::Open(dir, options);
  if (!engine.ok()) {
    exit = Fail(command, engine.status());
    return std::nullopt;
  }
  opened.engine = std::move(*engine);
  return opened;
}

void PrintJson(const std::string& json_text) {
  auto doc = nlohmann::json::parse(json_text, nullptr, false);
  if (doc.is_discarded()) std::cout << json_text << "\n";
  else std::cout << doc.dump(2) << "\n";
}

int Fail(const std::string& command, const Status& status) {
  std::cerr << "smdl " << command << ": " << status.message() << "\n";
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kCorruption:
    case StatusCode::kResourceExhausted:
      return kInputError;
    default:
      return kUsageError;
  }
}

}  // namespace smdl::cli
