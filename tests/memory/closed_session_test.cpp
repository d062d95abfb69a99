// After close(), every method of every session raises IllegalState, and
// close() itself may be called again.
//
// Each call below is given arguments that would succeed on an open
// session, so IllegalState can only come from the closed state.

#include "support/provider_fixture.h"

#include "messaging/mailbox_admin_session.h"
#include "messaging/mailbox_lookup_session.h"
#include "messaging/message_lookup_session.h"
#include "messaging/messaging_session.h"
#include "transaction/transaction.h"

using namespace osid;
using namespace osid::testing;

namespace {

// An authenticated agent, so that getAuthenticatedAgentId() succeeds while
// the session is open (for the anonymous agent it raises IllegalState
// anyway).
std::shared_ptr<messaging::MessagingManager> authenticatedManager()
{
    impl::memory::MemoryProviderOptions options;
    options.agent.effectiveAgentId = Id("test.example.org", "authentication.Agent", "tester");
    options.agent.authenticated = true;
    return impl::memory::makeMemoryMessagingManager(options);
}

struct ClosedFixture {
    std::shared_ptr<messaging::MessagingManager> manager = authenticatedManager();
    std::unique_ptr<messaging::batch::MessageBatchAdminSession> admin =
        manager->getMessagingBatchManager()->getMessageBatchAdminSession();
    std::unique_ptr<messaging::MessageLookupSession> lookup = manager->getMessageLookupSession();
    std::unique_ptr<messaging::MessagingSession> messaging = manager->getMessagingSession();
    std::unique_ptr<messaging::MailboxLookupSession> mailboxLookup = manager->getMailboxLookupSession();
    std::unique_ptr<messaging::MailboxAdminSession> mailboxAdmin = manager->getMailboxAdminSession();

    // A sent message from alice to bob, sent and received at(0).
    Id imported()
    {
        auto form = admin->getMessageFormForCreate({deliveryRecordType()});
        form->setSubjectLine("imported");
        form->setGenusType(Type("example.org", "genus", "memo"));
        deliveryFormRecord(*form).setSender(resource("alice"));
        deliveryFormRecord(*form).setSentTime(at(0));
        deliveryFormRecord(*form).setRecipients({resource("bob")});
        return admin->createMessage(*form)->getId();
    }

    Id draft()
    {
        auto form = admin->getMessageFormForCreate({});
        form->setSubjectLine("draft");
        return admin->createMessage(*form)->getId();
    }

    // What an independent, open session sees.
    std::set<Id> storedIds()
    {
        std::set<Id> ids;
        for (const auto &m : manager->getMessageLookupSession()->getMessages())
            ids.insert(m->getId());
        return ids;
    }
};

// The OsidSession methods, on a session that is already closed.
void checkOsidSessionMethodsClosed(OsidSession &s)
{
    CHECK_THROWS_AS(s.getLocale(), IllegalState);
    CHECK_THROWS_AS(s.isAuthenticated(), IllegalState);
    CHECK_THROWS_AS(s.getAuthenticatedAgentId(), IllegalState);
    CHECK_THROWS_AS(s.getAuthenticatedAgent(), IllegalState);
    CHECK_THROWS_AS(s.getEffectiveAgentId(), IllegalState);
    CHECK_THROWS_AS(s.getEffectiveAgent(), IllegalState);
    CHECK_THROWS_AS(s.getDate(), IllegalState);
    CHECK_THROWS_AS(s.getClockRate(), IllegalState);
    CHECK_THROWS_AS(s.getFormatType(), IllegalState);
    CHECK_THROWS_AS(s.supportsTransactions(), IllegalState);
    CHECK_THROWS_AS(s.startTransaction(), IllegalState);
}

// The OsidSession methods answer while the session is open.
void checkOsidSessionMethodsOpen(OsidSession &s)
{
    CHECK_NOTHROW(s.getLocale());
    CHECK(s.isAuthenticated());
    CHECK(s.getAuthenticatedAgentId() == Id("test.example.org", "authentication.Agent", "tester"));
    CHECK(s.getAuthenticatedAgent()->getId() == s.getAuthenticatedAgentId());
    CHECK(s.getEffectiveAgentId() == s.getAuthenticatedAgentId());
    CHECK(s.getEffectiveAgent()->getId() == s.getEffectiveAgentId());
    CHECK_NOTHROW(s.getDate());
    CHECK_NOTHROW(s.getClockRate());
    CHECK_NOTHROW(s.getFormatType());
    CHECK_FALSE(s.supportsTransactions());
    CHECK_THROWS_AS(s.startTransaction(), Unsupported);
}

} // namespace

