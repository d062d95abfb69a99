// osid::messaging::MessageForm (OSID osid.messaging.MessageForm): the form
// for creating or updating one message: subject line and text, plus the
// OsidObjectForm elements and any records asked for.
//
// Sender, recipients and times are not on this form: they come from
// sending the message (MessagingSession), or, for messages that were sent
// elsewhere and are being imported, from the delivery record
// (messaging/records/delivery_record.h).

#pragma once

#include "messaging/records/message_record.h"
#include "osid/metadata.h"
#include "osid/osid_object_form.h"
#include "osid/type.h"

#include <string>

namespace osid::messaging {

class MessageForm : public OsidObjectForm {
public:
    virtual Metadata getSubjectLineMetadata() const = 0;
    // Errors: InvalidArgument (breaks the Metadata), NoAccess (read-only).
    virtual void setSubjectLine(const std::string &subject) = 0;
    // Errors: NoAccess (required or read-only).
    virtual void clearSubjectLine() = 0;

    virtual Metadata getTextMetadata() const = 0;
    // Errors: InvalidArgument (breaks the Metadata), NoAccess (read-only).
    virtual void setText(const std::string &text) = 0;
    // Errors: NoAccess (required or read-only).
    virtual void clearText() = 0;

    // The form record of type `messageRecordType`, cast to the interface
    // that Type names. Lives as long as this form.
    // Errors: NullArgument (a null Type), OperationFailed,
    //         Unsupported (hasRecordType(messageRecordType) is false).
    virtual records::MessageFormRecord &getMessageFormRecord(const Type &messageRecordType) = 0;
};

} // namespace osid::messaging
