#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Private to harness/scenario: typed reads of JSON values that turn every bad value into the one
// ConfigError line users see, "<source>: <json-pointer>: <problem>, got <value>".
namespace th::scenario_detail {

// One JSON pointer reference token (RFC 6901: "~" -> "~0", "/" -> "~1").
std::string pointer_token(std::string_view key);

// Whether `pointer` is `parent` or a value inside it ("/client/so_sndbuf" is under "/client").
bool is_at_or_under(std::string_view pointer, std::string_view parent);

// The value as one line of JSON, shortened so a huge array cannot flood the terminal.
std::string short_dump(const nlohmann::json& value);

class Checks {
 public:
  explicit Checks(std::string source) : source_(std::move(source)) {}

  // A value placed at `pointer` by sweep expansion is reported where the user wrote it
  // ("/sweep/client.tcp_nodelay/1"), so the message points at the bad list element.
  void alias(std::string pointer, std::string shown_as);
  // A value a command-line assignment put at `pointer` is reported under that assignment
  // ("--set connections=0: /connections: ...") rather than under the file it did not come from,
  // and so is everything below it. The latest attribution covering a pointer wins, as the latest
  // assignment does.
  void attribute(std::string pointer, std::string origin);

  [[noreturn]] void fail(const std::string& pointer, std::string_view problem) const;
  [[noreturn]] void fail(const std::string& pointer, std::string_view problem,
                         const nlohmann::json& got) const;
  [[noreturn]] void unknown_key(const std::string& pointer,
                                const std::vector<std::string>& allowed) const;

  const nlohmann::json& object(const nlohmann::json& value, const std::string& pointer) const;
  const nlohmann::json& array(const nlohmann::json& value, const std::string& pointer) const;
  bool boolean(const nlohmann::json& value, const std::string& pointer) const;
  std::string string(const nlohmann::json& value, const std::string& pointer) const;
  // JSON integers only: 64.0 and true are rejected, so a typo cannot silently become a number.
  int64_t integer(const nlohmann::json& value, const std::string& pointer, int64_t min,
                  int64_t max) const;
  // Any JSON number in [min, max], or (min, max] when min_exclusive.
  double number(const nlohmann::json& value, const std::string& pointer, int64_t min,
                bool min_exclusive, int64_t max) const;

  template <typename Enum, std::size_t N>
  Enum one_of(const nlohmann::json& value, const std::string& pointer,
              const std::pair<const char*, Enum> (&choices)[N]) const {
    if (value.is_string()) {
      for (const auto& [text, choice] : choices) {
        if (value.get_ref<const std::string&>() == text) return choice;
      }
    }
    std::string problem = "must be one of";
    for (std::size_t i = 0; i < N; ++i) {
      problem += (i == 0 ? " \"" : ", \"") + std::string(choices[i].first) + "\"";
    }
    fail(pointer, problem, value);
  }

 private:
  std::string aliased(const std::string& pointer) const;
  std::string origin_of(const std::string& aliased_pointer) const;

  std::string source_;
  std::vector<std::pair<std::string, std::string>> aliases_;  // real pointer -> shown pointer
  std::vector<std::pair<std::string, std::string>> origins_;  // pointer -> "--set KEY=VALUE"
};

}  // namespace th::scenario_detail