TEST_SUITE("closed sessions")
{
    TEST_CASE_FIXTURE(ClosedFixture, "the OsidSession methods answer while a session is open")
    {
        for (OsidSession *s : std::vector<OsidSession *>{admin.get(), lookup.get(), messaging.get(),
                                                        mailboxLookup.get(), mailboxAdmin.get()})
            checkOsidSessionMethodsOpen(*s);
    }

    TEST_CASE_FIXTURE(ClosedFixture, "every MessageBatchAdminSession method raises IllegalState after close")
    {
        const Id id = imported();
        const Id alias("legacy.example.org", "mail", "1");
        auto createForm = admin->getMessageFormForCreate({});
        createForm->setSubjectLine("never created");
        auto updateForm = admin->getMessageFormForUpdate(id);
        updateForm->setSubjectLine("never updated");
        VectorList<MessageBatchFormList> createForms(collect(admin->getMessageFormsForCreate(1, {})));
        VectorList<IdList> updateIds({id});
        VectorList<MessageBatchFormList> updateForms(collect(admin->getMessageFormsForUpdate(updateIds)));
        VectorList<IdList> moreUpdateIds({id});
        VectorList<AliasRequestList> aliasRequests({AliasRequest(id, alias)});
        REQUIRE(createForm->isValid());
        REQUIRE(updateForm->isValid());

        admin->close();

        checkOsidSessionMethodsClosed(*admin);
        // MessageAdminSession.
        CHECK_THROWS_AS(admin->getMailboxId(), IllegalState);
        CHECK_THROWS_AS(admin->getMailbox(), IllegalState);
        CHECK_THROWS_AS(admin->canCreateMessages(), IllegalState);
        CHECK_THROWS_AS(admin->canCreateMessageWithRecordTypes({}), IllegalState);
        CHECK_THROWS_AS(admin->getMessageFormForCreate({}), IllegalState);
        CHECK_THROWS_AS(admin->createMessage(*createForm), IllegalState);
        CHECK_THROWS_AS(admin->canUpdateMessages(), IllegalState);
        CHECK_THROWS_AS(admin->getMessageFormForUpdate(id), IllegalState);
        CHECK_THROWS_AS(admin->updateMessage(*updateForm), IllegalState);
        CHECK_THROWS_AS(admin->canDeleteMessages(), IllegalState);
        CHECK_THROWS_AS(admin->deleteMessage(id), IllegalState);
        CHECK_THROWS_AS(admin->canManageMessageAliases(), IllegalState);
        CHECK_THROWS_AS(admin->aliasMessage(id, alias), IllegalState);
        // MessageBatchAdminSession.
        CHECK_THROWS_AS(admin->getMessageFormsForCreate(1, {}), IllegalState);
        CHECK_THROWS_AS(admin->createMessages(createForms), IllegalState);
        CHECK_THROWS_AS(admin->getMessageFormsForUpdate(moreUpdateIds), IllegalState);
        CHECK_THROWS_AS(admin->updateMessages(updateForms), IllegalState);
        CHECK_THROWS_AS(admin->deleteAllMessages(), IllegalState);
        CHECK_THROWS_AS(admin->deleteMessagesBySender(resource("alice")), IllegalState);
        CHECK_THROWS_AS(admin->deleteMessagesByDate(at(0), at(0)), IllegalState);
        CHECK_THROWS_AS(admin->aliasMessages(aliasRequests), IllegalState);

        // Nothing was created, changed, deleted or aliased.
        CHECK(storedIds() == std::set<Id>{id});
        CHECK(lookup->getMessage(id)->getSubjectLine().getText() == "imported");
        CHECK_THROWS_AS(lookup->getMessage(alias), NotFound);
    }

    TEST_CASE_FIXTURE(ClosedFixture, "every MessageLookupSession method raises IllegalState after close")
    {
        const Id id = imported();
        const Type genus("example.org", "genus", "memo");
        VectorList<IdList> ids({id});
        lookup->close();

        checkOsidSessionMethodsClosed(*lookup);
        CHECK_THROWS_AS(lookup->getMailboxId(), IllegalState);
        CHECK_THROWS_AS(lookup->getMailbox(), IllegalState);
        CHECK_THROWS_AS(lookup->canLookupMessages(), IllegalState);
        CHECK_THROWS_AS(lookup->useComparativeMessageView(), IllegalState);
        CHECK_THROWS_AS(lookup->usePlenaryMessageView(), IllegalState);
        CHECK_THROWS_AS(lookup->useFederatedMailboxView(), IllegalState);
        CHECK_THROWS_AS(lookup->useIsolatedMailboxView(), IllegalState);
        CHECK_THROWS_AS(lookup->getMessage(id), IllegalState);
        CHECK_THROWS_AS(lookup->getMessagesByIds(ids), IllegalState);
        CHECK_THROWS_AS(lookup->getMessagesByGenusType(genus), IllegalState);
        CHECK_THROWS_AS(lookup->getMessagesByRecordType(deliveryRecordType()), IllegalState);
        CHECK_THROWS_AS(lookup->getMessagesBySentTime(at(0), at(0)), IllegalState);
        CHECK_THROWS_AS(lookup->getMessagesFromSender(resource("alice")), IllegalState);
        CHECK_THROWS_AS(lookup->getMessagesBySentTimeFromSender(resource("alice"), at(0), at(0)), IllegalState);
        CHECK_THROWS_AS(lookup->getMessagesForRecipient(resource("bob")), IllegalState);
        CHECK_THROWS_AS(lookup->getMessagesByReceivedTimeForRecipient(resource("bob"), at(0), at(0)), IllegalState);
        CHECK_THROWS_AS(lookup->getMessagesFromSenderForRecipient(resource("alice"), resource("bob")), IllegalState);
        CHECK_THROWS_AS(lookup->getMessages(), IllegalState);
    }

    TEST_CASE_FIXTURE(ClosedFixture, "every MessagingSession method raises IllegalState after close")
    {
        const Id id = draft();
        VectorList<IdList> recipients({resource("bob")});
        messaging->close();

        checkOsidSessionMethodsClosed(*messaging);
        CHECK_THROWS_AS(messaging->getMailboxId(), IllegalState);
        CHECK_THROWS_AS(messaging->getMailbox(), IllegalState);
        CHECK_THROWS_AS(messaging->canSendMessages(), IllegalState);
        CHECK_THROWS_AS(messaging->sendMessage(id, recipients), IllegalState);
        CHECK_THROWS_AS(messaging->getUnsentMessages(), IllegalState);

        CHECK_FALSE(lookup->getMessage(id)->isSent());
    }

    TEST_CASE_FIXTURE(ClosedFixture, "every MailboxLookupSession method raises IllegalState after close")
    {
        const Id mailbox = admin->getMailboxId();
        VectorList<IdList> ids({mailbox});
        mailboxLookup->close();

        checkOsidSessionMethodsClosed(*mailboxLookup);
        CHECK_THROWS_AS(mailboxLookup->canLookupMailboxes(), IllegalState);
        CHECK_THROWS_AS(mailboxLookup->useComparativeMailboxView(), IllegalState);
        CHECK_THROWS_AS(mailboxLookup->usePlenaryMailboxView(), IllegalState);
        CHECK_THROWS_AS(mailboxLookup->getMailbox(mailbox), IllegalState);
        CHECK_THROWS_AS(mailboxLookup->getMailboxesByIds(ids), IllegalState);
        CHECK_THROWS_AS(mailboxLookup->getMailboxes(), IllegalState);
    }

    TEST_CASE_FIXTURE(ClosedFixture, "every MailboxAdminSession method raises IllegalState after close")
    {
        auto form = mailboxAdmin->getMailboxFormForCreate({});
        form->setDisplayName("never created");
        mailboxAdmin->close();

        checkOsidSessionMethodsClosed(*mailboxAdmin);
        CHECK_THROWS_AS(mailboxAdmin->canCreateMailboxes(), IllegalState);
        CHECK_THROWS_AS(mailboxAdmin->canCreateMailboxWithRecordTypes({}), IllegalState);
        CHECK_THROWS_AS(mailboxAdmin->getMailboxFormForCreate({}), IllegalState);
        CHECK_THROWS_AS(mailboxAdmin->createMailbox(*form), IllegalState);

        CHECK(collect(manager->getMailboxLookupSession()->getMailboxes()).size() == 1);
    }

    TEST_CASE_FIXTURE(ClosedFixture, "closing a session twice is harmless and it stays closed")
    {
        for (OsidSession *s : std::vector<OsidSession *>{admin.get(), lookup.get(), messaging.get(),
                                                        mailboxLookup.get(), mailboxAdmin.get()}) {
            s->close();
            CHECK_NOTHROW(s->close());
            CHECK_THROWS_AS(s->getEffectiveAgentId(), IllegalState);
        }
    }

    TEST_CASE_FIXTURE(ClosedFixture, "closing a session leaves the manager's other sessions working")
    {
        const Id id = draft();
        auto otherAdmin = manager->getMessageAdminSession();
        admin->close();
        lookup->close();
        auto freshLookup = manager->getMessageLookupSession();
        CHECK(freshLookup->getMessage(id)->getId() == id);
        CHECK_NOTHROW(otherAdmin->deleteMessage(id));
        CHECK_THROWS_AS(freshLookup->getMessage(id), NotFound);
        CHECK(collect(mailboxLookup->getMailboxes()).size() == 1);
    }
}
