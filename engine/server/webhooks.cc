#include "webhooks.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/sha256.h"
#include "http.h"

namespace smdl::server {
namespace {

using nlohmann::json;

constexpr size_t kWindow = 500;         // outbox messages read per pass
constexpr size_t kMaxDeadLetters = 1000;  // kept per subscription, newest
constexpr int64_t kIdlePollMs = 1000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Writes `text` to `path` so that a crash leaves the old file or the new one.
Status WriteDurably(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return IoError("cannot write " + tmp);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      return IoError("cannot write " + tmp);
    }
    done += static_cast<size_t>(n);
  }
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || std::rename(tmp.c_str(), path.c_str()) != 0) return IoError("cannot replace " + path);
  return Status::Ok();
}

}  // namespace

bool MessageMatches(const std::string& pattern, const std::string& name) {
  if (pattern == "*") return true;
  if (pattern.size() >= 2 && pattern.ends_with(".*"))
    return name.size() > pattern.size() - 1 && name.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  return pattern == name;
}

Webhooks::Webhooks(Engine& engine, Metrics& metrics, std::vector<Subscription> subscriptions, std::string state_path)
    : engine_(engine),
      metrics_(metrics),
      subscriptions_(std::move(subscriptions)),
      state_path_(std::move(state_path)),
      positions_(subscriptions_.size()) {}

Webhooks::~Webhooks() { Stop(); }

Status Webhooks::Start() {
  std::ifstream in(state_path_);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    json doc = json::parse(text.str(), nullptr, false);
    if (!doc.is_object()) return Status(StatusCode::kCorruption, "the webhook state " + state_path_ + " is not JSON");
    for (size_t i = 0; i < subscriptions_.size(); ++i) {
      const json& saved = doc.value(subscriptions_[i].name, json());
      if (!saved.is_object()) continue;  // a new subscription starts at the oldest message kept
      positions_[i].delivered = saved.value("delivered_through", uint64_t{0});
      positions_[i].sent = saved.value("delivered", uint64_t{0});
      for (const auto& d : saved.value("dead_letters", json::array())) positions_[i].dead_letters.push_back(d.dump());
      for (const auto& m : saved.value("redeliver", json::array())) positions_[i].redeliver.push_back(m.dump());
    }
  }
  for (size_t i = 0; i < subscriptions_.size(); ++i) threads_.emplace_back([this, i] { Loop(i); });
  return Status::Ok();
}

void Webhooks::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void Webhooks::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++wakes_;
  }
  cv_.notify_all();
}

void Webhooks::Loop(size_t i) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    uint64_t seen = wakes_;
    lock.unlock();
    int64_t wait = Pass(i);
    lock.lock();
    if (stopping_) break;
    cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(wait, 1)),
                 [&] { return stopping_ || wakes_ != seen; });
  }
}

std::string Webhooks::Post(const Subscription& sub, const json& message) {
  std::string body = message.dump();
  uint64_t seq = message.value("seq", uint64_t{0});
  ClientRequest post;
  post.method = "POST";
  post.url = sub.url;
  post.body = body;
  post.timeout_seconds = sub.timeout_seconds;
  post.headers.emplace("X-Smdl-Signature", "sha256=" + HmacSha256Hex(sub.secret, body));
  post.headers.emplace("X-Smdl-Delivery", sub.name + ":" + std::to_string(seq));
  post.headers.emplace("X-Smdl-Message", message.value("message", ""));
  auto answer = Send(post);
  if (answer.ok() && answer->status >= 200 && answer->status < 300) return "";
  return answer.ok() ? "answered " + std::to_string(answer->status) : answer.status().message();
}

int64_t Webhooks::Failed(size_t i, const json& message, const std::string& why, bool redelivery) {
  const Subscription& sub = subscriptions_[i];
  std::lock_guard<std::mutex> lock(mu_);
  Position& p = positions_[i];
  p.last_error = why;
  metrics_.Webhook(sub.name, "failed");
  if (++p.attempts >= sub.max_attempts) {
    json dead = {{"message", message}, {"attempts", p.attempts}, {"last_error", why}};
    p.dead_letters.push_back(dead.dump());
    while (p.dead_letters.size() > kMaxDeadLetters) p.dead_letters.pop_front();
    if (redelivery) p.redeliver.pop_front();
    else p.delivered = message.value("seq", uint64_t{0});
    p.attempts = 0;
    p.next_attempt_ms = 0;
    metrics_.Webhook(sub.name, "dead_letter");
    return 0;
  }
  int64_t backoff = sub.initial_backoff_ms;
  for (int a = 1; a < p.attempts && backoff < sub.max_backoff_ms; ++a) backoff *= 2;
  backoff = std::min<int64_t>(backoff, sub.max_backoff_ms);
  p.next_attempt_ms = NowMs() + backoff;
  return backoff;
}

