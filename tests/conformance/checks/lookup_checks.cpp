// MessageLookupSession: lookups by Id, alias, genus, record type, sender,
// recipient and time, and the comparative and plenary views.

#include "checks.h"

#include <algorithm>
#include <map>
#include <set>

namespace osid::conformance {

namespace {

const Type kUnknownRecord("example.org", "records", "unknown");
const Type kMemo("example.org", "genus", "memo");
const Type kNotice("example.org", "genus", "notice");

// An Id in the same authority and namespace as `id`.
Id sibling(const Id &id, const std::string &identifier)
{
    return Id(id.getAuthority(), id.getIdentifierNamespace(), identifier);
}

struct LookupFixture {
    Fixture &f;
    // A new draft, with `genus` as its genus type unless null.
    Id draft(const std::string &subject, const Type &genus = Type())
    {
        auto form = f.session->getMessageFormForCreate({});
        form->setSubjectLine(subject);
        if (!genus.isNull())
            form->setGenusType(genus);
        return f.session->createMessage(*form)->getId();
    }

    // An imported message with its own received time.
    Id received(const Id &sender, DateTime sent, DateTime receivedAt, const std::vector<Id> &recipients)
    {
        auto form = f.session->getMessageFormForCreate({deliveryRecordType()});
        auto &delivery = deliveryFormRecord(*form);
        delivery.setSender(sender);
        delivery.setSentTime(sent);
        delivery.setReceivedTime(receivedAt);
        delivery.setRecipients(recipients);
        return f.session->createMessage(*form)->getId();
    }
};

} // namespace

void addLookupChecks(Suite &suite)
{
    auto add = suite.area("MessageLookupSession", {Feature::MessageBatchAdmin, Feature::MessageLookup});

    add("a lookup session is bound to the mailbox it was asked for, and the plain one to the default mailbox",
        [](Fixture &f) {
            EXPECT_EQ(f.lookup->getMailboxId(), f.mailboxId);
            EXPECT_EQ(f.lookup->getMailbox()->getId(), f.mailboxId);
            EXPECT(f.lookup->canLookupMessages());
            auto plain = f.manager->getMessageLookupSession();
            EXPECT_EQ(plain->getMailboxId(), f.batchManager->getMessageBatchAdminSession()->getMailboxId());
            EXPECT_EQ(plain->getMailbox()->getId(), plain->getMailboxId());
        });

    add("getMessage returns the message with its primary Id and values", [](Fixture &f) {
        auto ids = f.import({{"subject", "text", resource("alice"), at(0)}});
        auto message = f.lookup->getMessage(ids[0]);
        EXPECT_EQ(message->getId(), ids[0]);
        EXPECT_EQ(message->getSubjectLine().getText(), "subject");
        EXPECT_EQ(message->getText().getText(), "text");
        EXPECT(message->isCurrent());
    });

    add("a looked-up Message stays valid and unchanged after its message is updated or deleted", [](Fixture &f) {
        auto ids = f.import(
            {{"first subject", std::string(300, 'x'), resource("alice"), at(0), {resource("bob"), resource("carol")}}});
        auto before = f.lookup->getMessage(ids[0]);
        // A list the Message returned outlives the Message itself.
        auto earlyRecipients = before->getRecipientIds();
        EXPECT_EQ(earlyRecipients->getNextId(), resource("bob"));
        const Id alias = unknownId("kept");
        f.session->aliasMessage(ids[0], alias);
        auto viaAlias = f.lookup->getMessage(alias);

        auto form = f.session->getMessageFormForUpdate(ids[0]);
        form->setSubjectLine("second subject");
        form->setText("short");
        deliveryFormRecord(*form).setRecipients({resource("dave")});
        f.session->updateMessage(*form);
        EXPECT_EQ(f.lookup->getMessage(ids[0])->getSubjectLine().getText(), "second subject");

        f.session->deleteMessage(ids[0]);
        EXPECT_THROWS(NotFound, f.lookup->getMessage(ids[0]));
        // Both snapshots still show the message as it was when looked up.
        for (const auto &m : {before, viaAlias}) {
            EXPECT_EQ(m->getId(), ids[0]);
            EXPECT_EQ(m->getSubjectLine().getText(), "first subject");
            EXPECT_EQ(m->getText().getText(), std::string(300, 'x'));
            EXPECT_EQ(m->getSenderId(), resource("alice"));
            EXPECT_EQ(m->getSentTime(), at(0));
            auto recipients = m->getRecipientIds();
            EXPECT(collect(*recipients) == (std::vector<Id>{resource("bob"), resource("carol")}));
        }
        before.reset();
        viaAlias.reset();
        EXPECT_EQ(earlyRecipients->available(), 1u);
        EXPECT(collect(*earlyRecipients) == std::vector<Id>{resource("carol")});
    });

    add("getMessage raises NotFound for an unknown Id and NullArgument for the null Id", [](Fixture &f) {
        LookupFixture x{f};
        const Id id = x.draft("known");
        EXPECT_THROWS(NotFound, f.lookup->getMessage(Id("example.org", "messaging.Message", "1")));
        EXPECT_THROWS(NotFound, f.lookup->getMessage(sibling(id, "999999")));
        EXPECT_THROWS(NullArgument, f.lookup->getMessage(Id()));
        f.session->deleteMessage(id);
        EXPECT_THROWS(NotFound, f.lookup->getMessage(id));
    });

    add("getMessage through an alias returns the message with its primary Id", [](Fixture &f) {
        LookupFixture x{f};
        const Id id = x.draft("aliased");
        const Id alias = legacyId("7");
        f.session->aliasMessage(id, alias);
        auto message = f.lookup->getMessage(alias);
        EXPECT_EQ(message->getId(), id);
        EXPECT_EQ(message->getSubjectLine().getText(), "aliased");
    });

    add("in the comparative view getMessagesByIds leaves out unknown Ids", [](Fixture &f) {
        LookupFixture x{f};
        const Id a = x.draft("a");
        const Id b = x.draft("b");
        x.draft("not asked for");
        VectorList<IdList> ids({a, Id("example.org", "messaging.Message", "1"), b, sibling(a, "999999")});
        EXPECT(idSet(f.lookup->getMessagesByIds(ids)) == std::set<Id>{a, b});
    });

    add("useComparativeMessageView undoes usePlenaryMessageView", [](Fixture &f) {
        LookupFixture x{f};
        const Id a = x.draft("a");
        f.lookup->usePlenaryMessageView();
        f.lookup->useComparativeMessageView();
        VectorList<IdList> ids({a, sibling(a, "999999")});
        EXPECT_EQ(idSet(f.lookup->getMessagesByIds(ids)), std::set<Id>{a});
    });

    add("in the plenary view getMessagesByIds returns every message in the order asked, duplicates included",
        [](Fixture &f) {
            LookupFixture x{f};
            const Id a = x.draft("a");
            const Id b = x.draft("b");
            const Id c = x.draft("c");
            const Id alias = legacyId("b");
            f.session->aliasMessage(b, alias);
            f.lookup->usePlenaryMessageView();
            VectorList<IdList> ids({c, a, c, alias, a});
            EXPECT(idSequence(f.lookup->getMessagesByIds(ids)) == std::vector<Id>{c, a, c, b, a});
        });

    add("in the plenary view getMessagesByIds raises NotFound when one Id is missing", [](Fixture &f) {
        LookupFixture x{f};
        const Id a = x.draft("a");
        f.lookup->usePlenaryMessageView();
        VectorList<IdList> ids({a, sibling(a, "999999")});
        EXPECT_THROWS(NotFound, f.lookup->getMessagesByIds(ids));
    });

    add("getMessagesByIds raises NullArgument for a null Id in either view", [](Fixture &f) {
        LookupFixture x{f};
        const Id a = x.draft("a");
        VectorList<IdList> comparative({a, Id()});
        EXPECT_THROWS(NullArgument, f.lookup->getMessagesByIds(comparative));
        f.lookup->usePlenaryMessageView();
        VectorList<IdList> plenary({a, Id()});
        EXPECT_THROWS(NullArgument, f.lookup->getMessagesByIds(plenary));
    });

    add("getMessagesByGenusType returns exactly the messages of that genus type", [](Fixture &f) {
        LookupFixture x{f};
        const Id memo1 = x.draft("memo 1", kMemo);
        const Id memo2 = x.draft("memo 2", kMemo);
        const Id notice = x.draft("notice", kNotice);
        x.draft("no genus");
        EXPECT(idSet(f.lookup->getMessagesByGenusType(kMemo)) == std::set<Id>{memo1, memo2});
        EXPECT_EQ(idSet(f.lookup->getMessagesByGenusType(kNotice)), std::set<Id>{notice});
        EXPECT(idSet(f.lookup->getMessagesByGenusType(Type("example.org", "genus", "unused"))).empty());
    });

    add("getMessagesByGenusType follows a genus type changed by an update", [](Fixture &f) {
        LookupFixture x{f};
        const Id id = x.draft("memo", kMemo);
        auto form = f.session->getMessageFormForUpdate(id);
        form->setGenusType(kNotice);
        f.session->updateMessage(*form);
        EXPECT(idSet(f.lookup->getMessagesByGenusType(kMemo)).empty());
        EXPECT_EQ(idSet(f.lookup->getMessagesByGenusType(kNotice)), std::set<Id>{id});
    });

    add("getMessagesByGenusType raises NullArgument for the null Type",
        [](Fixture &f) { EXPECT_THROWS(NullArgument, f.lookup->getMessagesByGenusType(Type())); });

    add("getMessagesByRecordType returns exactly the messages carrying that record type", [](Fixture &f) {
        LookupFixture x{f};
        auto imported = f.importFrom(resource("alice"), 2);
        x.draft("no records");
        EXPECT_EQ(idSet(f.lookup->getMessagesByRecordType(deliveryRecordType())),
                  std::set<Id>(imported.begin(), imported.end()));
        EXPECT(idSet(f.lookup->getMessagesByRecordType(kUnknownRecord)).empty());
        EXPECT_THROWS(NullArgument, f.lookup->getMessagesByRecordType(Type()));
    });

    add("getMessagesBySentTime returns the sent messages in [start, end], both ends included, in sent-time order",
        [](Fixture &f) {
            LookupFixture x{f};
            // Created out of sent-time order, from different senders.
            auto ids = f.import({{"s240", "", resource("a"), at(240)},
                                 {"s0", "", resource("b"), at(0)},
                                 {"s120", "", resource("c"), at(120)},
                                 {"s60", "", resource("a"), at(60)},
                                 {"s180", "", resource("b"), at(180)}});
            x.draft("drafts have no sent time");
            EXPECT(idSequence(f.lookup->getMessagesBySentTime(at(60), at(180))) ==
                   std::vector<Id>{ids[3], ids[2], ids[4]});
            EXPECT(idSequence(f.lookup->getMessagesBySentTime(at(120), at(120))) == std::vector<Id>{ids[2]});
            EXPECT(idSequence(f.lookup->getMessagesBySentTime(DateTime::min(), DateTime::max())) ==
                   std::vector<Id>{ids[1], ids[3], ids[2], ids[4], ids[0]});
            EXPECT(idSequence(f.lookup->getMessagesBySentTime(at(61), at(119))).empty());
        });

    add("getMessagesBySentTime matches the sent time, not the received time", [](Fixture &f) {
        LookupFixture x{f};
        const Id id = x.received(resource("a"), at(0), at(1000), {});
        EXPECT(idSet(f.lookup->getMessagesBySentTime(at(0), at(0))) == std::set<Id>{id});
        EXPECT(idSet(f.lookup->getMessagesBySentTime(at(1000), at(1000))).empty());
    });

    add("getMessagesBySentTime raises InvalidArgument when end is before start",
        [](Fixture &f) { EXPECT_THROWS(InvalidArgument, f.lookup->getMessagesBySentTime(at(10), at(9))); });

    add("getMessagesFromSender returns exactly that sender's messages", [](Fixture &f) {
        LookupFixture x{f};
        auto alice = f.importFrom(resource("alice"), 3);
        f.importFrom(resource("bob"), 2);
        x.draft("a x.draft has no sender");
        EXPECT_EQ(idSet(f.lookup->getMessagesFromSender(resource("alice"))), std::set<Id>(alice.begin(), alice.end()));
        EXPECT(idSet(f.lookup->getMessagesFromSender(resource("nobody"))).empty());
        EXPECT_THROWS(NullArgument, f.lookup->getMessagesFromSender(Id()));
    });

    add("getMessagesFromSender does not match a resource that is only a recipient", [](Fixture &f) {
        f.import({{"to bob", "", resource("alice"), at(0), {resource("bob")}}});
        EXPECT(idSet(f.lookup->getMessagesFromSender(resource("bob"))).empty());
    });

    add("getMessagesBySentTimeFromSender combines the sender with the inclusive sent-time range", [](Fixture &f) {
        // alice at 0, 60, 120, 180; bob at 60, 120.
        auto alice = f.importFrom(resource("alice"), 4);
        f.importFrom(resource("bob"), 2, 60);
        EXPECT(idSet(f.lookup->getMessagesBySentTimeFromSender(resource("alice"), at(60), at(120))) ==
               std::set<Id>{alice[1], alice[2]});
        EXPECT(idSet(f.lookup->getMessagesBySentTimeFromSender(resource("alice"), at(180), at(180))) ==
               std::set<Id>{alice[3]});
        EXPECT(idSet(f.lookup->getMessagesBySentTimeFromSender(resource("nobody"), at(0), at(180))).empty());
    });

    add("getMessagesBySentTimeFromSender raises InvalidArgument for an inverted range and NullArgument for the null Id",
        [](Fixture &f) {
            EXPECT_THROWS(InvalidArgument, f.lookup->getMessagesBySentTimeFromSender(resource("alice"), at(1), at(0)));
            EXPECT_THROWS(NullArgument, f.lookup->getMessagesBySentTimeFromSender(Id(), at(0), at(1)));
        });

    add("getMessagesForRecipient returns the messages whose recipients include the resource, each once",
        [](Fixture &f) {
            auto ids = f.import(
                {{"to bob", "", resource("alice"), at(0), {resource("bob")}},
                 {"to bob twice", "", resource("alice"), at(1), {resource("carol"), resource("bob"), resource("bob")}},
                 {"to carol", "", resource("alice"), at(2), {resource("carol")}},
                 {"to nobody", "", resource("alice"), at(3)}});
            auto forBob = idSequence(f.lookup->getMessagesForRecipient(resource("bob")));
            EXPECT_EQ(forBob.size(), 2);
            EXPECT(std::set<Id>(forBob.begin(), forBob.end()) == std::set<Id>{ids[0], ids[1]});
            EXPECT(idSet(f.lookup->getMessagesForRecipient(resource("carol"))) == std::set<Id>{ids[1], ids[2]});
            EXPECT(idSet(f.lookup->getMessagesForRecipient(resource("alice"))).empty());
            EXPECT_THROWS(NullArgument, f.lookup->getMessagesForRecipient(Id()));
        });

    add("getMessagesByReceivedTimeForRecipient matches the received time, both ends included", [](Fixture &f) {
        LookupFixture x{f};
        const Id early = x.received(resource("alice"), at(0), at(100), {resource("bob")});
        const Id late = x.received(resource("alice"), at(0), at(200), {resource("bob")});
        x.received(resource("alice"), at(0), at(150), {resource("carol")});
        EXPECT(idSet(f.lookup->getMessagesByReceivedTimeForRecipient(resource("bob"), at(100), at(200))) ==
               std::set<Id>{early, late});
        EXPECT(idSet(f.lookup->getMessagesByReceivedTimeForRecipient(resource("bob"), at(200), at(300))) ==
               std::set<Id>{late});
        // Sent at 0, but not x.received then.
        EXPECT(idSet(f.lookup->getMessagesByReceivedTimeForRecipient(resource("bob"), at(0), at(99))).empty());
        EXPECT_EQ(idSet(f.lookup->getMessagesByReceivedTimeForRecipient(resource("carol"), at(100), at(200))).size(),
                  1);
    });

    add("getMessagesByReceivedTimeForRecipient raises InvalidArgument for an inverted range and NullArgument for the "
        "null Id",
        [](Fixture &f) {
            EXPECT_THROWS(InvalidArgument,
                          f.lookup->getMessagesByReceivedTimeForRecipient(resource("bob"), at(1), at(0)));
            EXPECT_THROWS(NullArgument, f.lookup->getMessagesByReceivedTimeForRecipient(Id(), at(0), at(1)));
        });

    add("getMessagesFromSenderForRecipient needs both the sender and the recipient to match", [](Fixture &f) {
        auto ids =
            f.import({{"alice to bob", "", resource("alice"), at(0), {resource("bob")}},
                      {"alice to carol", "", resource("alice"), at(1), {resource("carol")}},
                      {"dave to bob", "", resource("dave"), at(2), {resource("bob")}},
                      {"alice to carol and bob", "", resource("alice"), at(3), {resource("carol"), resource("bob")}}});
        EXPECT(idSet(f.lookup->getMessagesFromSenderForRecipient(resource("alice"), resource("bob"))) ==
               std::set<Id>{ids[0], ids[3]});
        EXPECT(idSet(f.lookup->getMessagesFromSenderForRecipient(resource("dave"), resource("carol"))).empty());
        EXPECT(idSet(f.lookup->getMessagesFromSenderForRecipient(resource("bob"), resource("alice"))).empty());
    });

    add("getMessagesFromSenderForRecipient raises NullArgument for a null sender or recipient", [](Fixture &f) {
        EXPECT_THROWS(NullArgument, f.lookup->getMessagesFromSenderForRecipient(Id(), resource("bob")));
        EXPECT_THROWS(NullArgument, f.lookup->getMessagesFromSenderForRecipient(resource("alice"), Id()));
    });

    add("getMessages returns every message of the mailbox, drafts included", [](Fixture &f) {
        LookupFixture x{f};
        EXPECT(idSet(f.lookup->getMessages()).empty());
        auto imported = f.importFrom(resource("alice"), 3);
        const Id d = x.draft("draft");
        std::set<Id> expected(imported.begin(), imported.end());
        expected.insert(d);
        EXPECT_EQ(idSet(f.lookup->getMessages()), expected);
    });

    add("a lookup session does not see the messages of another mailbox", {Feature::MailboxAdmin}, [](Fixture &f) {
        LookupFixture x{f};
        const Id other = f.newMailbox();
        auto otherAdmin = f.batchManager->getMessageBatchAdminSessionForMailbox(other);
        auto form = otherAdmin->getMessageFormForCreate({deliveryRecordType()});
        form->setGenusType(kMemo);
        deliveryFormRecord(*form).setSender(resource("alice"));
        deliveryFormRecord(*form).setSentTime(at(0));
        deliveryFormRecord(*form).setRecipients({resource("bob")});
        const Id elsewhere = otherAdmin->createMessage(*form)->getId();
        const Id alias = legacyId("elsewhere");
        otherAdmin->aliasMessage(elsewhere, alias);
        const Id here = x.draft("here");

        EXPECT_THROWS(NotFound, f.lookup->getMessage(elsewhere));
        EXPECT_THROWS(NotFound, f.lookup->getMessage(alias));
        EXPECT_EQ(f.visibleIds(), std::set<Id>{here});
        EXPECT(idSet(f.lookup->getMessagesByGenusType(kMemo)).empty());
        EXPECT(idSet(f.lookup->getMessagesByRecordType(deliveryRecordType())).empty());
        EXPECT(idSet(f.lookup->getMessagesBySentTime(DateTime::min(), DateTime::max())).empty());
        EXPECT(idSet(f.lookup->getMessagesFromSender(resource("alice"))).empty());
        EXPECT(idSet(f.lookup->getMessagesBySentTimeFromSender(resource("alice"), at(0), at(0))).empty());
        EXPECT(idSet(f.lookup->getMessagesForRecipient(resource("bob"))).empty());
        EXPECT(idSet(f.lookup->getMessagesByReceivedTimeForRecipient(resource("bob"), at(0), at(0))).empty());
        EXPECT(idSet(f.lookup->getMessagesFromSenderForRecipient(resource("alice"), resource("bob"))).empty());
        VectorList<IdList> ids({elsewhere});
        EXPECT(idSet(f.lookup->getMessagesByIds(ids)).empty());

        auto otherLookup = f.manager->getMessageLookupSessionForMailbox(other);
        EXPECT_EQ(otherLookup->getMailboxId(), other);
        EXPECT_EQ(idSet(otherLookup->getMessages()), std::set<Id>{elsewhere});
        EXPECT_EQ(otherLookup->getMessage(alias)->getId(), elsewhere);
        EXPECT_THROWS(NotFound, otherLookup->getMessage(here));
    });

    add("the federated and isolated mailbox views see the same messages", [](Fixture &f) {
        auto ids = f.importFrom(resource("alice"), 2);
        const std::set<Id> all(ids.begin(), ids.end());
        f.lookup->useIsolatedMailboxView();
        EXPECT_EQ(idSet(f.lookup->getMessages()), all);
        f.lookup->useFederatedMailboxView();
        EXPECT_EQ(idSet(f.lookup->getMessages()), all);
    });

    add("a looked-up message is a snapshot that later changes do not alter", [](Fixture &f) {
        LookupFixture x{f};
        const Id id = x.draft("before");
        auto before = f.lookup->getMessage(id);
        auto form = f.session->getMessageFormForUpdate(id);
        form->setSubjectLine("after");
        f.session->updateMessage(*form);
        f.session->deleteMessage(id);
        EXPECT_EQ(before->getSubjectLine().getText(), "before");
        EXPECT_EQ(before->getId(), id);
    });

    auto addMessage = suite.area("Message", {Feature::MessageBatchAdmin, Feature::MessageLookup});

    addMessage("getRecipientIds keeps the order given and duplicates", [](Fixture &f) {
        const std::vector<Id> recipients{resource("carol"), resource("bob"), resource("carol"), resource("alice")};
        auto ids = f.import({{"s", "t", resource("dave"), at(0), recipients}});
        EXPECT_EQ(collect(f.lookup->getMessage(ids[0])->getRecipientIds()), recipients);
    });

    addMessage("an imported message carries the delivery record, reachable through getMessageRecord", [](Fixture &f) {
        auto ids = f.importFrom(resource("alice"), 1);
        auto message = f.lookup->getMessage(ids[0]);
        EXPECT(message->hasRecordType(deliveryRecordType()));
        EXPECT_EQ(collect(message->getRecordTypes()), std::vector<Type>{deliveryRecordType()});
        const auto &record = message->getMessageRecord(deliveryRecordType());
        EXPECT(record.implementsRecordType(deliveryRecordType()));
        EXPECT_FALSE(record.implementsRecordType(kUnknownRecord));
        EXPECT(dynamic_cast<const messaging::records::DeliveryMessageRecord *>(&record) != nullptr);
    });

    addMessage(
        "getMessageRecord raises Unsupported for a record type the message lacks and NullArgument for the null Type",
        [](Fixture &f) {
            LookupFixture x{f};
            auto imported = f.lookup->getMessage(f.importFrom(resource("alice"), 1)[0]);
            auto plain = f.lookup->getMessage(x.draft("no records"));
            EXPECT_FALSE(imported->hasRecordType(kUnknownRecord));
            EXPECT_THROWS(Unsupported, imported->getMessageRecord(kUnknownRecord));
            EXPECT_FALSE(plain->hasRecordType(deliveryRecordType()));
            EXPECT_THROWS(Unsupported, plain->getMessageRecord(deliveryRecordType()));
            EXPECT_THROWS(NullArgument, imported->getMessageRecord(Type()));
        });

    addMessage("hasRecordType and isOfGenusType raise NullArgument for the null Type", [](Fixture &f) {
        LookupFixture x{f};
        auto message = f.lookup->getMessage(x.draft("any", kMemo));
        EXPECT_THROWS(NullArgument, message->hasRecordType(Type()));
        EXPECT_THROWS(NullArgument, message->isOfGenusType(Type()));
        EXPECT(message->isOfGenusType(kMemo));
        EXPECT_FALSE(message->isOfGenusType(kNotice));
    });

    addMessage("a message holds the display name, description and genus type of its form", [](Fixture &f) {
        auto form = f.session->getMessageFormForCreate({});
        form->setDisplayName("name");
        form->setDescription("description");
        form->setGenusType(kNotice);
        const Id id = f.session->createMessage(*form)->getId();
        auto message = f.lookup->getMessage(id);
        EXPECT_EQ(message->getDisplayName().getText(), "name");
        EXPECT_EQ(message->getDescription().getText(), "description");
        EXPECT_EQ(message->getGenusType(), kNotice);
    });
}

} // namespace osid::conformance
