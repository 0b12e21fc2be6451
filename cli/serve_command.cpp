// vigil serve: HTTP/1.1 on Boost.Beast. One thread accepts; a pool of
// workers each serve one connection at a time (keep-alive). SIGTERM or
// SIGINT stops accepting, lets the requests being answered finish, and exits 0.
#include <csignal>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <iostream>
#include <set>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/http_service.hpp"

namespace vigil::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::size_t kDefaultMaxBody = 16 * 1024 * 1024;
constexpr std::size_t kWorkers = 16;  // connections served at once; more wait to be accepted

// Accepted connections, handed from the accepting thread to the workers.
class ConnectionQueue {
 public:
  void push(tcp::socket socket) {
    std::lock_guard lock(mutex_);
    sockets_.push_back(std::move(socket));
    ready_.notify_one();
  }
  std::optional<tcp::socket> pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return closed_ || !sockets_.empty(); });
    if (sockets_.empty()) return std::nullopt;
    tcp::socket socket = std::move(sockets_.front());
    sockets_.pop_front();
    return socket;
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    ready_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<tcp::socket> sockets_;
  bool closed_ = false;
};

// Open connections' descriptors: shut down for reading at stop, so that a
// worker waiting for a keep-alive request wakes up (a request being answered still completes).
class OpenConnections {
 public:
  void add(int fd) {
    std::lock_guard lock(mutex_);
    fds_.insert(fd);
    if (stopping_) ::shutdown(fd, SHUT_RD);  // accepted just before the stop: no new request
  }
  void remove(int fd) {
    std::lock_guard lock(mutex_);
    fds_.erase(fd);
  }
  void shut_down_reading() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (int fd : fds_) ::shutdown(fd, SHUT_RD);
  }

 private:
  std::mutex mutex_;
  std::set<int> fds_;
  bool stopping_ = false;
};

http::response<http::string_body> to_beast(const HttpResponse& r, unsigned version, bool keep_alive) {
  http::response<http::string_body> response{static_cast<http::status>(r.status), version};
  response.set(http::field::server, "vigil");
  response.set(http::field::content_type, r.content_type);
  if (r.www_authenticate) response.set(http::field::www_authenticate, "Bearer");
  for (const auto& [name, value] : r.headers) response.insert(name, value);
  response.keep_alive(keep_alive);
  response.body() = r.body;
  response.prepare_payload();
  return response;
}

void log_request(const std::string& method, const std::string& target, int status,
                 std::chrono::steady_clock::time_point started) {
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("{} {} {} {:.1f} ms", method, target, status, ms);
}

// One connection: requests until the client closes, asks to close, or the server stops.
void serve_connection(tcp::socket socket, HttpService& service, std::size_t max_body, OpenConnections& open) {
  int fd = socket.native_handle();
  open.add(fd);
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(max_body);
    parser.header_limit(64 * 1024);
    http::read(socket, buffer, parser, ec);
    auto started = std::chrono::steady_clock::now();
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset) break;
    if (ec == http::error::body_limit) {
      HttpResponse response = service.too_large(max_body);
      service.count("other", 413);
      log_request("-", "(body over the limit)", 413, started);
      http::write(socket, to_beast(response, 11, false), ec);
      break;
    }
    if (ec) {  // not HTTP: answer 400 once and close
      if (!parser.got_some()) break;
      HttpResponse response{400, "application/json", "{\"error\":\"bad HTTP request: " + ec.message() + "\",\"diagnostics\":[]}\n"};
      service.count("other", 400);
      http::write(socket, to_beast(response, 11, false), ec);
      break;
    }
    auto& request = parser.get();
    HttpRequest in{std::string(request.method_string()), std::string(request.target()),
                   std::string(request[http::field::authorization]), std::move(request.body()),
                   std::string(request[http::field::cookie]), std::string(request["X-Vigil-Request"])};
    HttpResponse out;
    try {
      out = service.handle(in);
    } catch (const std::exception& error) {  // handle() answers every error itself; this keeps the server up if not
      out = {500, "application/json", "{\"error\":\"internal error\",\"diagnostics\":[]}\n"};
      spdlog::error("{} {}: {}", in.method, in.target, error.what());
    }
    log_request(in.method, in.target, out.status, started);
    bool keep_alive = request.keep_alive();
    http::write(socket, to_beast(out, request.version(), keep_alive), ec);
    if (ec || !keep_alive) break;
  }
  open.remove(fd);
  socket.shutdown(tcp::socket::shutdown_both, ec);
}