int64_t Webhooks::Pass(size_t i) {
  const Subscription& sub = subscriptions_[i];
  auto stopping = [&] {
    std::lock_guard<std::mutex> lock(mu_);
    return stopping_;
  };
  // Dead letters asked for again go first.
  for (;;) {
    if (stopping()) return 0;
    json message;
    {
      std::lock_guard<std::mutex> lock(mu_);
      Position& p = positions_[i];
      if (p.redeliver.empty()) break;
      int64_t now = NowMs();
      if (p.next_attempt_ms > now) return p.next_attempt_ms - now;
      message = json::parse(p.redeliver.front(), nullptr, false);
    }
    std::string why = Post(sub, message);
    if (why.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      Position& p = positions_[i];
      p.redeliver.pop_front();
      ++p.sent;
      p.attempts = 0;
      p.next_attempt_ms = 0;
      p.last_error.clear();
      metrics_.Webhook(sub.name, "delivered");
    } else if (int64_t wait = Failed(i, message, why, true); wait > 0) {
      (void)Save();
      return wait;
    }
    (void)Save();
  }
  auto outbox_text = engine_.Outbox(kWindow);
  if (!outbox_text.ok()) return kIdlePollMs;
  json outbox = json::parse(*outbox_text, nullptr, false);
  if (!outbox.is_array()) return kIdlePollMs;
  int64_t wait = kIdlePollMs;
  bool changed = false;
  for (const auto& message : outbox) {
    if (stopping()) break;
    uint64_t seq = message.value("seq", uint64_t{0});
    Position pos;
    {
      std::lock_guard<std::mutex> lock(mu_);
      pos = positions_[i];
    }
    if (seq <= pos.delivered) continue;
    std::string name = message.value("message", "");
    bool wanted = std::any_of(sub.messages.begin(), sub.messages.end(),
                              [&](const std::string& pattern) { return MessageMatches(pattern, name); });
    if (!wanted) {
      std::lock_guard<std::mutex> lock(mu_);
      positions_[i].delivered = seq;
      changed = true;
      continue;
    }
    int64_t now = NowMs();
    if (pos.next_attempt_ms > now) {
      wait = pos.next_attempt_ms - now;
      break;
    }
    std::string why = Post(sub, message);
    changed = true;
    if (why.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      Position& p = positions_[i];
      p.delivered = seq;
      ++p.sent;
      p.attempts = 0;
      p.next_attempt_ms = 0;
      p.last_error.clear();
      metrics_.Webhook(sub.name, "delivered");
      continue;
    }
    if (int64_t backoff = Failed(i, message, why, false); backoff > 0) {
      wait = backoff;
      break;
    }
  }
  if (changed) (void)Save();
  Acknowledge();
  // A full window that this subscription is past: look again at once.
  std::lock_guard<std::mutex> lock(mu_);
  if (outbox.size() == kWindow && outbox.back().value("seq", uint64_t{0}) <= positions_[i].delivered) return 0;
  return wait;
}

// Acknowledges the outbox up to the message every subscription is past.
void Webhooks::Acknowledge() {
  uint64_t done = UINT64_MAX;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& p : positions_) done = std::min(done, p.delivered);
  }
  if (done == UINT64_MAX || done == 0) return;
  auto first = engine_.Outbox(1);
  if (!first.ok()) return;
  json head = json::parse(*first, nullptr, false);
  if (head.is_array() && !head.empty() && head[0].value("seq", uint64_t{0}) <= done) (void)engine_.Acknowledge(done);
}

std::optional<size_t> Webhooks::Redeliver(const std::string& name) {
  size_t moved = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    size_t i = 0;
    while (i < subscriptions_.size() && subscriptions_[i].name != name) ++i;
    if (i == subscriptions_.size()) return std::nullopt;
    Position& p = positions_[i];
    for (const auto& d : p.dead_letters) {
      json dead = json::parse(d, nullptr, false);
      if (dead.is_object() && dead.contains("message")) {
        p.redeliver.push_back(dead["message"].dump());
        ++moved;
      }
    }
    p.dead_letters.clear();
    p.attempts = 0;
    p.next_attempt_ms = 0;
    ++wakes_;
  }
  cv_.notify_all();
  (void)Save();
  return moved;
}

Status Webhooks::Save() {
  std::lock_guard<std::mutex> one_at_a_time(save_mu_);
  json doc = json::object();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < subscriptions_.size(); ++i) {
      json dead = json::array(), again = json::array();
      for (const auto& d : positions_[i].dead_letters) dead.push_back(json::parse(d, nullptr, false));
      for (const auto& m : positions_[i].redeliver) again.push_back(json::parse(m, nullptr, false));
      doc[subscriptions_[i].name] = {{"delivered_through", positions_[i].delivered},
                                     {"delivered", positions_[i].sent},
                                     {"dead_letters", dead},
                                     {"redeliver", again}};
    }
  }
  return WriteDurably(state_path_, doc.dump());
}

std::string Webhooks::StatusJson() {
  json out = json::array();
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < subscriptions_.size(); ++i) {
    const auto& s = subscriptions_[i];
    const auto& p = positions_[i];
    json dead = json::array();
    for (const auto& d : p.dead_letters) dead.push_back(json::parse(d, nullptr, false));
    out.push_back({{"name", s.name},
                   {"url", s.url},
                   {"messages", s.messages},
                   {"delivered_through", p.delivered},
                   {"delivered", p.sent},
                   {"failed_attempts", p.attempts},
                   {"last_error", p.last_error},
                   {"redelivering", p.redeliver.size()},
                   {"dead_letters", dead}});
  }
  return out.dump();
}

}  // namespace smdl::server
