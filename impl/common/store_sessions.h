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

// SessionBase over a store: transactions are the store's.
template <class Interface>
class StoreSession : public SessionBase<Interface> {
public:
    bool supportsTransactions() const override { return this->requireOpen(), context_.store->supportsTransactions(); }
    std::unique_ptr<transaction::Transaction> startTransaction() override
    {
        this->requireOpen();
        return context_.store->startTransaction();
    }

protected:
    explicit StoreSession(SessionContext context) : SessionBase<Interface>(context.agent), context_(std::move(context))
    {
    }

    SessionContext context_;
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
        const std::function<std::vector<MessageKey>(const StoreReader &)> &select, bool dropDanglingAliases = false);

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
    std::unique_ptr<messaging::MessageList> getMessagesBySentTime(const DateTime &start,
                                                                  const DateTime &end) override;
    std::unique_ptr<messaging::MessageList> getMessagesFromSender(const Id &resourceId) override;
    std::unique_ptr<messaging::MessageList> getMessagesBySentTimeFromSender(const Id &resourceId,
                                                                            const DateTime &start,
                                                                            const DateTime &end) override;
    std::unique_ptr<messaging::MessageList> getMessagesForRecipient(const Id &resourceId) override;
    std::unique_ptr<messaging::MessageList> getMessagesByReceivedTimeForRecipient(const Id &resourceId,
                                                                                  const DateTime &start,
                                                                                  const DateTime &end) override;
    std::unique_ptr<messaging::MessageList> getMessagesFromSenderForRecipient(
        const Id &senderResourceId, const Id &recipientResourceId) override;
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
