// osid::messaging::MessageAdminSession (OSID
// osid.messaging.MessageAdminSession): creates, updates, deletes and aliases
// single messages in one mailbox.
//
// Forms: request a new form for every create or update. A create form that
// succeeded cannot be submitted again; one whose create failed may be fixed
// and submitted again. An update form can succeed once. Forms work only
// with the session that issued them.
//
// Every method raises IllegalState once the session is closed.

#pragma once

#include "messaging/mailbox.h"
#include "messaging/message.h"
#include "messaging/message_form.h"
#include "osid/id.h"
#include "osid/osid_session.h"
#include "osid/type.h"

#include <memory>
#include <vector>

namespace osid::messaging {

class MessageAdminSession : public virtual OsidSession {
public:
    // The Id of the mailbox this session is bound to.
    virtual Id getMailboxId() const = 0;

    // Errors: OperationFailed, PermissionDenied.
    virtual std::shared_ptr<Mailbox> getMailbox() const = 0;

    // False when every create is known to raise PermissionDenied.
    virtual bool canCreateMessages() const = 0;

    // Whether a message with exactly these record types can be created
    // (an empty array means no records).
    // Errors: NullArgument (a null Type).
    virtual bool canCreateMessageWithRecordTypes(const std::vector<Type> &messageRecordTypes) const = 0;

    // A new create form carrying `messageRecordTypes`.
    // Errors: NullArgument (a null Type), OperationFailed, PermissionDenied,
    //         Unsupported (a record type this provider cannot give).
    virtual std::shared_ptr<MessageForm> getMessageFormForCreate(const std::vector<Type> &messageRecordTypes) = 0;

    // Creates a message from `messageForm` and returns it.
    // Errors: IllegalState (the form already created a message),
    //         InvalidArgument (isValid() is false), OperationFailed,
    //         PermissionDenied, Unsupported (the form did not come from this
    //         session's getMessageFormForCreate()/getMessageFormsForCreate(),
    //         or is an update form).
    virtual std::shared_ptr<Message> createMessage(MessageForm &messageForm) = 0;

    // False when every update is known to raise PermissionDenied.
    virtual bool canUpdateMessages() const = 0;

    // A new update form for the message with Id or alias `messageId`.
    // Errors: NotFound (no such message in this mailbox), NullArgument,
    //         OperationFailed, PermissionDenied.
    virtual std::shared_ptr<MessageForm> getMessageFormForUpdate(const Id &messageId) = 0;

    // Applies the elements set on `messageForm` to its message.
    // Errors: IllegalState (the form already updated its message),
    //         InvalidArgument (isValid() is false), NotFound (the message is
    //         gone), OperationFailed, PermissionDenied, Unsupported (the form
    //         did not come from this session or is a create form).
    virtual void updateMessage(MessageForm &messageForm) = 0;

    // False when every delete is known to raise PermissionDenied.
    virtual bool canDeleteMessages() const = 0;

    // Deletes the message with Id or alias `messageId`.
    // Errors: NotFound, NullArgument, OperationFailed, PermissionDenied.
    virtual void deleteMessage(const Id &messageId) = 0;

    // False when every alias call is known to raise PermissionDenied.
    virtual bool canManageMessageAliases() const = 0;

    // Adds `aliasId` to the message `messageId`. An alias that points to
    // another message is moved to this one.
    // Errors: AlreadyExists (aliasId is the primary Id of a message, or lies
    //         in this provider's own Id space), NotFound (no message
    //         messageId), NullArgument, OperationFailed, PermissionDenied.
    virtual void aliasMessage(const Id &messageId, const Id &aliasId) = 0;
};

} // namespace osid::messaging
