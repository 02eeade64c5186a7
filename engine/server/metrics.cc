#include "metrics.h"

#include <cstdio>
#include <sstream>

namespace smdl::server {
namespace {

// A label value as the text format writes it.
std::string Label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out;
}

std::string Number(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.9g", v);
  return buffer;
}

void RenderHistogram(std::ostringstream& out, const std::string& name, const std::string& labels,
                     const Metrics::Histogram& h) {
  std::string sep = labels.empty() ? "" : ",";
  unsigned long long cumulative = 0;
  for (size_t i = 0; i < Metrics::kBuckets.size(); ++i) {
    cumulative += h.counts[i];
    out << name << "_bucket{" << labels << sep << "le=\"" << Number(Metrics::kBuckets[i]) << "\"} " << cumulative << "\n";
  }
  out << name << "_bucket{" << labels << sep << "le=\"+Inf\"} " << h.count << "\n";
  std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out << name << "_sum" << braces << " " << Number(h.sum) << "\n";
  out << name << "_count" << braces << " " << h.count << "\n";
}

}  // namespace

void Metrics::Histogram::Observe(double seconds) {
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) {
      ++counts[i];
      break;
    }
  ++count;
  sum += seconds;
}

void Metrics::Request(const std::string& method, const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{method, route, status}];
  latency_[route].Observe(seconds);
}

void Metrics::Operation(const std::string& operation, const std::string& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  ++operations_[{operation, outcome}];
}

void Metrics::TimerFired(const std::string& kind, double late_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++timers_[kind];
  timer_lateness_.Observe(late_seconds < 0 ? 0 : late_seconds);
}

void Metrics::Webhook(const std::string& subscription, const std::string& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  ++webhooks_[{subscription, outcome}];
}

std::string Metrics::Render(const std::vector<std::tuple<std::string, std::string, double>>& gauges) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::ostringstream out;
  out << "# HELP smdl_http_requests_total HTTP requests answered, by method, route and status.\n"
         "# TYPE smdl_http_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    out << "smdl_http_requests_total{method=\"" << Label(std::get<0>(key)) << "\",route=\"" << Label(std::get<1>(key))
        << "\",status=\"" << std::get<2>(key) << "\"} " << n << "\n";
  out << "# HELP smdl_http_request_duration_seconds Time to answer a request, by route.\n"
         "# TYPE smdl_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_)
    RenderHistogram(out, "smdl_http_request_duration_seconds", "route=\"" + Label(route) + "\"", h);
  out << "# HELP smdl_operations_total Creates, fires and deploys, by outcome (ok or the rejection's reason).\n"
         "# TYPE smdl_operations_total counter\n";
  for (const auto& [key, n] : operations_)
    out << "smdl_operations_total{operation=\"" << Label(key.first) << "\",outcome=\"" << Label(key.second) << "\"} "
        << n << "\n";
  out << "# HELP smdl_timers_fired_total Timers fired, by kind (timer, sla_warning, sla_breach).\n"
         "# TYPE smdl_timers_fired_total counter\n";
  for (const auto& [kind, n] : timers_) out << "smdl_timers_fired_total{kind=\"" << Label(kind) << "\"} " << n << "\n";
  out << "# HELP smdl_timer_lateness_seconds How long after its due time a timer fired.\n"
         "# TYPE smdl_timer_lateness_seconds histogram\n";
  RenderHistogram(out, "smdl_timer_lateness_seconds", "", timer_lateness_);
  out << "# HELP smdl_webhook_deliveries_total Webhook delivery attempts, by subscription and outcome.\n"
         "# TYPE smdl_webhook_deliveries_total counter\n";
  for (const auto& [key, n] : webhooks_)
    out << "smdl_webhook_deliveries_total{subscription=\"" << Label(key.first) << "\",outcome=\"" << Label(key.second)
        << "\"} " << n << "\n";
  for (const auto& [name, help, value] : gauges)
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n" << name << " " << Number(value) << "\n";
  return out.str();
}

}  // namespace smdl::server
