// MessageLookupSession: every lookup method and its views, plus the
// Message accessors a lookup returns.

#include "support/provider_fixture.h"

#include "messaging/message_lookup_session.h"
#include "messaging/records/delivery_record.h"

using namespace osid;
using namespace osid::testing;

namespace {

const Type kUnknownRecord("example.org", "records", "unknown");
const Type kMemo("example.org", "genus", "memo");
const Type kNotice("example.org", "genus", "notice");

// An Id in the same authority and namespace as `id`.
Id sibling(const Id &id, const std::string &identifier)
{
    return Id(id.getAuthority(), id.getIdentifierNamespace(), identifier);
}

struct LookupFixture : ProviderFixture {
    // A new draft, with `genus` as its genus type unless null.
    Id draft(const std::string &subject, const Type &genus = Type())
    {
        auto form = session->getMessageFormForCreate({});
        form->setSubjectLine(subject);
        if (!genus.isNull())
            form->setGenusType(genus);
        return session->createMessage(*form)->getId();
    }

    // An imported message with its own received time.
    Id received(const Id &sender, DateTime sent, DateTime receivedAt, const std::vector<Id> &recipients)
    {
        auto form = session->getMessageFormForCreate({deliveryRecordType()});
        auto &delivery = deliveryFormRecord(*form);
        delivery.setSender(sender);
        delivery.setSentTime(sent);
        delivery.setReceivedTime(receivedAt);
        delivery.setRecipients(recipients);
        return session->createMessage(*form)->getId();
    }
};

} // namespace

