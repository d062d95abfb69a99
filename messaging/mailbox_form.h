// osid::messaging::MailboxForm (OSID osid.messaging.MailboxForm): the form
// for creating a mailbox: display name, description and genus type.

#pragma once

#include "osid/osid_object_form.h"

namespace osid::messaging {

class MailboxForm : public OsidObjectForm {};

} // namespace osid::messaging
