#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace th {

// One negotiated combination and how often each kind of handshake arrived at it. The names are
// copied: a group's name belongs to its SSL_CTX, which is gone when the report is written.
struct TlsNegotiated {
  char version[16] = {};  // "TLSv1.3"
  char cipher[64] = {};   // "TLS_AES_256_GCM_SHA384"; IANA names are at most 49 characters
  char group[32] = {};    // "x25519"
  uint64_t full = 0;
  uint64_t resumed = 0;
};

// The TLS handshakes of client connections opened in the measured window. Counted in a fixed
// table (a run negotiates one or two combinations), so a handshake allocates nothing here.
struct TlsStats {
  static constexpr size_t kMaxCombinations = 8;

  uint64_t full = 0;
  uint64_t resumed = 0;
  uint64_t failed = 0;
  uint64_t early_data_accepted = 0;   // TLS 1.3 0-RTT requests the server took
  uint64_t early_data_rejected = 0;   // and refused: the request went again after the handshake
  uint64_t handshake_bytes_sent = 0;  // records written until each handshake finished
  uint64_t handshake_bytes_received = 0;
  std::array<TlsNegotiated, kMaxCombinations> negotiated{};
  size_t negotiated_count = 0;
  uint64_t beyond_table = 0;  // handshakes of combinations past the table's end (not expected)

  void record(const char* version, const char* cipher, const char* group, bool was_resumed,
              uint64_t bytes_sent, uint64_t bytes_received);
  void merge(const TlsStats& other);

 private:
  TlsNegotiated* find_or_add(const char* version, const char* cipher, const char* group);
};

}  // namespace th
