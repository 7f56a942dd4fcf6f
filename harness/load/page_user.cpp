#include "load/page_user.hpp"

#include <utility>

#include "load/client_connection.hpp"
#include "load/worker.hpp"

namespace th {

PageUser::PageUser(Worker& worker, std::vector<ClientConnection*> connections)
    : worker_(worker), connections_(std::move(connections)) {
  for (ClientConnection* connection : connections_) connection->page_user = this;
}

void PageUser::requests_finished(unsigned count, bool ok, uint64_t now_ns) {
  outstanding_ -= count;
  if (!ok) failed_ = true;
  // Without its HTML a browser knows no objects: the page has failed, and the requests it
  // would have sent are not spent.
  if (step_ == Step::html && failed_) {
    if (measured_) {
      ++worker_.recorder().pages_failed;
      worker_.return_tickets(worker_.plan().page_objects);
    }
    measured_ = false;
    step_ = Step::between_pages;
    next_page_not_before_ns_ = now_ns + ClientConnection::kBackoffNs;
  } else if (step_ == Step::html) {
    step_ = Step::objects;
  }
  advance(now_ns);
}

void PageUser::advance(uint64_t now_ns) {
  if (advancing_) {
    advance_again_ = true;
    return;
  }
  advancing_ = true;
  do {
    advance_again_ = false;
    advance_once(now_ns);
  } while (advance_again_);
  advancing_ = false;
}

void PageUser::advance_once(uint64_t now_ns) {
  switch (step_) {
    case Step::between_pages:
      return start_page(now_ns);
    case Step::html:
      return;  // its answer moves the page on
    case Step::objects:
      start_objects(now_ns);
      if (outstanding_ == 0 &&
          (next_object_ == worker_.plan().page_objects || worker_.stopping(now_ns))) {
        end_page(now_ns);
      }
      return;
    case Step::over:
      return finish_connections_at_rest();
  }
}

void PageUser::start_page(uint64_t now_ns) {
  if (worker_.stopping(now_ns)) {
    step_ = Step::over;
    return finish_connections_at_rest();
  }
  if (now_ns < next_page_not_before_ns_) return;  // a connection's backoff tick comes back here
  ClientConnection* connection = free_connection();
  if (connection == nullptr) return;  // one is closing or backing off; it reports when free
  const LoadPlan& plan = worker_.plan();
  const bool measured = worker_.measuring(now_ns);
  if (measured && !worker_.claim_tickets(1 + plan.page_objects)) {
    step_ = Step::over;
    return finish_connections_at_rest();
  }
  step_ = Step::html;
  page_start_ns_ = now_ns;
  measured_ = measured;
  failed_ = false;
  next_object_ = 0;
  outstanding_ = 1;
  connection->begin(now_ns, now_ns, measured, 0);
}

// Every connection that can take a request gets the next object: one each, or up to
// pipeline_depth each when pipelined.
void PageUser::start_objects(uint64_t now_ns) {
  if (worker_.stopping(now_ns)) return;
  const uint32_t objects = worker_.plan().page_objects;
  for (ClientConnection* connection : connections_) {
    while (next_object_ < objects && connection->can_take_request()) {
      ++outstanding_;
      connection->begin(now_ns, now_ns, measured_, 1 + next_object_++);
    }
  }
}

// A page cut short by the end of the run is neither loaded nor failed: it is not counted.
void PageUser::end_page(uint64_t now_ns) {
  const bool complete = next_object_ == worker_.plan().page_objects;
  if (measured_ && complete) {
    Recorder& recorder = worker_.recorder();
    if (failed_) {
      ++recorder.pages_failed;
    } else {
      ++recorder.pages_ok;
      recorder.page_load.record(static_cast<int64_t>(now_ns - page_start_ns_));
    }
  }
  measured_ = false;
  step_ = Step::between_pages;
  advance_again_ = true;
}

void PageUser::finish_connections_at_rest() {
  for (ClientConnection* connection : connections_) {
    if (connection->at_rest()) connection->finish();
  }
}

ClientConnection* PageUser::free_connection() const {
  for (ClientConnection* connection : connections_) {
    if (connection->can_take_request()) return connection;
  }
  return nullptr;
}

}  // namespace th
