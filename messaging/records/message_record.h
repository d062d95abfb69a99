// osid::messaging::records::MessageRecord and MessageFormRecord: the bases
// of the record extensions of Message and MessageForm.

#pragma once

#include "osid/osid_record.h"

namespace osid::messaging::records {

class MessageRecord : public OsidRecord {};

class MessageFormRecord : public OsidRecord {};

} // namespace osid::messaging::records
