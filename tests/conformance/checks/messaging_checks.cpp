// MessagingSession: sending drafts and listing the unsent ones.

#include "checks.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace osid::conformance {

namespace {

// Sessions bound to `mailboxId` (the default mailbox when it is null).
std::unique_ptr<messaging::MessagingSession> messagingFor(messaging::MessagingManager &manager, const Id &mailboxId)
{
    return mailboxId.isNull() ? manager.getMessagingSession() : manager.getMessagingSessionForMailbox(mailboxId);
}

std::unique_ptr<messaging::MessageAdminSession> adminFor(messaging::MessagingManager &manager, const Id &mailboxId)
{
    return mailboxId.isNull() ? manager.getMessageAdminSession() : manager.getMessageAdminSessionForMailbox(mailboxId);
}

// The messaging session of the fixture's mailbox, an admin session there
// for making drafts, and a sender.
struct MessagingFixture {
    Fixture &f;
    std::unique_ptr<messaging::MessagingSession> messaging = messagingFor(*f.manager, f.mailboxId);
    std::unique_ptr<messaging::MessageAdminSession> admin = adminFor(*f.manager, f.mailboxId);

    Id draft(const std::string &subject)
    {
        auto form = admin->getMessageFormForCreate({});
        form->setSubjectLine(subject);
        return admin->createMessage(*form)->getId();
    }

    // A message imported through the delivery record.
    Id imported(const Delivered &m)
    {
        auto form = admin->getMessageFormForCreate({deliveryRecordType()});
        fillDelivered(*form, m);
        return admin->createMessage(*form)->getId();
    }

    void send(const Id &messageId, std::vector<Id> recipients)
    {
        VectorList<IdList> list(std::move(recipients));
        messaging->sendMessage(messageId, list);
    }
};

} // namespace

