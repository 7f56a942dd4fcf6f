#include <cstdint>
#include <string>

#include "scenario/fields.hpp"

namespace th::scenario_detail {

using nlohmann::json;

namespace {

// A page of more objects than this is no page a browser loads; the cap keeps the prebuilt
// requests small.
constexpr int64_t kMaxPageObjects = 1000;

}  // namespace

bool is_request_path(std::string_view path) {
  return path.starts_with('/') && !has_space_or_control(path);
}

PageWorkload read_page(const Checks& c, const json& v, const std::string& p) {
  c.object(v, p);
  PageWorkload page;
  bool has_objects = false;
  for (const auto& [key, item] : v.items()) {
    const std::string item_pointer = p + "/" + pointer_token(key);
    if (key == "objects") {
      page.objects = static_cast<uint32_t>(c.integer(item, item_pointer, 0, kMaxPageObjects));
      has_objects = true;
    } else if (key == "sizes") {
      c.array(item, item_pointer);
      if (item.empty()) c.fail(item_pointer, "must list at least one size", item);
      for (std::size_t i = 0; i < item.size(); ++i) {
        page.sizes.push_back(static_cast<uint32_t>(
            c.integer(item[i], item_pointer + "/" + std::to_string(i), 0, 1 << 30)));
      }
    } else if (key == "paths") {
      c.array(item, item_pointer);
      if (item.empty() || item.size() > kMaxPageObjects) {
        c.fail(item_pointer, "must list from 1 to " + std::to_string(kMaxPageObjects) + " paths",
               item);
      }
      for (std::size_t i = 0; i < item.size(); ++i) {
        const std::string path_pointer = item_pointer + "/" + std::to_string(i);
        page.paths.push_back(c.string(item[i], path_pointer));
        if (!is_request_path(page.paths.back())) {
          c.fail(path_pointer, "must start with \"/\" and have no spaces or control characters",
                 item[i]);
        }
      }
    } else {
      c.unknown_key(item_pointer, {"objects", "sizes", "paths"});
    }
  }
  if (!page.paths.empty()) {
    if (has_objects || !page.sizes.empty()) {
      c.fail(p,
             "give either paths (a foreign server's objects) or objects and sizes "
             "(/bytes/N on the embedded server), not both");
    }
    page.objects = static_cast<uint32_t>(page.paths.size());
  } else if (!has_objects || page.sizes.empty()) {
    c.fail(p, "needs objects and sizes ({\"objects\": 10, \"sizes\": [2048, 16384]}) or paths");
  }
  return page;
}

void check_page_rules(const Checks& checks, const Scenario& scenario) {
  if (scenario.connection == ConnectionModel::parallel && !scenario.page) {
    checks.fail("/connection",
                "parallel loads a page's objects over several connections at once, so it needs "
                "page ({\"objects\": 10, \"sizes\": [2048, 16384]})");
  }
  if (!scenario.page) return;
  if (scenario.protocol != Protocol::http) {
    checks.fail("/page", "a page is a set of HTTP objects: it needs protocol http");
  }
  const uint64_t page_requests = 1 + uint64_t{scenario.page->objects};
  if (scenario.requests && *scenario.requests < page_requests) {
    checks.fail("/requests", "counts whole pages: a page here is " + std::to_string(page_requests) +
                                 " requests (its HTML and " +
                                 std::to_string(scenario.page->objects) +
                                 " objects), so at least that many");
  }
  if (scenario.rate) {
    checks.fail("/rate",
                "page loads run closed loop (each user loads its next page when the "
                "last one is complete); remove rate or page");
  }
}

}  // namespace th::scenario_detail
