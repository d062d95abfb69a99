// The shared MessagingManager and MessagingBatchManager.

#include "impl/common/store_managers.h"

#include "impl/common/manager_base.h"
#include "impl/common/mailbox_admin_session.h"
#include "impl/common/mailbox_lookup_session.h"
#include "impl/common/message_batch_admin_session.h"
#include "impl/common/message_lookup_session.h"
#include "impl/common/messaging_session.h"
#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/records/delivery_record.h"

#include <fmt/format.h>

namespace osid::impl {

namespace {

// Shared by both managers: the provider and what sessions need.
class Provider {
public:
    explicit Provider(StoreProvider p) : p_(std::move(p)) {}

    ProviderDescription describe(const char *what) const
    {
        return ProviderDescription{Id("osid-cpp", "osid.OsidManager", fmt::format("{}.{}", p_.name, what)),
                                   fmt::format("{} {} provider", p_.displayName, what), p_.description,
                                   Version{0, 1, 0}, DateTime::parse("2026-11-23T00:00:00Z")};
    }

    // The context of a new session, with a store of its own if the
    // provider opens one per session.
    SessionContext context() const { return SessionContext{p_.openStore(), p_.rules, p_.agent}; }

    // The context of a new session bound to `mailboxId`, and its mailbox.
    std::pair<SessionContext, MailboxKey> contextFor(const Id &mailboxId) const
    {
        if (mailboxId.isNull())
            throw NullArgument("mailboxId is null");
        auto c = context();
        auto key = c.store->read([&](const StoreReader &s) { return s.findMailbox(mailboxId); });
        if (!key)
            throw NotFound(fmt::format("no mailbox {}", mailboxId.toString()));
        return {std::move(c), *key};
    }

    // The context of a new session bound to the default mailbox.
    std::pair<SessionContext, MailboxKey> contextForDefault() const
    {
        auto c = context();
        auto key = c.store->read([](const StoreReader &s) { return s.defaultMailbox(); });
        return {std::move(c), key};
    }

private:
    StoreProvider p_;
};

// A new session of type Session bound to a mailbox.
template <class Session>
std::unique_ptr<Session> bound(std::pair<SessionContext, MailboxKey> where)
{
    return std::make_unique<Session>(std::move(where.first), where.second);
}

class BatchManager final : public ManagerBase<messaging::batch::MessagingBatchManager> {
public:
    explicit BatchManager(std::shared_ptr<const Provider> provider)
        : ManagerBase(provider->describe("messaging batch")), provider_(std::move(provider))
    {
    }

    bool supportsVisibleFederation() const override { return true; }
    bool supportsMessageBatchAdmin() const override { return true; }
    bool supportsReceiptBatchAdmin() const override { return false; }
    bool supportsMailboxBatchAdmin() const override { return false; }

    std::unique_ptr<messaging::batch::MessageBatchAdminSession> getMessageBatchAdminSession() override
    {
        return bound<MessageBatchAdminSessionImpl>(provider_->contextForDefault());
    }
    std::unique_ptr<messaging::batch::MessageBatchAdminSession> getMessageBatchAdminSessionForMailbox(
        const Id &mailboxId) override
    {
        return bound<MessageBatchAdminSessionImpl>(provider_->contextFor(mailboxId));
    }

private:
    std::shared_ptr<const Provider> provider_;
};

class Manager final : public ManagerBase<messaging::MessagingManager> {
public:
    explicit Manager(std::shared_ptr<const Provider> provider)
        : ManagerBase(provider->describe("messaging")), provider_(provider),
          batch_(std::make_shared<BatchManager>(provider))
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
        return bound<MessagingSessionImpl>(provider_->contextForDefault());
    }
    std::unique_ptr<messaging::MessagingSession> getMessagingSessionForMailbox(const Id &mailboxId) override
    {
        return bound<MessagingSessionImpl>(provider_->contextFor(mailboxId));
    }
    std::unique_ptr<messaging::MessageLookupSession> getMessageLookupSession() override
    {
        return bound<MessageLookupSessionImpl>(provider_->contextForDefault());
    }
    std::unique_ptr<messaging::MessageLookupSession> getMessageLookupSessionForMailbox(const Id &mailboxId) override
    {
        return bound<MessageLookupSessionImpl>(provider_->contextFor(mailboxId));
    }
    std::unique_ptr<messaging::MessageAdminSession> getMessageAdminSession() override
    {
        return bound<MessageBatchAdminSessionImpl>(provider_->contextForDefault());
    }
    std::unique_ptr<messaging::MessageAdminSession> getMessageAdminSessionForMailbox(const Id &mailboxId) override
    {
        return bound<MessageBatchAdminSessionImpl>(provider_->contextFor(mailboxId));
    }
    std::unique_ptr<messaging::MailboxLookupSession> getMailboxLookupSession() override
    {
        return std::make_unique<MailboxLookupSessionImpl>(provider_->context());
    }
    std::unique_ptr<messaging::MailboxAdminSession> getMailboxAdminSession() override
    {
        return std::make_unique<MailboxAdminSessionImpl>(provider_->context());
    }
    std::shared_ptr<messaging::batch::MessagingBatchManager> getMessagingBatchManager() override { return batch_; }

private:
    std::shared_ptr<const Provider> provider_;
    std::shared_ptr<BatchManager> batch_;
};

} // namespace

std::shared_ptr<messaging::MessagingManager> makeStoreMessagingManager(StoreProvider provider)
{
    return std::make_shared<Manager>(std::make_shared<const Provider>(std::move(provider)));
}

} // namespace osid::impl
