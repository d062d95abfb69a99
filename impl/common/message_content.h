// MessageContent: everything a message holds, as providers exchange it
// with the shared form and snapshot code. A provider stores it in whatever
// shape it likes and converts at its edges.

#pragma once

#include "osid/datetime.h"
#include "osid/id.h"
#include "osid/type.h"

#include <string>
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

} // namespace osid::impl
