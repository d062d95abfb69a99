// The authorization adapter provider, "authz": wraps any messaging
// provider the runtime can make and checks every call against a policy
// file (authz_policy.h) for the session's effective agent.
//
//   osid-conformance --provider-path DIR 'authz:policy=rules.policy,over=memory'
//
// Configuration: policy=FILE (required) and over=IMPLEMENTATION (required,
// last: everything after it is the wrapped provider's implementation
// string, configuration included).
//
// It is written against the installed headers only, as any third-party
// provider would be, and ships as the plug-in osid-provider-authz.so.

#include "authz_policy.h"
#include "authz_sessions.h"

#include "adapter/forwarding_messaging_managers.h"
#include "runtime/provider_configuration.h"
#include "runtime/provider_plugin.h"

#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace osid::impl::authz {

namespace {

const Version kVersion{0, 1, 0};

class BatchManager final : public adapter::ForwardingMessagingBatchManager {
public:
    BatchManager(std::shared_ptr<messaging::batch::MessagingBatchManager> inner, std::shared_ptr<const Policy> policy)
        : ForwardingMessagingBatchManager(std::move(inner)), policy_(std::move(policy))
    {
    }

    std::unique_ptr<messaging::batch::MessageBatchAdminSession> getMessageBatchAdminSession() override
    {
        return std::make_unique<MessageBatchAdminSession>(inner().getMessageBatchAdminSession(), policy_);
    }
    std::unique_ptr<messaging::batch::MessageBatchAdminSession> getMessageBatchAdminSessionForMailbox(
        const Id &mailboxId) override
    {
        return std::make_unique<MessageBatchAdminSession>(inner().getMessageBatchAdminSessionForMailbox(mailboxId),
                                                          policy_);
    }

private:
    std::shared_ptr<const Policy> policy_;
};

class Manager final : public adapter::ForwardingMessagingManager {
public:
    Manager(std::shared_ptr<const Policy> policy, std::string over) : policy_(std::move(policy)), over_(std::move(over))
    {
    }

    // Asks the runtime for the wrapped provider.
    void initialize(OsidRuntimeManager &runtime) override
    {
        ForwardingMessagingManager::initialize(runtime);
        auto manager = std::dynamic_pointer_cast<messaging::MessagingManager>(
            runtime.getManager(OSID::MESSAGING, over_, kOsidSpecificationVersion));
        if (!manager)
            throw Unsupported("authz: \"" + over_ + "\" is not a messaging provider");
        setInner(std::move(manager));
    }

    Id getId() const override { return Id("osid-cpp", "osid.OsidManager", "authz.messaging"); }
    DisplayText getDisplayName() const override
    {
        return DisplayText("Authorization adapter over " + inner().getDisplayName().getText());
    }
    DisplayText getDescription() const override
    {
        return DisplayText("Checks every call against a policy for the session's effective agent, then passes it "
                           "on to the wrapped provider.");
    }
    Version getVersion() const override { return kVersion; }

    std::unique_ptr<messaging::MessagingSession> getMessagingSession() override
    {
        return std::make_unique<MessagingSession>(inner().getMessagingSession(), policy_);
    }
    std::unique_ptr<messaging::MessagingSession> getMessagingSessionForMailbox(const Id &mailboxId) override
    {
        return std::make_unique<MessagingSession>(inner().getMessagingSessionForMailbox(mailboxId), policy_);
    }
    std::unique_ptr<messaging::MessageLookupSession> getMessageLookupSession() override
    {
        return std::make_unique<MessageLookupSession>(inner().getMessageLookupSession(), policy_);
    }
    std::unique_ptr<messaging::MessageLookupSession> getMessageLookupSessionForMailbox(const Id &mailboxId) override
    {
        return std::make_unique<MessageLookupSession>(inner().getMessageLookupSessionForMailbox(mailboxId), policy_);
    }
    std::unique_ptr<messaging::MessageAdminSession> getMessageAdminSession() override
    {
        return std::make_unique<MessageAdminSession>(inner().getMessageAdminSession(), policy_);
    }
    std::unique_ptr<messaging::MessageAdminSession> getMessageAdminSessionForMailbox(const Id &mailboxId) override
    {
        return std::make_unique<MessageAdminSession>(inner().getMessageAdminSessionForMailbox(mailboxId), policy_);
    }
    std::unique_ptr<messaging::MailboxLookupSession> getMailboxLookupSession() override
    {
        return std::make_unique<MailboxLookupSession>(inner().getMailboxLookupSession(), policy_);
    }
    std::unique_ptr<messaging::MailboxAdminSession> getMailboxAdminSession() override
    {
        return std::make_unique<MailboxAdminSession>(inner().getMailboxAdminSession(), policy_);
    }

    // One wrapper per manager, made on first use, as the wrapped provider's
    // batch manager is one per manager too.
    std::shared_ptr<messaging::batch::MessagingBatchManager> getMessagingBatchManager() override
    {
        std::lock_guard lock(mutex_);
        if (!batch_)
            batch_ = std::make_shared<BatchManager>(inner().getMessagingBatchManager(), policy_);
        return batch_;
    }

private:
    std::shared_ptr<const Policy> policy_;
    std::string over_;
    std::mutex mutex_;
    std::shared_ptr<BatchManager> batch_;
};

std::shared_ptr<OsidManager> makeManager(OSID osid, const std::string &configuration)
{
    if (osid != OSID::MESSAGING)
        return nullptr;
    const runtime::ProviderConfiguration config("authz", configuration, {"policy"}, "over");
    auto policy = std::make_shared<const Policy>(Policy::load(config.require("policy")));
    return std::make_shared<Manager>(std::move(policy), config.require("over"));
}

} // namespace

} // namespace osid::impl::authz

OSID_PROVIDER_PLUGIN("authz", "Authorization adapter: checks each call against a policy, then passes it on",
                     osid::impl::authz::makeManager)
