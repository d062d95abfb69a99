// MessageLookupSession of the built-in providers: reads the messages of
// one mailbox, by Id and by the OSID's criteria.

#pragma once

#include "impl/common/store_session.h"
#include "messaging/message_lookup_session.h"

namespace osid::impl {

class MessageLookupSessionImpl final : public MailboxSession<messaging::MessageLookupSession> {
public:
    MessageLookupSessionImpl(SessionContext context, MailboxKey mailbox);

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

    bool plenary_ = false;
};

} // namespace osid::impl
