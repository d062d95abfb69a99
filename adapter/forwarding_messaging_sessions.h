// Forwarding sessions of the messaging and messaging.batch OSIDs: each
// passes every call to an inner session, so an adapter overrides only what
// it changes. For example, a session that refuses deletes:
//
//   class NoDeletes : public osid::adapter::ForwardingMessageBatchAdminSession {
//   public:
//       using ForwardingMessageBatchAdminSession::ForwardingMessageBatchAdminSession;
//       bool canDeleteMessages() const override { return false; }
//       std::unique_ptr<osid::transaction::batch::DeleteResponseList> deleteAllMessages() override
//       {
//           throw osid::PermissionDenied("deletes are not allowed here");
//       }
//   };

#pragma once

#include "adapter/forwarding_session.h"
#include "messaging/batch/message_batch_admin_session.h"
#include "messaging/mailbox_admin_session.h"
#include "messaging/mailbox_lookup_session.h"
#include "messaging/message_admin_session.h"
#include "messaging/message_lookup_session.h"
#include "messaging/messaging_session.h"

namespace osid::adapter {

class ForwardingMessageLookupSession : public ForwardingSession<messaging::MessageLookupSession> {
public:
    using ForwardingSession::ForwardingSession;

    Id getMailboxId() const override { return inner().getMailboxId(); }
    std::shared_ptr<messaging::Mailbox> getMailbox() const override { return inner().getMailbox(); }
    bool canLookupMessages() const override { return inner().canLookupMessages(); }
    void useComparativeMessageView() override { inner().useComparativeMessageView(); }
    void usePlenaryMessageView() override { inner().usePlenaryMessageView(); }
    void useFederatedMailboxView() override { inner().useFederatedMailboxView(); }
    void useIsolatedMailboxView() override { inner().useIsolatedMailboxView(); }
    std::shared_ptr<messaging::Message> getMessage(const Id &messageId) override
    {
        return inner().getMessage(messageId);
    }
    std::unique_ptr<messaging::MessageList> getMessagesByIds(IdList &messageIds) override
    {
        return inner().getMessagesByIds(messageIds);
    }
    std::unique_ptr<messaging::MessageList> getMessagesByGenusType(const Type &messageGenusType) override
    {
        return inner().getMessagesByGenusType(messageGenusType);
    }
    std::unique_ptr<messaging::MessageList> getMessagesByRecordType(const Type &messageRecordType) override
    {
        return inner().getMessagesByRecordType(messageRecordType);
    }
    std::unique_ptr<messaging::MessageList> getMessagesBySentTime(const DateTime &start, const DateTime &end) override
    {
        return inner().getMessagesBySentTime(start, end);
    }
    std::unique_ptr<messaging::MessageList> getMessagesFromSender(const Id &resourceId) override
    {
        return inner().getMessagesFromSender(resourceId);
    }
    std::unique_ptr<messaging::MessageList> getMessagesBySentTimeFromSender(const Id &resourceId, const DateTime &start,
                                                                            const DateTime &end) override
    {
        return inner().getMessagesBySentTimeFromSender(resourceId, start, end);
    }
    std::unique_ptr<messaging::MessageList> getMessagesForRecipient(const Id &resourceId) override
    {
        return inner().getMessagesForRecipient(resourceId);
    }
    std::unique_ptr<messaging::MessageList> getMessagesByReceivedTimeForRecipient(const Id &resourceId,
                                                                                  const DateTime &start,
                                                                                  const DateTime &end) override
    {
        return inner().getMessagesByReceivedTimeForRecipient(resourceId, start, end);
    }
    std::unique_ptr<messaging::MessageList> getMessagesFromSenderForRecipient(const Id &senderResourceId,
                                                                              const Id &recipientResourceId) override
    {
        return inner().getMessagesFromSenderForRecipient(senderResourceId, recipientResourceId);
    }
    std::unique_ptr<messaging::MessageList> getMessages() override { return inner().getMessages(); }
};

class ForwardingMessagingSession : public ForwardingSession<messaging::MessagingSession> {
public:
    using ForwardingSession::ForwardingSession;

    Id getMailboxId() const override { return inner().getMailboxId(); }
    std::shared_ptr<messaging::Mailbox> getMailbox() const override { return inner().getMailbox(); }
    bool canSendMessages() const override { return inner().canSendMessages(); }
    void sendMessage(const Id &messageId, IdList &recipientIds) override
    {
        inner().sendMessage(messageId, recipientIds);
    }
    std::unique_ptr<messaging::MessageList> getUnsentMessages() override { return inner().getUnsentMessages(); }
};

class ForwardingMailboxLookupSession : public ForwardingSession<messaging::MailboxLookupSession> {
public:
    using ForwardingSession::ForwardingSession;

