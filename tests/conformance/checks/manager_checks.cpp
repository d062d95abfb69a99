// MessagingManager and MessagingBatchManager: the profile, the session
// getters (plain and ForMailbox) and what sessions do when their manager
// is released or closed.

#include "checks.h"

namespace osid::conformance {

namespace {

const Type kUnknownRecord("example.org", "records", "unknown");

struct ManagerFixture {
    Fixture &f;
    // Both managers, as their common OsidManager interface.
    std::vector<OsidManager *> bothManagers() { return {f.manager.get(), f.batchManager.get()}; }
};

} // namespace

void addManagerChecks(Suite &suite)
{
    auto add = suite.area("managers",
                          {Feature::MessageBatchAdmin, Feature::MessageLookup, Feature::MessageAdmin,
                           Feature::Messaging, Feature::MailboxLookup, Feature::MailboxAdmin, Feature::DeliveryRecord});

    add("the messaging manager supports every session it hands out", [](Fixture &f) {
        EXPECT(f.manager->supportsVisibleFederation());
        EXPECT(f.manager->supportsMessaging());
        EXPECT(f.manager->supportsMessageLookup());
        EXPECT(f.manager->supportsMessageAdmin());
        EXPECT(f.manager->supportsMailboxLookup());
        EXPECT(f.manager->supportsMailboxAdmin());
        EXPECT(f.manager->supportsMessagingBatch());
    });

    add("getMessageRecordTypes lists the delivery record type, as supportsMessageRecordType confirms", [](Fixture &f) {
        auto types = collect(f.manager->getMessageRecordTypes());
        EXPECT(std::find(types.begin(), types.end(), deliveryRecordType()) != types.end());
        EXPECT(f.manager->supportsMessageRecordType(deliveryRecordType()));
        EXPECT_FALSE(f.manager->supportsMessageRecordType(kUnknownRecord));
        EXPECT_EQ(std::find(types.begin(), types.end(), kUnknownRecord), types.end());
    });

    add("supportsMessageRecordType raises NullArgument for the null Type",
        [](Fixture &f) { EXPECT_THROWS(NullArgument, f.manager->supportsMessageRecordType(Type())); });

    add("the mailbox session getters return working sessions over the same store",
        {Feature::MailboxAdmin, Feature::MailboxLookup}, [](Fixture &f) {
            auto admin = f.manager->getMailboxAdminSession();
            auto mailboxLookup = f.manager->getMailboxLookupSession();
            EXPECT(admin != nullptr);
            EXPECT(mailboxLookup != nullptr);
            const Id created = admin->createMailbox(*admin->getMailboxFormForCreate({}))->getId();
            EXPECT_EQ(mailboxLookup->getMailbox(created)->getId(), created);
            EXPECT_EQ(f.manager->getMailboxLookupSession()->getMailbox(created)->getId(), created);
        });

    add("every ForMailbox getter returns a session bound to that mailbox", {Feature::MailboxAdmin}, [](Fixture &f) {
        const Id defaultId = f.manager->getMessageLookupSession()->getMailboxId();
        const Id other = f.newMailbox();
        EXPECT_EQ(f.manager->getMessagingSessionForMailbox(other)->getMailboxId(), other);
        EXPECT_EQ(f.manager->getMessageLookupSessionForMailbox(other)->getMailboxId(), other);
        EXPECT_EQ(f.manager->getMessageAdminSessionForMailbox(other)->getMailboxId(), other);
        EXPECT_EQ(f.batchManager->getMessageBatchAdminSessionForMailbox(other)->getMailboxId(), other);
        EXPECT_EQ(f.manager->getMessageLookupSessionForMailbox(defaultId)->getMailboxId(), defaultId);
    });

    add("every ForMailbox getter raises NotFound for an unknown mailbox", [](Fixture &f) {
        const Id defaultId = f.manager->getMessageLookupSession()->getMailboxId();
        for (const Id &unknown :
             {Id("example.org", "messaging.Mailbox", "1"),
              Id(defaultId.getAuthority(), defaultId.getIdentifierNamespace(), unknownId("mailbox").getIdentifier())}) {
            EXPECT_THROWS(NotFound, f.manager->getMessagingSessionForMailbox(unknown));
            EXPECT_THROWS(NotFound, f.manager->getMessageLookupSessionForMailbox(unknown));
            EXPECT_THROWS(NotFound, f.manager->getMessageAdminSessionForMailbox(unknown));
            EXPECT_THROWS(NotFound, f.batchManager->getMessageBatchAdminSessionForMailbox(unknown));
        }
    });

    add("every ForMailbox getter raises NullArgument for the null Id", [](Fixture &f) {
        EXPECT_THROWS(NullArgument, f.manager->getMessagingSessionForMailbox(Id()));
        EXPECT_THROWS(NullArgument, f.manager->getMessageLookupSessionForMailbox(Id()));
        EXPECT_THROWS(NullArgument, f.manager->getMessageAdminSessionForMailbox(Id()));
        EXPECT_THROWS(NullArgument, f.batchManager->getMessageBatchAdminSessionForMailbox(Id()));
    });

    add("the batch manager works on the same store as its messaging manager", [](Fixture &f) {
        auto ids = f.importFrom(resource("alice"), 2);
        EXPECT_EQ(f.visibleIds(), std::set<Id>(ids.begin(), ids.end()));
        auto admin = f.manager->getMessageAdminSession();
        const Id drafted = admin->createMessage(*admin->getMessageFormForCreate({}))->getId();
        EXPECT(f.batchManager->getMessageBatchAdminSession()->getMessageFormForUpdate(drafted)->isForUpdate());
    });

    add("a session keeps working after its manager's shared_ptr is released", [](Fixture &f) {
        auto owner = f.newManager();
        auto admin = owner->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto reader = owner->getMessageLookupSession();
        auto sender = owner->getMessagingSession();
        auto mailboxes = owner->getMailboxLookupSession();
        owner.reset();

        auto form = admin->getMessageFormForCreate({});
        form->setSubjectLine("still here");
        const Id id = admin->createMessage(*form)->getId();
        VectorList<IdList> recipients({resource("bob")});
        sender->sendMessage(id, recipients);
        auto message = reader->getMessage(id);
        EXPECT_EQ(message->getSubjectLine().getText(), "still here");
        EXPECT(message->isSent());
        const Id defaultMailbox = reader->getMailboxId();
        EXPECT(idSet(mailboxes->getMailboxes()).count(defaultMailbox) == 1);
    });

    add("sessions handed out keep working after their manager is closed", [](Fixture &f) {
        auto admin = f.manager->getMessageAdminSessionForMailbox(f.mailboxId);
        f.manager->close();
        f.batchManager->close();
        auto form = admin->getMessageFormForCreate({});
        form->setSubjectLine("after close");
        const Id id = admin->createMessage(*form)->getId();
        EXPECT_EQ(f.lookup->getMessage(id)->getSubjectLine().getText(), "after close");
        EXPECT(f.session->getMessageFormForUpdate(id)->isForUpdate());
    });

    add("both managers support OSID 3.0.0 and not 4.0.0", [](Fixture &f) {
        ManagerFixture x{f};
        for (OsidManager *m : x.bothManagers()) {
            EXPECT(m->supportsOSIDVersion(Version{3, 0, 0}));
            EXPECT(m->supportsOSIDVersion(kOsidSpecificationVersion));
            EXPECT_FALSE(m->supportsOSIDVersion(Version{4, 0, 0}));
        }
    });

    add("a manager's Id names the implementation, the same for every instance", [](Fixture &f) {
        auto another = f.newManager();
        EXPECT_FALSE(f.manager->getId().isNull());
        EXPECT_FALSE(f.batchManager->getId().isNull());
        EXPECT_EQ(another->getId(), f.manager->getId());
        EXPECT_EQ(another->getMessagingBatchManager()->getId(), f.batchManager->getId());
        EXPECT_FALSE(f.manager->getDisplayName().getText().empty());
        EXPECT_FALSE(f.batchManager->getDisplayName().getText().empty());
    });

    add("both managers work in at least one locale and accept no proxy records", [](Fixture &f) {
        ManagerFixture x{f};
        for (OsidManager *m : x.bothManagers()) {
            EXPECT_FALSE(m->getLocales().empty());
            EXPECT(collect(m->getProxyRecordTypes()).empty());
            EXPECT_FALSE(m->supportsProxyRecordType(kUnknownRecord));
            EXPECT_THROWS(NullArgument, m->supportsProxyRecordType(Type()));
        }
    });

    add("changeBranch raises NullArgument for the null Id", [](Fixture &f) {
        ManagerFixture x{f};
        for (OsidManager *m : x.bothManagers())
            EXPECT_THROWS(NullArgument, m->changeBranch(Id()));
    });
}

} // namespace osid::conformance
