#pragma once

#include <cstdint>
#include <vector>

namespace th {

class ClientConnection;
class Worker;

// One virtual user loading a page again and again, as a browser does: the HTML first, then,
// once it has arrived, the page's objects over the user's own connections (one connection for
// per_request, keep_alive and pipelined; parallel_connections for parallel). Closed loop: the
// next page starts when the last one is complete.
//
// Connections report to it when a request ends and when they are free again; those reports can
// arrive while it is itself starting a request (a connect that fails at once), so all its
// decisions are made in advance(), which never runs inside itself.
class PageUser {
 public:
  PageUser(Worker& worker, std::vector<ClientConnection*> connections);

  void connection_free(uint64_t now_ns) { advance(now_ns); }
  // The worker's periodic check: starts the next page once a failed one's backoff is over.
  void tick(uint64_t now_ns) {
    if (step_ == Step::between_pages && next_page_not_before_ns_ != 0) advance(now_ns);
  }
  void requests_finished(unsigned count, bool ok, uint64_t now_ns);

 private:
  enum class Step { between_pages, html, objects, over };

  void advance(uint64_t now_ns);
  void advance_once(uint64_t now_ns);
  void start_page(uint64_t now_ns);
  void start_objects(uint64_t now_ns);
  void end_page(uint64_t now_ns);
  void finish_connections_at_rest();
  ClientConnection* free_connection() const;

  Worker& worker_;
  std::vector<ClientConnection*> connections_;
  Step step_ = Step::between_pages;
  bool advancing_ = false;
  bool advance_again_ = false;
  // The page being loaded.
  uint64_t page_start_ns_ = 0;
  bool measured_ = false;
  bool failed_ = false;
  uint32_t next_object_ = 0;
  uint32_t outstanding_ = 0;  // requests begun and not yet answered or failed
  // After a failed HTML the next page waits as a failed connection does, so a user with several
  // connections (parallel) cannot retry a dead server faster than one with a single connection.
  uint64_t next_page_not_before_ns_ = 0;
};

}  // namespace th
