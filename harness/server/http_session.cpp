#include "server/http_session.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <string_view>

#include "net/socket_options.hpp"
#include "server/server_loop.hpp"

namespace th {

HttpSession::HttpSession(ServerLoop& loop)
    : Session(loop), parser_(loop.shared().config.limits.request_limits()) {}

void HttpSession::reset() {
  parser_.reset();
  input_ = nullptr;
  input_size_ = 0;
  input_done_ = close_last_ = linger_last_ = lingering_ = false;
  head_since_ms_ = loop_.now_ms();  // a connection that sends nothing is the first slowloris
  owed_ = requests_taken_ = 0;
  tail_ = current_ = Kind::none;
  queued_bytes_ = queued_responses_ = answers_begun_ = 0;
}

void HttpSession::on_data(const char* data, size_t size) {
  read_ns_ = uv_hrtime();
  touch();
  add(loop_.counters().bytes_received, size);
  if (input_done_) return;  // what follows a close or a refusal is not answered
  input_ = data;
  input_size_ = size;
  pump();
}

void HttpSession::on_write_done(int status) {
  if (status != 0) return close();
  touch();
  credit(queued_bytes_, queued_responses_);
  loop_.record_own_time(read_ns_, queued_responses_);
  queued_bytes_ = queued_responses_ = 0;
  pump();
}

// TLS: the first request's head clock starts when the handshake ends (the handshake had
// header_timeout_ms of its own), or a slow handshake would leave the request no time.
void HttpSession::on_connected(int status) {
  Session::on_connected(status);
  if (status == 0 && head_since_ms_ != 0) head_since_ms_ = loop_.now_ms();
}

void HttpSession::check_timeouts(uint64_t now_ms) {
  if (closing()) return;
  if (lingering_) {
    if (now_ms - linger_since_ms_ >= kLingerMs) close();
    return;
  }
  // The head clock runs only while the server waits on the client: not while a response is
  // owed or being written (reading is paused then, so the head could not arrive).
  // Before a TLS handshake is done no request can have begun: that wait is the handshake's
  // timeout (Session), and a 408 could not be sent anyway.
  const uint32_t header_timeout_ms = loop_.shared().config.limits.header_timeout_ms;
  if (header_timeout_ms != 0 && head_since_ms_ != 0 && reading() && owed_ == 0 &&
      !transport_->handshake_pending() && tail_ == Kind::none && current_ == Kind::none &&
      now_ms - head_since_ms_ >= header_timeout_ms) {
    head_since_ms_ = 0;
    refuse(HttpRejection::request_timeout);
    return pump();
  }
  Session::check_timeouts(now_ms);
}

// Alternates writing what is owed and parsing what was read, until a write is queued (then
// on_write_done calls again), the connection is to close, or everything read is answered.
void HttpSession::pump() {
  while (!closing()) {
    uv_buf_t buffers[4];
    uint64_t bytes = 0;
    uint64_t responses = 0;
    // Checked here, not in gather: pump looks for something to write three times per request.
    const bool owes = current_ != Kind::none || owed_ > 0 || tail_ != Kind::none;
    const unsigned count = owes ? gather(buffers, &bytes, &responses) : 0;
    if (count > 0) {
      int error = 0;
      const WriteOutcome outcome = transport_->write(buffers, count, &error);
      if (outcome != WriteOutcome::failed) {
        loop_.record_cwnd_at_response(*transport_, read_ns_, answers_begun_);
      }
      answers_begun_ = 0;
      switch (outcome) {
        case WriteOutcome::done:
          credit(bytes, responses);
          loop_.record_own_time(read_ns_, responses);
          continue;
        case WriteOutcome::queued:
          queued_bytes_ = bytes;
          queued_responses_ = responses;
          return pause_reading();
        case WriteOutcome::failed:
          return close();
      }
    }
    // An answer to TLS early data leaves before the handshake ends: closing now would cut the
    // client's Finished (the handshake never ends here, nor is it counted), so the connection
    // half-closes once it has and drains, as after a refusal.
    if (close_last_) {
      return linger_last_ || transport_->handshake_pending() ? start_lingering()
                                                             : close_as_configured();
    }
    if (input_size_ > 0) {
      parse();
      continue;
    }
    if (resume_reading() != 0) close();
    return;
  }
}

// Parses every request read, up to the first that needs a response of its own (the tail).
void HttpSession::parse() {
  while (input_size_ > 0 && tail_ == Kind::none && !input_done_) {
    size_t consumed = 0;
    const HttpRequestParser::Status status = parser_.parse(input_, input_size_, &consumed);
    input_ += consumed;
    input_size_ -= consumed;
    if (status == HttpRequestParser::Status::request || !parser_.awaiting_head()) {
      head_since_ms_ = 0;
    }
    if (status == HttpRequestParser::Status::request) {
      queue_request();
    } else if (status == HttpRequestParser::Status::rejected) {
      refuse(parser_.rejection());
    }
  }
  if (input_done_) input_size_ = 0;
  if (head_since_ms_ == 0 && parser_.head_started()) head_since_ms_ = loop_.now_ms();
  // The rest waits in the read buffer until the tail is written.
  if (input_size_ > 0) pause_reading();
}

void HttpSession::queue_request() {
  const ServerShared& shared = loop_.shared();
  if (shared.config.delay_us != 0 && !shared.stopping.load(std::memory_order_relaxed)) {
    spend_us(shared.config.delay_us);
  }
  // What follows an Upgrade request is another protocol: answer, then close. After max_requests
  // the answer says "Connection: close", as nginx's keepalive_requests does, and what else the
  // client pipelined stays unanswered.
  const uint64_t max_requests = shared.config.max_requests;
  const bool keep_alive = parser_.keep_alive() && !parser_.upgrade() &&
                          (max_requests == 0 || ++requests_taken_ < max_requests);
  if (parser_.answer() == HttpAnswer::standard && !parser_.head_only()) {
    ++owed_;
  } else {
    const uint64_t content_length = parser_.answer() == HttpAnswer::sized
                                        ? parser_.sized_body_bytes()
                                        : loop_.shared().response.body().size();
    // Formatting per request is the price of a size chosen by the client; to_chars neither
    // allocates nor consults the locale.
    tail_header_size_ =
        format_http_response_header(content_length, keep_alive, tail_header_, sizeof tail_header_);
    tail_ = Kind::formatted;
    tail_body_bytes_ = parser_.head_only() ? 0 : content_length;  // RFC 9110 §9.3.2
  }
  if (!keep_alive) input_done_ = close_last_ = true;
}

void HttpSession::refuse(HttpRejection rejection) {
  LoopCounters& counters = loop_.counters();
  switch (rejection) {
    case HttpRejection::none:
    case HttpRejection::bad_request:
      add(counters.bad_requests);
      break;
    case HttpRejection::method_not_allowed:
      add(counters.methods_not_allowed);
      break;
    case HttpRejection::request_timeout:
      add(counters.header_timeouts);
      break;
    case HttpRejection::body_too_large:
      add(counters.bodies_too_large);
      break;
    case HttpRejection::header_too_large:
      add(counters.headers_too_large);
      break;
    case HttpRejection::not_implemented:
      add(counters.methods_not_implemented);
      break;
  }
  tail_ = Kind::refusal;  // parsing pauses at every other tail, so this one is free
  tail_rejection_ = rejection == HttpRejection::none ? HttpRejection::bad_request : rejection;
  input_done_ = close_last_ = linger_last_ = true;
}

// The error response is out: send FIN so the client reads it to its end, and drain what the
// client still sends, so that the kernel does not answer those bytes with a reset that could
// destroy the response before the client has read it (RFC 9112 §9.6).
void HttpSession::start_lingering() {
  lingering_ = true;
  linger_since_ms_ = loop_.now_ms();
  if (transport_->shutdown_write() != 0 || resume_reading() != 0) close();
}

// graceful is close(): with requests the server has not read still in its socket, the kernel
// answers with a reset and drops the responses not yet sent (tcp_close in net/ipv4/tcp.c), the
// chapter's trap. half_close sends FIN after the responses and drains until the client's FIN.
void HttpSession::close_as_configured() {
  switch (loop_.shared().config.options.close) {
    case CloseMode::half_close:
      return start_lingering();
    case CloseMode::abortive:
      set_linger_zero(transport_->fd());
      break;
    case CloseMode::graceful:
      break;
  }
  close();
}

bool HttpSession::start_next_response() {
  if (owed_ > 0) {
    --owed_;
    const HttpResponseBytes& response = loop_.shared().response;
    const bool last = close_last_ && owed_ == 0 && tail_ == Kind::none;
    const std::string_view header = last ? response.header_close : response.header();
    current_ = Kind::standard;
    header_ = header.data();
    header_size_ = header.size();
    body_left_ = response.body().size();
    body_follows_header_ = !last;
  } else if (tail_ == Kind::formatted) {
    current_ = Kind::formatted;
    body_follows_header_ = false;
    header_ = tail_header_;
    header_size_ = tail_header_size_;
    body_left_ = tail_body_bytes_;
  } else if (tail_ == Kind::refusal) {
    const std::string_view response = http_rejection_response(tail_rejection_);
    current_ = Kind::refusal;
    body_follows_header_ = false;
    header_ = response.data();
    header_size_ = response.size();
    body_left_ = 0;
  } else {
    return false;
  }
  if (current_ != Kind::standard) tail_ = Kind::none;
  if (current_ != Kind::refusal) ++answers_begun_;
  header_written_ = false;
  return true;
}

// Fills up to four buffers from the owed responses. single: as many as fit, so two small
// responses go out in one send. split: a header alone, then its body, in separate writes and so
// separate segments: the pattern where Nagle's algorithm holds the body back until the client's
// delayed ACK of the header arrives.
unsigned HttpSession::gather(uv_buf_t* buffers, uint64_t* bytes, uint64_t* responses) {
  const bool split = loop_.shared().config.write_pattern == WritePattern::split;
  unsigned count = 0;
  const auto push = [&](const char* base, size_t size) {
    buffers[count++] = uv_buf_init(const_cast<char*>(base), static_cast<unsigned>(size));
    *bytes += size;
  };
  while (count < 4) {
    if (current_ == Kind::none && !start_next_response()) break;
    if (!header_written_) {
      if (split && count > 0) break;
      header_written_ = true;
      if (body_follows_header_ && !split) {
        push(header_, header_size_ + body_left_);
        body_left_ = 0;
      } else {
        push(header_, header_size_);
        if (split && body_left_ > 0) break;
      }
    } else if (current_ == Kind::standard) {
      const std::string_view body = loop_.shared().response.body();
      push(body.data() + (body.size() - body_left_), body_left_);
      body_left_ = 0;
    } else {
      // Every chunk but the last is whole, so each one starts at the pattern's beginning.
      const std::string_view chunk = http_body_chunk();
      const size_t size = static_cast<size_t>(std::min<uint64_t>(body_left_, chunk.size()));
      push(chunk.data(), size);
      body_left_ -= size;
    }
    if (body_left_ == 0) {
      if (current_ != Kind::refusal) ++*responses;
      current_ = Kind::none;
      if (split) break;
    }
  }
  return count;
}

void HttpSession::credit(uint64_t bytes, uint64_t responses) {
  LoopCounters& counters = loop_.counters();
  add(counters.bytes_sent, bytes);
  if (responses > 0) add(counters.requests_served, responses);
}

}  // namespace th
