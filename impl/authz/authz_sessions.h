// The authorization adapter's sessions: each asks the policy before it
// passes a call on to the wrapped provider's session, and answers
// PermissionDenied (or false, from the can...() hints) for the session's
// effective agent when the policy says no.
//
// The wrapped session is asked first for what it checks on its own (a
// closed session raises IllegalState, a null Type NullArgument), so the
// adapter changes only the answer to "may this agent do this".

#pragma once

#include "authz_policy.h"

#include "adapter/forwarding_messaging_sessions.h"
#include "osid/errors.h"

#include <memory>
#include <string>
#include <utility>

namespace osid::impl::authz {

// The policy, bound to the session it guards.
template <class Forwarding>
class Guarded : public Forwarding {
public:
    template <class Session>
    Guarded(std::unique_ptr<Session> inner, std::shared_ptr<const Policy> policy)
        : Forwarding(std::move(inner)), policy_(std::move(policy))
    {
    }

protected:
    bool allows(Operation operation) const { return policy_->allows(this->getEffectiveAgentId(), operation); }

    void require(Operation operation) const
    {
        if (!allows(operation))
            throw PermissionDenied("agent " + this->getEffectiveAgentId().toString() + " may not " +
                                   std::string(operationName(operation)) + " here");
    }

    // `call()`, once the policy allows `operation`.
    template <class Call>
    decltype(auto) guard(Operation operation, Call &&call) const
    {
        require(operation);
        return call();
    }

private:
    std::shared_ptr<const Policy> policy_;
};

class MessageLookupSession final : public Guarded<adapter::ForwardingMessageLookupSession> {
public:
    using Guarded::Guarded;
    using Base = adapter::ForwardingMessageLookupSession;

    std::shared_ptr<messaging::Mailbox> getMailbox() const override
    {
        return guard(Operation::Lookup, [&] { return Base::getMailbox(); });
    }
    bool canLookupMessages() const override { return Base::canLookupMessages() && allows(Operation::Lookup); }
    std::shared_ptr<messaging::Message> getMessage(const Id &messageId) override
    {
        return guard(Operation::Lookup, [&] { return Base::getMessage(messageId); });
    }
    std::unique_ptr<messaging::MessageList> getMessagesByIds(IdList &messageIds) override
    {
        return guard(Operation::Lookup, [&] { return Base::getMessagesByIds(messageIds); });
    }
    std::unique_ptr<messaging::MessageList> getMessagesByGenusType(const Type &messageGenusType) override
    {
        return guard(Operation::Lookup, [&] { return Base::getMessagesByGenusType(messageGenusType); });
    }
    std::unique_ptr<messaging::MessageList> getMessagesByRecordType(const Type &messageRecordType) override
    {
        return guard(Operation::Lookup, [&] { return Base::getMessagesByRecordType(messageRecordType); });
    }
    std::unique_ptr<messaging::MessageList> getMessagesBySentTime(const DateTime &start, const DateTime &end) override
    {
        return guard(Operation::Lookup, [&] { return Base::getMessagesBySentTime(start, end); });
    }
    std::unique_ptr<messaging::MessageList> getMessagesFromSender(const Id &resourceId) override
    {
        return guard(Operation::Lookup, [&] { return Base::getMessagesFromSender(resourceId); });
    }
    std::unique_ptr<messaging::MessageList> getMessagesBySentTimeFromSender(const Id &resourceId, const DateTime &start,
                                                                            const DateTime &end) override
    {
        return guard(Operation::Lookup, [&] { return Base::getMessagesBySentTimeFromSender(resourceId, start, end); });
    }
    std::unique_ptr<messaging::MessageList> getMessagesForRecipient(const Id &resourceId) override
    {
        return guard(Operation::Lookup, [&] { return Base::getMessagesForRecipient(resourceId); });
    }
    std::unique_ptr<messaging::MessageList> getMessagesByReceivedTimeForRecipient(const Id &resourceId,
                                                                                  const DateTime &start,
                                                                                  const DateTime &end) override
    {
        return guard(Operation::Lookup,
                     [&] { return Base::getMessagesByReceivedTimeForRecipient(resourceId, start, end); });
    }
    std::unique_ptr<messaging::MessageList> getMessagesFromSenderForRecipient(const Id &senderResourceId,
                                                                              const Id &recipientResourceId) override
    {
        return guard(Operation::Lookup,
                     [&] { return Base::getMessagesFromSenderForRecipient(senderResourceId, recipientResourceId); });
    }
    std::unique_ptr<messaging::MessageList> getMessages() override
    {
        return guard(Operation::Lookup, [&] { return Base::getMessages(); });
    }
};

class MessagingSession final : public Guarded<adapter::ForwardingMessagingSession> {
public:
    using Guarded::Guarded;
    using Base = adapter::ForwardingMessagingSession;

