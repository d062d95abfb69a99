// osid::messaging::batch::MessagingBatchManager (OSID
// osid.messaging.batch.MessagingBatchManager): hands out bulk sessions.
// Reached through MessagingManager::getMessagingBatchManager(); thread-safe.

#pragma once

#include "messaging/batch/message_batch_admin_session.h"
#include "messaging/batch/messaging_batch_profile.h"
#include "osid/id.h"
#include "osid/osid_manager.h"

#include <memory>

namespace osid::messaging::batch {

class MessagingBatchManager : public OsidManager, public MessagingBatchProfile {
public:
    // A bulk session bound to the default mailbox.
    // Errors: OperationFailed, Unimplemented (supportsMessageBatchAdmin()
    //         is false).
    virtual std::unique_ptr<MessageBatchAdminSession> getMessageBatchAdminSession() = 0;

    // A bulk session bound to `mailboxId`.
    // Errors: NotFound (no such mailbox), NullArgument (the null Id),
    //         OperationFailed, Unimplemented (supportsMessageBatchAdmin() or
    //         supportsVisibleFederation() is false).
    virtual std::unique_ptr<MessageBatchAdminSession> getMessageBatchAdminSessionForMailbox(const Id &mailboxId) = 0;
};

} // namespace osid::messaging::batch
