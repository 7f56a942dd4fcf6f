#include "stats/tls_stats.hpp"

#include <cstring>

namespace th {
namespace {

template <size_t N>
void copy_name(char (&to)[N], const char* from) {
  std::strncpy(to, from, N - 1);
  to[N - 1] = '\0';
}

template <size_t N>
bool same_name(const char (&ours)[N], const char* theirs) {
  return std::strncmp(ours, theirs, N - 1) == 0;
}

}  // namespace

TlsNegotiated* TlsStats::find_or_add(const char* version, const char* cipher, const char* group) {
  for (size_t index = 0; index < negotiated_count; ++index) {
    TlsNegotiated& entry = negotiated[index];
    if (same_name(entry.version, version) && same_name(entry.cipher, cipher) &&
        same_name(entry.group, group)) {
      return &entry;
    }
  }
  if (negotiated_count == kMaxCombinations) return nullptr;
  TlsNegotiated& entry = negotiated[negotiated_count++];
  copy_name(entry.version, version);
  copy_name(entry.cipher, cipher);
  copy_name(entry.group, group);
  return &entry;
}

void TlsStats::record(const char* version, const char* cipher, const char* group, bool was_resumed,
                      uint64_t bytes_sent, uint64_t bytes_received) {
  ++(was_resumed ? resumed : full);
  handshake_bytes_sent += bytes_sent;
  handshake_bytes_received += bytes_received;
  TlsNegotiated* entry = find_or_add(version, cipher, group);
  if (entry == nullptr) {
    ++beyond_table;
    return;
  }
  ++(was_resumed ? entry->resumed : entry->full);
}

void TlsStats::merge(const TlsStats& other) {
  full += other.full;
  resumed += other.resumed;
  failed += other.failed;
  early_data_accepted += other.early_data_accepted;
  early_data_rejected += other.early_data_rejected;
  handshake_bytes_sent += other.handshake_bytes_sent;
  handshake_bytes_received += other.handshake_bytes_received;
  beyond_table += other.beyond_table;
  for (size_t index = 0; index < other.negotiated_count; ++index) {
    const TlsNegotiated& theirs = other.negotiated[index];
    TlsNegotiated* ours = find_or_add(theirs.version, theirs.cipher, theirs.group);
    if (ours == nullptr) {
      beyond_table += theirs.full + theirs.resumed;
      continue;
    }
    ours->full += theirs.full;
    ours->resumed += theirs.resumed;
  }
}

}  // namespace th
