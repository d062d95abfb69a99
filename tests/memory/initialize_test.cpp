// OsidManager::initialize on the memory provider's managers: once, by the
// runtime that made them; a second call is an error.

#include "runtime/provider_runtime.h"

#include "messaging/batch/messaging_batch_manager.h"

#include <doctest/doctest.h>

using namespace osid;

TEST_SUITE("OsidManager")
{
    TEST_CASE("a memory manager from the runtime is initialized, and initializing it again raises IllegalState")
    {
        auto runtime = runtime::makeProviderRuntime(runtime::RuntimeOptions{{}, false});
        auto manager = runtime::getMessagingManager(*runtime, "memory");
        CHECK_THROWS_AS(manager->initialize(*runtime), IllegalState);
        // The batch manager is a manager of its own, initialized on its own.
        auto batch = manager->getMessagingBatchManager();
        CHECK_NOTHROW(batch->initialize(*runtime));
        CHECK_THROWS_AS(batch->initialize(*runtime), IllegalState);
    }
}