    std::shared_ptr<messaging::Mailbox> getMailbox() const override
    {
        return guard(Operation::Lookup, [&] { return Base::getMailbox(); });
    }
    bool canSendMessages() const override { return Base::canSendMessages() && allows(Operation::Send); }
    void sendMessage(const Id &messageId, IdList &recipientIds) override
    {
        guard(Operation::Send, [&] { Base::sendMessage(messageId, recipientIds); });
    }
    std::unique_ptr<messaging::MessageList> getUnsentMessages() override
    {
        return guard(Operation::Lookup, [&] { return Base::getUnsentMessages(); });
    }
};

class MailboxLookupSession final : public Guarded<adapter::ForwardingMailboxLookupSession> {
public:
    using Guarded::Guarded;
    using Base = adapter::ForwardingMailboxLookupSession;

    bool canLookupMailboxes() const override { return Base::canLookupMailboxes() && allows(Operation::Lookup); }
    std::shared_ptr<messaging::Mailbox> getMailbox(const Id &mailboxId) override
    {
        return guard(Operation::Lookup, [&] { return Base::getMailbox(mailboxId); });
    }
    std::unique_ptr<messaging::MailboxList> getMailboxesByIds(IdList &mailboxIds) override
    {
        return guard(Operation::Lookup, [&] { return Base::getMailboxesByIds(mailboxIds); });
    }
    std::unique_ptr<messaging::MailboxList> getMailboxes() override
    {
        return guard(Operation::Lookup, [&] { return Base::getMailboxes(); });
    }
};

class MailboxAdminSession final : public Guarded<adapter::ForwardingMailboxAdminSession> {
public:
    using Guarded::Guarded;
    using Base = adapter::ForwardingMailboxAdminSession;

    bool canCreateMailboxes() const override { return Base::canCreateMailboxes() && allows(Operation::CreateMailbox); }
    bool canCreateMailboxWithRecordTypes(const std::vector<Type> &mailboxRecordTypes) const override
    {
        return Base::canCreateMailboxWithRecordTypes(mailboxRecordTypes) && allows(Operation::CreateMailbox);
    }
    std::shared_ptr<messaging::MailboxForm> getMailboxFormForCreate(
        const std::vector<Type> &mailboxRecordTypes) override
    {
        return guard(Operation::CreateMailbox, [&] { return Base::getMailboxFormForCreate(mailboxRecordTypes); });
    }
    std::shared_ptr<messaging::Mailbox> createMailbox(messaging::MailboxForm &mailboxForm) override
    {
        return guard(Operation::CreateMailbox, [&] { return Base::createMailbox(mailboxForm); });
    }
};

// The MessageAdminSession calls, for the admin session and the batch
// session that extends it.
template <class Forwarding>
class GuardedMessageAdmin : public Guarded<Forwarding> {
public:
    using Guarded<Forwarding>::Guarded;
    using Base = Forwarding;

