// osid::messaging::MailboxLookupSession (OSID
// osid.messaging.MailboxLookupSession): reads mailboxes. Every method
// raises IllegalState once the session is closed.

#pragma once

#include "messaging/mailbox.h"
#include "osid/id.h"
#include "osid/id_list.h"
#include "osid/osid_session.h"

#include <memory>

namespace osid::messaging {

class MailboxLookupSession : public virtual OsidSession {
public:
    // False when every lookup is known to raise PermissionDenied.
    virtual bool canLookupMailboxes() const = 0;

    virtual void useComparativeMailboxView() = 0;
    virtual void usePlenaryMailboxView() = 0;

    // Errors: NotFound, NullArgument, OperationFailed, PermissionDenied.
    virtual std::shared_ptr<Mailbox> getMailbox(const Id &mailboxId) = 0;

    // Plenary view: all, in order, NotFound if any is missing; comparative
    // view: those found.
    // Errors: NotFound (plenary view only), NullArgument, OperationFailed,
    //         PermissionDenied.
    virtual std::unique_ptr<MailboxList> getMailboxesByIds(IdList &mailboxIds) = 0;

    // Errors: OperationFailed, PermissionDenied.
    virtual std::unique_ptr<MailboxList> getMailboxes() = 0;
};

} // namespace osid::messaging
