#pragma once

#include <string>

#include "base/run_parameters.hpp"
#include "load/load_plan.hpp"

namespace th {

// Builds every request the run sends (the scenario's, and a page's objects) into plan.requests
// or plan.payload, with the writes each goes out in. Called once, before any worker starts.
void build_requests(LoadPlan& plan, const Scenario& scenario, const std::string& host_header);

// The request path of a page's object: one of page.paths, or /bytes/N for the embedded server.
std::string page_object_path(const PageWorkload& page, uint32_t object);

}  // namespace th
