#include "base/gzip.hpp"

#include <zlib.h>

#include <stdexcept>

namespace th {
namespace {

// windowBits 15 with 16 added selects the gzip wrapper rather than zlib's own.
constexpr int kGzipWindowBits = 15 + 16;
constexpr std::size_t kChunkBytes = 1 << 16;

}  // namespace

bool is_gzip(std::string_view bytes) noexcept {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

std::string gzip_compress(std::string_view text) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("gzip: cannot start the compressor");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(text.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) throw std::runtime_error("gzip: compression did not finish");
  return out;
}

std::string gzip_decompress(std::string_view bytes, std::size_t max_bytes) {
  if (!is_gzip(bytes)) throw std::runtime_error("not gzip data");
  z_stream stream{};
  if (inflateInit2(&stream, kGzipWindowBits) != Z_OK) {
    throw std::runtime_error("gzip: cannot start the decompressor");
  }
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  int result = Z_OK;
  while (result != Z_STREAM_END) {
    const std::size_t used = out.size();
    out.resize(used + kChunkBytes);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    stream.avail_out = static_cast<uInt>(kChunkBytes);
    result = inflate(&stream, Z_NO_FLUSH);
    out.resize(used + kChunkBytes - stream.avail_out);
    if (result != Z_OK && result != Z_STREAM_END) {
      inflateEnd(&stream);
      throw std::runtime_error(result == Z_BUF_ERROR ? "gzip data cut short" : "corrupt gzip data");
    }
    if (out.size() > max_bytes) {
      inflateEnd(&stream);
      throw std::runtime_error("more than " + std::to_string(max_bytes) +
                               " bytes once decompressed");
    }
  }
  inflateEnd(&stream);
  return out;
}

}  // namespace th
