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
        : ManagerBase(impl::ProviderDescription{Id("test", "osid.OsidRuntimeManager", "idle"), "idle runtime", "",
                                                {}, DateTime()})
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
    TEST_CASE_FIXTURE(ManagerFixture, "the messaging manager supports every session it hands out")
    {
        CHECK(manager->supportsVisibleFederation());
        CHECK(manager->supportsMessaging());
        CHECK(manager->supportsMessageLookup());
        CHECK(manager->supportsMessageAdmin());
        CHECK(manager->supportsMailboxLookup());
        CHECK(manager->supportsMailboxAdmin());
        CHECK(manager->supportsMessagingBatch());
    }

    TEST_CASE_FIXTURE(ManagerFixture, "getMessageRecordTypes lists the delivery record type, as supportsMessageRecordType confirms")
    {
        auto types = collect(manager->getMessageRecordTypes());
        CHECK(std::find(types.begin(), types.end(), deliveryRecordType()) != types.end());
        CHECK(manager->supportsMessageRecordType(deliveryRecordType()));
        CHECK_FALSE(manager->supportsMessageRecordType(kUnknownRecord));
        CHECK(std::find(types.begin(), types.end(), kUnknownRecord) == types.end());
    }

    TEST_CASE_FIXTURE(ManagerFixture, "supportsMessageRecordType raises NullArgument for the null Type")
    {
        CHECK_THROWS_AS(manager->supportsMessageRecordType(Type()), NullArgument);
    }

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

    TEST_CASE_FIXTURE(ManagerFixture, "the mailbox session getters return working sessions over the same store")
    {
        auto admin = manager->getMailboxAdminSession();
        auto mailboxLookup = manager->getMailboxLookupSession();
        REQUIRE(admin != nullptr);
        REQUIRE(mailboxLookup != nullptr);
        const Id created = admin->createMailbox(*admin->getMailboxFormForCreate({}))->getId();
        CHECK(mailboxLookup->getMailbox(created)->getId() == created);
        CHECK(manager->getMailboxLookupSession()->getMailbox(created)->getId() == created);
    }

    TEST_CASE_FIXTURE(ManagerFixture, "every ForMailbox getter returns a session bound to that mailbox")
    {
        const Id defaultId = defaultMailbox();
        const Id other = newMailbox();
        CHECK(manager->getMessagingSessionForMailbox(other)->getMailboxId() == other);
        CHECK(manager->getMessageLookupSessionForMailbox(other)->getMailboxId() == other);
        CHECK(manager->getMessageAdminSessionForMailbox(other)->getMailboxId() == other);
        CHECK(batchManager->getMessageBatchAdminSessionForMailbox(other)->getMailboxId() == other);
        CHECK(manager->getMessageLookupSessionForMailbox(defaultId)->getMailboxId() == defaultId);
    }

    TEST_CASE_FIXTURE(ManagerFixture, "every ForMailbox getter raises NotFound for an unknown mailbox")
    {
        const Id defaultId = defaultMailbox();
        for (const Id &unknown : {Id("example.org", "messaging.Mailbox", "1"),
                                  Id(defaultId.getAuthority(), defaultId.getIdentifierNamespace(), "99")}) {
            CAPTURE(unknown.toString());
            CHECK_THROWS_AS(manager->getMessagingSessionForMailbox(unknown), NotFound);
            CHECK_THROWS_AS(manager->getMessageLookupSessionForMailbox(unknown), NotFound);
            CHECK_THROWS_AS(manager->getMessageAdminSessionForMailbox(unknown), NotFound);
            CHECK_THROWS_AS(batchManager->getMessageBatchAdminSessionForMailbox(unknown), NotFound);
        }
    }

    TEST_CASE_FIXTURE(ManagerFixture, "every ForMailbox getter raises NullArgument for the null Id")
    {
        CHECK_THROWS_AS(manager->getMessagingSessionForMailbox(Id()), NullArgument);
        CHECK_THROWS_AS(manager->getMessageLookupSessionForMailbox(Id()), NullArgument);
        CHECK_THROWS_AS(manager->getMessageAdminSessionForMailbox(Id()), NullArgument);
        CHECK_THROWS_AS(batchManager->getMessageBatchAdminSessionForMailbox(Id()), NullArgument);
    }

    TEST_CASE_FIXTURE(ManagerFixture, "the batch manager works on the same store as its messaging manager")
    {
        auto ids = importFrom(resource("alice"), 2);
        CHECK(visibleIds() == std::set<Id>(ids.begin(), ids.end()));
        auto admin = manager->getMessageAdminSession();
        const Id drafted = admin->createMessage(*admin->getMessageFormForCreate({}))->getId();
        CHECK(batchManager->getMessageBatchAdminSession()->getMessageFormForUpdate(drafted)->isForUpdate());
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

    TEST_CASE("a session keeps working after its manager's shared_ptr is released")
    {
        auto owner = impl::memory::makeMemoryMessagingManager();
        auto admin = owner->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto reader = owner->getMessageLookupSession();
        auto sender = owner->getMessagingSession();
        auto mailboxes = owner->getMailboxLookupSession();
        std::weak_ptr<messaging::MessagingManager> watch = owner;
        owner.reset();
        REQUIRE(watch.expired());

        auto form = admin->getMessageFormForCreate({});
        form->setSubjectLine("still here");
        const Id id = admin->createMessage(*form)->getId();
        VectorList<IdList> recipients({resource("bob")});
        sender->sendMessage(id, recipients);
        auto message = reader->getMessage(id);
        CHECK(message->getSubjectLine().getText() == "still here");
        CHECK(message->isSent());
        CHECK(collect(mailboxes->getMailboxes()).size() == 1);
    }

    TEST_CASE_FIXTURE(ManagerFixture, "sessions handed out keep working after their manager is closed")
    {
        auto admin = manager->getMessageAdminSession();
        manager->close();
        batchManager->close();
        auto form = admin->getMessageFormForCreate({});
        form->setSubjectLine("after close");
        const Id id = admin->createMessage(*form)->getId();
        CHECK(lookup->getMessage(id)->getSubjectLine().getText() == "after close");
        CHECK(session->getMessageFormForUpdate(id)->isForUpdate());
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
    TEST_CASE_FIXTURE(ManagerFixture, "both managers support OSID 3.0.0 and not 4.0.0")
    {
        for (OsidManager *m : bothManagers()) {
            CHECK(m->supportsOSIDVersion(Version{3, 0, 0}));
            CHECK(m->supportsOSIDVersion(kOsidSpecificationVersion));
            CHECK_FALSE(m->supportsOSIDVersion(Version{4, 0, 0}));
        }
    }

    TEST_CASE_FIXTURE(ManagerFixture, "a manager's Id names the implementation, the same for every instance")
    {
        auto another = impl::memory::makeMemoryMessagingManager();
        CHECK_FALSE(manager->getId().isNull());
        CHECK_FALSE(batchManager->getId().isNull());
        CHECK(another->getId() == manager->getId());
        CHECK(another->getMessagingBatchManager()->getId() == batchManager->getId());
        CHECK_FALSE(manager->getDisplayName().getText().empty());
        CHECK_FALSE(batchManager->getDisplayName().getText().empty());
    }

    TEST_CASE_FIXTURE(ManagerFixture, "both managers work in at least one locale and accept no proxy records")
    {
        for (OsidManager *m : bothManagers()) {
            CHECK_FALSE(m->getLocales().empty());
            CHECK(collect(m->getProxyRecordTypes()).empty());
            CHECK_FALSE(m->supportsProxyRecordType(kUnknownRecord));
            CHECK_THROWS_AS(m->supportsProxyRecordType(Type()), NullArgument);
        }
    }

    TEST_CASE_FIXTURE(ManagerFixture, "journaling is not supported: its flags are false and branch calls raise Unimplemented")
    {
        for (OsidManager *m : bothManagers()) {
            CHECK_FALSE(m->supportsJournalRollback());
            CHECK_FALSE(m->supportsJournalBranching());
            CHECK_THROWS_AS(m->getBranchId(), Unimplemented);
            CHECK_THROWS_AS(m->changeBranch(Id("example.org", "journal.Branch", "main")), Unimplemented);
        }
    }

    TEST_CASE_FIXTURE(ManagerFixture, "changeBranch raises NullArgument for the null Id")
    {
        for (OsidManager *m : bothManagers())
            CHECK_THROWS_AS(m->changeBranch(Id()), NullArgument);
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
