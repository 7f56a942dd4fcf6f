#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace th {

// Whole texts in and out of gzip (RFC 1952), for reports written to and read from `*.gz` paths.
// A report compresses about 3:1 at zlib's default level; the level matters little at these sizes.
std::string gzip_compress(std::string_view text);

// Whether `bytes` begin with gzip's magic number: readers look at the content, not the name, so
// a compressed report renamed to .json still reads.
bool is_gzip(std::string_view bytes) noexcept;

// Throws std::runtime_error saying what is wrong: not gzip, corrupt or cut short, or more than
// `max_bytes` once decompressed (a small file can expand without bound).
std::string gzip_decompress(std::string_view bytes, std::size_t max_bytes);

}  // namespace th
