// osid::messaging::MessagingManager (OSID osid.messaging.MessagingManager):
// a messaging service; hands out sessions over one store.
//
// Thread-safe: any thread may ask for sessions at any time, and sessions
// over the same store may be used on different threads at once. Sessions
// without "ForMailbox" are bound to the default mailbox.

#pragma once

#include "messaging/mailbox_admin_session.h"
#include "messaging/mailbox_lookup_session.h"
#include "messaging/message_admin_session.h"
#include "messaging/message_lookup_session.h"
#include "messaging/messaging_profile.h"
#include "messaging/messaging_session.h"
#include "osid/id.h"
#include "osid/osid_manager.h"

#include <memory>

namespace osid::messaging::batch {
class MessagingBatchManager;
}

namespace osid::messaging {

class MessagingManager : public OsidManager, public MessagingProfile {
public:
    // Errors: OperationFailed, Unimplemented (supportsMessaging() is false).
    virtual std::unique_ptr<MessagingSession> getMessagingSession() = 0;
    // Errors: NotFound (no such mailbox), NullArgument, OperationFailed,
    //         Unimplemented (supportsMessaging() or
    //         supportsVisibleFederation() is false).
    virtual std::unique_ptr<MessagingSession> getMessagingSessionForMailbox(const Id &mailboxId) = 0;

    // Errors: OperationFailed, Unimplemented (supportsMessageLookup() is false).
    virtual std::unique_ptr<MessageLookupSession> getMessageLookupSession() = 0;
    // Errors: NotFound, NullArgument, OperationFailed, Unimplemented.
    virtual std::unique_ptr<MessageLookupSession> getMessageLookupSessionForMailbox(const Id &mailboxId) = 0;

    // Errors: OperationFailed, Unimplemented (supportsMessageAdmin() is false).
    virtual std::unique_ptr<MessageAdminSession> getMessageAdminSession() = 0;
    // Errors: NotFound, NullArgument, OperationFailed, Unimplemented.
    virtual std::unique_ptr<MessageAdminSession> getMessageAdminSessionForMailbox(const Id &mailboxId) = 0;

    // Errors: OperationFailed, Unimplemented (supportsMailboxLookup() is false).
    virtual std::unique_ptr<MailboxLookupSession> getMailboxLookupSession() = 0;

    // Errors: OperationFailed, Unimplemented (supportsMailboxAdmin() is false).
    virtual std::unique_ptr<MailboxAdminSession> getMailboxAdminSession() = 0;

    // The manager of the messaging batch sub-package, over the same store.
    // Errors: OperationFailed, Unimplemented (supportsMessagingBatch() is false).
    virtual std::shared_ptr<batch::MessagingBatchManager> getMessagingBatchManager() = 0;
};

} // namespace osid::messaging
