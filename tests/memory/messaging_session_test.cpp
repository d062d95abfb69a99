// MessagingSession: sending stored messages and listing drafts.

#include "support/provider_fixture.h"

#include "messaging/messaging_session.h"

using namespace osid;
using namespace osid::testing;

namespace {

struct MessagingFixture : ProviderFixture {
    std::unique_ptr<messaging::MessagingSession> messaging = manager->getMessagingSession();

    Id draft(const std::string &subject)
    {
        auto form = session->getMessageFormForCreate({});
        form->setSubjectLine(subject);
        return session->createMessage(*form)->getId();
    }

    void send(const Id &messageId, std::vector<Id> recipients)
    {
        VectorList<IdList> list(std::move(recipients));
        messaging->sendMessage(messageId, list);
    }
};

} // namespace

TEST_SUITE("MessagingSession")
{
    TEST_CASE_FIXTURE(MessagingFixture, "the messaging session is bound to the default mailbox")
    {
        CHECK(messaging->getMailboxId() == lookup->getMailboxId());
        CHECK(messaging->getMailbox()->getId() == lookup->getMailboxId());
        CHECK(messaging->canSendMessages());
    }

    TEST_CASE_FIXTURE(MessagingFixture, "sending a draft makes it sent by the session's effective agent at the session's date")
    {
        const Id id = draft("hello");
        REQUIRE_FALSE(lookup->getMessage(id)->isSent());
        const DateTime before = messaging->getDate();
        send(id, {resource("bob"), resource("carol")});
        const DateTime after = messaging->getDate();

        auto message = lookup->getMessage(id);
        CHECK(message->isSent());
        CHECK(message->getSenderId() == messaging->getEffectiveAgentId());
        CHECK(message->getSendingAgentId() == messaging->getEffectiveAgentId());
        CHECK(message->getSentTime() >= before);
        CHECK(message->getSentTime() <= after);
        CHECK(message->getReceivedTime() >= before);
        CHECK(message->getReceivedTime() <= after);
        CHECK(collect(message->getRecipientIds()) == std::vector<Id>{resource("bob"), resource("carol")});
        CHECK(message->getSubjectLine().getText() == "hello");
    }

    TEST_CASE_FIXTURE(MessagingFixture, "sending a message again adds the new recipients after the old ones")
    {
        const Id id = draft("twice");
        send(id, {resource("bob"), resource("carol")});
        auto first = lookup->getMessage(id);
        send(id, {resource("dave"), resource("bob")});

        auto message = lookup->getMessage(id);
        CHECK(collect(message->getRecipientIds()) ==
              std::vector<Id>{resource("bob"), resource("carol"), resource("dave"), resource("bob")});
        CHECK(message->getSenderId() == first->getSenderId());
        CHECK(message->getSentTime() == first->getSentTime());
        CHECK(message->getReceivedTime() == first->getReceivedTime());
    }

    TEST_CASE_FIXTURE(MessagingFixture, "sending an imported message keeps its sender and times and adds recipients")
    {
        auto ids = import({{"imported", "text", resource("alice"), at(0), {resource("bob")}}});
        send(ids[0], {resource("carol")});
        auto message = lookup->getMessage(ids[0]);
        CHECK(message->getSenderId() == resource("alice"));
        CHECK(message->getSentTime() == at(0));
        CHECK(collect(message->getRecipientIds()) == std::vector<Id>{resource("bob"), resource("carol")});
    }

    TEST_CASE_FIXTURE(MessagingFixture, "a draft sent to nobody is sent with no recipients")
    {
        const Id id = draft("to nobody");
        send(id, {});
        auto message = lookup->getMessage(id);
        CHECK(message->isSent());
        CHECK(collect(message->getRecipientIds()).empty());
    }

    TEST_CASE_FIXTURE(MessagingFixture, "sendMessage accepts an alias of the message")
    {
        const Id id = draft("aliased");
        const Id alias("legacy.example.org", "mail", "1");
        session->aliasMessage(id, alias);
        send(alias, {resource("bob")});
        CHECK(lookup->getMessage(id)->isSent());
    }

    TEST_CASE_FIXTURE(MessagingFixture, "sendMessage raises NotFound for a message that is not in the mailbox")
    {
        const Id id = draft("known");
        VectorList<IdList> unknown({resource("bob")});
        CHECK_THROWS_AS(messaging->sendMessage(Id(id.getAuthority(), id.getIdentifierNamespace(), "999999"), unknown),
                        NotFound);
        VectorList<IdList> foreign({resource("bob")});
        CHECK_THROWS_AS(messaging->sendMessage(Id("example.org", "messaging.Message", "1"), foreign), NotFound);
        CHECK_FALSE(lookup->getMessage(id)->isSent());
    }

    TEST_CASE_FIXTURE(MessagingFixture, "sendMessage raises NotFound for a draft of another mailbox and leaves it unsent")
    {
        const Id other = newMailbox();
        auto otherAdmin = manager->getMessageAdminSessionForMailbox(other);
        const Id elsewhere = otherAdmin->createMessage(*otherAdmin->getMessageFormForCreate({}))->getId();

        VectorList<IdList> recipients({resource("bob")});
        CHECK_THROWS_AS(messaging->sendMessage(elsewhere, recipients), NotFound);
        auto otherLookup = manager->getMessageLookupSessionForMailbox(other);
        CHECK_FALSE(otherLookup->getMessage(elsewhere)->isSent());

        auto otherMessaging = manager->getMessagingSessionForMailbox(other);
        CHECK(otherMessaging->getMailboxId() == other);
        VectorList<IdList> again({resource("bob")});
        otherMessaging->sendMessage(elsewhere, again);
        CHECK(otherLookup->getMessage(elsewhere)->isSent());
    }

    TEST_CASE_FIXTURE(MessagingFixture, "sendMessage raises NullArgument for the null message Id or a null recipient, and changes nothing")
    {
        const Id id = draft("unsent");
        VectorList<IdList> recipients({resource("bob")});
        CHECK_THROWS_AS(messaging->sendMessage(Id(), recipients), NullArgument);
        VectorList<IdList> withNull({resource("bob"), Id(), resource("carol")});
        CHECK_THROWS_AS(messaging->sendMessage(id, withNull), NullArgument);
        CHECK_FALSE(lookup->getMessage(id)->isSent());
    }

    TEST_CASE_FIXTURE(MessagingFixture, "a null recipient when sending again adds no recipients")
    {
        const Id id = draft("sent once");
        send(id, {resource("bob")});
        VectorList<IdList> withNull({resource("carol"), Id()});
        CHECK_THROWS_AS(messaging->sendMessage(id, withNull), NullArgument);
        CHECK(collect(lookup->getMessage(id)->getRecipientIds()) == std::vector<Id>{resource("bob")});
    }

    TEST_CASE_FIXTURE(MessagingFixture, "getUnsentMessages lists only the drafts")
    {
        CHECK(idSet(messaging->getUnsentMessages()).empty());
        const Id first = draft("first");
        const Id second = draft("second");
        importFrom(resource("alice"), 2);
        CHECK(idSet(messaging->getUnsentMessages()) == std::set<Id>{first, second});

        send(first, {resource("bob")});
        auto unsent = collect(messaging->getUnsentMessages());
        REQUIRE(unsent.size() == 1);
        CHECK(unsent[0]->getId() == second);
        CHECK_FALSE(unsent[0]->isSent());
        CHECK(unsent[0]->getSubjectLine().getText() == "second");
    }

    TEST_CASE_FIXTURE(MessagingFixture, "getUnsentMessages does not list the drafts of another mailbox")
    {
        const Id other = newMailbox();
        auto otherAdmin = manager->getMessageAdminSessionForMailbox(other);
        const Id elsewhere = otherAdmin->createMessage(*otherAdmin->getMessageFormForCreate({}))->getId();
        const Id here = draft("here");
        CHECK(idSet(messaging->getUnsentMessages()) == std::set<Id>{here});
        CHECK(idSet(manager->getMessagingSessionForMailbox(other)->getUnsentMessages()) == std::set<Id>{elsewhere});
    }

    TEST_CASE_FIXTURE(MessagingFixture, "a sent message is found and deleted by its sender, the session's effective agent")
    {
        const Id sent = draft("sent");
        const Id unsent = draft("unsent");
        send(sent, {resource("bob")});
        const Id agent = messaging->getEffectiveAgentId();

        CHECK(idSet(lookup->getMessagesFromSender(agent)) == std::set<Id>{sent});
        CHECK(idSet(lookup->getMessagesForRecipient(resource("bob"))) == std::set<Id>{sent});
        std::set<Id> deleted;
        for (const auto &r : session->deleteMessagesBySender(agent)) {
            CHECK(r.isSuccessful());
            deleted.insert(r.getDeletedId());
        }
        CHECK(deleted == std::set<Id>{sent});
        CHECK(visibleIds() == std::set<Id>{unsent});
    }
}