    bool canLookupMailboxes() const override { return inner().canLookupMailboxes(); }
    void useComparativeMailboxView() override { inner().useComparativeMailboxView(); }
    void usePlenaryMailboxView() override { inner().usePlenaryMailboxView(); }
    std::shared_ptr<messaging::Mailbox> getMailbox(const Id &mailboxId) override
    {
        return inner().getMailbox(mailboxId);
    }
    std::unique_ptr<messaging::MailboxList> getMailboxesByIds(IdList &mailboxIds) override
    {
        return inner().getMailboxesByIds(mailboxIds);
    }
    std::unique_ptr<messaging::MailboxList> getMailboxes() override { return inner().getMailboxes(); }
};

class ForwardingMailboxAdminSession : public ForwardingSession<messaging::MailboxAdminSession> {
public:
    using ForwardingSession::ForwardingSession;

    bool canCreateMailboxes() const override { return inner().canCreateMailboxes(); }
    bool canCreateMailboxWithRecordTypes(const std::vector<Type> &mailboxRecordTypes) const override
    {
        return inner().canCreateMailboxWithRecordTypes(mailboxRecordTypes);
    }
    std::shared_ptr<messaging::MailboxForm> getMailboxFormForCreate(
        const std::vector<Type> &mailboxRecordTypes) override
    {
        return inner().getMailboxFormForCreate(mailboxRecordTypes);
    }
    std::shared_ptr<messaging::Mailbox> createMailbox(messaging::MailboxForm &mailboxForm) override
    {
        return inner().createMailbox(mailboxForm);
    }
};

// The MessageAdminSession calls, for MessageAdminSession itself and for the
// batch session that extends it.
template <class Interface = messaging::MessageAdminSession>
class ForwardingMessageAdminSessionOf : public ForwardingSession<Interface> {
public:
    using ForwardingSession<Interface>::ForwardingSession;
    using ForwardingSession<Interface>::inner;

    Id getMailboxId() const override { return inner().getMailboxId(); }
    std::shared_ptr<messaging::Mailbox> getMailbox() const override { return inner().getMailbox(); }
    bool canCreateMessages() const override { return inner().canCreateMessages(); }
    bool canCreateMessageWithRecordTypes(const std::vector<Type> &messageRecordTypes) const override
    {
        return inner().canCreateMessageWithRecordTypes(messageRecordTypes);
    }
    std::shared_ptr<messaging::MessageForm> getMessageFormForCreate(
        const std::vector<Type> &messageRecordTypes) override
    {
        return inner().getMessageFormForCreate(messageRecordTypes);
    }
    std::shared_ptr<messaging::Message> createMessage(messaging::MessageForm &messageForm) override
    {
        return inner().createMessage(messageForm);
    }
    bool canUpdateMessages() const override { return inner().canUpdateMessages(); }
    std::shared_ptr<messaging::MessageForm> getMessageFormForUpdate(const Id &messageId) override
    {
        return inner().getMessageFormForUpdate(messageId);
    }
    void updateMessage(messaging::MessageForm &messageForm) override { inner().updateMessage(messageForm); }
    bool canDeleteMessages() const override { return inner().canDeleteMessages(); }
    void deleteMessage(const Id &messageId) override { inner().deleteMessage(messageId); }
    bool canManageMessageAliases() const override { return inner().canManageMessageAliases(); }
    void aliasMessage(const Id &messageId, const Id &aliasId) override { inner().aliasMessage(messageId, aliasId); }
};

using ForwardingMessageAdminSession = ForwardingMessageAdminSessionOf<>;

class ForwardingMessageBatchAdminSession
    : public ForwardingMessageAdminSessionOf<messaging::batch::MessageBatchAdminSession> {
public:
    using ForwardingMessageAdminSessionOf::ForwardingMessageAdminSessionOf;

    std::unique_ptr<messaging::batch::MessageBatchFormList> getMessageFormsForCreate(
        std::uint64_t number, const std::vector<Type> &messageRecordTypes) override
    {
        return inner().getMessageFormsForCreate(number, messageRecordTypes);
    }
    std::unique_ptr<transaction::batch::CreateResponseList> createMessages(
        messaging::batch::MessageBatchFormList &messageForms) override
    {
        return inner().createMessages(messageForms);
    }
    std::unique_ptr<messaging::batch::MessageBatchFormList> getMessageFormsForUpdate(IdList &messageIds) override
    {
        return inner().getMessageFormsForUpdate(messageIds);
    }
    std::unique_ptr<transaction::batch::UpdateResponseList> updateMessages(
        messaging::batch::MessageBatchFormList &messageForms) override
    {
        return inner().updateMessages(messageForms);
    }
    std::unique_ptr<transaction::batch::DeleteResponseList> deleteAllMessages() override
    {
        return inner().deleteAllMessages();
    }
    std::unique_ptr<transaction::batch::DeleteResponseList> deleteMessagesBySender(const Id &resourceId) override
    {
        return inner().deleteMessagesBySender(resourceId);
    }
    std::unique_ptr<transaction::batch::DeleteResponseList> deleteMessagesByDate(const DateTime &from,
                                                                                 const DateTime &to) override
    {
        return inner().deleteMessagesByDate(from, to);
    }
    std::unique_ptr<transaction::batch::AliasResponseList> aliasMessages(
        transaction::batch::AliasRequestList &aliasRequests) override
    {
        return inner().aliasMessages(aliasRequests);
    }
};

} // namespace osid::adapter
