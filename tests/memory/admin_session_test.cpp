// MessageAdminSession: what is particular to the memory provider. The
// rules every provider keeps are the conformance suite's (the
// "MessageAdminSession" areas, tests/conformance/checks/admin_checks.cpp).
// The exact errors of docs/bad-input.md are tests/common/bad_input_test.cpp,
// run against every built-in provider.

#include "support/provider_fixture.h"

#include "messaging/message_admin_session.h"
#include "osid/vector_list.h"
#include "transaction/batch/alias_request.h"

#include <optional>
#include <string>
#include <vector>

using namespace osid;
using namespace osid::testing;

namespace {

struct AdminFixture : ProviderFixture {
    std::unique_ptr<messaging::MessageAdminSession> admin = manager->getMessageAdminSession();

    Id draft(const std::string &subject)
    {
        auto form = admin->getMessageFormForCreate({});
        form->setSubjectLine(subject);
        return admin->createMessage(*form)->getId();
    }
};

} // namespace

TEST_SUITE("MessageAdminSession (memory)")
{
    TEST_CASE_FIXTURE(AdminFixture,
                      "the permission hints are all true on new sessions, since this provider denies nothing")
    {
        CHECK(admin->canCreateMessages());
        CHECK(admin->canUpdateMessages());
        CHECK(admin->canDeleteMessages());
        CHECK(admin->canManageMessageAliases());
        CHECK(session->canCreateMessages());
        CHECK(session->canUpdateMessages());
        CHECK(session->canDeleteMessages());
        CHECK(session->canManageMessageAliases());
    }

    TEST_CASE("a long aliasMessages call answers each request as one call per request would")
    {
        // The store works a long call ahead of itself (loading, hashing):
        // its answers and its aliases must be those of the requests made
        // one by one, whatever mix of requests the call holds.
        ProviderFixture batched, oneByOne;
        const auto ids = batched.importFrom(resource("a"), 40);
        REQUIRE(oneByOne.importFrom(resource("a"), 40) == ids);
        std::vector<transaction::batch::AliasRequest> requests;
        for (std::uint64_t i = 0; i < 200; ++i) {
            // Aliases made with a key and with text name the same aliases.
            const Id alias = i % 3 == 0 ? Id::ofKey("legacy.example.org", "mail", i % 70)
                                        : Id("legacy.example.org", "mail", std::to_string(i % 70));
            if (i % 17 == 0)
                requests.emplace_back(Id(), alias);
            else if (i % 13 == 0)
                requests.emplace_back(Id("legacy.example.org", "mail", "nothing"), alias);
            else if (i % 11 == 0)
                requests.emplace_back(ids[i % ids.size()], ids[(i + 1) % ids.size()]);
            else
                requests.emplace_back(ids[(i * 7) % ids.size()], alias);
        }
        VectorList<transaction::batch::AliasRequestList> list(requests);
        const auto answers = collect(batched.session->aliasMessages(list));
        REQUIRE(answers.size() == requests.size());
        for (std::size_t i = 0; i < requests.size(); ++i) {
            CAPTURE(i);
            // The one-request call, aliasMessage(), answers by exception.
            std::optional<ErrorCode> expected;
            try {
                if (requests[i].getReferenceId().isNull() || requests[i].getAliasId().isNull())
                    expected = ErrorCode::NullArgument;
                else
                    oneByOne.session->aliasMessage(requests[i].getReferenceId(), requests[i].getAliasId());
            } catch (const OsidException &e) {
                expected = e.code();
            }
            REQUIRE(answers[i].isSuccessful() == !expected);
            if (expected)
                CHECK(answers[i].getErrorCode() == *expected);
        }
        for (std::uint64_t n = 0; n < 70; ++n) {
            CAPTURE(n);
            const Id alias("legacy.example.org", "mail", std::to_string(n));
            std::optional<Id> a, b;
            try {
                a = batched.lookup->getMessage(alias)->getId();
            } catch (const NotFound &) {
            }
            try {
                b = oneByOne.lookup->getMessage(alias)->getId();
            } catch (const NotFound &) {
            }
            CHECK(a == b);
        }
    }

    TEST_CASE_FIXTURE(AdminFixture, "a message Id this provider has not issued yet cannot be an alias")
    {
        // Message Ids are numbered from 1, so 999999 lies ahead.
        const Id first = draft("first");
        const Id ahead(first.getAuthority(), first.getIdentifierNamespace(), "999999");
        CHECK_THROWS_AS(admin->aliasMessage(first, ahead), AlreadyExists);
        CHECK_THROWS_AS(lookup->getMessage(ahead), NotFound);
    }
}
