// The memory provider: one MemoryStore shared by every session, under the
// shared managers and sessions.

#include "impl/memory/memory_provider.h"

#include "impl/common/store_managers.h"
#include "impl/memory/memory_store.h"
#include "runtime/provider_configuration.h"

#include <fmt/format.h>

namespace osid::impl::memory {

std::shared_ptr<messaging::MessagingManager> makeMemoryMessagingManager(MemoryProviderOptions options)
{
    auto store = std::make_shared<MemoryStore>(options.authority);
    return makeStoreMessagingManager(
        StoreProvider{"memory", "In-memory", "The reference provider: every message lives in this process.",
                      [store] { return store; }, std::make_shared<FormRules>(std::move(options.formRules)),
                      std::move(options.agent)});
}

MemoryProviderOptions memoryProviderOptions(const std::string &configuration)
{
    const runtime::ProviderConfiguration config("memory", configuration, {"authority", "agent"});
    MemoryProviderOptions options;
    if (auto authority = config.get("authority")) {
        if (authority->empty())
            throw ConfigurationError("provider memory: bad configuration: authority is empty");
        options.authority = *authority;
    }
    if (auto agent = config.get("agent")) {
        try {
            options.agent.effectiveAgentId = Id::parse(*agent);
        } catch (const OsidException &e) {
            throw ConfigurationError(fmt::format("provider memory: bad configuration: agent: {}", e.what()));
        }
    }
    return options;
}

} // namespace osid::impl::memory
