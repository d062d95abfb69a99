// osid::authentication::Agent (OSID osid.authentication.Agent): the entity
// that calls a service, the subject of authorization. Sessions report the
// agent they act for through getEffectiveAgentId()/getEffectiveAgent().

#pragma once

#include "osid/osid_object.h"

namespace osid::authentication {

class Agent : public OsidObject {};

} // namespace osid::authentication
