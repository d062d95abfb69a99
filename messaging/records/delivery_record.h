// The delivery record: this framework's standard record Type for messages
// that were sent before they reached the store (bulk import, the main use
// of a batch session).
//
// A MessageForm carrying deliveryRecordType() has a
// DeliveryMessageFormRecord that sets sender, sending agent, recipients,
// sent time and received time directly. A message created with it is sent:
// Message::getSenderId(), getSentTime(), getReceivedTime(),
// getRecipientIds() and getSendingAgentId() return what the record set.
// deleteMessagesBySender and deleteMessagesByDate match on these values.
//
// Example:
//   auto forms = session->getMessageFormsForCreate(1, {records::deliveryRecordType()});
//   auto form = forms->getNextMessageBatchForm();
//   auto &delivery = records::deliveryFormRecord(*form);
//   delivery.setSender(senderId);
//   delivery.setSentTime(osid::DateTime::parse("2023-11-14T22:13:20Z"));

#pragma once

#include "messaging/message.h"
#include "messaging/message_form.h"
#include "messaging/records/message_record.h"
#include "osid/datetime.h"
#include "osid/errors.h"
#include "osid/id.h"
#include "osid/metadata.h"
#include "osid/type.h"

#include <vector>

namespace osid::messaging::records {

// The record Type of the delivery record.
inline const Type &deliveryRecordType()
{
    static const Type t = Type::immortal(
        "osid-cpp", "messaging.records.MessageRecord", "delivery",
        Type::Display{"Delivery", "delivery", "Sender, sending agent, recipients and times set directly on the form.",
                      "messaging"});
    return t;
}

// The delivery record of a Message. Its values are read through the
// Message's own getters; the record marks that they were imported.
class DeliveryMessageRecord : public MessageRecord {};

// The delivery record of a MessageForm.
//
// Rules (each element's Metadata states them too):
//   sender        ID, required.
//   sendingAgent  ID, optional; defaults to the session's effective agent.
//   recipients    ID array, 0 or more, in order, duplicates kept.
//   sentTime      DATETIME, required.
//   receivedTime  DATETIME, optional; defaults to sentTime; not before it.
// Setters raise NullArgument for a null Id, InvalidArgument for a value
// outside the Metadata, NoAccess for a read-only element. Clearers raise
// NoAccess for a required or read-only element.
class DeliveryMessageFormRecord : public MessageFormRecord {
public:
    virtual Metadata getSenderMetadata() const = 0;
    virtual void setSender(const Id &senderId) = 0;
    virtual void clearSender() = 0;

    virtual Metadata getSendingAgentMetadata() const = 0;
    virtual void setSendingAgent(const Id &agentId) = 0;
    virtual void clearSendingAgent() = 0;

    virtual Metadata getRecipientsMetadata() const = 0;
    virtual void setRecipients(const std::vector<Id> &recipientIds) = 0;
    virtual void clearRecipients() = 0;

    virtual Metadata getSentTimeMetadata() const = 0;
    virtual void setSentTime(const DateTime &sentTime) = 0;
    virtual void clearSentTime() = 0;

    virtual Metadata getReceivedTimeMetadata() const = 0;
    virtual void setReceivedTime(const DateTime &receivedTime) = 0;
    virtual void clearReceivedTime() = 0;
};

// The delivery record of `form`.
// Errors: Unsupported (the form does not carry deliveryRecordType()).
inline DeliveryMessageFormRecord &deliveryFormRecord(MessageForm &form)
{
    auto *record = dynamic_cast<DeliveryMessageFormRecord *>(&form.getMessageFormRecord(deliveryRecordType()));
    if (record == nullptr)
        throw Unsupported("the form's delivery record does not implement DeliveryMessageFormRecord");
    return *record;
}

} // namespace osid::messaging::records
