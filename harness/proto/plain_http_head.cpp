#include "proto/plain_http_head.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

namespace th {
namespace {

// http-parser's own limit is 80 KiB; a plain head is far below this one.
constexpr size_t kMaxPlainHeadBytes = 8 * 1024;
// 15 digits: far beyond any body a test sends, far below http-parser's overflow check.
constexpr size_t kMaxLengthDigits = 15;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Character classes by table: the scan's inner loops run over every byte of the head.
constexpr uint8_t kNameChar = 1;
constexpr uint8_t kValueChar = 2;
constexpr uint8_t kUrlChar = 4;
constexpr std::array<uint8_t, 256> kCharClass = [] {
  std::array<uint8_t, 256> classes{};
  // Visible ASCII, space and tab. http-parser also takes bytes above 0x7e in a value; they are
  // rare enough in a load test to leave to it.
  for (int c = 0x20; c <= 0x7e; ++c) classes[c] |= kValueChar;
  classes['\t'] |= kValueChar;
  // A subset of RFC 9110's token characters: a name with any other is left to http-parser.
  for (int c = 'a'; c <= 'z'; ++c) classes[c] |= kNameChar;
  for (int c = 'A'; c <= 'Z'; ++c) classes[c] |= kNameChar;
  for (int c = '0'; c <= '9'; ++c) classes[c] |= kNameChar;
  classes['-'] |= kNameChar;
  classes['_'] |= kNameChar;
  // RFC 3986's unreserved characters and the few a query needs; a URL with any other (a
  // fragment, a space, a byte above 0x7e) is left to http-parser.
  for (int c = 0; c < 256; ++c) {
    if ((classes[c] & kNameChar) != 0) classes[c] |= kUrlChar;
  }
  for (const char c : std::string_view("./~?=&%+"))
    classes[static_cast<unsigned char>(c)] |= kUrlChar;
  return classes;
}();

bool in_class(char c, uint8_t char_class) {
  return (kCharClass[static_cast<unsigned char>(c)] & char_class) != 0;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_lowercase(std::string_view text, std::string_view lowercase) {
  if (text.size() != lowercase.size()) return false;
  for (size_t index = 0; index < text.size(); ++index) {
    if (lower(text[index]) != lowercase[index]) return false;
  }
  return true;
}

std::string_view trim_whitespace(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

// True when any of the 8 bytes is a control character, DEL or above 0x7e (the CR ending a line
// is a control character): a word of plain value bytes is skipped whole.
bool has_unplain_value_byte(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  const uint64_t below_space = (word - kOnes * 0x20) & ~word & kHighBits;
  const uint64_t del = ((word ^ (kOnes * 0x7f)) - kOnes) & ~(word ^ (kOnes * 0x7f)) & kHighBits;
  return (below_space | del | (word & kHighBits)) != 0;
}

// Advances `at` over characters of the class and then expects CRLF after them.
bool take_line_rest(const char*& at, const char* end, uint8_t char_class) {
  if (char_class == kValueChar) {
    uint64_t word;
    while (end - at >= 8 && (std::memcpy(&word, at, 8), !has_unplain_value_byte(word))) at += 8;
  }
  while (at < end && in_class(*at, char_class)) ++at;
  return end - at >= 2 && at[0] == '\r' && at[1] == '\n';
}

bool starts_with_lowercase(std::string_view name, std::string_view prefix) {
  return name.size() >= prefix.size() && equals_lowercase(name.substr(0, prefix.size()), prefix);
}

enum class HeaderName { other, content_length, connection, framing };

// Names that decide framing or the connection, and any name that begins with one: http-parser
// 2.9 sets its Transfer-Encoding flag as soon as the name matches, before it sees that the name
// goes on ("Transfer-Encodingx"), and then refuses a Content-Length (found by the fuzzer). The
// first letter settles most names at once.
HeaderName classify(std::string_view name) {
  switch (lower(name.front())) {
    case 'c':
      if (equals_lowercase(name, "content-length")) return HeaderName::content_length;
      if (equals_lowercase(name, "connection")) return HeaderName::connection;
      return starts_with_lowercase(name, "content-length") ||
                     starts_with_lowercase(name, "connection")
                 ? HeaderName::framing
                 : HeaderName::other;
    case 't':
      return starts_with_lowercase(name, "transfer-encoding") ? HeaderName::framing
                                                              : HeaderName::other;
    case 'p':
      return starts_with_lowercase(name, "proxy-connection") ? HeaderName::framing
                                                             : HeaderName::other;
    case 'u':
      return starts_with_lowercase(name, "upgrade") ? HeaderName::framing : HeaderName::other;
    default:
      return HeaderName::other;
  }
}

// http-parser skips spaces and tabs before a Content-Length but allows only spaces after it.
bool take_length(std::string_view raw_value, int64_t* length) {
  while (!raw_value.empty() && (raw_value.front() == ' ' || raw_value.front() == '\t')) {
    raw_value.remove_prefix(1);
  }
  while (!raw_value.empty() && raw_value.back() == ' ') raw_value.remove_suffix(1);
  if (raw_value.empty() || raw_value.size() > kMaxLengthDigits) return false;
  int64_t digits_value = 0;
  for (const char digit : raw_value) {
    if (!is_digit(digit)) return false;
    digits_value = digits_value * 10 + (digit - '0');
  }
  *length = digits_value;
  return true;
}

// http-parser sets its close flag for "close" after any spaces and tabs, in any case, followed
// by spaces only. "close\t" is another token to it, and "close, x" a list it walks token by
// token: both are left to it.
bool is_plain_close(std::string_view raw_value) {
  while (!raw_value.empty() && (raw_value.front() == ' ' || raw_value.front() == '\t')) {
    raw_value.remove_prefix(1);
  }
  while (!raw_value.empty() && raw_value.back() == ' ') raw_value.remove_suffix(1);
  return equals_lowercase(raw_value, "close");
}

// The header lines and the blank line after them, from `at` on. True when every line is plain;
// `content_length` then holds the one Content-Length, or -1 when there was none, and `close`
// whether a Connection header said close (the others said keep-alive).
bool take_plain_header_lines(const char*& at, const char* end, int64_t* content_length,
                             bool* close) {
  *content_length = -1;
  *close = false;
  for (;;) {
    if (end - at < 2) return false;
    if (at[0] == '\r') {
      if (at[1] != '\n') return false;
      at += 2;
      return true;
    }
    const char* name_start = at;
    while (at < end && in_class(*at, kNameChar)) ++at;
    // Also refuses obs-fold (a line starting with whitespace) and space before the colon.
    if (at == name_start || at == end || *at != ':') return false;
    const std::string_view name(name_start, static_cast<size_t>(at - name_start));
    const char* value_start = ++at;
    if (!take_line_rest(at, end, kValueChar)) return false;
    const std::string_view raw_value(value_start, static_cast<size_t>(at - value_start));
    at += 2;
    switch (classify(name)) {
      case HeaderName::content_length:
        if (*content_length >= 0 || !take_length(raw_value, content_length)) return false;
        break;
      case HeaderName::connection:
        if (is_plain_close(raw_value)) {
          *close = true;
        } else if (!equals_lowercase(trim_whitespace(raw_value), "keep-alive")) {
          return false;
        }
        break;
      case HeaderName::framing:
        return false;
      case HeaderName::other:
        break;
    }
  }
}

bool starts_with(const char* at, const char* end, std::string_view prefix) {
  return end - at >= static_cast<std::ptrdiff_t>(prefix.size()) &&
         std::memcmp(at, prefix.data(), prefix.size()) == 0;
}

}  // namespace

bool scan_plain_response_head(const char* data, size_t size, PlainResponseHead* head) {
  static constexpr std::string_view kVersion = "HTTP/1.1 ";
  const char* const end = data + std::min(size, kMaxPlainHeadBytes);
  if (!starts_with(data, end, kVersion) || end - data < 13) return false;
  // 2xx only: 1xx, 204 and 304 have no body whatever Content-Length says.
  const char* at = data + kVersion.size();
  if (at[0] != '2' || !is_digit(at[1]) || !is_digit(at[2]) || at[3] != ' ') return false;
  const int status_code = 200 + (at[1] - '0') * 10 + (at[2] - '0');
  if (status_code == 204) return false;
  at += 4;
  if (!take_line_rest(at, end, kValueChar)) return false;  // the reason phrase
  at += 2;
  int64_t content_length = -1;
  bool close = false;
  if (!take_plain_header_lines(at, end, &content_length, &close)) return false;
  if (content_length < 0) return false;  // close-delimited: http-parser waits for the end
  head->head_bytes = static_cast<size_t>(at - data);
  head->content_length = static_cast<uint64_t>(content_length);
  head->status_code = status_code;
  head->keep_alive = !close;
  return true;
}

bool scan_plain_request_head(const char* data, size_t size, size_t max_head_bytes,
                             PlainRequestHead* head) {
  const char* const end = data + std::min({size, kMaxPlainHeadBytes, max_head_bytes});
  const char* at = data;
  bool head_method = false;
  if (starts_with(at, end, "GET ")) {
    at += 4;
  } else if (starts_with(at, end, "HEAD ")) {
    at += 5;
    head_method = true;
  } else {
    return false;
  }
  const char* url_start = at;
  if (at == end || *at != '/') return false;  // origin form only
  while (at < end && in_class(*at, kUrlChar)) ++at;
  const std::string_view url(url_start, static_cast<size_t>(at - url_start));
  if (!starts_with(at, end, " HTTP/1.1\r\n")) return false;
  at += 11;
  int64_t content_length = -1;
  bool close = false;
  // A body, even an empty one, is left to http-parser with the rest of the message.
  if (!take_plain_header_lines(at, end, &content_length, &close) || content_length >= 0) {
    return false;
  }
  head->head_bytes = static_cast<size_t>(at - data);
  head->url = url;
  head->head_method = head_method;
  head->keep_alive = !close;
  return true;
}

}  // namespace th