TEST_SUITE("MessageLookupSession")
{
    TEST_CASE_FIXTURE(LookupFixture, "the lookup session is bound to the default mailbox")
    {
        auto mailboxes = collect(manager->getMailboxLookupSession()->getMailboxes());
        REQUIRE(mailboxes.size() == 1);
        CHECK(lookup->getMailboxId() == mailboxes[0]->getId());
        CHECK(lookup->getMailbox()->getId() == mailboxes[0]->getId());
        CHECK(lookup->canLookupMessages());
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessage returns the message with its primary Id and values")
    {
        auto ids = import({{"subject", "text", resource("alice"), at(0)}});
        auto message = lookup->getMessage(ids[0]);
        CHECK(message->getId() == ids[0]);
        CHECK(message->getSubjectLine().getText() == "subject");
        CHECK(message->getText().getText() == "text");
        CHECK(message->isCurrent());
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessage raises NotFound for an unknown Id and NullArgument for the null Id")
    {
        const Id id = draft("known");
        CHECK_THROWS_AS(lookup->getMessage(Id("example.org", "messaging.Message", "1")), NotFound);
        CHECK_THROWS_AS(lookup->getMessage(sibling(id, "999999")), NotFound);
        CHECK_THROWS_AS(lookup->getMessage(Id()), NullArgument);
        session->deleteMessage(id);
        CHECK_THROWS_AS(lookup->getMessage(id), NotFound);
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessage through an alias returns the message with its primary Id")
    {
        const Id id = draft("aliased");
        const Id alias("legacy.example.org", "mail", "7");
        session->aliasMessage(id, alias);
        auto message = lookup->getMessage(alias);
        CHECK(message->getId() == id);
        CHECK(message->getSubjectLine().getText() == "aliased");
    }

    TEST_CASE_FIXTURE(LookupFixture, "in the comparative view getMessagesByIds leaves out unknown Ids")
    {
        const Id a = draft("a");
        const Id b = draft("b");
        draft("not asked for");
        VectorList<IdList> ids({a, Id("example.org", "messaging.Message", "1"), b, sibling(a, "999999")});
        CHECK(idSet(lookup->getMessagesByIds(ids)) == std::set<Id>{a, b});
    }

    TEST_CASE_FIXTURE(LookupFixture, "useComparativeMessageView undoes usePlenaryMessageView")
    {
        const Id a = draft("a");
        lookup->usePlenaryMessageView();
        lookup->useComparativeMessageView();
        VectorList<IdList> ids({a, sibling(a, "999999")});
        CHECK(idSet(lookup->getMessagesByIds(ids)) == std::set<Id>{a});
    }

    TEST_CASE_FIXTURE(LookupFixture, "in the plenary view getMessagesByIds returns every message in the order asked, duplicates included")
    {
        const Id a = draft("a");
        const Id b = draft("b");
        const Id c = draft("c");
        const Id alias("legacy.example.org", "mail", "b");
        session->aliasMessage(b, alias);
        lookup->usePlenaryMessageView();
        VectorList<IdList> ids({c, a, c, alias, a});
        CHECK(idSequence(lookup->getMessagesByIds(ids)) == std::vector<Id>{c, a, c, b, a});
    }

    TEST_CASE_FIXTURE(LookupFixture, "in the plenary view getMessagesByIds raises NotFound when one Id is missing")
    {
        const Id a = draft("a");
        lookup->usePlenaryMessageView();
        VectorList<IdList> ids({a, sibling(a, "999999")});
        CHECK_THROWS_AS(lookup->getMessagesByIds(ids), NotFound);
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessagesByIds raises NullArgument for a null Id in either view")
    {
        const Id a = draft("a");
        VectorList<IdList> comparative({a, Id()});
        CHECK_THROWS_AS(lookup->getMessagesByIds(comparative), NullArgument);
        lookup->usePlenaryMessageView();
        VectorList<IdList> plenary({a, Id()});
        CHECK_THROWS_AS(lookup->getMessagesByIds(plenary), NullArgument);
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessagesByGenusType returns exactly the messages of that genus type")
    {
        const Id memo1 = draft("memo 1", kMemo);
        const Id memo2 = draft("memo 2", kMemo);
        const Id notice = draft("notice", kNotice);
        draft("no genus");
        CHECK(idSet(lookup->getMessagesByGenusType(kMemo)) == std::set<Id>{memo1, memo2});
        CHECK(idSet(lookup->getMessagesByGenusType(kNotice)) == std::set<Id>{notice});
        CHECK(idSet(lookup->getMessagesByGenusType(Type("example.org", "genus", "unused"))).empty());
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessagesByGenusType follows a genus type changed by an update")
    {
        const Id id = draft("memo", kMemo);
        auto form = session->getMessageFormForUpdate(id);
        form->setGenusType(kNotice);
        session->updateMessage(*form);
        CHECK(idSet(lookup->getMessagesByGenusType(kMemo)).empty());
        CHECK(idSet(lookup->getMessagesByGenusType(kNotice)) == std::set<Id>{id});
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessagesByGenusType raises NullArgument for the null Type")
    {
        CHECK_THROWS_AS(lookup->getMessagesByGenusType(Type()), NullArgument);
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessagesByRecordType returns exactly the messages carrying that record type")
    {
        auto imported = importFrom(resource("alice"), 2);
        draft("no records");
        CHECK(idSet(lookup->getMessagesByRecordType(deliveryRecordType())) ==
              std::set<Id>(imported.begin(), imported.end()));
        CHECK(idSet(lookup->getMessagesByRecordType(kUnknownRecord)).empty());
        CHECK_THROWS_AS(lookup->getMessagesByRecordType(Type()), NullArgument);
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessagesBySentTime returns the sent messages in [start, end], both ends included, in sent-time order")
    {
        // Created out of sent-time order, from different senders.
        auto ids = import({{"s240", "", resource("a"), at(240)},
                           {"s0", "", resource("b"), at(0)},
                           {"s120", "", resource("c"), at(120)},
                           {"s60", "", resource("a"), at(60)},
                           {"s180", "", resource("b"), at(180)}});
        draft("drafts have no sent time");
        CHECK(idSequence(lookup->getMessagesBySentTime(at(60), at(180))) == std::vector<Id>{ids[3], ids[2], ids[4]});
        CHECK(idSequence(lookup->getMessagesBySentTime(at(120), at(120))) == std::vector<Id>{ids[2]});
        CHECK(idSequence(lookup->getMessagesBySentTime(DateTime::min(), DateTime::max())) ==
              std::vector<Id>{ids[1], ids[3], ids[2], ids[4], ids[0]});
        CHECK(idSequence(lookup->getMessagesBySentTime(at(61), at(119))).empty());
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessagesBySentTime matches the sent time, not the received time")
    {
        const Id id = received(resource("a"), at(0), at(1000), {});
        CHECK(idSet(lookup->getMessagesBySentTime(at(0), at(0))) == std::set<Id>{id});
        CHECK(idSet(lookup->getMessagesBySentTime(at(1000), at(1000))).empty());
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessagesBySentTime raises InvalidArgument when end is before start")
    {
        CHECK_THROWS_AS(lookup->getMessagesBySentTime(at(10), at(9)), InvalidArgument);
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessagesFromSender returns exactly that sender's messages")
    {
        auto alice = importFrom(resource("alice"), 3);
        importFrom(resource("bob"), 2);
        draft("a draft has no sender");
        CHECK(idSet(lookup->getMessagesFromSender(resource("alice"))) == std::set<Id>(alice.begin(), alice.end()));
        CHECK(idSet(lookup->getMessagesFromSender(resource("nobody"))).empty());
        CHECK_THROWS_AS(lookup->getMessagesFromSender(Id()), NullArgument);
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessagesFromSender does not match a resource that is only a recipient")
    {
        import({{"to bob", "", resource("alice"), at(0), {resource("bob")}}});
        CHECK(idSet(lookup->getMessagesFromSender(resource("bob"))).empty());
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessagesBySentTimeFromSender combines the sender with the inclusive sent-time range")
    {
        // alice at 0, 60, 120, 180; bob at 60, 120.
        auto alice = importFrom(resource("alice"), 4);
        importFrom(resource("bob"), 2, 60);
        CHECK(idSet(lookup->getMessagesBySentTimeFromSender(resource("alice"), at(60), at(120))) ==
              std::set<Id>{alice[1], alice[2]});
        CHECK(idSet(lookup->getMessagesBySentTimeFromSender(resource("alice"), at(180), at(180))) ==
              std::set<Id>{alice[3]});
        CHECK(idSet(lookup->getMessagesBySentTimeFromSender(resource("nobody"), at(0), at(180))).empty());
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessagesBySentTimeFromSender raises InvalidArgument for an inverted range and NullArgument for the null Id")
    {
        CHECK_THROWS_AS(lookup->getMessagesBySentTimeFromSender(resource("alice"), at(1), at(0)), InvalidArgument);
        CHECK_THROWS_AS(lookup->getMessagesBySentTimeFromSender(Id(), at(0), at(1)), NullArgument);
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessagesForRecipient returns the messages whose recipients include the resource, each once")
    {
        auto ids = import({{"to bob", "", resource("alice"), at(0), {resource("bob")}},
                           {"to bob twice", "", resource("alice"), at(1), {resource("carol"), resource("bob"), resource("bob")}},
                           {"to carol", "", resource("alice"), at(2), {resource("carol")}},
                           {"to nobody", "", resource("alice"), at(3)}});
        auto forBob = idSequence(lookup->getMessagesForRecipient(resource("bob")));
        CHECK(forBob.size() == 2);
        CHECK(std::set<Id>(forBob.begin(), forBob.end()) == std::set<Id>{ids[0], ids[1]});
        CHECK(idSet(lookup->getMessagesForRecipient(resource("carol"))) == std::set<Id>{ids[1], ids[2]});
        CHECK(idSet(lookup->getMessagesForRecipient(resource("alice"))).empty());
        CHECK_THROWS_AS(lookup->getMessagesForRecipient(Id()), NullArgument);
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessagesByReceivedTimeForRecipient matches the received time, both ends included")
    {
        const Id early = received(resource("alice"), at(0), at(100), {resource("bob")});
        const Id late = received(resource("alice"), at(0), at(200), {resource("bob")});
        received(resource("alice"), at(0), at(150), {resource("carol")});
        CHECK(idSet(lookup->getMessagesByReceivedTimeForRecipient(resource("bob"), at(100), at(200))) ==
              std::set<Id>{early, late});
        CHECK(idSet(lookup->getMessagesByReceivedTimeForRecipient(resource("bob"), at(200), at(300))) ==
              std::set<Id>{late});
        // Sent at 0, but not received then.
        CHECK(idSet(lookup->getMessagesByReceivedTimeForRecipient(resource("bob"), at(0), at(99))).empty());
        CHECK(idSet(lookup->getMessagesByReceivedTimeForRecipient(resource("carol"), at(100), at(200))).size() == 1);
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessagesByReceivedTimeForRecipient raises InvalidArgument for an inverted range and NullArgument for the null Id")
    {
        CHECK_THROWS_AS(lookup->getMessagesByReceivedTimeForRecipient(resource("bob"), at(1), at(0)), InvalidArgument);
        CHECK_THROWS_AS(lookup->getMessagesByReceivedTimeForRecipient(Id(), at(0), at(1)), NullArgument);
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessagesFromSenderForRecipient needs both the sender and the recipient to match")
    {
        auto ids = import({{"alice to bob", "", resource("alice"), at(0), {resource("bob")}},
                           {"alice to carol", "", resource("alice"), at(1), {resource("carol")}},
                           {"dave to bob", "", resource("dave"), at(2), {resource("bob")}},
                           {"alice to carol and bob", "", resource("alice"), at(3), {resource("carol"), resource("bob")}}});
        CHECK(idSet(lookup->getMessagesFromSenderForRecipient(resource("alice"), resource("bob"))) ==
              std::set<Id>{ids[0], ids[3]});
        CHECK(idSet(lookup->getMessagesFromSenderForRecipient(resource("dave"), resource("carol"))).empty());
        CHECK(idSet(lookup->getMessagesFromSenderForRecipient(resource("bob"), resource("alice"))).empty());
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessagesFromSenderForRecipient raises NullArgument for a null sender or recipient")
    {
        CHECK_THROWS_AS(lookup->getMessagesFromSenderForRecipient(Id(), resource("bob")), NullArgument);
        CHECK_THROWS_AS(lookup->getMessagesFromSenderForRecipient(resource("alice"), Id()), NullArgument);
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessages returns every message of the mailbox, drafts included")
    {
        CHECK(idSet(lookup->getMessages()).empty());
        auto imported = importFrom(resource("alice"), 3);
        const Id d = draft("draft");
        std::set<Id> expected(imported.begin(), imported.end());
        expected.insert(d);
        CHECK(idSet(lookup->getMessages()) == expected);
    }

    TEST_CASE_FIXTURE(LookupFixture, "a lookup session does not see the messages of another mailbox")
    {
        const Id other = newMailbox();
        auto otherAdmin = batchManager->getMessageBatchAdminSessionForMailbox(other);
        auto form = otherAdmin->getMessageFormForCreate({deliveryRecordType()});
        form->setGenusType(kMemo);
        deliveryFormRecord(*form).setSender(resource("alice"));
        deliveryFormRecord(*form).setSentTime(at(0));
        deliveryFormRecord(*form).setRecipients({resource("bob")});
        const Id elsewhere = otherAdmin->createMessage(*form)->getId();
        const Id alias("legacy.example.org", "mail", "elsewhere");
        otherAdmin->aliasMessage(elsewhere, alias);
        const Id here = draft("here");

        CHECK_THROWS_AS(lookup->getMessage(elsewhere), NotFound);
        CHECK_THROWS_AS(lookup->getMessage(alias), NotFound);
        CHECK(visibleIds() == std::set<Id>{here});
        CHECK(idSet(lookup->getMessagesByGenusType(kMemo)).empty());
        CHECK(idSet(lookup->getMessagesByRecordType(deliveryRecordType())).empty());
        CHECK(idSet(lookup->getMessagesBySentTime(DateTime::min(), DateTime::max())).empty());
        CHECK(idSet(lookup->getMessagesFromSender(resource("alice"))).empty());
        CHECK(idSet(lookup->getMessagesBySentTimeFromSender(resource("alice"), at(0), at(0))).empty());
        CHECK(idSet(lookup->getMessagesForRecipient(resource("bob"))).empty());
        CHECK(idSet(lookup->getMessagesByReceivedTimeForRecipient(resource("bob"), at(0), at(0))).empty());
        CHECK(idSet(lookup->getMessagesFromSenderForRecipient(resource("alice"), resource("bob"))).empty());
        VectorList<IdList> ids({elsewhere});
        CHECK(idSet(lookup->getMessagesByIds(ids)).empty());

        auto otherLookup = manager->getMessageLookupSessionForMailbox(other);
        CHECK(otherLookup->getMailboxId() == other);
        CHECK(idSet(otherLookup->getMessages()) == std::set<Id>{elsewhere});
        CHECK(otherLookup->getMessage(alias)->getId() == elsewhere);
        CHECK_THROWS_AS(otherLookup->getMessage(here), NotFound);
    }

    TEST_CASE_FIXTURE(LookupFixture, "the federated and isolated mailbox views see the same messages")
    {
        auto ids = importFrom(resource("alice"), 2);
        const std::set<Id> all(ids.begin(), ids.end());
        lookup->useIsolatedMailboxView();
        CHECK(idSet(lookup->getMessages()) == all);
        lookup->useFederatedMailboxView();
        CHECK(idSet(lookup->getMessages()) == all);
    }

    TEST_CASE_FIXTURE(LookupFixture, "a looked-up message is a snapshot that later changes do not alter")
    {
        const Id id = draft("before");
        auto before = lookup->getMessage(id);
        auto form = session->getMessageFormForUpdate(id);
        form->setSubjectLine("after");
        session->updateMessage(*form);
        session->deleteMessage(id);
        CHECK(before->getSubjectLine().getText() == "before");
        CHECK(before->getId() == id);
    }
}

TEST_SUITE("Message")
{
    TEST_CASE_FIXTURE(LookupFixture, "getRecipientIds keeps the order given and duplicates")
    {
        const std::vector<Id> recipients{resource("carol"), resource("bob"), resource("carol"), resource("alice")};
        auto ids = import({{"s", "t", resource("dave"), at(0), recipients}});
        CHECK(collect(lookup->getMessage(ids[0])->getRecipientIds()) == recipients);
    }

    TEST_CASE_FIXTURE(LookupFixture, "an imported message carries the delivery record, reachable through getMessageRecord")
    {
        auto ids = importFrom(resource("alice"), 1);
        auto message = lookup->getMessage(ids[0]);
        CHECK(message->hasRecordType(deliveryRecordType()));
        CHECK(collect(message->getRecordTypes()) == std::vector<Type>{deliveryRecordType()});
        const auto &record = message->getMessageRecord(deliveryRecordType());
        CHECK(record.implementsRecordType(deliveryRecordType()));
        CHECK_FALSE(record.implementsRecordType(kUnknownRecord));
        CHECK(dynamic_cast<const messaging::records::DeliveryMessageRecord *>(&record) != nullptr);
    }

    TEST_CASE_FIXTURE(LookupFixture, "getMessageRecord raises Unsupported for a record type the message lacks and NullArgument for the null Type")
    {
        auto imported = lookup->getMessage(importFrom(resource("alice"), 1)[0]);
        auto plain = lookup->getMessage(draft("no records"));
        CHECK_FALSE(imported->hasRecordType(kUnknownRecord));
        CHECK_THROWS_AS(imported->getMessageRecord(kUnknownRecord), Unsupported);
        CHECK_FALSE(plain->hasRecordType(deliveryRecordType()));
        CHECK_THROWS_AS(plain->getMessageRecord(deliveryRecordType()), Unsupported);
        CHECK_THROWS_AS(imported->getMessageRecord(Type()), NullArgument);
    }

    TEST_CASE_FIXTURE(LookupFixture, "hasRecordType and isOfGenusType raise NullArgument for the null Type")
    {
        auto message = lookup->getMessage(draft("any", kMemo));
        CHECK_THROWS_AS(message->hasRecordType(Type()), NullArgument);
        CHECK_THROWS_AS(message->isOfGenusType(Type()), NullArgument);
        CHECK(message->isOfGenusType(kMemo));
        CHECK_FALSE(message->isOfGenusType(kNotice));
    }

    TEST_CASE_FIXTURE(LookupFixture, "a message holds the display name, description and genus type of its form")
    {
        auto form = session->getMessageFormForCreate({});
        form->setDisplayName("name");
        form->setDescription("description");
        form->setGenusType(kNotice);
        const Id id = session->createMessage(*form)->getId();
        auto message = lookup->getMessage(id);
        CHECK(message->getDisplayName().getText() == "name");
        CHECK(message->getDescription().getText() == "description");
        CHECK(message->getGenusType() == kNotice);
    }
}
