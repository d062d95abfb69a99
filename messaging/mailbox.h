// osid::messaging::Mailbox and MailboxList (OSID osid.messaging.Mailbox): a
// catalog of messages. Every provider has a default mailbox; sessions are
// bound to one mailbox and see and change only its messages.

#pragma once

#include "osid/osid_list.h"
#include "osid/osid_object.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace osid::messaging {

class Mailbox : public OsidCatalog {};

class MailboxList : public OsidList<std::shared_ptr<Mailbox>> {
public:
    // Errors: IllegalState (no more elements), OperationFailed.
    std::shared_ptr<Mailbox> getNextMailbox() { return this->nextElement(); }
    // Errors: IllegalState (`n` exceeds available()), OperationFailed.
    std::vector<std::shared_ptr<Mailbox>> getNextMailboxes(std::uint64_t n) { return this->nextElements(n); }
};

} // namespace osid::messaging
