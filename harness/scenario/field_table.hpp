#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenario/checks.hpp"

// Private to harness/scenario: a table of keys, each with the function that reads its value. The
// tables are the one list of keys, so the parser, the "allowed keys" hint and the sweep-key check
// cannot disagree.
namespace th::scenario_detail {

using nlohmann::json;

template <typename Out>
struct Field {
  const char* key;
  void (*read)(const Checks&, const json&, const std::string&, Out&);
};

template <typename Out, std::size_t N>
std::vector<std::string> keys_of(const Field<Out> (&fields)[N]) {
  std::vector<std::string> keys;
  for (const auto& field : fields) keys.emplace_back(field.key);
  return keys;
}

template <typename Out, std::size_t N>
const Field<Out>* find_field(const Field<Out> (&fields)[N], const std::string& key) {
  for (const auto& field : fields) {
    if (key == field.key) return &field;
  }
  return nullptr;
}

// Reads every key of `object` through its table entry; a key without one is rejected.
template <typename Out, std::size_t N>
void read_fields(const Field<Out> (&fields)[N], const json& object, const std::string& pointer,
                 const Checks& checks, const std::vector<std::string>& allowed, Out& out) {
  checks.object(object, pointer);
  for (const auto& [key, value] : object.items()) {
    const std::string key_pointer = pointer + "/" + pointer_token(key);
    const auto* field = find_field(fields, key);
    if (field == nullptr) checks.unknown_key(key_pointer, allowed);
    field->read(checks, value, key_pointer, out);
  }
}

}  // namespace th::scenario_detail
