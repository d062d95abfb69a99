// MessagingSession of the built-in providers: sends the messages of one
// mailbox.

#pragma once

#include "impl/common/store_session.h"
#include "messaging/messaging_session.h"

namespace osid::impl {

class MessagingSessionImpl final : public MailboxSession<messaging::MessagingSession> {
public:
    MessagingSessionImpl(SessionContext context, MailboxKey mailbox);

    bool canSendMessages() const override;
    void sendMessage(const Id &messageId, IdList &recipientIds) override;
    std::unique_ptr<messaging::MessageList> getUnsentMessages() override;

private:
};

} // namespace osid::impl
