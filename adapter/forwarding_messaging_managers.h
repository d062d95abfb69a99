// Forwarding managers of the messaging and messaging.batch OSIDs: each
// passes every profile question and session request to an inner manager,
// so an adapter provider overrides only the session getters it wraps.
//
// An adapter loaded through a runtime gets its inner manager in
// initialize(), from the runtime it is given:
//
//   void initialize(osid::OsidRuntimeManager &runtime) override
//   {
//       ForwardingMessagingManager::initialize(runtime);   // once only
//       auto manager = runtime.getManager(osid::OSID::MESSAGING, wrapped_, osid::kOsidSpecificationVersion);
//       setInner(std::dynamic_pointer_cast<osid::messaging::MessagingManager>(manager));
//   }
//   std::unique_ptr<osid::messaging::MessageLookupSession> getMessageLookupSession() override
//   {
//       return std::make_unique<MyLookupSession>(inner().getMessageLookupSession());
//   }

#pragma once

#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/messaging_manager.h"
#include "osid/errors.h"

#include <atomic>
#include <memory>
#include <utility>

namespace osid::adapter {

// OsidProfile and OsidManager over an inner manager of type Inner.
template <class Interface, class Inner = Interface>
class ForwardingManager : public Interface {
public:
    Id getId() const override { return inner().getId(); }
    DisplayText getDisplayName() const override { return inner().getDisplayName(); }
    DisplayText getDescription() const override { return inner().getDescription(); }
    Version getVersion() const override { return inner().getVersion(); }
    DateTime getReleaseDate() const override { return inner().getReleaseDate(); }
    bool supportsOSIDVersion(const Version &version) const override { return inner().supportsOSIDVersion(version); }
    std::vector<Locale> getLocales() const override { return inner().getLocales(); }
    bool supportsJournalRollback() const override { return inner().supportsJournalRollback(); }
    bool supportsJournalBranching() const override { return inner().supportsJournalBranching(); }
    Id getBranchId() const override { return inner().getBranchId(); }
    std::unique_ptr<TypeList> getProxyRecordTypes() const override { return inner().getProxyRecordTypes(); }
    bool supportsProxyRecordType(const Type &proxyRecordType) const override
    {
        return inner().supportsProxyRecordType(proxyRecordType);
    }

    // Not forwarded: whoever made the inner manager initialized it. This
    // only enforces "once"; adapters override it to find their inner
    // manager, and call it first.
    void initialize(OsidRuntimeManager &) override
    {
        if (initialized_.exchange(true))
            throw IllegalState("the manager is already initialized");
    }
    void changeBranch(const Id &branchId) override { inner().changeBranch(branchId); }
    void close() override { inner().close(); }

protected:
    ForwardingManager() = default;
    explicit ForwardingManager(std::shared_ptr<Inner> inner) : inner_(std::move(inner)) {}

    // Errors: IllegalState (no inner manager yet).
    Inner &inner() const
    {
        if (!inner_)
            throw IllegalState("the adapter has no inner manager yet: initialize() was not called");
        return *inner_;
    }
    const std::shared_ptr<Inner> &innerPointer() const { return inner_; }
    void setInner(std::shared_ptr<Inner> inner) { inner_ = std::move(inner); }

private:
    std::shared_ptr<Inner> inner_;
    std::atomic<bool> initialized_{false};
};

class ForwardingMessagingBatchManager : public ForwardingManager<messaging::batch::MessagingBatchManager> {
public:
    explicit ForwardingMessagingBatchManager(std::shared_ptr<messaging::batch::MessagingBatchManager> inner = {})
        : ForwardingManager(std::move(inner))
    {
    }

    bool supportsVisibleFederation() const override { return inner().supportsVisibleFederation(); }
    bool supportsMessageBatchAdmin() const override { return inner().supportsMessageBatchAdmin(); }
    bool supportsReceiptBatchAdmin() const override { return inner().supportsReceiptBatchAdmin(); }
    bool supportsMailboxBatchAdmin() const override { return inner().supportsMailboxBatchAdmin(); }

    std::unique_ptr<messaging::batch::MessageBatchAdminSession> getMessageBatchAdminSession() override
    {
        return inner().getMessageBatchAdminSession();
    }
    std::unique_ptr<messaging::batch::MessageBatchAdminSession> getMessageBatchAdminSessionForMailbox(
        const Id &mailboxId) override
    {
        return inner().getMessageBatchAdminSessionForMailbox(mailboxId);
    }
};

class ForwardingMessagingManager : public ForwardingManager<messaging::MessagingManager> {
public:
    explicit ForwardingMessagingManager(std::shared_ptr<messaging::MessagingManager> inner = {})
        : ForwardingManager(std::move(inner))
    {
    }

    bool supportsVisibleFederation() const override { return inner().supportsVisibleFederation(); }
    bool supportsMessaging() const override { return inner().supportsMessaging(); }
    bool supportsMessageLookup() const override { return inner().supportsMessageLookup(); }
    bool supportsMessageAdmin() const override { return inner().supportsMessageAdmin(); }
    bool supportsMailboxLookup() const override { return inner().supportsMailboxLookup(); }
    bool supportsMailboxAdmin() const override { return inner().supportsMailboxAdmin(); }
    bool supportsMessagingBatch() const override { return inner().supportsMessagingBatch(); }
    std::unique_ptr<TypeList> getMessageRecordTypes() const override { return inner().getMessageRecordTypes(); }
    bool supportsMessageRecordType(const Type &messageRecordType) const override
    {
        return inner().supportsMessageRecordType(messageRecordType);
    }
    std::unique_ptr<TypeList> getMailboxRecordTypes() const override { return inner().getMailboxRecordTypes(); }
    bool supportsMailboxRecordType(const Type &mailboxRecordType) const override
    {
        return inner().supportsMailboxRecordType(mailboxRecordType);
    }

    std::unique_ptr<messaging::MessagingSession> getMessagingSession() override
    {
        return inner().getMessagingSession();
    }
    std::unique_ptr<messaging::MessagingSession> getMessagingSessionForMailbox(const Id &mailboxId) override
    {
        return inner().getMessagingSessionForMailbox(mailboxId);
    }
    std::unique_ptr<messaging::MessageLookupSession> getMessageLookupSession() override
    {
        return inner().getMessageLookupSession();
    }
    std::unique_ptr<messaging::MessageLookupSession> getMessageLookupSessionForMailbox(const Id &mailboxId) override
    {
        return inner().getMessageLookupSessionForMailbox(mailboxId);
    }
    std::unique_ptr<messaging::MessageAdminSession> getMessageAdminSession() override
    {
        return inner().getMessageAdminSession();
    }
    std::unique_ptr<messaging::MessageAdminSession> getMessageAdminSessionForMailbox(const Id &mailboxId) override
    {
        return inner().getMessageAdminSessionForMailbox(mailboxId);
    }
    std::unique_ptr<messaging::MailboxLookupSession> getMailboxLookupSession() override
    {
        return inner().getMailboxLookupSession();
    }
    std::unique_ptr<messaging::MailboxAdminSession> getMailboxAdminSession() override
    {
        return inner().getMailboxAdminSession();
    }
    std::shared_ptr<messaging::batch::MessagingBatchManager> getMessagingBatchManager() override
    {
        return inner().getMessagingBatchManager();
    }
};

} // namespace osid::adapter
