// The authorization adapter (impl/authz), loaded as a plug-in over the
// memory provider: denied calls raise PermissionDenied and change nothing,
// the can...() hints say false, and allowed calls pass through.

#include "conformance/fixture.h"

#include "runtime/provider_runtime.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using namespace osid;
using osid::conformance::collect;
using osid::conformance::resource;

namespace {

// A policy file with `rules`, removed again at the end of the test.
struct PolicyFile {
    std::filesystem::path path;
    explicit PolicyFile(const std::string &rules)
        : path(std::filesystem::temp_directory_path() /
               ("osid-authz-test-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".policy"))
    {
        std::ofstream(path) << rules;
    }
    ~PolicyFile() { std::filesystem::remove(path); }
};

const std::string kRules = "# test policy\n"
                           "allow authentication.Agent:alice@example.org *\n"
                           "allow authentication.Agent:importer@example.org create,lookup   # no deletes\n"
                           "deny  authentication.Agent:mallory@example.org *\n"
                           "allow * lookup\n";

// A manager of the adapter over a fresh memory store whose sessions act
// for `agent`.
std::shared_ptr<messaging::MessagingManager> managerFor(const PolicyFile &policy, const std::string &agent)
{
    auto providers = runtime::makeProviderRuntime(runtime::RuntimeOptions{{AUTHZ_PLUGIN_DIR}, false});
    return runtime::getMessagingManager(*providers, "authz:policy=" + policy.path.string() +
                                                        ",over=memory:agent=authentication.Agent:" + agent +
                                                        "@example.org");
}

// Imports one message through `session`; throws what the session throws.
void importOne(messaging::batch::MessageBatchAdminSession &session)
{
    auto form =
        session.getMessageFormsForCreate(1, {messaging::records::deliveryRecordType()})->getNextMessageBatchForm();
    form->setSubjectLine("hello");
    auto &delivery = messaging::records::deliveryFormRecord(*form);
    delivery.setSender(resource("a"));
    delivery.setSentTime(DateTime::parse("2026-01-01T00:00:00Z"));
    VectorList<messaging::batch::MessageBatchFormList> list({form});
    REQUIRE(session.createMessages(list)->getNextCreateResponse().isSuccessful());
}

} // namespace

TEST_SUITE("authorization adapter")
{
    TEST_CASE("an agent the policy allows everything works as if there were no adapter")
    {
        PolicyFile policy(kRules);
        auto manager = managerFor(policy, "alice");
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        CHECK(session->canCreateMessages());
        CHECK(session->canDeleteMessages());
        CHECK(session->canManageMessageAliases());
        importOne(*session);
        CHECK(collect(manager->getMessageLookupSession()->getMessages()).size() == 1);
        CHECK(collect(session->deleteAllMessages()).size() == 1);
        CHECK(manager->getDisplayName().getText().find("Authorization adapter") != std::string::npos);
    }

    TEST_CASE("an agent allowed to create and look up is denied deletes, updates and aliases, which change nothing")
    {
        PolicyFile policy(kRules);
        auto manager = managerFor(policy, "importer");
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        CHECK(session->canCreateMessages());
        CHECK_FALSE(session->canDeleteMessages());
        CHECK_FALSE(session->canUpdateMessages());
        CHECK_FALSE(session->canManageMessageAliases());
        importOne(*session);
        auto lookup = manager->getMessageLookupSession();
        const auto id = collect(lookup->getMessages()).at(0)->getId();

        CHECK_THROWS_AS(session->deleteAllMessages(), PermissionDenied);
        CHECK_THROWS_AS(session->deleteMessagesBySender(resource("a")), PermissionDenied);
        CHECK_THROWS_AS(session->deleteMessage(id), PermissionDenied);
        VectorList<IdList> ids({id});
        CHECK_THROWS_AS(session->getMessageFormsForUpdate(ids), PermissionDenied);
        VectorList<transaction::batch::AliasRequestList> aliases(
            {transaction::batch::AliasRequest(id, Id("example.org", "mail", "x"))});
        CHECK_THROWS_AS(session->aliasMessages(aliases), PermissionDenied);
        CHECK(collect(lookup->getMessages()).size() == 1);
    }

    TEST_CASE("an agent allowed only to look up can read but not create, and the message says who and what")
    {
        PolicyFile policy(kRules);
        auto manager = managerFor(policy, "guest");
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        CHECK_FALSE(session->canCreateMessages());
        CHECK_FALSE(session->canCreateMessageWithRecordTypes({}));
        try {
            session->getMessageFormsForCreate(1, {});
            FAIL("no PermissionDenied");
        } catch (const PermissionDenied &e) {
            CHECK(std::string(e.what()).find("guest@example.org") != std::string::npos);
            CHECK(std::string(e.what()).find("create") != std::string::npos);
        }
        auto lookup = manager->getMessageLookupSession();
        CHECK(lookup->canLookupMessages());
        CHECK(collect(lookup->getMessages()).empty());
        auto mailboxes = manager->getMailboxAdminSession();
        CHECK_FALSE(mailboxes->canCreateMailboxes());
        CHECK_THROWS_AS(mailboxes->getMailboxFormForCreate({}), PermissionDenied);
        CHECK_FALSE(manager->getMessagingSession()->canSendMessages());
    }

    TEST_CASE("an agent a deny rule names is refused even reads, and the first matching rule decides")
    {
        PolicyFile policy(kRules);
        auto manager = managerFor(policy, "mallory");
        auto lookup = manager->getMessageLookupSession();
        CHECK_FALSE(lookup->canLookupMessages());
        CHECK_THROWS_AS(lookup->getMessages(), PermissionDenied);
        CHECK_THROWS_AS(lookup->getMailbox(), PermissionDenied);
        CHECK_FALSE(manager->getMailboxLookupSession()->canLookupMailboxes());
        CHECK_THROWS_AS(manager->getMailboxLookupSession()->getMailboxes(), PermissionDenied);
    }

    TEST_CASE("a closed session still raises IllegalState, not PermissionDenied")
    {
        PolicyFile policy(kRules);
        auto session = managerFor(policy, "guest")->getMessagingBatchManager()->getMessageBatchAdminSession();
        session->close();
        CHECK_THROWS_AS(session->deleteAllMessages(), IllegalState);
    }

    TEST_CASE("a bad policy or configuration is refused with ConfigurationError naming the problem")
    {
        auto providers = runtime::makeProviderRuntime(runtime::RuntimeOptions{{AUTHZ_PLUGIN_DIR}, false});
        auto refuse = [&](const std::string &implementation, const std::string &expected) {
            try {
                runtime::getMessagingManager(*providers, implementation);
                FAIL("accepted: ", implementation);
            } catch (const ConfigurationError &e) {
                CHECK_MESSAGE(std::string(e.what()).find(expected) != std::string::npos, e.what());
            }
        };
        PolicyFile badVerb("permit * lookup\n");
        PolicyFile badOperation("allow * lookup,fly\n");
        PolicyFile badAgent("allow not-an-id lookup\n");
        PolicyFile missingField("allow *\n");
        refuse("authz:policy=" + badVerb.path.string() + ",over=memory", ":1: a rule starts with allow or deny");
        refuse("authz:policy=" + badOperation.path.string() + ",over=memory", "unknown operation \"fly\"");
        refuse("authz:policy=" + badAgent.path.string() + ",over=memory", "the agent is not an Id");
        refuse("authz:policy=" + missingField.path.string() + ",over=memory", "expected \"allow|deny");
        refuse("authz:policy=/nonexistent.policy,over=memory", "cannot read the policy file");
        refuse("authz:over=memory", "missing \"policy=...\"");
        refuse("authz:policy=" + badVerb.path.string(), "");
        // The wrapped provider's own errors come through.
        PolicyFile fine("allow * *\n");
        refuse("authz:policy=" + fine.path.string() + ",over=memory:colour=blue", "unknown key \"colour\"");
        CHECK_THROWS_AS(runtime::getMessagingManager(*providers, "authz:policy=" + fine.path.string() + ",over=nosuch"),
                        NotFound);
    }
}
