// osid::messaging::MailboxAdminSession (OSID
// osid.messaging.MailboxAdminSession): creates mailboxes. Every method
// raises IllegalState once the session is closed.

#pragma once

#include "messaging/mailbox.h"
#include "messaging/mailbox_form.h"
#include "osid/osid_session.h"
#include "osid/type.h"

#include <memory>
#include <vector>

namespace osid::messaging {

class MailboxAdminSession : public virtual OsidSession {
public:
    // False when every create is known to raise PermissionDenied.
    virtual bool canCreateMailboxes() const = 0;

    // Errors: NullArgument (a null Type).
    virtual bool canCreateMailboxWithRecordTypes(const std::vector<Type> &mailboxRecordTypes) const = 0;

    // Errors: NullArgument, OperationFailed, PermissionDenied, Unsupported.
    virtual std::shared_ptr<MailboxForm> getMailboxFormForCreate(const std::vector<Type> &mailboxRecordTypes) = 0;

    // Errors: IllegalState (the form already created a mailbox),
    //         InvalidArgument (isValid() is false), OperationFailed,
    //         PermissionDenied, Unsupported (the form is not from this session).
    virtual std::shared_ptr<Mailbox> createMailbox(MailboxForm &mailboxForm) = 0;
};

} // namespace osid::messaging
