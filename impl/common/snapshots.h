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
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
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

// What a message snapshot shows. Its strings are views into storage that
// `owner` keeps alive: a store's immutable version of the message (so a
// lookup copies no subject or text), or the snapshot's own copy.
struct MessageView {
    std::shared_ptr<const void> owner;
    std::string_view displayName;
    std::string_view description;
    std::string_view subject;
    std::string_view text;
    Type genusType;
    bool delivery = false;
    // The delivery fields are meaningful only when `sent` is true.
    bool sent = false;
    Id senderId;
    Id sendingAgentId;
    std::vector<Id> recipientIds;
    DateTime sentTime;
    DateTime receivedTime;
};

// A view of `content` that owns it: for a store that reads a message into
// a MessageContent of its own rather than keeping an immutable version.
inline MessageView ownedView(MessageContent content)
{
    MessageView v;
    v.recipientIds = std::move(content.recipientIds);
    v.delivery = std::find(content.recordTypes.begin(), content.recordTypes.end(),
                           messaging::records::deliveryRecordType()) != content.recordTypes.end();
    v.sent = content.sent;
    v.senderId = std::move(content.senderId);
    v.sendingAgentId = std::move(content.sendingAgentId);
    v.sentTime = content.sentTime;
    v.receivedTime = content.receivedTime;
    v.genusType = std::move(content.genusType);
    // The strings stay where they are: a moved std::string may keep a short
    // text inside the object, so the views are taken after the move.
    auto owned = std::make_shared<const MessageContent>(std::move(content));
    v.displayName = owned->displayName;
    v.description = owned->description;
    v.subject = owned->subject;
    v.text = owned->text;
    v.owner = std::move(owned);
    return v;
}

// Made by make() only, always shared: its recipient lists hold the snapshot
// rather than copy the recipients.
class MessageSnapshot final : public messaging::Message, public std::enable_shared_from_this<MessageSnapshot> {
    // Lets make() reach the constructor through make_shared, and no one else.
    struct Key {
        explicit Key() = default;
    };

public:
    // A snapshot over a store's version of the message.
    static std::shared_ptr<MessageSnapshot> make(Id id, MessageView view)
    {
        return std::make_shared<MessageSnapshot>(Key(), std::move(id), std::move(view));
    }
    // A snapshot that owns its content.
    static std::shared_ptr<MessageSnapshot> make(Id id, MessageContent content)
    {
        return make(std::move(id), ownedView(std::move(content)));
    }

    MessageSnapshot(Key, Id id, MessageView view) : id_(std::move(id)), v_(std::move(view)) {}

    // OsidObject.
    Id getId() const override { return id_; }
    bool isCurrent() const override { return true; }
    std::unique_ptr<TypeList> getRecordTypes() const override
    {
        return makeList<TypeList>(v_.delivery ? std::vector<Type>{messaging::records::deliveryRecordType()}
                                              : std::vector<Type>{});
    }
    bool hasRecordType(const Type &recordType) const override
    {
        if (recordType.isNull())
            throw NullArgument("recordType is null");
        return v_.delivery && recordType == messaging::records::deliveryRecordType();
    }
    DisplayText getDisplayName() const override { return DisplayText(std::string(v_.displayName)); }
    DisplayText getDescription() const override { return DisplayText(std::string(v_.description)); }
    Type getGenusType() const override { return v_.genusType; }
    bool isOfGenusType(const Type &genusType) const override
    {
        if (genusType.isNull())
            throw NullArgument("genusType is null");
        return v_.genusType == genusType;
    }

    // Message.
    DisplayText getSubjectLine() const override { return DisplayText(std::string(v_.subject)); }
    DisplayText getText() const override { return DisplayText(std::string(v_.text)); }
    bool isSent() const override { return v_.sent; }
    DateTime getSentTime() const override { return requireSent("sent time"), v_.sentTime; }
    Id getSenderId() const override { return requireSent("sender"), v_.senderId; }
    Id getSendingAgentId() const override { return requireSent("sending agent"), v_.sendingAgentId; }
    DateTime getReceivedTime() const override { return requireSent("received time"), v_.receivedTime; }
    std::unique_ptr<IdList> getRecipientIds() const override
    {
        requireSent("recipients");
        return std::make_unique<SpanList<IdList>>(shared_from_this(), v_.recipientIds);
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
        if (!v_.sent)
            throw IllegalState(std::string("the message is a draft, so it has no ") + what);
    }

    Id id_;
    MessageView v_;
    DeliveryRecord delivery_;
};

} // namespace osid::impl
