// osid::messaging::MessagingSession (OSID osid.messaging.MessagingSession):
// sends stored messages.
//
// Sending a draft makes it sent: its sender and sending agent become the
// session's effective agent, its sent and received times the session's
// date, and its recipients the given ones. Sending a sent message again adds
// recipients. Every method raises IllegalState once the session is closed.

#pragma once

#include "messaging/mailbox.h"
#include "messaging/message.h"
#include "osid/id.h"
#include "osid/id_list.h"
#include "osid/osid_session.h"

#include <memory>

namespace osid::messaging {

class MessagingSession : public virtual OsidSession {
public:
    virtual Id getMailboxId() const = 0;

    // Errors: OperationFailed, PermissionDenied.
    virtual std::shared_ptr<Mailbox> getMailbox() const = 0;

    // False when every send is known to raise PermissionDenied.
    virtual bool canSendMessages() const = 0;

    // Sends the message `messageId` to `recipientIds`.
    // Errors: NotFound (no such message in this mailbox), NullArgument (a
    //         null Id), OperationFailed, PermissionDenied.
    virtual void sendMessage(const Id &messageId, IdList &recipientIds) = 0;

    // The drafts of this mailbox.
    // Errors: OperationFailed, PermissionDenied.
    virtual std::unique_ptr<MessageList> getUnsentMessages() = 0;
};

} // namespace osid::messaging
