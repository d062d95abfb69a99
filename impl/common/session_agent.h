// SessionAgent: the agent a provider's sessions act for.

#pragma once

#include "osid/id.h"

namespace osid::impl {

struct SessionAgent {
    // The agent used for authorization.
    Id effectiveAgentId = Id("osid-cpp", "authentication.Agent", "anonymous");
    // Whether that agent was authenticated (isAuthenticated()).
    bool authenticated = false;
};

} // namespace osid::impl
