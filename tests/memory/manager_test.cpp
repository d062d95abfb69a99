// MessagingManager and MessagingBatchManager: profile, session getters,
// journaling, initialize, and the lifetime of the store.

#include "support/provider_fixture.h"

#include "impl/common/manager_base.h"
#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/messaging_manager.h"
#include "osid/osid_runtime_manager.h"

using namespace osid;
using namespace osid::testing;

namespace {

const Type kUnknownRecord("example.org", "records", "unknown");

// A runtime that hands out nothing: initialize() only needs a reference.
class IdleRuntime final : public impl::ManagerBase<OsidRuntimeManager> {
public:
    IdleRuntime()
        : ManagerBase(impl::ProviderDescription{
              Id("test", "osid.OsidRuntimeManager", "idle"), "idle runtime", "", {}, DateTime()})
    {
    }
    std::shared_ptr<OsidManager> getManager(OSID, const std::string &, const Version &) override
    {
        throw NotFound("this runtime has no providers");
    }
    bool supportsConfiguration() const override { return false; }
};

struct ManagerFixture : ProviderFixture {
    Id defaultMailbox()
    {
        auto mailboxes = collect(manager->getMailboxLookupSession()->getMailboxes());
        REQUIRE(mailboxes.size() == 1);
        return mailboxes[0]->getId();
    }

    // Both managers, as their common OsidManager interface.
    std::vector<OsidManager *> bothManagers() { return {manager.get(), batchManager.get()}; }
};

} // namespace

TEST_SUITE("MessagingManager")
{

    TEST_CASE_FIXTURE(ManagerFixture, "mailboxes have no record types")
    {
        CHECK(collect(manager->getMailboxRecordTypes()).empty());
        CHECK_FALSE(manager->supportsMailboxRecordType(kUnknownRecord));
        CHECK_THROWS_AS(manager->supportsMailboxRecordType(Type()), NullArgument);
    }

    TEST_CASE_FIXTURE(ManagerFixture, "every session getter returns a session bound to the default mailbox")
    {
        const Id defaultId = defaultMailbox();
        CHECK(manager->getMessagingSession()->getMailboxId() == defaultId);
        CHECK(manager->getMessageLookupSession()->getMailboxId() == defaultId);
        CHECK(manager->getMessageAdminSession()->getMailboxId() == defaultId);
        CHECK(batchManager->getMessageBatchAdminSession()->getMailboxId() == defaultId);
        CHECK(manager->getMessagingSession()->getMailbox()->getId() == defaultId);
        CHECK(manager->getMessageLookupSession()->getMailbox()->getId() == defaultId);
        CHECK(manager->getMessageAdminSession()->getMailbox()->getId() == defaultId);
        CHECK(batchManager->getMessageBatchAdminSession()->getMailbox()->getId() == defaultId);
    }

    TEST_CASE("two managers are independent stores")
    {
        auto first = impl::memory::makeMemoryMessagingManager();
        auto second = impl::memory::makeMemoryMessagingManager();
        auto admin = first->getMessageAdminSession();
        const Id message = admin->createMessage(*admin->getMessageFormForCreate({}))->getId();
        auto mailboxAdmin = first->getMailboxAdminSession();
        const Id mailbox = mailboxAdmin->createMailbox(*mailboxAdmin->getMailboxFormForCreate({}))->getId();

        CHECK(collect(first->getMessageLookupSession()->getMessages()).size() == 1);
        CHECK(collect(second->getMessageLookupSession()->getMessages()).empty());
        CHECK_THROWS_AS(second->getMessageLookupSession()->getMessage(message), NotFound);
        CHECK(collect(first->getMailboxLookupSession()->getMailboxes()).size() == 2);
        CHECK(collect(second->getMailboxLookupSession()->getMailboxes()).size() == 1);
        CHECK_THROWS_AS(second->getMessageLookupSessionForMailbox(mailbox), NotFound);
        CHECK_THROWS_AS(second->getMessagingBatchManager()->getMessageBatchAdminSession()->deleteMessage(message),
                        NotFound);
        CHECK(collect(first->getMessageLookupSession()->getMessages()).size() == 1);
    }
}

TEST_SUITE("MessagingBatchManager")
{
    TEST_CASE_FIXTURE(ManagerFixture, "the batch manager supports bulk message admin and federation only")
    {
        CHECK(batchManager->supportsVisibleFederation());
        CHECK(batchManager->supportsMessageBatchAdmin());
        CHECK_FALSE(batchManager->supportsReceiptBatchAdmin());
        CHECK_FALSE(batchManager->supportsMailboxBatchAdmin());
    }
}

TEST_SUITE("OsidManager")
{

    TEST_CASE_FIXTURE(ManagerFixture,
                      "journaling is not supported: its flags are false and branch calls raise Unimplemented")
    {
        for (OsidManager *m : bothManagers()) {
            CHECK_FALSE(m->supportsJournalRollback());
            CHECK_FALSE(m->supportsJournalBranching());
            CHECK_THROWS_AS(m->getBranchId(), Unimplemented);
            CHECK_THROWS_AS(m->changeBranch(Id("example.org", "journal.Branch", "main")), Unimplemented);
        }
    }

    TEST_CASE_FIXTURE(ManagerFixture, "initialize raises IllegalState the second time, for each manager on its own")
    {
        IdleRuntime runtime;
        auto another = impl::memory::makeMemoryMessagingManager();
        CHECK_NOTHROW(manager->initialize(runtime));
        CHECK_THROWS_AS(manager->initialize(runtime), IllegalState);
        CHECK_NOTHROW(batchManager->initialize(runtime));
        CHECK_THROWS_AS(batchManager->initialize(runtime), IllegalState);
        CHECK_NOTHROW(another->initialize(runtime));
    }
}
