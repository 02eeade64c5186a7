// The server's metrics, rendered in the Prometheus text format at /metrics:
// requests by route and status with a latency histogram, creates and fires
// by outcome (rejections by reason), timers fired by kind with how late
// they ran. Gauges read at scrape time (outbox backlog, timers due) are
// passed to Render.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace smdl::server {

class Metrics {
 public:
  static constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  struct Histogram {
    std::array<unsigned long long, kBuckets.size()> counts{};
    unsigned long long count = 0;
    double sum = 0;
    void Observe(double seconds);
  };

  void Request(const std::string& method, const std::string& route, int status, double seconds);
  // `operation` is create, fire or deploy; `outcome` is "ok" or a rejection reason.
  void Operation(const std::string& operation, const std::string& outcome);
  // `kind` is sla_warning, sla_breach or timer.
  void TimerFired(const std::string& kind, double late_seconds);
  void Webhook(const std::string& subscription, const std::string& outcome);

  // The text exposition; `gauges` are (name, help, value).
  std::string Render(const std::vector<std::tuple<std::string, std::string, double>>& gauges) const;

 private:
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, unsigned long long> requests_;
  std::map<std::string, Histogram> latency_;  // by route
  std::map<std::pair<std::string, std::string>, unsigned long long> operations_;
  std::map<std::string, unsigned long long> timers_;
  Histogram timer_lateness_;
  std::map<std::pair<std::string, std::string>, unsigned long long> webhooks_;
};

}  // namespace smdl::server
