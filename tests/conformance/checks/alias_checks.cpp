// MessageBatchAdminSession: aliasMessages.

#include "checks.h"

#include <algorithm>
#include <map>
#include <set>

namespace osid::conformance {

namespace {

using transaction::batch::AliasResponse;

} // namespace

void addAliasChecks(Suite &suite)
{
    auto add =
        suite.area("aliasMessages", {Feature::MessageBatchAdmin, Feature::MessageLookup, Feature::DeliveryRecord});

    add("aliasMessages answers each request once and lookups through an alias give the primary Id", [](Fixture &f) {
        auto ids = f.importFrom(resource("a"), 3);
        std::vector<AliasRequest> requests;
        for (std::size_t i = 0; i < ids.size(); ++i)
            requests.emplace_back(ids[i], legacyId(std::to_string(i)));
        VectorList<AliasRequestList> list(requests);
        auto responses = collect(f.session->aliasMessages(list));
        EXPECT_EQ(responses.size(), 3);
        std::set<std::pair<Id, Id>> echoed;
        for (const auto &r : responses) {
            EXPECT(r.isSuccessful());
            echoed.emplace(r.getReferenceId(), r.getAliasId());
        }
        for (std::size_t i = 0; i < ids.size(); ++i) {
            EXPECT(echoed.count({ids[i], legacyId(std::to_string(i))}) == 1);
            EXPECT_EQ(f.lookup->getMessage(legacyId(std::to_string(i)))->getId(), ids[i]);
        }
    });

    add("an alias that points elsewhere is re-pointed", [](Fixture &f) {
        auto ids = f.importFrom(resource("a"), 2);
        const Id alias = legacyId("moving");
        VectorList<AliasRequestList> first({AliasRequest(ids[0], alias)});
        EXPECT(f.session->aliasMessages(first)->getNextAliasResponse().isSuccessful());
        VectorList<AliasRequestList> second({AliasRequest(ids[1], alias)});
        EXPECT(f.session->aliasMessages(second)->getNextAliasResponse().isSuccessful());
        EXPECT_EQ(f.lookup->getMessage(alias)->getId(), ids[1]);
        EXPECT_EQ(f.lookup->getMessage(ids[0])->getId(), ids[0]);
    });

    add("an alias may name the message through another alias", [](Fixture &f) {
        auto ids = f.importFrom(resource("a"), 1);
        VectorList<AliasRequestList> list(
            {AliasRequest(ids[0], legacyId("a")), AliasRequest(legacyId("a"), legacyId("b"))});
        for (const auto &r : f.session->aliasMessages(list))
            EXPECT(r.isSuccessful());
        EXPECT_EQ(f.lookup->getMessage(legacyId("b"))->getId(), ids[0]);
    });

    add("an alias set twice in one call names the message of the later request, which may name it through the "
        "alias itself",
        [](Fixture &f) {
            auto ids = f.importFrom(resource("a"), 3);
            VectorList<AliasRequestList> list({
                AliasRequest(ids[0], legacyId("twice")),
                AliasRequest(ids[1], legacyId("twice")),
                AliasRequest(legacyId("twice"), legacyId("follows")),
                AliasRequest(ids[2], legacyId("follows")),
                AliasRequest(legacyId("follows"), legacyId("last")),
            });
            for (const auto &r : f.session->aliasMessages(list))
                EXPECT_MSG(r.isSuccessful(), "a request failed: {}", r.getErrorMessage().getText());
            EXPECT_EQ(f.lookup->getMessage(legacyId("twice"))->getId(), ids[1]);
            EXPECT_EQ(f.lookup->getMessage(legacyId("follows"))->getId(), ids[2]);
            EXPECT_EQ(f.lookup->getMessage(legacyId("last"))->getId(), ids[2]);
        });

    add("bad alias requests fail alone with the reason", [](Fixture &f) {
        auto ids = f.importFrom(resource("a"), 2);
        VectorList<AliasRequestList> list({
            AliasRequest(ids[0], legacyId("good")),
            AliasRequest(legacyId("unknown"), legacyId("x")),
            AliasRequest(ids[0], ids[1]),
            AliasRequest(Id(), legacyId("y")),
        });
        std::map<std::pair<Id, Id>, AliasResponse> byRequest;
        for (const auto &r : f.session->aliasMessages(list))
            byRequest.emplace(std::make_pair(r.getReferenceId(), r.getAliasId()), r);
        EXPECT_EQ(byRequest.size(), 4);
        EXPECT(byRequest.at({ids[0], legacyId("good")}).isSuccessful());
        EXPECT(byRequest.at({legacyId("unknown"), legacyId("x")}).getErrorCode() == ErrorCode::NotFound);
        EXPECT(byRequest.at({ids[0], ids[1]}).getErrorCode() == ErrorCode::AlreadyExists);
        EXPECT(byRequest.at({Id(), legacyId("y")}).getErrorCode() == ErrorCode::NullArgument);
        // The refused alias changed nothing: ids[1] is still its own message.
        EXPECT_EQ(f.lookup->getMessage(ids[1])->getId(), ids[1]);
    });

    add("lookups through the alias of a deleted message raise NotFound", [](Fixture &f) {
        auto ids = f.importFrom(resource("a"), 1);
        f.session->aliasMessage(ids[0], legacyId("gone"));
        EXPECT_EQ(collect(f.session->deleteMessagesBySender(resource("a"))).size(), 1);
        EXPECT_THROWS(NotFound, f.lookup->getMessage(legacyId("gone")));
    });

    add("an empty request list gives an empty response list", [](Fixture &f) {
        VectorList<AliasRequestList> empty;
        EXPECT_FALSE(f.session->aliasMessages(empty)->hasNext());
    });
}

} // namespace osid::conformance
