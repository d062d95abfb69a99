// OsidManager::initialize: called once by a runtime; a second call is an
// error.

#include "support/provider_fixture.h"

#include "impl/common/manager_base.h"
#include "osid/osid_runtime_manager.h"

using namespace osid;

namespace {

// The smallest runtime: it hands out one memory manager. Enough to drive
// initialize() until the real runtime exists.
class TestRuntime final : public impl::ManagerBase<OsidRuntimeManager> {
public:
    TestRuntime()
        : ManagerBase(impl::ProviderDescription{Id("test", "osid.OsidRuntimeManager", "1"), "test runtime", "", {},
                                                DateTime()})
    {
    }
    std::shared_ptr<OsidManager> getManager(OSID, const std::string &, const Version &) override
    {
        return impl::memory::makeMemoryMessagingManager();
    }
    bool supportsConfiguration() const override { return false; }
};

} // namespace

TEST_SUITE("OsidManager")
{
    TEST_CASE("initialize succeeds once and raises IllegalState the second time")
    {
        TestRuntime runtime;
        auto manager = runtime.getManager(OSID::MESSAGING, "memory", kOsidSpecificationVersion);
        CHECK_NOTHROW(manager->initialize(runtime));
        CHECK_THROWS_AS(manager->initialize(runtime), IllegalState);
        // The batch manager is a manager of its own, initialized on its own.
        auto batch = std::dynamic_pointer_cast<messaging::MessagingManager>(manager)->getMessagingBatchManager();
        CHECK_NOTHROW(batch->initialize(runtime));
        CHECK_THROWS_AS(batch->initialize(runtime), IllegalState);
    }
}
