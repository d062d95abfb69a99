// MessageBatchAdminSession of the built-in providers: creates, updates,
// deletes and aliases the messages of one mailbox, one call at a time or in
// batches, each batch call all or nothing in the store.

#pragma once

#include "impl/common/store_session.h"
#include "messaging/batch/message_batch_admin_session.h"

#include <functional>
#include <memory>
#include <vector>

namespace osid::impl {

class MessageBatchAdminSessionImpl final : public MailboxSession<messaging::batch::MessageBatchAdminSession> {
public:
    MessageBatchAdminSessionImpl(SessionContext context, MailboxKey mailbox);

    // MessageAdminSession.
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
};

} // namespace osid::impl
