// MessagingSession: sending drafts and listing the unsent ones.

#include "checks.h"

#include <algorithm>
#include <map>
#include <set>

namespace osid::conformance {

namespace {

// The messaging session of the fixture's mailbox, and a draft maker.
struct MessagingFixture {
    Fixture &f;
    std::unique_ptr<messaging::MessagingSession> messaging = f.manager->getMessagingSessionForMailbox(f.mailboxId);

    Id draft(const std::string &subject)
    {
        auto form = f.session->getMessageFormForCreate({});
        form->setSubjectLine(subject);
        return f.session->createMessage(*form)->getId();
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
    auto add = suite.area("MessagingSession", {Feature::MessageBatchAdmin, Feature::MessageLookup, Feature::Messaging});

    add("the messaging session is bound to the default mailbox", [](Fixture &f) {
        MessagingFixture x{f};
        EXPECT_EQ(x.messaging->getMailboxId(), f.lookup->getMailboxId());
        EXPECT_EQ(x.messaging->getMailbox()->getId(), f.lookup->getMailboxId());
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
        EXPECT(collect(message->getRecipientIds()) == std::vector<Id>{resource("bob"), resource("carol")});
        EXPECT_EQ(message->getSubjectLine().getText(), "hello");
    });

    add("sending a message again adds the new recipients after the old ones", [](Fixture &f) {
        MessagingFixture x{f};
        const Id id = x.draft("twice");
        x.send(id, {resource("bob"), resource("carol")});
        auto first = f.lookup->getMessage(id);
        x.send(id, {resource("dave"), resource("bob")});

        auto message = f.lookup->getMessage(id);
        EXPECT(collect(message->getRecipientIds()) ==
               std::vector<Id>{resource("bob"), resource("carol"), resource("dave"), resource("bob")});
        EXPECT_EQ(message->getSenderId(), first->getSenderId());
        EXPECT_EQ(message->getSentTime(), first->getSentTime());
        EXPECT_EQ(message->getReceivedTime(), first->getReceivedTime());
    });

    add("sending an imported message keeps its sender and times and adds recipients", [](Fixture &f) {
        MessagingFixture x{f};
        auto ids = f.import({{"imported", "text", resource("alice"), at(0), {resource("bob")}}});
        x.send(ids[0], {resource("carol")});
        auto message = f.lookup->getMessage(ids[0]);
        EXPECT_EQ(message->getSenderId(), resource("alice"));
        EXPECT_EQ(message->getSentTime(), at(0));
        EXPECT(collect(message->getRecipientIds()) == std::vector<Id>{resource("bob"), resource("carol")});
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
        const Id alias("legacy.example.org", "mail", "1");
        f.session->aliasMessage(id, alias);
        x.send(alias, {resource("bob")});
        EXPECT(f.lookup->getMessage(id)->isSent());
    });

    add("sendMessage raises NotFound for a message that is not in the mailbox", [](Fixture &f) {
        MessagingFixture x{f};
        const Id id = x.draft("known");
        VectorList<IdList> unknown({resource("bob")});
        EXPECT_THROWS(NotFound,
                      x.messaging->sendMessage(Id(id.getAuthority(), id.getIdentifierNamespace(), "999999"), unknown));
        VectorList<IdList> foreign({resource("bob")});
        EXPECT_THROWS(NotFound, x.messaging->sendMessage(Id("example.org", "x.messaging.Message", "1"), foreign));
        EXPECT_FALSE(f.lookup->getMessage(id)->isSent());
    });

    add("sendMessage raises NotFound for a draft of another mailbox and leaves it unsent", [](Fixture &f) {
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

    add("getUnsentMessages lists only the drafts", [](Fixture &f) {
        MessagingFixture x{f};
        EXPECT(idSet(x.messaging->getUnsentMessages()).empty());
        const Id first = x.draft("first");
        const Id second = x.draft("second");
        f.importFrom(resource("alice"), 2);
        EXPECT(idSet(x.messaging->getUnsentMessages()) == std::set<Id>{first, second});

        x.send(first, {resource("bob")});
        auto unsent = collect(x.messaging->getUnsentMessages());
        EXPECT_EQ(unsent.size(), 1);
        EXPECT_EQ(unsent[0]->getId(), second);
        EXPECT_FALSE(unsent[0]->isSent());
        EXPECT_EQ(unsent[0]->getSubjectLine().getText(), "second");
    });

    add("getUnsentMessages does not list the drafts of another mailbox", [](Fixture &f) {
        MessagingFixture x{f};
        const Id other = f.newMailbox();
        auto otherAdmin = f.manager->getMessageAdminSessionForMailbox(other);
        const Id elsewhere = otherAdmin->createMessage(*otherAdmin->getMessageFormForCreate({}))->getId();
        const Id here = x.draft("here");
        EXPECT_EQ(idSet(x.messaging->getUnsentMessages()), std::set<Id>{here});
        EXPECT_EQ(idSet(f.manager->getMessagingSessionForMailbox(other)->getUnsentMessages()), std::set<Id>{elsewhere});
    });

    add("a sent message is found and deleted by its sender, the session's effective agent", [](Fixture &f) {
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
