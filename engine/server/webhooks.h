// Webhooks: outbox messages delivered by HTTP POST to subscribers.
//
// Each subscription names the messages it wants by pattern ("incident.*",
// "*", or an exact name) and receives them in outbox order, so in order per
// record: a message is POSTed (JSON body, with an HMAC-SHA-256 signature of
// the body under the subscription's secret) until a 2xx answer, with
// exponential backoff between attempts; after max_attempts failures it goes
// to the subscription's dead letters and delivery goes on. Dead letters can
// be delivered again on request (Redeliver), before the messages that wait.
// Delivery is at least once: the position of each subscription is saved
// after the answer, so a crash in between repeats the last message
// (X-Smdl-Delivery names each message uniquely for receivers that must not
// act twice). Each subscription delivers on its own thread, so a slow or
// failing receiver holds up only its own messages. The outbox is
// acknowledged up to the message every subscription is past.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "metrics.h"
#include "smdl/engine.h"

namespace smdl::server {

struct Subscription {
  std::string name;
  std::string url;
  std::vector<std::string> messages = {"*"};  // patterns: exact, "prefix.*" or "*"
  std::string secret;
  int max_attempts = 8;
  int initial_backoff_ms = 500;
  int max_backoff_ms = 60000;
  int timeout_seconds = 5;
};

// Whether message `name` matches `pattern`: "*" all, "a.*" every name under
// "a." (at any depth), otherwise the exact name.
bool MessageMatches(const std::string& pattern, const std::string& name);

class Webhooks {
 public:
  // `state_path` keeps each subscription's position and dead letters.
  Webhooks(Engine& engine, Metrics& metrics, std::vector<Subscription> subscriptions, std::string state_path);
  ~Webhooks();
  Status Start();  // loads the saved state, starts delivering
  void Stop();     // finishes the attempt in flight, saves, returns
  void Wake();     // new messages may be waiting
  // Every subscription's position, counts, last error and dead letters (JSON).
  std::string StatusJson();
  // Queues the dead letters of subscription `name` for delivery again;
  // returns how many, or nullopt when there is no such subscription.
  std::optional<size_t> Redeliver(const std::string& name);

 private:
  struct Position {
    uint64_t delivered = 0;  // every message up to this sequence is done with
    uint64_t sent = 0;       // messages delivered (2xx)
    int attempts = 0;        // failed attempts at the next message
    int64_t next_attempt_ms = 0;
    std::string last_error;
    std::deque<std::string> dead_letters;  // JSON of each, with why
    std::deque<std::string> redeliver;     // dead letters' messages to deliver again, first
  };
  void Loop(size_t subscription);
  // Delivers what is due for one subscription; returns the milliseconds to
  // wait before its next pass.
  int64_t Pass(size_t subscription);
  // POSTs one message; "" on a 2xx answer, else why not.
  std::string Post(const Subscription& sub, const nlohmann::json& message);
  // Moves past a failure: backoff, or the dead letters after max_attempts.
  // Returns the wait before the next attempt (0: go on at once).
  int64_t Failed(size_t subscription, const nlohmann::json& message, const std::string& why, bool redelivery);
  void Acknowledge();
  Status Save();

  Engine& engine_;
  Metrics& metrics_;
  std::vector<Subscription> subscriptions_;
  std::string state_path_;
  std::vector<Position> positions_;  // guarded by mu_
  std::mutex mu_;
  std::mutex save_mu_;  // one Save at a time
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t wakes_ = 0;  // bumped by Wake and Redeliver
  std::vector<std::thread> threads_;
};

}  // namespace smdl::server
