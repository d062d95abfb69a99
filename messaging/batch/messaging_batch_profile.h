// osid::messaging::batch::MessagingBatchProfile (OSID
// osid.messaging.batch.MessagingBatchProfile): which bulk sessions a
// provider supports.

#pragma once

#include "osid/osid_profile.h"

namespace osid::messaging::batch {

class MessagingBatchProfile : public virtual OsidProfile {
public:
    // Whether getMessageBatchAdminSessionForMailbox() is available.
    virtual bool supportsVisibleFederation() const = 0;
    virtual bool supportsMessageBatchAdmin() const = 0;
    virtual bool supportsReceiptBatchAdmin() const = 0;
    virtual bool supportsMailboxBatchAdmin() const = 0;
};

} // namespace osid::messaging::batch
