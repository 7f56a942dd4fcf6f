#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// "Did you mean ...?" for whatever a user names: commands, options, scenario keys. One measure
// everywhere, so a typo gets the same suggestion on the command line and in a file.
namespace th {

// Edits (insert, delete, substitute, swap two neighbours) that turn `from` into `to`: the
// optimal string alignment distance, so "clinet" is one edit from "client", as a typist sees it.
std::size_t edit_distance(std::string_view from, std::string_view to);

// The candidate fewest edits from `typed`, when it is close enough to be a typo of it: at most a
// third of `typed`'s length (at least 1, at most 3). The first of equally close ones.
std::optional<std::string> closest_match(std::string_view typed,
                                         const std::vector<std::string>& candidates);

}  // namespace th
