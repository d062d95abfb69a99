// The memory provider's MessagingManager and MessagingBatchManager.

#include "impl/common/manager_base.h"
#include "impl/memory/memory_provider.h"
#include "impl/memory/memory_sessions.h"
#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/records/delivery_record.h"
#include "runtime/provider_configuration.h"

#include <fmt/format.h>

namespace osid::impl::memory {

namespace {

ProviderDescription describe(const char *what)
{
    return ProviderDescription{Id("osid-cpp", "osid.OsidManager", fmt::format("memory.{}", what)),
                               fmt::format("In-memory {} provider", what),
                               "The reference provider: every message lives in this process.",
                               Version{0, 1, 0}, DateTime::parse("2026-11-23T00:00:00Z")};
}

// Shared by both managers: the store and what sessions need.
struct Provider {
    SessionContext context;

    MailboxIndex mailboxOrThrow(const Id &mailboxId) const
    {
        if (mailboxId.isNull())
            throw NullArgument("mailboxId is null");
        auto index = context.store->read([&](const StoreState &s) { return s.findMailbox(mailboxId); });
        if (!index)
            throw NotFound(fmt::format("no mailbox {}", mailboxId.toString()));
        return *index;
    }
};

class BatchManager final : public ManagerBase<messaging::batch::MessagingBatchManager> {
public:
    explicit BatchManager(std::shared_ptr<const Provider> provider)
        : ManagerBase(describe("messaging batch")), provider_(std::move(provider))
    {
    }

    bool supportsVisibleFederation() const override { return true; }
    bool supportsMessageBatchAdmin() const override { return true; }
    bool supportsReceiptBatchAdmin() const override { return false; }
    bool supportsMailboxBatchAdmin() const override { return false; }

    std::unique_ptr<messaging::batch::MessageBatchAdminSession> getMessageBatchAdminSession() override
    {
        return std::make_unique<MessageBatchAdminSessionImpl>(provider_->context, 0);
    }
    std::unique_ptr<messaging::batch::MessageBatchAdminSession> getMessageBatchAdminSessionForMailbox(
        const Id &mailboxId) override
    {
        return std::make_unique<MessageBatchAdminSessionImpl>(provider_->context,
                                                              provider_->mailboxOrThrow(mailboxId));
    }

private:
    std::shared_ptr<const Provider> provider_;
};

class Manager final : public ManagerBase<messaging::MessagingManager> {
public:
    explicit Manager(std::shared_ptr<const Provider> provider)
        : ManagerBase(describe("messaging")), provider_(provider), batch_(std::make_shared<BatchManager>(provider))
    {
    }

    bool supportsVisibleFederation() const override { return true; }
    bool supportsMessaging() const override { return true; }
    bool supportsMessageLookup() const override { return true; }
    bool supportsMessageAdmin() const override { return true; }
    bool supportsMailboxLookup() const override { return true; }
    bool supportsMailboxAdmin() const override { return true; }
    bool supportsMessagingBatch() const override { return true; }

    std::unique_ptr<TypeList> getMessageRecordTypes() const override
    {
        return makeList<TypeList>({messaging::records::deliveryRecordType()});
    }
    bool supportsMessageRecordType(const Type &messageRecordType) const override
    {
        if (messageRecordType.isNull())
            throw NullArgument("messageRecordType is null");
        return messageRecordType == messaging::records::deliveryRecordType();
    }
    std::unique_ptr<TypeList> getMailboxRecordTypes() const override { return makeList<TypeList>({}); }
    bool supportsMailboxRecordType(const Type &mailboxRecordType) const override
    {
        if (mailboxRecordType.isNull())
            throw NullArgument("mailboxRecordType is null");
        return false;
    }

    std::unique_ptr<messaging::MessagingSession> getMessagingSession() override
    {
        return std::make_unique<MessagingSessionImpl>(provider_->context, 0);
    }
    std::unique_ptr<messaging::MessagingSession> getMessagingSessionForMailbox(const Id &mailboxId) override
    {
        return std::make_unique<MessagingSessionImpl>(provider_->context, provider_->mailboxOrThrow(mailboxId));
    }
    std::unique_ptr<messaging::MessageLookupSession> getMessageLookupSession() override
    {
        return std::make_unique<MessageLookupSessionImpl>(provider_->context, 0);
    }
    std::unique_ptr<messaging::MessageLookupSession> getMessageLookupSessionForMailbox(const Id &mailboxId) override
    {
        return std::make_unique<MessageLookupSessionImpl>(provider_->context, provider_->mailboxOrThrow(mailboxId));
    }
    std::unique_ptr<messaging::MessageAdminSession> getMessageAdminSession() override
    {
        return std::make_unique<MessageBatchAdminSessionImpl>(provider_->context, 0);
    }
    std::unique_ptr<messaging::MessageAdminSession> getMessageAdminSessionForMailbox(const Id &mailboxId) override
    {
        return std::make_unique<MessageBatchAdminSessionImpl>(provider_->context,
                                                              provider_->mailboxOrThrow(mailboxId));
    }
    std::unique_ptr<messaging::MailboxLookupSession> getMailboxLookupSession() override
    {
        return std::make_unique<MailboxLookupSessionImpl>(provider_->context);
    }
    std::unique_ptr<messaging::MailboxAdminSession> getMailboxAdminSession() override
    {
        return std::make_unique<MailboxAdminSessionImpl>(provider_->context);
    }
    std::shared_ptr<messaging::batch::MessagingBatchManager> getMessagingBatchManager() override { return batch_; }

private:
    std::shared_ptr<const Provider> provider_;
    std::shared_ptr<BatchManager> batch_;
};

} // namespace

std::shared_ptr<messaging::MessagingManager> makeMemoryMessagingManager(MemoryProviderOptions options)
{
    auto rules = std::make_shared<FormRules>(std::move(options.formRules));
    auto provider = std::make_shared<const Provider>(Provider{
        SessionContext{std::make_shared<MemoryStore>(options.authority), std::move(rules), std::move(options.agent)}});
    return std::make_shared<Manager>(std::move(provider));
}

MemoryProviderOptions memoryProviderOptions(const std::string &configuration)
{
    const runtime::ProviderConfiguration config("memory", configuration, {"authority", "agent"});
    MemoryProviderOptions options;
    if (auto authority = config.get("authority")) {
        if (authority->empty())
            throw ConfigurationError("provider memory: bad configuration: authority is empty");
        options.authority = *authority;
    }
    if (auto agent = config.get("agent")) {
        try {
            options.agent.effectiveAgentId = Id::parse(*agent);
        } catch (const OsidException &e) {
            throw ConfigurationError(fmt::format("provider memory: bad configuration: agent: {}", e.what()));
        }
    }
    return options;
}

} // namespace osid::impl::memory
