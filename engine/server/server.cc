#include "server.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "api.h"
#include "base/time.h"
#include "http.h"
#include "metrics.h"
#include "smdl/engine.h"
#include "tokens.h"
#include "webhooks.h"

namespace smdl::server {
namespace {

using nlohmann::json;

struct Config {
  ListenOptions listen;
  std::string tokens;
  bool async = false;
  bool log_requests = true;
  std::string admin_role = "admin";
  std::vector<Subscription> webhooks;
};

Status ParseListen(const std::string& text, ListenOptions& out) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return InvalidArgument("listen must be HOST:PORT, such as 127.0.0.1:8080");
  std::string port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) > 65535)
    return InvalidArgument("the port in '" + text + "' is not a number from 0 to 65535");
  out.host = text.substr(0, colon);
  out.port = std::stoi(port);
  return Status::Ok();
}

std::string ReadFile(const std::string& path, bool& ok) {
  std::ifstream in(path);
  ok = static_cast<bool>(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Reads the configuration; every key is known, so that a typo is an error.
StatusOr<Config> LoadConfig(const std::string& path) {
  Config config;
  if (path.empty()) return config;
  bool ok = false;
  std::string text = ReadFile(path, ok);
  if (!ok) return NotFound("cannot read the configuration " + path);
  json doc = json::parse(text, nullptr, false);
  auto bad = [&](const std::string& why) { return InvalidArgument(path + ": " + why); };
  if (!doc.is_object()) return bad("not a JSON object");
  try {
    for (const auto& [key, value] : doc.items()) {
      if (key == "listen") {
        SMDL_RETURN_IF_ERROR(ParseListen(value.get<std::string>(), config.listen));
      } else if (key == "tokens") {
        config.tokens = value.get<std::string>();
        if (!config.tokens.empty() && config.tokens[0] != '/')
          config.tokens = (std::filesystem::path(path).parent_path() / config.tokens).string();
      } else if (key == "durability") {
        std::string d = value.get<std::string>();
        if (d != "sync" && d != "async") return bad("durability is \"sync\" or \"async\"");
        config.async = d == "async";
      } else if (key == "threads") {
        config.listen.threads = value.get<size_t>();
        if (config.listen.threads == 0 || config.listen.threads > 1024) return bad("threads must be from 1 to 1024");
      } else if (key == "body_limit") {
        config.listen.body_limit = value.get<size_t>();
      } else if (key == "read_timeout_seconds") {
        config.listen.read_timeout_seconds = value.get<int>();
      } else if (key == "log_requests") {
        config.log_requests = value.get<bool>();
      } else if (key == "admin_role") {
        config.admin_role = value.get<std::string>();
      } else if (key == "webhooks") {
        for (const auto& w : value) {
          Subscription s;
          for (const auto& [k, v] : w.items()) {
            if (k == "name") s.name = v.get<std::string>();
            else if (k == "url") s.url = v.get<std::string>();
            else if (k == "messages") s.messages = v.get<std::vector<std::string>>();
            else if (k == "secret") s.secret = v.get<std::string>();
            else if (k == "secret_file") {
              bool read = false;
              std::string file = v.get<std::string>();
              if (!file.empty() && file[0] != '/') file = (std::filesystem::path(path).parent_path() / file).string();
              s.secret = ReadFile(file, read);
              if (!read) return bad("cannot read the secret file " + v.get<std::string>());
              while (!s.secret.empty() && (s.secret.back() == '\n' || s.secret.back() == '\r')) s.secret.pop_back();
            } else if (k == "max_attempts") s.max_attempts = v.get<int>();
            else if (k == "initial_backoff_ms") s.initial_backoff_ms = v.get<int>();
            else if (k == "max_backoff_ms") s.max_backoff_ms = v.get<int>();
            else if (k == "timeout_seconds") s.timeout_seconds = v.get<int>();
            else return bad("unknown webhook setting \"" + k + "\"");
          }
          if (s.name.empty() || s.url.rfind("http://", 0) != 0)
            return bad("each webhook needs a \"name\" and an http:// \"url\"");
          if (s.secret.empty()) return bad("webhook " + s.name + " needs a \"secret\" (or \"secret_file\") to sign with");
          if (s.max_attempts < 1 || s.initial_backoff_ms < 1 || s.max_backoff_ms < s.initial_backoff_ms)
            return bad("webhook " + s.name + ": max_attempts and the backoffs must be positive, max at least initial");
          for (const auto& other : config.webhooks)
            if (other.name == s.name) return bad("two webhooks are named " + s.name);
          config.webhooks.push_back(std::move(s));
        }
      } else {
        return bad("unknown setting \"" + key + "\"");
      }
    }
  } catch (const json::exception& e) {
    return bad(std::string("a setting has the wrong type: ") + e.what());
  }
  return config;
}

std::mutex log_mu;
void LogLine(const std::string& line) {
  std::lock_guard<std::mutex> lock(log_mu);
  std::cerr << line << "\n";
}
void Log(const std::string& level, const std::string& msg, json extra = json::object()) {
  extra["time"] = FormatTimestamp(SystemClock().Now());
  extra["level"] = level;
  extra["msg"] = msg;
  LogLine(extra.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::string TimerKind(const std::string& timer) {
  if (timer.rfind("sla:", 0) == 0) return timer.find(":warn:") != std::string::npos ? "sla_warning" : "sla_breach";
  return "timer";
}

}  // namespace

std::string HolderPath(const std::string& db) { return (std::filesystem::path(db) / "smdl-serve.json").string(); }

namespace {

// The holder file of `db`, when a server that is still running wrote it
// (a file left by a server that is gone counts as none).
std::optional<json> LiveHolder(const std::string& db) {
  bool ok = false;
  std::string text = ReadFile(HolderPath(db), ok);
  if (!ok) return std::nullopt;
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) return std::nullopt;
  int pid = doc.value("pid", 0);
  if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH)) return std::nullopt;
  return doc;
}

}  // namespace