std::string read_token(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(fmt::format("--token-file: cannot read {}", path));
  std::string line;
  std::getline(in, line);
  auto first = line.find_first_not_of(" \t\r\n");
  auto last = line.find_last_not_of(" \t\r\n");
  if (first == std::string::npos) throw Error(fmt::format("--token-file: {} holds no token on its first line", path));
  return line.substr(first, last - first + 1);
}

}  // namespace

// vigil serve --db DB --rules RULES... [--bind 127.0.0.1] [--port 8181] [--token-file F] [--max-body BYTES]
int serve_command(const Args& args) {
  Arguments arguments(args, options_of("serve"));
  apply_log_options(arguments);
  auto port = whole_number(arguments.value("port").value_or("8181"), 5);
  if (!port || *port > 65535) throw UsageError("--port: give a port number from 0 to 65535 (0: any free port)");
  auto max_body = whole_number(arguments.value("max-body").value_or(std::to_string(kDefaultMaxBody)), 12);
  if (!max_body || *max_body == 0) throw UsageError("--max-body: give a number of bytes");
  std::string bind = arguments.value("bind").value_or("127.0.0.1");
  beast::error_code ec;
  auto address = asio::ip::make_address(bind, ec);
  if (ec) throw UsageError(fmt::format("--bind: '{}' is not an IP address", bind));
  ServiceSettings settings{arguments.required("db"), arguments.values("rules"), ""};
  if (settings.rule_paths.empty()) throw UsageError("missing required option '--rules'");
  if (auto token_file = arguments.value("token-file")) settings.token = read_token(*token_file);
  HttpService service(settings);

  // SIGTERM and SIGINT are taken by sigwait below, in no other thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a client that goes away mid-answer is an error code, not the end of the server

  asio::io_context io;
  tcp::acceptor acceptor(io);
  tcp::endpoint endpoint(address, static_cast<unsigned short>(*port));
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint, ec);
  if (ec) throw Error(fmt::format("cannot listen on {}:{}: {}", bind, *port, ec.message()));
  acceptor.listen();
  auto bound = acceptor.local_endpoint();
  // Tests and scripts read the port from this line (--port 0 takes any free one).
  spdlog::info("listening on http://{}:{} ({})", bound.address().to_string(), bound.port(), service.loaded_summary());
  spdlog::default_logger()->flush();

  ConnectionQueue queue;
  OpenConnections open;
  std::vector<std::thread> workers;
  for (std::size_t i = 0; i < kWorkers; ++i)
    workers.emplace_back([&] {
      while (auto socket = queue.pop()) serve_connection(std::move(*socket), service, *max_body, open);
    });
  std::thread accepting([&] {
    for (;;) {
      tcp::socket socket(io);
      beast::error_code accept_error;
      acceptor.accept(socket, accept_error);
      if (accept_error) break;  // the acceptor was shut down: stopping
      queue.push(std::move(socket));
    }
  });

  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("stopping ({}): answering the requests under way", signal == SIGTERM ? "SIGTERM" : "SIGINT");
  ::shutdown(acceptor.native_handle(), SHUT_RDWR);
  accepting.join();
  open.shut_down_reading();
  queue.close();
  for (auto& worker : workers) worker.join();
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace vigil::cli
