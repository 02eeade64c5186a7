// HTTP for the server and its clients, over cpp-httplib. The only header of
// smdl that stands between cpp-httplib and the rest: no cpp-httplib type
// appears here, and only http.cc includes it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "smdl/status.h"

namespace smdl::server {

// A request as the API sees it. Header names are lowercase.
struct HttpRequest {
  std::string method;
  std::string path;                            // without the query
  std::multimap<std::string, std::string> query;
  std::multimap<std::string, std::string> headers;
  std::string body;
  std::string remote;                          // address of the peer

  // The first value of a header or query parameter, or "".
  std::string Header(const std::string& lowercase_name) const;
  std::string Query(const std::string& name) const;
  bool HasQuery(const std::string& name) const { return query.count(name) > 0; }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::map<std::string, std::string> headers;
};

struct ListenOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                 // 0: any free port (see HttpListener::port)
  size_t threads = 8;              // requests served at once
  size_t body_limit = 1 << 20;     // larger bodies are answered 413
  int read_timeout_seconds = 5;    // a client slower than this is dropped
  int write_timeout_seconds = 5;
  int keep_alive_seconds = 5;
};

// A listening HTTP/1.1 server that hands every request to one handler.
class HttpListener {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  // Binds (so that a port in use is an error here, not later) without
  // serving yet.
  static StatusOr<std::unique_ptr<HttpListener>> Bind(const ListenOptions& options, Handler handler);
  ~HttpListener();
  int port() const;
  // Serves until Stop; returns when every request in flight is answered.
  Status Serve();
  // Stops accepting; safe from any thread (and from a signal watcher).
  void Stop();

 private:
  struct Impl;
  explicit HttpListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One HTTP request from a client, for webhooks and the command line.
struct ClientRequest {
  std::string method = "GET";
  std::string url;  // http://host:port/path?query
  std::multimap<std::string, std::string> headers;
  std::string body;
  std::string content_type = "application/json";
  int timeout_seconds = 10;
};
// The response, or kIoError when no response came (refused, timed out).
StatusOr<HttpResponse> Send(const ClientRequest& request);

// Percent-encodes one path segment or query value.
std::string UrlEncode(const std::string& text);

}  // namespace smdl::server