std::string HolderUrl(const std::string& db) {
  auto holder = LiveHolder(db);
  return holder ? holder->value("url", "") : "";
}

std::string HolderMessage(const std::string& db) {
  auto holder = LiveHolder(db);
  if (!holder) return "";
  return "the database " + db + " is held by smdl serve (pid " + std::to_string(holder->value("pid", 0)) + ", " +
         holder->value("url", "") + ", since " + holder->value("started", "") + ")";
}

Status Serve(const ServeOptions& options) {
  auto config = LoadConfig(options.config_path);
  if (!config.ok()) return config.status();
  if (!options.listen.empty()) SMDL_RETURN_IF_ERROR(ParseListen(options.listen, config->listen));
  if (!options.tokens.empty()) config->tokens = options.tokens;
  if (options.async) config->async = true;
  if (config->tokens.empty() && !options.no_auth)
    return InvalidArgument("give a tokens file (--tokens FILE, or \"tokens\" in the configuration; smdl token add "
                           "makes one), or --no-auth to serve without authentication");

  std::unique_ptr<TokenStore> tokens;
  if (!options.no_auth) {
    tokens = std::make_unique<TokenStore>(config->tokens);
    SMDL_RETURN_IF_ERROR(tokens->Load());
  }

  // Signals are taken by one thread, with sigwait: block them everywhere first.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Metrics metrics;
  EngineOptions engine_options;
  engine_options.durability = config->async ? Durability::kAsync : Durability::kSync;
  engine_options.search_path = options.search_path;
  engine_options.create_if_missing = true;
  engine_options.run_scheduler = true;
  engine_options.on_timer = [&metrics](const TimerFired& t) {
    double late = static_cast<double>(t.ran.seconds - t.due.seconds) + (t.ran.nanos - t.due.nanos) / 1e9;
    metrics.TimerFired(TimerKind(t.timer), late);
  };
  auto engine = Engine::Open(options.db, engine_options);
  if (!engine.ok()) {
    std::string held = HolderMessage(options.db);
    if (!held.empty()) return IoError(held);
    return engine.status();
  }

  Webhooks webhooks(**engine, metrics, config->webhooks,
                    (std::filesystem::path(options.db) / "smdl-webhooks.json").string());
  SMDL_RETURN_IF_ERROR(webhooks.Start());

  ApiOptions api_options;
  api_options.tokens = tokens.get();
  api_options.admin_role = config->admin_role;
  api_options.webhooks = &webhooks;
  if (config->log_requests) api_options.log = LogLine;
  Api api(**engine, metrics, api_options);

  auto listener = HttpListener::Bind(config->listen, [&api](const HttpRequest& r) { return api.Handle(r); });
  if (!listener.ok()) return listener.status();
  std::string url = "http://" + config->listen.host + ":" + std::to_string((*listener)->port());

  {
    std::ofstream holder(HolderPath(options.db), std::ios::trunc);
    holder << json{{"pid", static_cast<int>(::getpid())}, {"url", url}, {"started", FormatTimestamp(SystemClock().Now())}}
                  .dump()
           << "\n";
  }

  std::atomic<bool> stopped{false};
  std::thread watcher([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (stopped.exchange(true)) return;
    Log("info", "stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "SIGHUP"}});
    (*listener)->Stop();
  });

  Log("info", "serving", {{"url", url}, {"db", options.db}, {"auth", tokens ? "tokens" : "none"},
                          {"durability", config->async ? "async" : "sync"}, {"webhooks", config->webhooks.size()}});
  std::cout << "smdl serve: listening on " << url << std::endl;
  Status served = (*listener)->Serve();

  if (!stopped.exchange(true)) {
    // Serve ended on its own: wake the watcher so that it can be joined.
    ::kill(::getpid(), SIGTERM);
  }
  watcher.join();
  webhooks.Stop();
  listener->reset();
  std::error_code ec;
  std::filesystem::remove(HolderPath(options.db), ec);
  engine->reset();  // stops the scheduler, closes the database
  Log("info", "stopped");
  return served;
}

}  // namespace smdl::server