    std::shared_ptr<messaging::Mailbox> getMailbox() const override
    {
        return this->guard(Operation::Lookup, [&] { return Base::getMailbox(); });
    }
    bool canCreateMessages() const override { return Base::canCreateMessages() && this->allows(Operation::Create); }
    bool canCreateMessageWithRecordTypes(const std::vector<Type> &messageRecordTypes) const override
    {
        return Base::canCreateMessageWithRecordTypes(messageRecordTypes) && this->allows(Operation::Create);
    }
    std::shared_ptr<messaging::MessageForm> getMessageFormForCreate(
        const std::vector<Type> &messageRecordTypes) override
    {
        return this->guard(Operation::Create, [&] { return Base::getMessageFormForCreate(messageRecordTypes); });
    }
    std::shared_ptr<messaging::Message> createMessage(messaging::MessageForm &messageForm) override
    {
        return this->guard(Operation::Create, [&] { return Base::createMessage(messageForm); });
    }
    bool canUpdateMessages() const override { return Base::canUpdateMessages() && this->allows(Operation::Update); }
    std::shared_ptr<messaging::MessageForm> getMessageFormForUpdate(const Id &messageId) override
    {
        return this->guard(Operation::Update, [&] { return Base::getMessageFormForUpdate(messageId); });
    }
    void updateMessage(messaging::MessageForm &messageForm) override
    {
        this->guard(Operation::Update, [&] { Base::updateMessage(messageForm); });
    }
    bool canDeleteMessages() const override { return Base::canDeleteMessages() && this->allows(Operation::Delete); }
    void deleteMessage(const Id &messageId) override
    {
        this->guard(Operation::Delete, [&] { Base::deleteMessage(messageId); });
    }
    bool canManageMessageAliases() const override
    {
        return Base::canManageMessageAliases() && this->allows(Operation::Alias);
    }
    void aliasMessage(const Id &messageId, const Id &aliasId) override
    {
        this->guard(Operation::Alias, [&] { Base::aliasMessage(messageId, aliasId); });
    }
};

using MessageAdminSession = GuardedMessageAdmin<adapter::ForwardingMessageAdminSession>;

class MessageBatchAdminSession final : public GuardedMessageAdmin<adapter::ForwardingMessageBatchAdminSession> {
public:
    using GuardedMessageAdmin::GuardedMessageAdmin;
    using Base = adapter::ForwardingMessageBatchAdminSession;

    std::unique_ptr<messaging::batch::MessageBatchFormList> getMessageFormsForCreate(
        std::uint64_t number, const std::vector<Type> &messageRecordTypes) override
    {
        return guard(Operation::Create, [&] { return Base::getMessageFormsForCreate(number, messageRecordTypes); });
    }
    std::unique_ptr<transaction::batch::CreateResponseList> createMessages(
        messaging::batch::MessageBatchFormList &messageForms) override
    {
        return guard(Operation::Create, [&] { return Base::createMessages(messageForms); });
    }
    std::unique_ptr<messaging::batch::MessageBatchFormList> getMessageFormsForUpdate(IdList &messageIds) override
    {
        return guard(Operation::Update, [&] { return Base::getMessageFormsForUpdate(messageIds); });
    }
    std::unique_ptr<transaction::batch::UpdateResponseList> updateMessages(
        messaging::batch::MessageBatchFormList &messageForms) override
    {
        return guard(Operation::Update, [&] { return Base::updateMessages(messageForms); });
    }
    std::unique_ptr<transaction::batch::DeleteResponseList> deleteAllMessages() override
    {
        return guard(Operation::Delete, [&] { return Base::deleteAllMessages(); });
    }
    std::unique_ptr<transaction::batch::DeleteResponseList> deleteMessagesBySender(const Id &resourceId) override
    {
        return guard(Operation::Delete, [&] { return Base::deleteMessagesBySender(resourceId); });
    }
    std::unique_ptr<transaction::batch::DeleteResponseList> deleteMessagesByDate(const DateTime &from,
                                                                                 const DateTime &to) override
    {
        return guard(Operation::Delete, [&] { return Base::deleteMessagesByDate(from, to); });
    }
    std::unique_ptr<transaction::batch::AliasResponseList> aliasMessages(
        transaction::batch::AliasRequestList &aliasRequests) override
    {
        return guard(Operation::Alias, [&] { return Base::aliasMessages(aliasRequests); });
    }
};

} // namespace osid::impl::authz
