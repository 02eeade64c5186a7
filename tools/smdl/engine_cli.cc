#include "engine_cli.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "server/server.h"

namespace smdl::cli {

namespace {

std::optional<OpenedEngine> OpenRemote(const std::string& command, const Args& args, int& exit, const std::string& url) {
  if (args.Has("--now")) {
    exit = UsageError(command, "--now cannot be used through a server, which keeps its own time (" + url + ")");
    return std::nullopt;
  }
  const char* token = std::getenv("SMDL_TOKEN");
  OpenedEngine opened;
  opened.engine = RemoteService(url, token ? token : "");
  return opened;
}

}  // namespace

std::optional<OpenedEngine> OpenEngine(const std::string& command, const Args& args, int& exit, Access access) {
  if (ServerOverride()) return OpenRemote(command, args, exit, *ServerOverride());
  std::string dir = args.Get("--db");
  if (dir.empty()) {
    exit = UsageError(command, "--db DIR is required (or smdl --server URL " + command + " ...)");
    return std::nullopt;
  }
  // Reads open the database beside a server; writes go through it.
  if (access != Access::kRead) {
    std::string url = server::HolderUrl(dir);
    if (!url.empty()) return OpenRemote(command, args, exit, url);
  }
  OpenedEngine opened;
  EngineOptions options;
  options.durability = args.Has("--async") ? Durability::kAsync : Durability::kSync;
  options.search_path = args.GetAll("--path");
  options.create_if_missing = access == Access::kCreate;
  options.read_only = access == Access::kRead;
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
    std::string held = server::HolderMessage(dir);
    exit = Fail(command, held.empty() ? engine.status() : Status(StatusCode::kIoError, held));
    return std::nullopt;
  }
  opened.engine = LocalService(std::move(*engine));
  return opened;
}

CallOptions CallerOf(const Args& args) {
  CallOptions call;
  call.idempotency_key = args.Get("--key");
  call.actor = args.Get("--actor");
  call.roles = args.GetAll("--role");
  return call;
}

std::optional<std::string> ReadSmallFile(const std::string& path, std::string& error) {
  constexpr std::streamsize kLimit = 1 << 20;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  std::string text(static_cast<size_t>(kLimit) + 1, '\0');
  in.read(text.data(), kLimit + 1);
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > static_cast<size_t>(kLimit)) {
    error = path + " is larger than 1 MiB";
    return std::nullopt;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) {
    error = path + " is empty";
    return std::nullopt;
  }
  return text;
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
    case StatusCode::kAborted:
      return kInputError;
    default:
      return kUsageError;
  }
}

}  // namespace smdl::cli
