// MessageAdminSession: what is particular to the memory provider. The
// rules every provider keeps are the conformance suite's (the
// "MessageAdminSession" areas, tests/conformance/checks/admin_checks.cpp).
// The exact errors of docs/bad-input.md are tests/common/bad_input_test.cpp,
// run against every built-in provider.

#include "support/provider_fixture.h"

#include "messaging/message_admin_session.h"

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

    TEST_CASE_FIXTURE(AdminFixture, "a message Id this provider has not issued yet cannot be an alias")
    {
        // Message Ids are numbered from 1, so 999999 lies ahead.
        const Id first = draft("first");
        const Id ahead(first.getAuthority(), first.getIdentifierNamespace(), "999999");
        CHECK_THROWS_AS(admin->aliasMessage(first, ahead), AlreadyExists);
        CHECK_THROWS_AS(lookup->getMessage(ahead), NotFound);
    }
}
