-- wrk: POST a note event to one of 100 tickets, round robin per thread, as
-- bench/http.sh sets up. WRK_DELAY_MS (optional) waits that long between
-- requests on a connection, to hold the load below the maximum.
local counter = 0
local token = os.getenv("WRK_TOKEN")
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "0")
wrk.method = "POST"
wrk.body = '{"text": "called the user back"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

request = function()
  counter = counter + 1
  return wrk.format(nil, "/v1/records/Ticket-" .. (counter % 100 + 1) .. "/events/note")
end

if delay_ms > 0 then
  delay = function() return delay_ms end
end

done = function(summary, latency, requests)
  io.write(string.format("summary: requests=%d non2xx=%d errors=%d p50_ms=%.2f p99_ms=%.2f rate=%.0f\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6)))
end
