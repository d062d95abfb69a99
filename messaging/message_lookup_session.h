// osid::messaging::MessageLookupSession (OSID
// osid.messaging.MessageLookupSession): reads the messages of one mailbox.
//
// Views: comparative (the default) leaves out Ids it cannot find; plenary
// answers exactly or raises NotFound. Federated and isolated mailbox views
// are the same here, since mailboxes have no children.
//
// A lookup through an alias returns the message with its primary Id.
// Lists are in no defined order unless a method says so.
//
// Every method raises IllegalState once the session is closed.

#pragma once

#include "messaging/mailbox.h"
#include "messaging/message.h"
#include "osid/datetime.h"
#include "osid/id.h"
#include "osid/id_list.h"
#include "osid/osid_session.h"
#include "osid/type.h"

#include <memory>

namespace osid::messaging {

class MessageLookupSession : public virtual OsidSession {
public:
    // The Id of the mailbox this session is bound to.
    virtual Id getMailboxId() const = 0;

    // Errors: OperationFailed, PermissionDenied.
    virtual std::shared_ptr<Mailbox> getMailbox() const = 0;

    // False when every lookup is known to raise PermissionDenied.
    virtual bool canLookupMessages() const = 0;

    virtual void useComparativeMessageView() = 0;
    virtual void usePlenaryMessageView() = 0;
    virtual void useFederatedMailboxView() = 0;
    virtual void useIsolatedMailboxView() = 0;

    // The message with Id or alias `messageId`.
    // Errors: NotFound (no such message in this mailbox), NullArgument (the
    //         null Id), OperationFailed, PermissionDenied.
    virtual std::shared_ptr<Message> getMessage(const Id &messageId) = 0;

    // The messages with the given Ids. Plenary view: all of them, in the
    // order asked, duplicates included, NotFound if any is missing.
    // Comparative view: the ones found, unknown Ids left out.
    // Errors: NotFound (plenary view only), NullArgument (a null Id),
    //         OperationFailed, PermissionDenied.
    virtual std::unique_ptr<MessageList> getMessagesByIds(IdList &messageIds) = 0;

    // Errors: NullArgument, OperationFailed, PermissionDenied.
    virtual std::unique_ptr<MessageList> getMessagesByGenusType(const Type &messageGenusType) = 0;

    // Errors: NullArgument, OperationFailed, PermissionDenied.
    virtual std::unique_ptr<MessageList> getMessagesByRecordType(const Type &messageRecordType) = 0;

    // Sent messages whose sent time is in [start, end], in sent-time order.
    // Errors: InvalidArgument (end is before start), OperationFailed,
    //         PermissionDenied.
    virtual std::unique_ptr<MessageList> getMessagesBySentTime(const DateTime &start, const DateTime &end) = 0;

    // Messages sent by `resourceId`.
    // Errors: NullArgument, OperationFailed, PermissionDenied.
    virtual std::unique_ptr<MessageList> getMessagesFromSender(const Id &resourceId) = 0;

    // Messages sent by `resourceId` with sent time in [start, end].
    // Errors: InvalidArgument (end is before start), NullArgument,
    //         OperationFailed, PermissionDenied.
    virtual std::unique_ptr<MessageList> getMessagesBySentTimeFromSender(const Id &resourceId, const DateTime &start,
                                                                         const DateTime &end) = 0;

    // Messages whose recipients include `resourceId`.
    // Errors: NullArgument, OperationFailed, PermissionDenied.
    virtual std::unique_ptr<MessageList> getMessagesForRecipient(const Id &resourceId) = 0;

    // Messages for `resourceId` with received time in [start, end].
    // Errors: InvalidArgument (end is before start), NullArgument,
    //         OperationFailed, PermissionDenied.
    virtual std::unique_ptr<MessageList> getMessagesByReceivedTimeForRecipient(const Id &resourceId,
                                                                               const DateTime &start,
                                                                               const DateTime &end) = 0;

    // Messages sent by `senderResourceId` to `recipientResourceId`.
    // Errors: NullArgument, OperationFailed, PermissionDenied.
    virtual std::unique_ptr<MessageList> getMessagesFromSenderForRecipient(const Id &senderResourceId,
                                                                           const Id &recipientResourceId) = 0;

    // Every message in this mailbox.
    // Errors: OperationFailed, PermissionDenied.
    virtual std::unique_ptr<MessageList> getMessages() = 0;
};

} // namespace osid::messaging
