// The load generator's response parsing (HttpResponseParser) on arbitrary bytes from a server,
// pipelined responses included, with the input split into arbitrary reads and an EOF at the end.
// Its fast path and plain http-parser must agree on every read (parser_lockstep.hpp).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "../parser_lockstep.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto outcome = th::testing::parse_in_lockstep(
      reinterpret_cast<const char*>(data + 1), size - 1, 1 + data[0],
      [](size_t previous) -> size_t { return previous * 7 % 509 + 1; });
  if (!outcome.agreed) {
    std::fprintf(stderr, "fast path and http-parser disagree: %s\n", outcome.difference.c_str());
    std::abort();
  }
  return 0;
}
