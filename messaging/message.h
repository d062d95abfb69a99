// osid::messaging::Message and MessageList (OSID osid.messaging.Message).
//
// A message has a subject line and a text. Until it is sent it is a draft;
// once sent it has a sender, a sending agent, recipients, and sent and
// received times. Messages are snapshots taken when they were looked up.

#pragma once

#include "messaging/records/message_record.h"
#include "osid/datetime.h"
#include "osid/display_text.h"
#include "osid/id.h"
#include "osid/id_list.h"
#include "osid/osid_list.h"
#include "osid/osid_object.h"
#include "osid/type.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace osid::messaging {

class Message : public OsidObject {
public:
    virtual DisplayText getSubjectLine() const = 0;
    virtual DisplayText getText() const = 0;

    // Whether the message was sent; false for a draft.
    virtual bool isSent() const = 0;

    // Errors: IllegalState (isSent() is false).
    virtual DateTime getSentTime() const = 0;

    // The Id of the sender Resource.
    // Errors: IllegalState (isSent() is false).
    virtual Id getSenderId() const = 0;

    // The Id of the Agent that sent the message.
    // Errors: IllegalState (isSent() is false).
    virtual Id getSendingAgentId() const = 0;

    // When the message was received.
    // Errors: IllegalState (isSent() is false).
    virtual DateTime getReceivedTime() const = 0;

    // The Ids of the recipient Resources, in the order they were given.
    // Errors: IllegalState (isSent() is false).
    virtual std::unique_ptr<IdList> getRecipientIds() const = 0;

    // The record of type `messageRecordType`, cast to the interface that
    // Type names. Lives as long as this message.
    // Errors: NullArgument (a null Type), OperationFailed,
    //         Unsupported (hasRecordType(messageRecordType) is false).
    virtual const records::MessageRecord &getMessageRecord(const Type &messageRecordType) const = 0;
};

class MessageList : public OsidList<std::shared_ptr<Message>> {
public:
    // Errors: IllegalState (no more elements), OperationFailed.
    std::shared_ptr<Message> getNextMessage() { return this->nextElement(); }
    // Errors: IllegalState (`n` exceeds available()), OperationFailed.
    std::vector<std::shared_ptr<Message>> getNextMessages(std::uint64_t n) { return this->nextElements(n); }
};

} // namespace osid::messaging
