// The sessions every built-in provider shares: each OSID rule of the
// messaging sessions, written once over a MessageStore. A provider differs
// only in its store (impl/memory, impl/sqlite). Private to the providers;
// consumers see them only through the OSID interfaces.

#pragma once

#include "impl/common/form_rules.h"
#include "impl/common/session_base.h"
#include "impl/common/message_store.h"
#include "messaging/batch/message_batch_admin_session.h"
#include "messaging/mailbox_admin_session.h"
#include "messaging/mailbox_lookup_session.h"
#include "messaging/message_lookup_session.h"
#include "messaging/messaging_session.h"

#include <memory>

namespace osid::impl {

// What a session works with: its store, the form limits and its agent.
struct SessionContext {
    std::shared_ptr<MessageStore> store;
    std::shared_ptr<const FormRules> rules;
    SessionAgent agent;
};

// An OSID transaction of a session: the store's, plus what the session
// must know of it. Shared by the session and the Transaction it handed
// out, so that closing the session can abort it.
struct OpenTransaction {
    std::unique_ptr<transaction::Transaction> inner;
    // What the forms spent inside it see of its outcome.
    std::shared_ptr<TransactionOutcome> outcome = std::make_shared<TransactionOutcome>();
    bool abortedByClose = false;

    bool ended() const
    {
        const auto state = inner->getState();
        return state == transaction::TransactionState::Committed || state == transaction::TransactionState::Aborted;
    }

    void abortIfOpen() noexcept
    {
        if (ended())
            return;
        try {
            inner->abort();
        } catch (...) {
            // The store ends the transaction even when its abort fails.
        }
        outcome->aborted = true;
    }
};

// The Transaction a store session hands out: the store's, which also
// tells the session's forms when it is aborted.
class SessionTransaction final : public transaction::Transaction {
public:
    explicit SessionTransaction(std::shared_ptr<OpenTransaction> open) : open_(std::move(open)) {}
    // A transaction dropped while open is aborted, as OSID's would be.
    ~SessionTransaction() override { open_->abortIfOpen(); }

    void prepare() override
    {
        requireNotClosed();
        open_->inner->prepare();
    }
    void commit() override
    {
        end([&] { open_->inner->commit(); });
    }
    void abort() override
    {
        end([&] { open_->inner->abort(); });
    }
    transaction::TransactionState getState() const override { return open_->inner->getState(); }

private:
    void requireNotClosed() const
    {
        if (open_->abortedByClose)
            throw IllegalState("the session was closed, which aborted this transaction");
    }
    // Runs commit or abort; a transaction that ends aborted (a failed
    // commit included) gives its spent forms back.
    template <class F>
    void end(const F &f)
    {
        requireNotClosed();
        try {
            f();
        } catch (...) {
            settle();
            throw;
        }
        settle();
    }
    void settle()
    {
        if (open_->inner->getState() == transaction::TransactionState::Aborted)
            open_->outcome->aborted = true;
    }

    std::shared_ptr<OpenTransaction> open_;
};

// SessionBase over a store: transactions are the store's. Closing or
// dropping the session aborts its open transaction.
template <class Interface>
class StoreSession : public SessionBase<Interface> {
public:
    ~StoreSession() override { abortOpenTransaction(); }

    bool supportsTransactions() const override { return this->requireOpen(), context_.store->supportsTransactions(); }
    std::unique_ptr<transaction::Transaction> startTransaction() override
    {
        this->requireOpen();
        auto open = std::make_shared<OpenTransaction>();
        open->inner = context_.store->startTransaction();
        transaction_ = open;
        return std::make_unique<SessionTransaction>(std::move(open));
    }
    void close() override
    {
        abortOpenTransaction();
        SessionBase<Interface>::close();
    }

protected:
    explicit StoreSession(SessionContext context) : SessionBase<Interface>(context.agent), context_(std::move(context))
    {
    }

    // The outcome of the transaction open on this session, null outside
    // one: what a form spent now is marked with.
    std::shared_ptr<const TransactionOutcome> openTransaction() const
    {
        return transaction_ && !transaction_->ended() ? transaction_->outcome : nullptr;
    }

    SessionContext context_;

private:
    void abortOpenTransaction() noexcept
    {
        if (!transaction_)
            return;
        if (!transaction_->ended()) {
            transaction_->abortIfOpen();
            transaction_->abortedByClose = true;
        }
        transaction_.reset();
    }

    std::shared_ptr<OpenTransaction> transaction_;
};

class MessageBatchAdminSessionImpl final : public StoreSession<messaging::batch::MessageBatchAdminSession> {
public:
    MessageBatchAdminSessionImpl(SessionContext context, MailboxKey mailbox);

    // MessageAdminSession.
    Id getMailboxId() const override;
    std::shared_ptr<messaging::Mailbox> getMailbox() const override;
    bool canCreateMessages() const override;
    bool canCreateMessageWithRecordTypes(const std::vector<Type> &messageRecordTypes) const override;
    std::shared_ptr<messaging::MessageForm> getMessageFormForCreate(
        const std::vector<Type> &messageRecordTypes) override;
    std::shared_ptr<messaging::Message> createMessage(messaging::MessageForm &messageForm) override;
    bool canUpdateMessages() const override;
    std::shared_ptr<messaging::MessageForm> getMessageFormForUpdate(const Id &messageId) override;
    void updateMessage(messaging::MessageForm &messageForm) override;
    bool canDeleteMessages() const override;
    void deleteMessage(const Id &messageId) override;
    bool canManageMessageAliases() const override;
    void aliasMessage(const Id &messageId, const Id &aliasId) override;

