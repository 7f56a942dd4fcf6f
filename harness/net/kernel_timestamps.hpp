#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace th {

class TransportEvents;

// The kernel's software timestamps of a TCP connection's bytes (SO_TIMESTAMPING,
// Documentation/networking/timestamping.rst): when the last byte of each send left the stack
// for the device, and when each received segment arrived from it. Both are CLOCK_REALTIME.
// Between the two lie the stack, the wire and the peer; outside them, the harness.

// Transmit and receive software timestamps, reported as software; transmit ones keyed by byte
// position (OPT_ID) and without a copy of the packet on the error queue (OPT_TSONLY).
uint32_t software_timestamp_flags();

// SOF_TIMESTAMPING_OPT_ID_TCP (Linux 6.2; Debian 12's headers predate it): keys count from the
// next byte written, not from the first one unacknowledged, which an ACK moves at any time.
constexpr uint32_t kTimestampKeysFromWritten = 1u << 16;

// Sets software_timestamp_flags() (and kTimestampKeysFromWritten where the kernel has it) on a
// connected TCP socket, which the kernel requires for OPT_ID, and reads the flags back: the
// applied flags, or a negative errno.
int64_t enable_software_timestamps(int fd);

// The kernel switches receive timestamping on for the whole host when a first socket asks, but
// later, from a work queue: the first segments a new connection reads could come without one.
// This opens a socket that asks and waits (20 ms at most) until the switch is on; the caller holds
// it open while connections are made. Its descriptor, or -1.
int turn_on_receive_timestamping();

// Turns them off again: a socket left queueing transmit timestamps that nobody reads stays
// readable for the error queue, and its loop would spin.
void disable_software_timestamps(int fd);

// Bytes written to `fd` that the kernel has not had acknowledged yet (SIOCOUTQ), or -1.
int64_t unacknowledged_bytes(int fd);

// recvmsg() into `buffer`, with the receive timestamp of the last segment read (ns since the
// epoch; left alone when none came). The byte count, 0 at the end of stream, or a negative errno.
ssize_t read_with_timestamp(int fd, char* buffer, size_t size, uint64_t* received_realtime_ns);

// Reads every transmit timestamp waiting on the socket's error queue and hands each to
// events.on_transmit_timestamp(key, ns). Returns how many it read.
unsigned drain_transmit_timestamps(int fd, TransportEvents& events);

// CLOCK_REALTIME minus CLOCK_MONOTONIC (uv_hrtime's clock), read between two monotonic reads:
// turns a kernel timestamp into the load generator's clock. Only a step of the wall clock
// changes it; NTP's slewing moves both clocks alike.
int64_t realtime_minus_monotonic_ns();

}  // namespace th
