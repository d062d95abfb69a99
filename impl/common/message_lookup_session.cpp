#include "impl/common/message_lookup_session.h"

#include "impl/common/session_support.h"
#include "messaging/records/delivery_record.h"
#include "osid/vector_list.h"

#include <fmt/format.h>

namespace osid::impl {

using messaging::records::deliveryRecordType;

MessageLookupSessionImpl::MessageLookupSessionImpl(SessionContext context, MailboxKey mailbox)
    : MailboxSession(std::move(context), mailbox)
{
}

bool MessageLookupSessionImpl::canLookupMessages() const { return requireOpen(), true; }
void MessageLookupSessionImpl::useComparativeMessageView() { requireOpen(), plenary_ = false; }
void MessageLookupSessionImpl::usePlenaryMessageView() { requireOpen(), plenary_ = true; }
// Mailboxes have no children, so both mailbox views see the same messages.
void MessageLookupSessionImpl::useFederatedMailboxView() { requireOpen(); }
void MessageLookupSessionImpl::useIsolatedMailboxView() { requireOpen(); }

std::shared_ptr<messaging::Message> MessageLookupSessionImpl::getMessage(const Id &messageId)
{
    requireOpen();
    requireNotNull(messageId, "messageId");
    // Thrown here rather than inside the read: fewer frames to unwind, and
    // the store is not held meanwhile. `message` is gone by then, so this
    // frame has nothing to clean up on the way.
    if (auto message = context_.store->lookupMessage(mailbox_, messageId))
        return message;
    throw noSuchMessage(messageId);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesByIds(IdList &messageIds)
{
    requireOpen();
    const auto ids = drain(messageIds);
    for (const auto &id : ids)
        requireNotNull(id, "an Id in messageIds");
    auto messages = context_.store->read([&](const StoreReader &s) {
        std::vector<std::shared_ptr<messaging::Message>> out;
        out.reserve(ids.size());
        for (const auto &id : ids) {
            if (auto key = s.resolve(mailbox_, id))
                out.push_back(s.message(mailbox_, *key));
            else if (plenary_)
                throw noSuchMessage(id);
        }
        return out;
    });
    return makeList<messaging::MessageList>(std::move(messages));
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::select(const MessageQuery &query)
{
    return selectMessages(*context_.store, mailbox_, query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesByGenusType(const Type &messageGenusType)
{
    requireOpen();
    if (messageGenusType.isNull())
        throw NullArgument("messageGenusType is null");
    MessageQuery query;
    query.genusType = messageGenusType;
    return select(query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesByRecordType(const Type &messageRecordType)
{
    requireOpen();
    if (messageRecordType.isNull())
        throw NullArgument("messageRecordType is null");
    if (messageRecordType != deliveryRecordType())
        return makeList<messaging::MessageList>({});
    MessageQuery query;
    query.deliveryRecordOnly = true;
    return select(query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesBySentTime(const DateTime &start,
                                                                                        const DateTime &end)
{
    requireOpen();
    requireOrdered(start, end, "start", "end");
    MessageQuery query;
    query.sent = true;
    query.sentTime = {start, end};
    query.orderBySentTime = true;
    return select(query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesFromSender(const Id &resourceId)
{
    requireOpen();
    requireNotNull(resourceId, "resourceId");
    MessageQuery query;
    query.sent = true;
    query.sender = resourceId;
    return select(query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesBySentTimeFromSender(const Id &resourceId,
                                                                                                  const DateTime &start,
                                                                                                  const DateTime &end)
{
    requireOpen();
    requireNotNull(resourceId, "resourceId");
    requireOrdered(start, end, "start", "end");
    MessageQuery query;
    query.sent = true;
    query.sender = resourceId;
    query.sentTime = {start, end};
    query.orderBySentTime = true;
    return select(query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesForRecipient(const Id &resourceId)
{
    requireOpen();
    requireNotNull(resourceId, "resourceId");
    MessageQuery query;
    query.sent = true;
    query.recipient = resourceId;
    return select(query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesByReceivedTimeForRecipient(
    const Id &resourceId, const DateTime &start, const DateTime &end)
{
    requireOpen();
    requireNotNull(resourceId, "resourceId");
    requireOrdered(start, end, "start", "end");
    MessageQuery query;
    query.sent = true;
    query.recipient = resourceId;
    query.receivedTime = {start, end};
    return select(query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessagesFromSenderForRecipient(
    const Id &senderResourceId, const Id &recipientResourceId)
{
    requireOpen();
    requireNotNull(senderResourceId, "senderResourceId");
    requireNotNull(recipientResourceId, "recipientResourceId");
    MessageQuery query;
    query.sent = true;
    query.sender = senderResourceId;
    query.recipient = recipientResourceId;
    return select(query);
}

std::unique_ptr<messaging::MessageList> MessageLookupSessionImpl::getMessages()
{
    requireOpen();
    return select(MessageQuery{});
}

} // namespace osid::impl
