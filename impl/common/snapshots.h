// Immutable snapshot objects returned by providers: a generic OsidObject
// (ObjectSnapshot<Interface>) and the Message snapshot. Built from values,
// they never refer back to the store.

#pragma once

#include "authentication/agent.h"
#include "impl/common/message_content.h"
#include "messaging/mailbox.h"
#include "messaging/message.h"
#include "messaging/records/delivery_record.h"
#include "osid/errors.h"
#include "osid/vector_list.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace osid::impl {

// The OsidObject part of a snapshot.
struct ObjectFields {
    Id id;
    std::string displayName;
    std::string description;
    Type genusType;
    std::vector<Type> recordTypes;
};

template <class Interface>
class ObjectSnapshot : public Interface {
public:
    explicit ObjectSnapshot(ObjectFields fields) : f_(std::move(fields)) {}

    Id getId() const override { return f_.id; }
    bool isCurrent() const override { return true; }
    std::unique_ptr<TypeList> getRecordTypes() const override { return makeList<TypeList>(f_.recordTypes); }
    bool hasRecordType(const Type &recordType) const override
    {
        if (recordType.isNull())
            throw NullArgument("recordType is null");
        return std::find(f_.recordTypes.begin(), f_.recordTypes.end(), recordType) != f_.recordTypes.end();
    }
    DisplayText getDisplayName() const override { return DisplayText(f_.displayName); }
    DisplayText getDescription() const override { return DisplayText(f_.description); }
    Type getGenusType() const override { return f_.genusType; }
    bool isOfGenusType(const Type &genusType) const override
    {
        if (genusType.isNull())
            throw NullArgument("genusType is null");
        return f_.genusType == genusType;
    }

private:
    ObjectFields f_;
};

using MailboxSnapshot = ObjectSnapshot<messaging::Mailbox>;
using AgentSnapshot = ObjectSnapshot<authentication::Agent>;

class MessageSnapshot final : public ObjectSnapshot<messaging::Message> {
public:
    // The OsidObject fields move to the base, the rest to c_: nothing is
    // copied twice.
    MessageSnapshot(Id id, MessageContent content)
        : ObjectSnapshot({std::move(id), std::move(content.displayName), std::move(content.description),
                          std::move(content.genusType), std::move(content.recordTypes)}),
          c_(std::move(content))
    {
    }

    DisplayText getSubjectLine() const override { return DisplayText(c_.subject); }
    DisplayText getText() const override { return DisplayText(c_.text); }
    bool isSent() const override { return c_.sent; }
    DateTime getSentTime() const override { return requireSent("sent time"), c_.sentTime; }
    Id getSenderId() const override { return requireSent("sender"), c_.senderId; }
    Id getSendingAgentId() const override { return requireSent("sending agent"), c_.sendingAgentId; }
    DateTime getReceivedTime() const override { return requireSent("received time"), c_.receivedTime; }
    std::unique_ptr<IdList> getRecipientIds() const override
    {
        requireSent("recipients");
        return makeList<IdList>(c_.recipientIds);
    }
    const messaging::records::MessageRecord &getMessageRecord(const Type &messageRecordType) const override
    {
        if (!hasRecordType(messageRecordType))
            throw Unsupported("the message has no record of type " + messageRecordType.toString());
        return delivery_;
    }

private:
    class DeliveryRecord final : public messaging::records::DeliveryMessageRecord {
    public:
        bool implementsRecordType(const Type &recordType) const override
        {
            return recordType == messaging::records::deliveryRecordType();
        }
    };

    void requireSent(const char *what) const
    {
        if (!c_.sent)
            throw IllegalState(std::string("the message is a draft, so it has no ") + what);
    }

    // The Message fields; its OsidObject fields are empty here.
    MessageContent c_;
    DeliveryRecord delivery_;
};

} // namespace osid::impl
