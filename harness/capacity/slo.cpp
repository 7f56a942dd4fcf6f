#include "capacity/slo.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>

#include "base/config_error.hpp"

namespace th {
namespace {

constexpr std::array kPhases = {"total",   "service_time", "connect",    "tls_handshake",
                                "write",   "first_byte",   "transfer",   "close",
                                "resolve", "page_load",    "server_time"};
constexpr std::array kStatistics = {"p50", "p90", "p99", "p999", "p99.9", "max", "mean"};

struct Unit {
  std::string_view name;
  double to_us;
};
constexpr std::array kUnits = {Unit{"ns", 1e-3}, Unit{"us", 1.0}, Unit{"ms", 1e3}, Unit{"s", 1e6}};

std::string joined(auto const& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

// Reads one clause out of the whole text, so that every message can give a position in it.
class ClauseReader {
 public:
  ClauseReader(std::string_view text, size_t begin, size_t end)
      : text_(text), at_(begin), end_(end) {}

  SloClause read() {
    SloClause clause;
    skip_spaces();
    const size_t metric_at = at_;
    const std::string metric =
        take_while([](char c) { return std::isalnum(c) || c == '_' || c == '.'; });
    if (metric.empty()) fail(metric_at, "expected a metric such as p99, connect.p99 or errors");
    read_metric(metric, metric_at, clause);
    skip_spaces();
    read_operator(clause);
    skip_spaces();
    read_limit(clause);
    skip_spaces();
    if (at_ != end_) fail(at_, "unexpected text after the limit; clauses are separated by ','");
    return clause;
  }

 private:
  [[noreturn]] void fail(size_t position, const std::string& what) const {
    throw ConfigError(fmt::format("--slo '{}': at position {}: {}", text_, position + 1, what));
  }

  void skip_spaces() {
    while (at_ < end_ && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }

  template <typename Predicate>
  std::string take_while(Predicate keep) {
    const size_t from = at_;
    while (at_ < end_ && keep(static_cast<unsigned char>(text_[at_]))) ++at_;
    return std::string(text_.substr(from, at_ - from));
  }

  void read_metric(const std::string& metric, size_t metric_at, SloClause& clause) const {
    if (metric == "errors") {
      clause.kind = SloClause::Kind::errors;
      return;
    }
    // "p99.9" is a statistic, not phase "p99" with statistic "9": phases never start with p +
    // digit.
    std::string statistic = metric;
    const size_t dot = metric.find('.');
    const bool names_phase = dot != std::string::npos && metric.rfind("p99.", 0) != 0;
    if (names_phase) {
      clause.phase = metric.substr(0, dot);
      statistic = metric.substr(dot + 1);
      if (std::find(kPhases.begin(), kPhases.end(), clause.phase) == kPhases.end()) {
        fail(metric_at,
             fmt::format("unknown phase '{}'; allowed: {}", clause.phase, joined(kPhases)));
      }
    }
    if (std::find(kStatistics.begin(), kStatistics.end(), statistic) == kStatistics.end()) {
      fail(names_phase ? metric_at + dot + 1 : metric_at,
           fmt::format("unknown metric '{}'; allowed: {}, each optionally after a phase "
                       "(connect.p99), or errors",
                       statistic, joined(kStatistics)));
    }
    clause.statistic = statistic == "p99.9" ? "p999" : statistic;
  }

  void read_operator(SloClause& clause) {
    if (text_.substr(at_, 2) == "<=") {
      at_ += 2;
    } else if (at_ < end_ && text_[at_] == '<') {
      clause.inclusive = false;
      ++at_;
    } else {
      fail(at_, "expected '<=' or '<': an objective is an upper limit");
    }
  }

  void read_limit(SloClause& clause) {
    const size_t number_at = at_;
    const std::string number = take_while([](char c) { return std::isdigit(c) || c == '.'; });
    double value = 0;
    const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (number.empty() || error != std::errc() || end != number.data() + number.size()) {
      fail(number_at, "expected a number");
    }
    skip_spaces();
    const size_t unit_at = at_;
    const std::string unit = take_while([](char c) { return std::isalpha(c) || c == '%'; });
    if (clause.kind == SloClause::Kind::errors) {
      if (unit != "%") fail(unit_at, "errors take a percentage: errors<=0.1%");
      if (value > 100) fail(number_at, "a percentage is at most 100");
      clause.limit = value;
    } else {
      const auto known =
          std::find_if(kUnits.begin(), kUnits.end(), [&](const Unit& u) { return u.name == unit; });
      if (known == kUnits.end()) {
        fail(unit_at,
             fmt::format("{} '{}'; allowed: ns, us, ms, s",
                         unit.empty() ? "a latency needs a unit, got" : "unknown unit", unit));
      }
      clause.limit = value * known->to_us;
    }
    if (clause.limit <= 0) fail(number_at, "the limit must be above 0");
  }

  std::string_view text_;
  size_t at_;
  size_t end_;
};

}  // namespace

std::vector<SloClause> parse_slo(std::string_view text) {
  std::vector<SloClause> clauses;
  size_t begin = 0;
  while (true) {
    size_t end = text.find(',', begin);
    if (end == std::string_view::npos) end = text.size();
    SloClause clause = ClauseReader(text, begin, end).read();
    std::string_view written = text.substr(begin, end - begin);
    while (!written.empty() && std::isspace(static_cast<unsigned char>(written.front())))
      written.remove_prefix(1);
    while (!written.empty() && std::isspace(static_cast<unsigned char>(written.back())))
      written.remove_suffix(1);
    clause.text = written;
    clauses.push_back(std::move(clause));
    if (end == text.size()) break;
    begin = end + 1;
  }
  return clauses;
}

std::string slo_phases() { return joined(kPhases); }

std::optional<double> slo_value(const SloClause& clause, const nlohmann::json& run) {
  if (clause.kind == SloClause::Kind::errors) {
    const nlohmann::json& requests = run.at("requests");
    const double ok = requests.at("ok").get<double>();
    const double failed = requests.at("error_total").get<double>();
    if (ok + failed <= 0) return std::nullopt;
    return 100.0 * failed / (ok + failed);
  }
  const nlohmann::json* phases = run.contains("latency_us") ? &run.at("latency_us") : nullptr;
  if (phases == nullptr || !phases->contains(clause.phase)) return std::nullopt;
  const nlohmann::json& summary = phases->at(clause.phase);
  if (!summary.contains("count") || summary.at("count").get<double>() <= 0) return std::nullopt;
  return summary.at(clause.statistic).get<double>();
}

SloClause curve_clause(const std::vector<SloClause>& slo) {
  for (const SloClause& clause : slo) {
    if (clause.kind == SloClause::Kind::latency) return clause;
  }
  SloClause p99;
  p99.statistic = "p99";
  p99.text = "p99";
  return p99;
}

}  // namespace th
