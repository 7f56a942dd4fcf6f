#include "server/http_session.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>

#include "server/server_loop.hpp"

namespace th {
namespace {

constexpr std::string_view kSizedPrefix = "/bytes/";

// The N of "/bytes/N[?query]"; false when it is not a decimal number up to the cap.
bool parse_sized_path(std::string_view url, bool truncated, uint64_t* body_bytes) {
  std::string_view digits = url.substr(kSizedPrefix.size());
  const size_t query = digits.find('?');
  if (query == std::string_view::npos && truncated) return false;
  digits = digits.substr(0, query);
  if (digits.empty()) return false;
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), *body_bytes);
  return error == std::errc() && end == digits.data() + digits.size() &&
         *body_bytes <= HttpSession::kMaxSizedBodyBytes;
}

}  // namespace

const http_parser_settings HttpSession::kSettings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_status = nullptr,
    .on_header_field = nullptr,
    .on_header_value = nullptr,
    .on_headers_complete = nullptr,
    .on_body = nullptr,  // request bodies are parsed past and discarded
    .on_message_complete = on_message_complete,
    .on_chunk_header = nullptr,
    .on_chunk_complete = nullptr,
};

void HttpSession::reset() {
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
  input_ = nullptr;
  input_size_ = 0;
  input_done_ = close_last_ = false;
  url_size_ = 0;
  url_truncated_ = false;
  owed_ = 0;
  tail_ = current_ = Kind::none;
  queued_bytes_ = queued_responses_ = 0;
}

void HttpSession::on_data(const char* data, size_t size) {
  add(loop_.counters().bytes_received, size);
  if (input_done_) return;  // what follows a close or a bad request is not answered
  input_ = data;
  input_size_ = size;
  pump();
}

void HttpSession::on_write_done(int status) {
  if (status != 0) return close();
  credit(queued_bytes_, queued_responses_);
  queued_bytes_ = queued_responses_ = 0;
  pump();
}

// Alternates writing what is owed and parsing what was read, until a write is queued (then
// on_write_done calls again), the connection is to close, or everything read is answered.
void HttpSession::pump() {
  while (!closing()) {
    uv_buf_t buffers[4];
    uint64_t bytes = 0;
    uint64_t responses = 0;
    const unsigned count = gather(buffers, &bytes, &responses);
    if (count > 0) {
      int error = 0;
      switch (transport_.write(buffers, count, &error)) {
        case WriteOutcome::done:
          credit(bytes, responses);
          continue;
        case WriteOutcome::queued:
          queued_bytes_ = bytes;
          queued_responses_ = responses;
          return pause_reading();
        case WriteOutcome::failed:
          return close();
      }
    }
    if (close_last_) return close();
    if (input_size_ > 0) {
      parse();
      continue;
    }
    if (resume_reading() != 0) close();
    return;
  }
}

void HttpSession::parse() {
  const size_t parsed = http_parser_execute(&parser_, &kSettings, input_, input_size_);
  const auto error = HTTP_PARSER_ERRNO(&parser_);
  if (error == HPE_PAUSED) {
    // Paused after a request whose response must be written before the next is parsed.
    http_parser_pause(&parser_, 0);
    input_ += parsed;
    input_size_ -= parsed;
    pause_reading();
  } else if (error != HPE_OK) {
    reject();
  } else if (parser_.upgrade) {
    // What follows an Upgrade or CONNECT request is another protocol: answer, then close.
    input_done_ = close_last_ = true;
  }
  if (error != HPE_PAUSED || input_done_) input_size_ = 0;
}

void HttpSession::reject() {
  add(loop_.counters().bad_requests);
  tail_ = Kind::bad_request;  // parsing pauses at every other tail, so this one is free
  input_done_ = close_last_ = true;
}

bool HttpSession::start_next_response() {
  if (owed_ > 0) {
    --owed_;
    const HttpResponseBytes& response = loop_.shared().response;
    const std::string& header =
        close_last_ && owed_ == 0 && tail_ == Kind::none ? response.header_close : response.header;
    current_ = Kind::standard;
    header_ = header.data();
    header_size_ = header.size();
    body_left_ = response.body.size();
  } else if (tail_ == Kind::sized) {
    current_ = Kind::sized;
    header_ = sized_header_;
    header_size_ = sized_header_size_;
    body_left_ = tail_body_bytes_;
  } else if (tail_ == Kind::bad_request) {
    const std::string_view response = http_bad_request_response();
    current_ = Kind::bad_request;
    header_ = response.data();
    header_size_ = response.size();
    body_left_ = 0;
  } else {
    return false;
  }
  if (current_ != Kind::standard) tail_ = Kind::none;
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
      push(header_, header_size_);
      header_written_ = true;
      if (split && body_left_ > 0) break;
    } else if (current_ == Kind::standard) {
      const std::string& body = loop_.shared().response.body;
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
      if (current_ != Kind::bad_request) ++*responses;
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

int HttpSession::queue_response() {
  if (const uint32_t delay_us = loop_.shared().config.delay_us) sleep_for_us(delay_us);
  const bool keep_alive = http_should_keep_alive(&parser_) != 0;
  const std::string_view url(url_, url_size_);
  if (url.starts_with(kSizedPrefix)) {
    uint64_t body_bytes = 0;
    if (!parse_sized_path(url, url_truncated_, &body_bytes)) return -1;  // answered with a 400
    // Formatting per request is the price of a size chosen by the client; to_chars neither
    // allocates nor consults the locale.
    sized_header_size_ =
        format_http_response_header(body_bytes, keep_alive, sized_header_, sizeof sized_header_);
    tail_ = Kind::sized;
    tail_body_bytes_ = body_bytes;
    http_parser_pause(&parser_, 1);  // one sized response at a time
  } else {
    ++owed_;
  }
  if (!keep_alive) {
    input_done_ = close_last_ = true;
    http_parser_pause(&parser_, 1);
  }
  return 0;
}

int HttpSession::on_message_begin(http_parser* parser) {
  auto* self = static_cast<HttpSession*>(parser->data);
  self->url_size_ = 0;
  self->url_truncated_ = false;
  return 0;
}

// The URL may arrive in pieces when a read ends inside it; keep the start, which is all that
// /bytes/N needs.
int HttpSession::on_url(http_parser* parser, const char* at, size_t length) {
  auto* self = static_cast<HttpSession*>(parser->data);
  const size_t room = kUrlCapacity - self->url_size_;
  const size_t kept = std::min(room, length);
  std::memcpy(self->url_ + self->url_size_, at, kept);
  self->url_size_ += kept;
  if (kept < length) self->url_truncated_ = true;
  return 0;
}

int HttpSession::on_message_complete(http_parser* parser) {
  return static_cast<HttpSession*>(parser->data)->queue_response();
}

}  // namespace th
