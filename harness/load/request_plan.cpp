#include "load/request_plan.hpp"

#include <fmt/format.h>

#include "proto/http_request.hpp"

namespace th {
namespace {

uv_buf_t buffer_of(const std::string& bytes, size_t offset, size_t length) {
  return uv_buf_init(const_cast<char*>(bytes.data()) + offset, static_cast<unsigned>(length));
}

// Splits one http request into the writes the pattern asks for.
void plan_http_writes(LoadPlan::PreparedRequest& request, bool split) {
  request.bytes = request.head.size() + request.body.size();
  const uv_buf_t head = buffer_of(request.head, 0, request.head.size());
  const uv_buf_t body = buffer_of(request.body, 0, request.body.size());
  if (request.body.empty()) {
    request.writes[0] = {{head}, 1};
    request.write_count = 1;
  } else if (split) {
    request.writes[0] = {{head}, 1};
    request.writes[1] = {{body}, 1};
    request.write_count = 2;
  } else {
    request.writes[0] = {{head, body}, 2};
    request.write_count = 1;
  }
}

// An echo message split in two halves makes the same Nagle trap as an http head and body.
void plan_payload_writes(LoadPlan::PreparedRequest& request, const std::string& payload,
                         bool split) {
  request.bytes = payload.size();
  const size_t half = payload.size() / 2;
  if (split && half > 0) {
    request.writes[0] = {{buffer_of(payload, 0, half)}, 1};
    request.writes[1] = {{buffer_of(payload, half, payload.size() - half)}, 1};
    request.write_count = 2;
  } else {
    request.writes[0] = {{buffer_of(payload, 0, payload.size())}, 1};
    request.write_count = 1;
  }
}

}  // namespace

std::string page_object_path(const PageWorkload& page, uint32_t object) {
  if (!page.paths.empty()) return page.paths[object % page.paths.size()];
  return fmt::format("/bytes/{}", page.sizes[object % page.sizes.size()]);
}

void build_requests(LoadPlan& plan, const Scenario& scenario, const std::string& host_header) {
  const bool split = scenario.write_pattern == WritePattern::split;
  if (scenario.protocol != Protocol::http) {
    plan.payload = build_payload(scenario.request_size);
    plan.requests.resize(1);
    // A stream sends its chunk whole: splitting is about request/response exchanges.
    plan_payload_writes(plan.requests[0], plan.payload,
                        split && scenario.protocol == Protocol::echo);
    return;
  }
  // A per_request client that closes first asks the server to keep the connection, so the
  // server's side closes second (and holds no TIME_WAIT).
  const bool keep_alive = !plan.one_request_per_connection || !plan.server_closes_first;
  const uint32_t objects = scenario.page ? scenario.page->objects : 0;
  plan.requests.resize(1 + objects);  // sized once: the buffers below point into these strings
  HttpRequestBytes html =
      build_http_request(host_header, scenario.path, scenario.request_size, keep_alive);
  plan.requests[0].head = std::move(html.header);
  plan.requests[0].body = std::move(html.body);
  for (uint32_t object = 0; object < objects; ++object) {
    HttpRequestBytes get =
        build_http_request(host_header, page_object_path(*scenario.page, object), 0, keep_alive);
    plan.requests[1 + object].head = std::move(get.header);
  }
  for (LoadPlan::PreparedRequest& request : plan.requests) plan_http_writes(request, split);
}

}  // namespace th
