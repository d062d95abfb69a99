// The in-memory reference provider of the messaging OSID.
//
// Everything lives in the process and disappears with the manager. It
// implements every interface of messaging and messaging.batch mirrored
// here, with the delivery record, and is the behaviour other providers are
// measured against by the conformance suite.
//
// Thread-safety: the manager is thread-safe; sessions over one manager may
// be used on different threads at once (one thread per session). Each call
// takes a store-wide reader or writer lock, so every bulk call is applied
// all at once as far as other sessions can see.
//
// Example:
//   auto manager = osid::impl::memory::makeMemoryMessagingManager();
//   auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();

#pragma once

#include "impl/common/form_rules.h"
#include "impl/common/session_agent.h"
#include "messaging/messaging_manager.h"

#include <memory>
#include <string>

namespace osid::impl::memory {

struct MemoryProviderOptions {
    // The authority of every Id the store issues.
    std::string authority = "memory.osid-cpp";
    // The limits of form elements, published as Metadata.
    FormRules formRules;
    // The agent sessions act for.
    SessionAgent agent;
};

// A new, empty store with its default mailbox, and the manager over it.
std::shared_ptr<messaging::MessagingManager> makeMemoryMessagingManager(MemoryProviderOptions options = {});

// The options a runtime configuration names: "authority=TEXT,agent=ID",
// both optional (ProviderRuntime's "memory:authority=x.org,agent=...").
// Errors: ConfigurationError (an unknown key, an empty authority, an agent
//         that is not an Id in its text form).
MemoryProviderOptions memoryProviderOptions(const std::string &configuration);

} // namespace osid::impl::memory
