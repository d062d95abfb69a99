// MessageBatchAdminSession: deleteAllMessages, deleteMessagesBySender and
// deleteMessagesByDate.

#include "checks.h"

#include <algorithm>
#include <map>
#include <set>

namespace osid::conformance {

namespace {

// The Ids a delete answered for. Every response must be a success, and no
// message may be answered twice.
std::set<Id> deletedIds(const std::unique_ptr<transaction::batch::DeleteResponseList> &responses)
{
    std::set<Id> ids;
    for (const auto &r : responses) {
        EXPECT(r.isSuccessful());
        EXPECT_MSG(ids.insert(r.getDeletedId()).second, "two delete responses for {}", r.getDeletedId().toString());
    }
    return ids;
}

} // namespace

void addDeleteChecks(Suite &suite)
{
    auto add =
        suite.area("deleteMessages", {Feature::MessageBatchAdmin, Feature::MessageLookup, Feature::DeliveryRecord});

    add("deleteMessagesBySender deletes exactly that sender's messages, one response each", [](Fixture &f) {
        auto alice = f.importFrom(resource("alice"), 5);
        auto bob = f.importFrom(resource("bob"), 3);
        auto deleted = deletedIds(f.session->deleteMessagesBySender(resource("alice")));
        EXPECT_EQ(deleted, std::set<Id>(alice.begin(), alice.end()));
        EXPECT_EQ(f.visibleIds(), std::set<Id>(bob.begin(), bob.end()));
        for (const auto &id : alice)
            EXPECT_THROWS(NotFound, f.lookup->getMessage(id));
    });

    add("deleteMessagesBySender of a sender with no messages returns an empty list", [](Fixture &f) {
        f.importFrom(resource("alice"), 2);
        EXPECT_FALSE(f.session->deleteMessagesBySender(resource("nobody"))->hasNext());
        EXPECT_EQ(f.visibleIds().size(), 2);
    });

    add("deleteMessagesBySender raises NullArgument for the null Id",
        [](Fixture &f) { EXPECT_THROWS(NullArgument, f.session->deleteMessagesBySender(Id())); });

    add("deleteMessagesByDate deletes messages received in the range, both ends included", [](Fixture &f) {
        // Received at 0, 60, 120, 180, 240 seconds.
        auto ids = f.importFrom(resource("a"), 5);
        auto deleted = deletedIds(f.session->deleteMessagesByDate(at(60), at(180)));
        EXPECT(deleted == std::set<Id>{ids[1], ids[2], ids[3]});
        EXPECT(f.visibleIds() == std::set<Id>{ids[0], ids[4]});
    });

    add("deleteMessagesByDate matches the received time, not the sent time", [](Fixture &f) {
        auto form = f.session->getMessageFormsForCreate(1, {deliveryRecordType()})->getNextMessageBatchForm();
        deliveryFormRecord(*form).setSender(resource("a"));
        deliveryFormRecord(*form).setSentTime(at(0));
        deliveryFormRecord(*form).setReceivedTime(at(10'000));
        auto id = f.session->createMessage(*form)->getId();
        EXPECT_FALSE(f.session->deleteMessagesByDate(at(0), at(100))->hasNext());
        EXPECT(deletedIds(f.session->deleteMessagesByDate(at(10'000), at(10'000))) == std::set<Id>{id});
    });

    add("deleteMessagesByDate raises InvalidArgument when from is after to, and deletes nothing", [](Fixture &f) {
        f.importFrom(resource("a"), 3);
        EXPECT_THROWS(InvalidArgument, f.session->deleteMessagesByDate(at(100), at(99)));
        EXPECT_EQ(f.visibleIds().size(), 3);
    });

    add("drafts have no sender or received time, so criteria deletes never match them", [](Fixture &f) {
        auto draft = f.session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        auto draftId = f.session->createMessage(*draft)->getId();
        EXPECT_FALSE(f.session->deleteMessagesBySender(f.session->getEffectiveAgentId())->hasNext());
        EXPECT_FALSE(f.session->deleteMessagesByDate(DateTime::min(), DateTime::max())->hasNext());
        EXPECT_EQ(deletedIds(f.session->deleteAllMessages()), std::set<Id>{draftId});
    });

    add("deleteAllMessages deletes every message of the mailbox and nothing else", {Feature::MailboxAdmin},
        [](Fixture &f) {
            const Id other = f.newMailbox();
            auto otherSession = f.batchManager->getMessageBatchAdminSessionForMailbox(other);
            auto form = otherSession->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
            auto kept = otherSession->createMessage(*form)->getId();

            auto ids = f.importFrom(resource("a"), 4);
            EXPECT_EQ(deletedIds(f.session->deleteAllMessages()), std::set<Id>(ids.begin(), ids.end()));
            EXPECT(f.visibleIds().empty());
            EXPECT_EQ(f.manager->getMessageLookupSessionForMailbox(other)->getMessage(kept)->getId(), kept);
            EXPECT_FALSE(f.session->deleteAllMessages()->hasNext());
        });

    add("criteria deletes in one mailbox leave the same sender's messages in another", {Feature::MailboxAdmin},
        [](Fixture &f) {
            const Id other = f.newMailbox();
            auto otherSession = f.batchManager->getMessageBatchAdminSessionForMailbox(other);
            auto form = otherSession->getMessageFormsForCreate(1, {deliveryRecordType()})->getNextMessageBatchForm();
            deliveryFormRecord(*form).setSender(resource("a"));
            deliveryFormRecord(*form).setSentTime(at(0));
            auto kept = otherSession->createMessage(*form)->getId();

            f.importFrom(resource("a"), 2);
            EXPECT_EQ(collect(f.session->deleteMessagesBySender(resource("a"))).size(), 2);
            EXPECT(collect(f.session->deleteMessagesByDate(DateTime::min(), DateTime::max())).empty());
            EXPECT_EQ(f.manager->getMessageLookupSessionForMailbox(other)->getMessage(kept)->getId(), kept);
        });
}

} // namespace osid::conformance
