// MessageBatchAdminSession: deleteAllMessages, deleteMessagesBySender,
// deleteMessagesByDate and aliasMessages.

#include "support/provider_fixture.h"

using namespace osid;
using namespace osid::testing;
using transaction::batch::AliasResponse;

namespace {

std::set<Id> deletedIds(const std::unique_ptr<transaction::batch::DeleteResponseList> &responses)
{
    std::set<Id> ids;
    for (const auto &r : responses) {
        CHECK(r.isSuccessful());
        ids.insert(r.getDeletedId());
    }
    return ids;
}

} // namespace

TEST_SUITE("MessageBatchAdminSession delete")
{
    TEST_CASE_FIXTURE(ProviderFixture, "deleteMessagesBySender deletes exactly that sender's messages, one response each")
    {
        auto alice = importFrom(resource("alice"), 5);
        auto bob = importFrom(resource("bob"), 3);
        auto deleted = deletedIds(session->deleteMessagesBySender(resource("alice")));
        CHECK(deleted == std::set<Id>(alice.begin(), alice.end()));
        CHECK(visibleIds() == std::set<Id>(bob.begin(), bob.end()));
        for (const auto &id : alice)
            CHECK_THROWS_AS(lookup->getMessage(id), NotFound);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "deleteMessagesBySender of a sender with no messages returns an empty list")
    {
        importFrom(resource("alice"), 2);
        CHECK_FALSE(session->deleteMessagesBySender(resource("nobody"))->hasNext());
        CHECK(visibleIds().size() == 2);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "deleteMessagesBySender raises NullArgument for the null Id")
    {
        CHECK_THROWS_AS(session->deleteMessagesBySender(Id()), NullArgument);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "deleteMessagesByDate deletes messages received in the range, both ends included")
    {
        // Received at 0, 60, 120, 180, 240 seconds.
        auto ids = importFrom(resource("a"), 5);
        auto deleted = deletedIds(session->deleteMessagesByDate(at(60), at(180)));
        CHECK(deleted == std::set<Id>{ids[1], ids[2], ids[3]});
        CHECK(visibleIds() == std::set<Id>{ids[0], ids[4]});
    }

    TEST_CASE_FIXTURE(ProviderFixture, "deleteMessagesByDate matches the received time, not the sent time")
    {
        auto form = session->getMessageFormsForCreate(1, {deliveryRecordType()})->getNextMessageBatchForm();
        deliveryFormRecord(*form).setSender(resource("a"));
        deliveryFormRecord(*form).setSentTime(at(0));
        deliveryFormRecord(*form).setReceivedTime(at(10'000));
        auto id = session->createMessage(*form)->getId();
        CHECK_FALSE(session->deleteMessagesByDate(at(0), at(100))->hasNext());
        CHECK(deletedIds(session->deleteMessagesByDate(at(10'000), at(10'000))) == std::set<Id>{id});
    }

    TEST_CASE_FIXTURE(ProviderFixture, "deleteMessagesByDate raises InvalidArgument when from is after to, and deletes nothing")
    {
        importFrom(resource("a"), 3);
        CHECK_THROWS_AS(session->deleteMessagesByDate(at(100), at(99)), InvalidArgument);
        CHECK(visibleIds().size() == 3);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "drafts have no sender or received time, so criteria deletes never match them")
    {
        auto draft = session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        auto draftId = session->createMessage(*draft)->getId();
        CHECK_FALSE(session->deleteMessagesBySender(session->getEffectiveAgentId())->hasNext());
        CHECK_FALSE(session->deleteMessagesByDate(DateTime::min(), DateTime::max())->hasNext());
        CHECK(deletedIds(session->deleteAllMessages()) == std::set<Id>{draftId});
    }

    TEST_CASE_FIXTURE(ProviderFixture, "deleteAllMessages deletes every message of the mailbox and nothing else")
    {
        const Id other = newMailbox();
        auto otherSession = batchManager->getMessageBatchAdminSessionForMailbox(other);
        auto form = otherSession->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        auto kept = otherSession->createMessage(*form)->getId();

        auto ids = importFrom(resource("a"), 4);
        CHECK(deletedIds(session->deleteAllMessages()) == std::set<Id>(ids.begin(), ids.end()));
        CHECK(visibleIds().empty());
        CHECK(manager->getMessageLookupSessionForMailbox(other)->getMessage(kept)->getId() == kept);
        CHECK_FALSE(session->deleteAllMessages()->hasNext());
    }

    TEST_CASE_FIXTURE(ProviderFixture, "criteria deletes in one mailbox leave the same sender's messages in another")
    {
        const Id other = newMailbox();
        auto otherSession = batchManager->getMessageBatchAdminSessionForMailbox(other);
        auto form = otherSession->getMessageFormsForCreate(1, {deliveryRecordType()})->getNextMessageBatchForm();
        deliveryFormRecord(*form).setSender(resource("a"));
        deliveryFormRecord(*form).setSentTime(at(0));
        auto kept = otherSession->createMessage(*form)->getId();

        importFrom(resource("a"), 2);
        CHECK(collect(session->deleteMessagesBySender(resource("a"))).size() == 2);
        CHECK(collect(session->deleteMessagesByDate(DateTime::min(), DateTime::max())).empty());
        CHECK(manager->getMessageLookupSessionForMailbox(other)->getMessage(kept)->getId() == kept);
    }
}

TEST_SUITE("MessageBatchAdminSession alias")
{
    TEST_CASE_FIXTURE(ProviderFixture, "aliasMessages answers each request once and lookups through an alias give the primary Id")
    {
        auto ids = importFrom(resource("a"), 3);
        std::vector<AliasRequest> requests;
        for (std::size_t i = 0; i < ids.size(); ++i)
            requests.emplace_back(ids[i], Id("legacy", "mail", std::to_string(i)));
        VectorList<AliasRequestList> list(requests);
        auto responses = collect(session->aliasMessages(list));
        REQUIRE(responses.size() == 3);
        std::set<std::pair<Id, Id>> echoed;
        for (const auto &r : responses) {
            CHECK(r.isSuccessful());
            echoed.emplace(r.getReferenceId(), r.getAliasId());
        }
        for (std::size_t i = 0; i < ids.size(); ++i) {
            CHECK(echoed.count({ids[i], Id("legacy", "mail", std::to_string(i))}) == 1);
            CHECK(lookup->getMessage(Id("legacy", "mail", std::to_string(i)))->getId() == ids[i]);
        }
    }

    TEST_CASE_FIXTURE(ProviderFixture, "an alias that points elsewhere is re-pointed")
    {
        auto ids = importFrom(resource("a"), 2);
        const Id alias("legacy", "mail", "moving");
        VectorList<AliasRequestList> first({AliasRequest(ids[0], alias)});
        REQUIRE(session->aliasMessages(first)->getNextAliasResponse().isSuccessful());
        VectorList<AliasRequestList> second({AliasRequest(ids[1], alias)});
        REQUIRE(session->aliasMessages(second)->getNextAliasResponse().isSuccessful());
        CHECK(lookup->getMessage(alias)->getId() == ids[1]);
        CHECK(lookup->getMessage(ids[0])->getId() == ids[0]);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "an alias may name the message through another alias")
    {
        auto ids = importFrom(resource("a"), 1);
        VectorList<AliasRequestList> list(
            {AliasRequest(ids[0], Id("legacy", "mail", "a")), AliasRequest(Id("legacy", "mail", "a"), Id("legacy", "mail", "b"))});
        for (const auto &r : session->aliasMessages(list))
            CHECK(r.isSuccessful());
        CHECK(lookup->getMessage(Id("legacy", "mail", "b"))->getId() == ids[0]);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "bad alias requests fail alone with the reason")
    {
        auto ids = importFrom(resource("a"), 2);
        VectorList<AliasRequestList> list({
            AliasRequest(ids[0], Id("legacy", "mail", "good")),
            AliasRequest(Id("legacy", "mail", "unknown"), Id("legacy", "mail", "x")),
            AliasRequest(ids[0], ids[1]),
            AliasRequest(Id(), Id("legacy", "mail", "y")),
        });
        std::map<std::pair<Id, Id>, AliasResponse> byRequest;
        for (const auto &r : session->aliasMessages(list))
            byRequest.emplace(std::make_pair(r.getReferenceId(), r.getAliasId()), r);
        REQUIRE(byRequest.size() == 4);
        CHECK(byRequest.at({ids[0], Id("legacy", "mail", "good")}).isSuccessful());
        CHECK(byRequest.at({Id("legacy", "mail", "unknown"), Id("legacy", "mail", "x")}).getErrorCode() == ErrorCode::NotFound);
        CHECK(byRequest.at({ids[0], ids[1]}).getErrorCode() == ErrorCode::AlreadyExists);
        CHECK(byRequest.at({Id(), Id("legacy", "mail", "y")}).getErrorCode() == ErrorCode::NullArgument);
        // The refused alias changed nothing: ids[1] is still its own message.
        CHECK(lookup->getMessage(ids[1])->getId() == ids[1]);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "lookups through the alias of a deleted message raise NotFound")
    {
        auto ids = importFrom(resource("a"), 1);
        session->aliasMessage(ids[0], Id("legacy", "mail", "gone"));
        CHECK(collect(session->deleteMessagesBySender(resource("a"))).size() == 1);
        CHECK_THROWS_AS(lookup->getMessage(Id("legacy", "mail", "gone")), NotFound);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "an empty request list gives an empty response list")
    {
        VectorList<AliasRequestList> empty;
        CHECK_FALSE(session->aliasMessages(empty)->hasNext());
    }
}
