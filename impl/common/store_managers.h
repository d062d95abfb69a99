// The MessagingManager and MessagingBatchManager every built-in provider
// shares, over the sessions of impl/common (one file per session). A provider
// describes itself and says how a new session gets its store.

#pragma once

#include "impl/common/form_rules.h"
#include "impl/common/message_store.h"
#include "impl/common/session_agent.h"
#include "messaging/messaging_manager.h"

#include <functional>
#include <memory>
#include <string>

namespace osid::impl {

struct StoreProvider {
    // The provider's name ("memory", "sqlite"), in its managers' Ids.
    std::string name;
    std::string displayName;
    std::string description;
    // The store of a new session. A provider may hand every session the
    // same store, or open one per session (a database connection each).
    std::function<std::shared_ptr<MessageStore>()> openStore;
    std::shared_ptr<const FormRules> rules;
    SessionAgent agent;
};

std::shared_ptr<messaging::MessagingManager> makeStoreMessagingManager(StoreProvider provider);

} // namespace osid::impl
