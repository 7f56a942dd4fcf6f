#pragma once

#include <gtest/gtest.h>

#include "host/network_namespace.hpp"

// A test that builds a shaped link (a network namespace, veth pairs, tc) is skipped, saying what
// is missing, where the process lacks CAP_NET_ADMIN and CAP_SYS_ADMIN.
#define SKIP_WITHOUT_LINK_CAPABILITIES()                                                      \
  if (!::th::missing_link_capabilities().empty()) {                                           \
    GTEST_SKIP() << "a shaped link needs " << ::th::missing_link_capabilities() << " (root)"; \
  }