    // MessageBatchAdminSession.
    std::unique_ptr<messaging::batch::MessageBatchFormList> getMessageFormsForCreate(
        std::uint64_t number, const std::vector<Type> &messageRecordTypes) override;
    std::unique_ptr<transaction::batch::CreateResponseList> createMessages(
        messaging::batch::MessageBatchFormList &messageForms) override;
    std::unique_ptr<messaging::batch::MessageBatchFormList> getMessageFormsForUpdate(IdList &messageIds) override;
    std::unique_ptr<transaction::batch::UpdateResponseList> updateMessages(
        messaging::batch::MessageBatchFormList &messageForms) override;
    std::unique_ptr<transaction::batch::DeleteResponseList> deleteAllMessages() override;
    std::unique_ptr<transaction::batch::DeleteResponseList> deleteMessagesBySender(const Id &resourceId) override;
    std::unique_ptr<transaction::batch::DeleteResponseList> deleteMessagesByDate(const DateTime &from,
                                                                                 const DateTime &to) override;
    std::unique_ptr<transaction::batch::AliasResponseList> aliasMessages(
        transaction::batch::AliasRequestList &aliasRequests) override;

private:
    std::unique_ptr<transaction::batch::DeleteResponseList> deleteKeys(
        const std::function<std::vector<MessageKey>(StoreWriter &)> &erase, bool dropDanglingAliases = false);

    MailboxKey mailbox_;
};

class MessageLookupSessionImpl final : public StoreSession<messaging::MessageLookupSession> {
public:
    MessageLookupSessionImpl(SessionContext context, MailboxKey mailbox);

    Id getMailboxId() const override;
    std::shared_ptr<messaging::Mailbox> getMailbox() const override;
    bool canLookupMessages() const override;
    void useComparativeMessageView() override;
    void usePlenaryMessageView() override;
    void useFederatedMailboxView() override;
    void useIsolatedMailboxView() override;
    std::shared_ptr<messaging::Message> getMessage(const Id &messageId) override;
    std::unique_ptr<messaging::MessageList> getMessagesByIds(IdList &messageIds) override;
    std::unique_ptr<messaging::MessageList> getMessagesByGenusType(const Type &messageGenusType) override;
    std::unique_ptr<messaging::MessageList> getMessagesByRecordType(const Type &messageRecordType) override;
    std::unique_ptr<messaging::MessageList> getMessagesBySentTime(const DateTime &start, const DateTime &end) override;
    std::unique_ptr<messaging::MessageList> getMessagesFromSender(const Id &resourceId) override;
    std::unique_ptr<messaging::MessageList> getMessagesBySentTimeFromSender(const Id &resourceId, const DateTime &start,
                                                                            const DateTime &end) override;
    std::unique_ptr<messaging::MessageList> getMessagesForRecipient(const Id &resourceId) override;
    std::unique_ptr<messaging::MessageList> getMessagesByReceivedTimeForRecipient(const Id &resourceId,
                                                                                  const DateTime &start,
                                                                                  const DateTime &end) override;
    std::unique_ptr<messaging::MessageList> getMessagesFromSenderForRecipient(const Id &senderResourceId,
                                                                              const Id &recipientResourceId) override;
    std::unique_ptr<messaging::MessageList> getMessages() override;

private:
    std::unique_ptr<messaging::MessageList> select(const MessageQuery &query);

    MailboxKey mailbox_;
    bool plenary_ = false;
};

class MessagingSessionImpl final : public StoreSession<messaging::MessagingSession> {
public:
    MessagingSessionImpl(SessionContext context, MailboxKey mailbox);

    Id getMailboxId() const override;
    std::shared_ptr<messaging::Mailbox> getMailbox() const override;
    bool canSendMessages() const override;
    void sendMessage(const Id &messageId, IdList &recipientIds) override;
    std::unique_ptr<messaging::MessageList> getUnsentMessages() override;

private:
    MailboxKey mailbox_;
};

class MailboxLookupSessionImpl final : public StoreSession<messaging::MailboxLookupSession> {
public:
    explicit MailboxLookupSessionImpl(SessionContext context);

    bool canLookupMailboxes() const override;
    void useComparativeMailboxView() override;
    void usePlenaryMailboxView() override;
    std::shared_ptr<messaging::Mailbox> getMailbox(const Id &mailboxId) override;
    std::unique_ptr<messaging::MailboxList> getMailboxesByIds(IdList &mailboxIds) override;
    std::unique_ptr<messaging::MailboxList> getMailboxes() override;

private:
    bool plenary_ = false;
};

class MailboxAdminSessionImpl final : public StoreSession<messaging::MailboxAdminSession> {
public:
    explicit MailboxAdminSessionImpl(SessionContext context);

    bool canCreateMailboxes() const override;
    bool canCreateMailboxWithRecordTypes(const std::vector<Type> &mailboxRecordTypes) const override;
    std::shared_ptr<messaging::MailboxForm> getMailboxFormForCreate(
        const std::vector<Type> &mailboxRecordTypes) override;
    std::shared_ptr<messaging::Mailbox> createMailbox(messaging::MailboxForm &mailboxForm) override;
};

} // namespace osid::impl
