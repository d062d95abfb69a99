// MessageContent: everything a message holds, as providers exchange it
// with the shared form and snapshot code. A provider stores it in whatever
// shape it likes and converts at its edges.

#pragma once

#include "osid/datetime.h"
#include "osid/id.h"
#include "osid/type.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace osid::impl {

struct MessageContent {
    std::string displayName;
    std::string description;
    Type genusType;
    std::vector<Type> recordTypes;
    std::string subject;
    std::string text;
    // The delivery fields are meaningful only when `sent` is true.
    bool sent = false;
    Id senderId;
    Id sendingAgentId;
    std::vector<Id> recipientIds;
    DateTime sentTime;
    DateTime receivedTime;

    friend bool operator==(const MessageContent &, const MessageContent &) = default;
};

// What an update changes: a field that is set holds its new value (a
// cleared string is empty, cleared recipients are none). The views and
// the pointer refer to the update form, which outlives the update.
struct MessageChanges {
    std::optional<std::string_view> displayName;
    std::optional<std::string_view> description;
    std::optional<Type> genusType;
    std::optional<std::string_view> subject;
    std::optional<std::string_view> text;
    // The delivery fields change only a message that was sent.
    std::optional<Id> senderId;
    const std::vector<Id> *recipientIds = nullptr;
    std::optional<DateTime> sentTime;
    // Set: the received time changes, to the value or, if there is none,
    // to the sent time.
    std::optional<std::optional<DateTime>> receivedTime;

    // The received time after the changes, from the times before them.
    DateTime receivedTimeAfter(DateTime sentTimeBefore, DateTime receivedTimeBefore) const
    {
        return receivedTime ? receivedTime->value_or(sentTime.value_or(sentTimeBefore)) : receivedTimeBefore;
    }

    void applyTo(MessageContent &c) const
    {
        if (displayName)
            c.displayName = *displayName;
        if (description)
            c.description = *description;
        if (genusType)
            c.genusType = *genusType;
        if (subject)
            c.subject = *subject;
        if (text)
            c.text = *text;
        if (senderId)
            c.senderId = *senderId;
        if (recipientIds)
            c.recipientIds = *recipientIds;
        c.receivedTime = receivedTimeAfter(c.sentTime, c.receivedTime);
        if (sentTime)
            c.sentTime = *sentTime;
    }
};

} // namespace osid::impl