void addMessagingChecks(Suite &suite)
{
    auto add = suite.area("MessagingSession", {Feature::Messaging, Feature::MessageAdmin, Feature::MessageLookup});

    add("a messaging session for a mailbox is bound to it, and the plain getter's to the default mailbox",
        [](Fixture &f) {
            MessagingFixture x{f};
            EXPECT_EQ(x.messaging->getMailboxId(), f.lookup->getMailboxId());
            EXPECT_EQ(x.messaging->getMailbox()->getId(), f.lookup->getMailboxId());
            EXPECT_EQ(f.manager->getMessagingSession()->getMailboxId(),
                      f.manager->getMessageLookupSession()->getMailboxId());
        });

    add("canSendMessages answers true on a session whose send has just succeeded", [](Fixture &f) {
        // A false hint means every send is known to raise PermissionDenied.
        MessagingFixture x{f};
        x.send(x.draft("hinted"), {resource("bob")});
        EXPECT(x.messaging->canSendMessages());
    });

    add("sending a draft makes it sent by the session's effective agent at the session's date", [](Fixture &f) {
        MessagingFixture x{f};
        const Id id = x.draft("hello");
        EXPECT_FALSE(f.lookup->getMessage(id)->isSent());
        const DateTime before = x.messaging->getDate();
        x.send(id, {resource("bob"), resource("carol")});
        const DateTime after = x.messaging->getDate();

        auto message = f.lookup->getMessage(id);
        EXPECT(message->isSent());
        EXPECT_EQ(message->getSenderId(), x.messaging->getEffectiveAgentId());
        EXPECT_EQ(message->getSendingAgentId(), x.messaging->getEffectiveAgentId());
        EXPECT(message->getSentTime() >= before);
        EXPECT(message->getSentTime() <= after);
        EXPECT(message->getReceivedTime() >= before);
        EXPECT(message->getReceivedTime() <= after);
        EXPECT_EQ(collect(message->getRecipientIds()), (std::vector<Id>{resource("bob"), resource("carol")}));
        EXPECT_EQ(message->getSubjectLine().getText(), "hello");
    });

    add("sending a message again adds the new recipients after the old ones", [](Fixture &f) {
        MessagingFixture x{f};
        const Id id = x.draft("twice");
        x.send(id, {resource("bob"), resource("carol")});
        auto first = f.lookup->getMessage(id);
        x.send(id, {resource("dave"), resource("bob")});

        auto message = f.lookup->getMessage(id);
        EXPECT_EQ(collect(message->getRecipientIds()),
                  (std::vector<Id>{resource("bob"), resource("carol"), resource("dave"), resource("bob")}));
        EXPECT_EQ(message->getSenderId(), first->getSenderId());
        EXPECT_EQ(message->getSentTime(), first->getSentTime());
        EXPECT_EQ(message->getReceivedTime(), first->getReceivedTime());
    });

    add("sending an imported message keeps its sender and times and adds recipients", {Feature::DeliveryRecord},
        [](Fixture &f) {
            MessagingFixture x{f};
            const Id id = x.imported({"imported", "text", resource("alice"), at(0), {resource("bob")}});
            x.send(id, {resource("carol")});
            auto message = f.lookup->getMessage(id);
            EXPECT_EQ(message->getSenderId(), resource("alice"));
            EXPECT_EQ(message->getSentTime(), at(0));
            EXPECT_EQ(collect(message->getRecipientIds()), (std::vector<Id>{resource("bob"), resource("carol")}));
        });

    add("a draft sent to nobody is sent with no recipients", [](Fixture &f) {
        MessagingFixture x{f};
        const Id id = x.draft("to nobody");
        x.send(id, {});
        auto message = f.lookup->getMessage(id);
        EXPECT(message->isSent());
        EXPECT(collect(message->getRecipientIds()).empty());
    });

    add("sendMessage accepts an alias of the message", [](Fixture &f) {
        MessagingFixture x{f};
        const Id id = x.draft("aliased");
        const Id alias = unknownId("alias");
        x.admin->aliasMessage(id, alias);
        x.send(alias, {resource("bob")});
        EXPECT(f.lookup->getMessage(id)->isSent());
    });

    add("sendMessage raises NotFound for a message that is not in the mailbox", [](Fixture &f) {
        MessagingFixture x{f};
        const Id id = x.draft("known");
        // An Id in the message's own authority and namespace that no
        // provider issues, and one from elsewhere.
        VectorList<IdList> unknown({resource("bob")});
        EXPECT_THROWS(NotFound, x.messaging->sendMessage(Id(id.getAuthority(), id.getIdentifierNamespace(),
                                                            unknownId("message").getIdentifier()),
                                                         unknown));
        VectorList<IdList> foreign({resource("bob")});
        EXPECT_THROWS(NotFound, x.messaging->sendMessage(unknownId("message"), foreign));
        EXPECT_FALSE(f.lookup->getMessage(id)->isSent());
    });

    add("sendMessage raises NotFound for a draft of another mailbox and leaves it unsent", {Feature::MailboxAdmin},
        [](Fixture &f) {
            MessagingFixture x{f};
            const Id other = f.newMailbox();
            auto otherAdmin = f.manager->getMessageAdminSessionForMailbox(other);
            const Id elsewhere = otherAdmin->createMessage(*otherAdmin->getMessageFormForCreate({}))->getId();

            VectorList<IdList> recipients({resource("bob")});
            EXPECT_THROWS(NotFound, x.messaging->sendMessage(elsewhere, recipients));
            auto otherLookup = f.manager->getMessageLookupSessionForMailbox(other);
            EXPECT_FALSE(otherLookup->getMessage(elsewhere)->isSent());

            auto otherMessaging = f.manager->getMessagingSessionForMailbox(other);
            EXPECT_EQ(otherMessaging->getMailboxId(), other);
            VectorList<IdList> again({resource("bob")});
            otherMessaging->sendMessage(elsewhere, again);
            EXPECT(otherLookup->getMessage(elsewhere)->isSent());
        });

    add("sendMessage raises NullArgument for the null message Id or a null recipient, and changes nothing",
        [](Fixture &f) {
            MessagingFixture x{f};
            const Id id = x.draft("unsent");
            VectorList<IdList> recipients({resource("bob")});
            EXPECT_THROWS(NullArgument, x.messaging->sendMessage(Id(), recipients));
            VectorList<IdList> withNull({resource("bob"), Id(), resource("carol")});
            EXPECT_THROWS(NullArgument, x.messaging->sendMessage(id, withNull));
            EXPECT_FALSE(f.lookup->getMessage(id)->isSent());
        });

    add("a null recipient when sending again adds no recipients", [](Fixture &f) {
        MessagingFixture x{f};
        const Id id = x.draft("sent once");
        x.send(id, {resource("bob")});
        VectorList<IdList> withNull({resource("carol"), Id()});
        EXPECT_THROWS(NullArgument, x.messaging->sendMessage(id, withNull));
        EXPECT_EQ(collect(f.lookup->getMessage(id)->getRecipientIds()), std::vector<Id>{resource("bob")});
    });

    add("getUnsentMessages lists only the drafts", {Feature::DeliveryRecord}, [](Fixture &f) {
        MessagingFixture x{f};
        EXPECT(idSet(x.messaging->getUnsentMessages()).empty());
        const Id first = x.draft("first");
        const Id second = x.draft("second");
        x.imported({"imported 1", "text", resource("alice"), at(0)});
        x.imported({"imported 2", "text", resource("alice"), at(60)});
        EXPECT_EQ(idSet(x.messaging->getUnsentMessages()), (std::set<Id>{first, second}));

        x.send(first, {resource("bob")});
        auto unsent = collect(x.messaging->getUnsentMessages());
        EXPECT_EQ(unsent.size(), 1);
        EXPECT_EQ(unsent[0]->getId(), second);
        EXPECT_FALSE(unsent[0]->isSent());
        EXPECT_EQ(unsent[0]->getSubjectLine().getText(), "second");
    });

    add("getUnsentMessages does not list the drafts of another mailbox", {Feature::MailboxAdmin}, [](Fixture &f) {
        MessagingFixture x{f};
        const Id other = f.newMailbox();
        auto otherAdmin = f.manager->getMessageAdminSessionForMailbox(other);
        const Id elsewhere = otherAdmin->createMessage(*otherAdmin->getMessageFormForCreate({}))->getId();
        const Id here = x.draft("here");
        EXPECT_EQ(idSet(x.messaging->getUnsentMessages()), std::set<Id>{here});
        EXPECT_EQ(idSet(f.manager->getMessagingSessionForMailbox(other)->getUnsentMessages()), std::set<Id>{elsewhere});
    });

    add("a sent message is found and deleted by its sender, the session's effective agent",
        {Feature::MessageBatchAdmin}, [](Fixture &f) {
            MessagingFixture x{f};
            const Id sent = x.draft("sent");
            const Id unsent = x.draft("unsent");
            x.send(sent, {resource("bob")});
            const Id agent = x.messaging->getEffectiveAgentId();

            EXPECT_EQ(idSet(f.lookup->getMessagesFromSender(agent)), std::set<Id>{sent});
            EXPECT_EQ(idSet(f.lookup->getMessagesForRecipient(resource("bob"))), std::set<Id>{sent});
            std::set<Id> deleted;
            for (const auto &r : f.session->deleteMessagesBySender(agent)) {
                EXPECT(r.isSuccessful());
                deleted.insert(r.getDeletedId());
            }
            EXPECT_EQ(deleted, std::set<Id>{sent});
            EXPECT_EQ(f.visibleIds(), std::set<Id>{unsent});
        });
}

} // namespace osid::conformance
