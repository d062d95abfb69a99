// osid::messaging::MessagingProfile (OSID osid.messaging.MessagingProfile):
// which sessions and record types a messaging provider supports. Each
// supportsX() gates the matching MessagingManager::getXSession(), which
// raises Unimplemented when it is false.

#pragma once

#include "osid/id_list.h"
#include "osid/osid_profile.h"
#include "osid/type.h"

#include <memory>

namespace osid::messaging {

class MessagingProfile : public virtual OsidProfile {
public:
    // Whether the ...ForMailbox(mailboxId) session getters are available.
    virtual bool supportsVisibleFederation() const = 0;
    virtual bool supportsMessaging() const = 0;
    virtual bool supportsMessageLookup() const = 0;
    virtual bool supportsMessageAdmin() const = 0;
    virtual bool supportsMailboxLookup() const = 0;
    virtual bool supportsMailboxAdmin() const = 0;
    // Whether getMessagingBatchManager() is available.
    virtual bool supportsMessagingBatch() const = 0;

    virtual std::unique_ptr<TypeList> getMessageRecordTypes() const = 0;
    // Errors: NullArgument (a null Type).
    virtual bool supportsMessageRecordType(const Type &messageRecordType) const = 0;

    virtual std::unique_ptr<TypeList> getMailboxRecordTypes() const = 0;
    // Errors: NullArgument (a null Type).
    virtual bool supportsMailboxRecordType(const Type &mailboxRecordType) const = 0;
};

} // namespace osid::messaging
