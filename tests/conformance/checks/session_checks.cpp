// OsidSession: the agent and clock methods of an open session, and after
// close() every method of every session raising IllegalState, with
// close() itself harmless when called again.
//
// Each call on a closed session is given arguments that would succeed on
// an open one, so IllegalState can only come from the closed state.

#include "checks.h"

#include <set>

namespace osid::conformance {

namespace {

// One session of each kind over the fixture's mailbox.
struct SessionFixture {
    Fixture &f;
    std::unique_ptr<messaging::batch::MessageBatchAdminSession> admin = f.newBatchSession();
    std::unique_ptr<messaging::MessageLookupSession> lookup = f.manager->getMessageLookupSessionForMailbox(f.mailboxId);
    std::unique_ptr<messaging::MessagingSession> messaging = f.manager->getMessagingSessionForMailbox(f.mailboxId);
    std::unique_ptr<messaging::MailboxLookupSession> mailboxLookup = f.manager->getMailboxLookupSession();
    std::unique_ptr<messaging::MailboxAdminSession> mailboxAdmin = f.manager->getMailboxAdminSession();
    std::size_t mailboxesBefore = collect(mailboxLookup->getMailboxes()).size();

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
    std::set<Id> storedIds() { return idSet(f.manager->getMessageLookupSessionForMailbox(f.mailboxId)->getMessages()); }

