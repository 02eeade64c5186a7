// The server and client sides of HTTP, over cpp-httplib (Debian's
// libcpp-httplib-dev). Nothing else includes httplib.h.
#include "http.h"

#include <cctype>
#include <cstdio>

#include <httplib.h>

namespace smdl::server {

std::string HttpRequest::Header(const std::string& lowercase_name) const {
  auto it = headers.find(lowercase_name);
  return it == headers.end() ? std::string() : it->second;
}

std::string HttpRequest::Query(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

HttpRequest FromLibrary(const httplib::Request& in) {
  HttpRequest out;
  out.method = in.method;
  out.path = in.path;
  for (const auto& [k, v] : in.params) out.query.emplace(k, v);
  for (const auto& [k, v] : in.headers) out.headers.emplace(Lower(k), v);
  out.body = in.body;
  out.remote = in.remote_addr;
  return out;
}

void ToLibrary(const HttpResponse& in, httplib::Response& out) {
  out.status = in.status;
  for (const auto& [k, v] : in.headers) out.set_header(k, v);
  out.set_content(in.body, in.content_type.c_str());
}

// An error answered by the library itself (a body over the limit, a
// malformed request line) as problem JSON like every other error.
std::string LibraryProblem(int status) {
  const char* reason = status == 413 ? "too_large" : status == 414 ? "uri_too_long" : status == 400 ? "bad_request" : "internal";
  const char* detail =
      status == 413   ? "the request body is larger than the server accepts (body_limit)"
      : status == 414 ? "the request target is too long"
      : status == 400 ? "the request is not valid HTTP/1.1 (a POST needs a Content-Length, even 0)"
                      : "the request could not be served";
  char buffer[512];
  std::snprintf(buffer, sizeof buffer,
                R"({"type":"urn:smdl:problem:%s","title":"%s","status":%d,"reason":"%s","detail":"%s"})", reason,
                status == 413   ? "Content Too Large"
                : status == 414 ? "URI Too Long"
                : status == 400 ? "Bad Request"
                                : "Internal Server Error",
                status, reason, detail);
  return buffer;
}

}  // namespace

struct HttpListener::Impl {
  httplib::Server server;
  ListenOptions options;
  Handler handler;
  int port = 0;
};

HttpListener::HttpListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpListener::~HttpListener() { Stop(); }

StatusOr<std::unique_ptr<HttpListener>> HttpListener::Bind(const ListenOptions& options, Handler handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = std::move(handler);
  auto& server = impl->server;
  size_t threads = options.threads == 0 ? 1 : options.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(options.body_limit);
  server.set_read_timeout(options.read_timeout_seconds, 0);
  server.set_write_timeout(options.write_timeout_seconds, 0);
  server.set_keep_alive_timeout(options.keep_alive_seconds);
  server.set_keep_alive_max_count(1000);
  server.set_tcp_nodelay(true);
  Impl* raw = impl.get();
  auto route = [raw](const httplib::Request& req, httplib::Response& res) {
    ToLibrary(raw->handler(FromLibrary(req)), res);
  };
  // Every method and path goes to the one handler, which routes itself
  // (and answers 404 and 405 as JSON).
  server.Get(".*", route);
  server.Post(".*", route);
  server.Put(".*", route);
  server.Patch(".*", route);
  server.Delete(".*", route);
  server.Options(".*", route);
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    res.set_header("Cache-Control", "no-store");
    res.set_content(LibraryProblem(res.status), "application/problem+json");
  });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_header("Cache-Control", "no-store");
    res.set_content(LibraryProblem(500), "application/problem+json");
  });
  if (options.port == 0) {
    int port = server.bind_to_any_port(options.host);
    if (port < 0) return IoError("cannot listen on " + options.host + ": no port is free");
    impl->port = port;
  } else {
    if (!server.bind_to_port(options.host, options.port))
      return IoError("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                     " (in use, or not an address of this machine)");
    impl->port = options.port;
  }
  return std::unique_ptr<HttpListener>(new HttpListener(std::move(impl)));
}

int HttpListener::port() const { return impl_->port; }

Status HttpListener::Serve() {
  if (!impl_->server.listen_after_bind()) return IoError("the server stopped listening");
  return Status::Ok();
}

void HttpListener::Stop() {
  if (impl_) impl_->server.stop();
}

StatusOr<HttpResponse> Send(const ClientRequest& request) {
  // http://host:port/path → the client's base and the path.
  const std::string scheme = "http://";
  if (request.url.rfind(scheme, 0) != 0) return InvalidArgument("the URL must start with http:// : " + request.url);
  size_t slash = request.url.find('/', scheme.size());
  std::string base = slash == std::string::npos ? request.url : request.url.substr(0, slash);
  std::string path = slash == std::string::npos ? "/" : request.url.substr(slash);
  httplib::Client client(base);
  if (!client.is_valid()) return InvalidArgument("not a usable URL: " + request.url);
  client.set_connection_timeout(request.timeout_seconds, 0);
  client.set_read_timeout(request.timeout_seconds, 0);
  client.set_write_timeout(request.timeout_seconds, 0);
  httplib::Request req;
  req.method = request.method;
  req.path = path;
  for (const auto& [k, v] : request.headers) req.headers.emplace(k, v);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    req.body = request.body;
    req.headers.emplace("Content-Type", request.content_type);
  }
  auto result = client.send(req);
  if (!result) return IoError("no answer from " + base + ": " + httplib::to_string(result.error()));
  HttpResponse out;
  out.status = result->status;
  out.body = result->body;
  out.content_type = result->get_header_value("Content-Type");
  for (const auto& [k, v] : result->headers) out.headers[Lower(k)] = v;
  return out;
}

std::string UrlEncode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace smdl::server
