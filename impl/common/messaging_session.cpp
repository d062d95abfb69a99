#include "impl/common/messaging_session.h"

#include "impl/common/session_support.h"

#include <fmt/format.h>

namespace osid::impl {

MessagingSessionImpl::MessagingSessionImpl(SessionContext context, MailboxKey mailbox)
    : MailboxSession(std::move(context), mailbox)
{
}

bool MessagingSessionImpl::canSendMessages() const { return requireOpen(), true; }

void MessagingSessionImpl::sendMessage(const Id &messageId, IdList &recipientIds)
{
    requireOpen();
    requireNotNull(messageId, "messageId");
    const auto recipients = drain(recipientIds);
    for (const auto &id : recipients)
        requireNotNull(id, "an Id in recipientIds");
    const auto now = getDate();
    const auto sender = agent().effectiveAgentId;
    context_.store->write([&](StoreWriter &s) {
        auto key = s.resolve(mailbox_, messageId);
        if (!key)
            throw noSuchMessage(messageId);
        const auto previous = s.content(mailbox_, *key);
        auto content = previous;
        if (!content.sent) {
            content.sent = true;
            content.senderId = sender;
            content.sendingAgentId = sender;
            content.sentTime = now;
            content.receivedTime = now;
        }
        content.recipientIds.insert(content.recipientIds.end(), recipients.begin(), recipients.end());
        s.replace(mailbox_, *key, previous, content);
    });
}

std::unique_ptr<messaging::MessageList> MessagingSessionImpl::getUnsentMessages()
{
    requireOpen();
    MessageQuery query;
    query.sent = false;
    return selectMessages(*context_.store, mailbox_, query);
}

} // namespace osid::impl