    std::vector<OsidSession *> all() const
    {
        return {admin.get(), lookup.get(), messaging.get(), mailboxLookup.get(), mailboxAdmin.get()};
    }
};

// The OsidSession methods, on a session that is already closed.
void expectOsidSessionMethodsClosed(OsidSession &s)
{
    EXPECT_THROWS(IllegalState, s.getLocale());
    EXPECT_THROWS(IllegalState, s.isAuthenticated());
    EXPECT_THROWS(IllegalState, s.getAuthenticatedAgentId());
    EXPECT_THROWS(IllegalState, s.getAuthenticatedAgent());
    EXPECT_THROWS(IllegalState, s.getEffectiveAgentId());
    EXPECT_THROWS(IllegalState, s.getEffectiveAgent());
    EXPECT_THROWS(IllegalState, s.getDate());
    EXPECT_THROWS(IllegalState, s.getClockRate());
    EXPECT_THROWS(IllegalState, s.getFormatType());
    EXPECT_THROWS(IllegalState, s.supportsTransactions());
    EXPECT_THROWS(IllegalState, s.startTransaction());
}

// The OsidSession methods answer while the session is open: the agent
// objects match their Ids, and the authenticated agent exists exactly when
// isAuthenticated() says so.
void expectOsidSessionMethodsOpen(OsidSession &s)
{
    s.getLocale();
    EXPECT_FALSE(s.getEffectiveAgentId().isNull());
    EXPECT_EQ(s.getEffectiveAgent()->getId(), s.getEffectiveAgentId());
    if (s.isAuthenticated()) {
        EXPECT_EQ(s.getAuthenticatedAgent()->getId(), s.getAuthenticatedAgentId());
    } else {
        EXPECT_THROWS(IllegalState, s.getAuthenticatedAgentId());
        EXPECT_THROWS(IllegalState, s.getAuthenticatedAgent());
    }
    s.getDate();
    EXPECT(s.getClockRate() >= 0.0);
    s.getFormatType();
    if (!s.supportsTransactions())
        EXPECT_THROWS(Unsupported, s.startTransaction());
}

} // namespace

void addSessionChecks(Suite &suite)
{
    auto add = suite.area("sessions", {Feature::MessageBatchAdmin, Feature::MessageLookup, Feature::Messaging,
                                       Feature::MailboxLookup, Feature::MailboxAdmin, Feature::DeliveryRecord});

    add("the OsidSession methods answer while a session is open", [](Fixture &f) {
        SessionFixture x{f};
        for (OsidSession *s : x.all())
            expectOsidSessionMethodsOpen(*s);
    });

    add("every MessageBatchAdminSession method raises IllegalState after close", [](Fixture &f) {
        SessionFixture x{f};
        const Id id = x.imported();
        const Id alias = unknownId("alias");
        auto createForm = x.admin->getMessageFormForCreate({});
        createForm->setSubjectLine("never created");
        auto updateForm = x.admin->getMessageFormForUpdate(id);
        updateForm->setSubjectLine("never updated");
        VectorList<MessageBatchFormList> createForms(collect(x.admin->getMessageFormsForCreate(1, {})));
        VectorList<IdList> updateIds({id});
        VectorList<MessageBatchFormList> updateForms(collect(x.admin->getMessageFormsForUpdate(updateIds)));
        VectorList<IdList> moreUpdateIds({id});
        VectorList<AliasRequestList> aliasRequests({AliasRequest(id, alias)});
        EXPECT(createForm->isValid());
        EXPECT(updateForm->isValid());

        x.admin->close();

        expectOsidSessionMethodsClosed(*x.admin);
        // MessageAdminSession.
        EXPECT_THROWS(IllegalState, x.admin->getMailboxId());
        EXPECT_THROWS(IllegalState, x.admin->getMailbox());
        EXPECT_THROWS(IllegalState, x.admin->canCreateMessages());
        EXPECT_THROWS(IllegalState, x.admin->canCreateMessageWithRecordTypes({}));
        EXPECT_THROWS(IllegalState, x.admin->getMessageFormForCreate({}));
        EXPECT_THROWS(IllegalState, x.admin->createMessage(*createForm));
        EXPECT_THROWS(IllegalState, x.admin->canUpdateMessages());
        EXPECT_THROWS(IllegalState, x.admin->getMessageFormForUpdate(id));
        EXPECT_THROWS(IllegalState, x.admin->updateMessage(*updateForm));
        EXPECT_THROWS(IllegalState, x.admin->canDeleteMessages());
        EXPECT_THROWS(IllegalState, x.admin->deleteMessage(id));
        EXPECT_THROWS(IllegalState, x.admin->canManageMessageAliases());
        EXPECT_THROWS(IllegalState, x.admin->aliasMessage(id, alias));
        // MessageBatchAdminSession.
        EXPECT_THROWS(IllegalState, x.admin->getMessageFormsForCreate(1, {}));
        EXPECT_THROWS(IllegalState, x.admin->createMessages(createForms));
        EXPECT_THROWS(IllegalState, x.admin->getMessageFormsForUpdate(moreUpdateIds));
        EXPECT_THROWS(IllegalState, x.admin->updateMessages(updateForms));
        EXPECT_THROWS(IllegalState, x.admin->deleteAllMessages());
        EXPECT_THROWS(IllegalState, x.admin->deleteMessagesBySender(resource("alice")));
        EXPECT_THROWS(IllegalState, x.admin->deleteMessagesByDate(at(0), at(0)));
        EXPECT_THROWS(IllegalState, x.admin->aliasMessages(aliasRequests));

        // Nothing was created, changed, deleted or aliased.
        EXPECT_EQ(x.storedIds(), std::set<Id>{id});
        EXPECT_EQ(x.lookup->getMessage(id)->getSubjectLine().getText(), "imported");
        EXPECT_THROWS(NotFound, x.lookup->getMessage(alias));
    });

    add("every MessageLookupSession method raises IllegalState after close", [](Fixture &f) {
        SessionFixture x{f};
        const Id id = x.imported();
        const Type genus("example.org", "genus", "memo");
        VectorList<IdList> ids({id});
        x.lookup->close();

        expectOsidSessionMethodsClosed(*x.lookup);
        EXPECT_THROWS(IllegalState, x.lookup->getMailboxId());
        EXPECT_THROWS(IllegalState, x.lookup->getMailbox());
        EXPECT_THROWS(IllegalState, x.lookup->canLookupMessages());
        EXPECT_THROWS(IllegalState, x.lookup->useComparativeMessageView());
        EXPECT_THROWS(IllegalState, x.lookup->usePlenaryMessageView());
        EXPECT_THROWS(IllegalState, x.lookup->useFederatedMailboxView());
        EXPECT_THROWS(IllegalState, x.lookup->useIsolatedMailboxView());
        EXPECT_THROWS(IllegalState, x.lookup->getMessage(id));
        EXPECT_THROWS(IllegalState, x.lookup->getMessagesByIds(ids));
        EXPECT_THROWS(IllegalState, x.lookup->getMessagesByGenusType(genus));
        EXPECT_THROWS(IllegalState, x.lookup->getMessagesByRecordType(deliveryRecordType()));
        EXPECT_THROWS(IllegalState, x.lookup->getMessagesBySentTime(at(0), at(0)));
        EXPECT_THROWS(IllegalState, x.lookup->getMessagesFromSender(resource("alice")));
        EXPECT_THROWS(IllegalState, x.lookup->getMessagesBySentTimeFromSender(resource("alice"), at(0), at(0)));
        EXPECT_THROWS(IllegalState, x.lookup->getMessagesForRecipient(resource("bob")));
        EXPECT_THROWS(IllegalState, x.lookup->getMessagesByReceivedTimeForRecipient(resource("bob"), at(0), at(0)));
        EXPECT_THROWS(IllegalState, x.lookup->getMessagesFromSenderForRecipient(resource("alice"), resource("bob")));
        EXPECT_THROWS(IllegalState, x.lookup->getMessages());
    });

    add("every MessagingSession method raises IllegalState after close", [](Fixture &f) {
        SessionFixture x{f};
        const Id id = x.draft();
        VectorList<IdList> recipients({resource("bob")});
        x.messaging->close();

        expectOsidSessionMethodsClosed(*x.messaging);
        EXPECT_THROWS(IllegalState, x.messaging->getMailboxId());
        EXPECT_THROWS(IllegalState, x.messaging->getMailbox());
        EXPECT_THROWS(IllegalState, x.messaging->canSendMessages());
        EXPECT_THROWS(IllegalState, x.messaging->sendMessage(id, recipients));
        EXPECT_THROWS(IllegalState, x.messaging->getUnsentMessages());

        EXPECT_FALSE(x.lookup->getMessage(id)->isSent());
    });

    add("every MailboxLookupSession method raises IllegalState after close", [](Fixture &f) {
        SessionFixture x{f};
        const Id mailbox = x.admin->getMailboxId();
        VectorList<IdList> ids({mailbox});
        x.mailboxLookup->close();

        expectOsidSessionMethodsClosed(*x.mailboxLookup);
        EXPECT_THROWS(IllegalState, x.mailboxLookup->canLookupMailboxes());
        EXPECT_THROWS(IllegalState, x.mailboxLookup->useComparativeMailboxView());
        EXPECT_THROWS(IllegalState, x.mailboxLookup->usePlenaryMailboxView());
        EXPECT_THROWS(IllegalState, x.mailboxLookup->getMailbox(mailbox));
        EXPECT_THROWS(IllegalState, x.mailboxLookup->getMailboxesByIds(ids));
        EXPECT_THROWS(IllegalState, x.mailboxLookup->getMailboxes());
    });

    add("every MailboxAdminSession method raises IllegalState after close", [](Fixture &f) {
        SessionFixture x{f};
        auto form = x.mailboxAdmin->getMailboxFormForCreate({});
        form->setDisplayName("never created");
        x.mailboxAdmin->close();

        expectOsidSessionMethodsClosed(*x.mailboxAdmin);
        EXPECT_THROWS(IllegalState, x.mailboxAdmin->canCreateMailboxes());
        EXPECT_THROWS(IllegalState, x.mailboxAdmin->canCreateMailboxWithRecordTypes({}));
        EXPECT_THROWS(IllegalState, x.mailboxAdmin->getMailboxFormForCreate({}));
        EXPECT_THROWS(IllegalState, x.mailboxAdmin->createMailbox(*form));

        EXPECT_EQ(collect(f.manager->getMailboxLookupSession()->getMailboxes()).size(), x.mailboxesBefore);
    });

    add("closing a session twice is harmless and it stays closed", [](Fixture &f) {
        SessionFixture x{f};
        for (OsidSession *s : x.all()) {
            s->close();
            (void)(s->close());
            EXPECT_THROWS(IllegalState, s->getEffectiveAgentId());
        }
    });

    add("closing a session leaves the manager's other sessions working", [](Fixture &f) {
        SessionFixture x{f};
        const Id id = x.draft();
        auto otherAdmin = f.manager->getMessageAdminSessionForMailbox(f.mailboxId);
        x.admin->close();
        x.lookup->close();
        auto freshLookup = f.manager->getMessageLookupSessionForMailbox(f.mailboxId);
        EXPECT_EQ(freshLookup->getMessage(id)->getId(), id);
        (void)(otherAdmin->deleteMessage(id));
        EXPECT_THROWS(NotFound, freshLookup->getMessage(id));
        EXPECT_EQ(collect(x.mailboxLookup->getMailboxes()).size(), x.mailboxesBefore);
    });
}

} // namespace osid::conformance
