// JSON for the OSID values the batch service reads and writes.
//
// A message is described in JSON by these fields, all optional:
//   "display_name", "description", "subject", "text"      strings
//   "sender", "sending_agent"                             Id text
//   ("ns:id@authority") "recipients" array of Id text "sent_time",
//   "received_time"                          RFC 3339 ("2026-11-01T09:00:00Z")
// Any delivery field (sender, sending_agent, recipients, the times) makes
// the message an imported, already-sent one: the form then carries the
// delivery record, whose rules apply (sender and sent_time required).
// Message batch params and the createMessages/updateMessages job params
// use this one description.
#pragma once

#include "messaging/message.h"
#include "messaging/message_form.h"
#include "osid/datetime.h"
#include "osid/id.h"
#include "osid/type.h"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace osid::service {

// A JSON value that does not describe what it should. The message names
// the field by its path ("params.recipients[2]: ...").
class JsonShapeError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// How deep objects and arrays may nest in any JSON the service takes: a
// value nested deeper is refused before it is copied or written, since
// nlohmann::json copies and writes values recursively.
inline constexpr std::size_t kMaxJsonDepth = 64;

// Whether `value` nests objects and arrays more than `limit` levels deep
// (the top-level object or array is level 1). Walks the value with a stack
// of its own, so any depth is safe to ask about.
bool nestedDeeperThan(const nlohmann::json &value, std::size_t limit = kMaxJsonDepth);

// Reads text forms from a JSON string at `path`; JsonShapeError otherwise.
Id idFromJson(const nlohmann::json &value, const std::string &path);
DateTime dateTimeFromJson(const nlohmann::json &value, const std::string &path);
Type typeFromJson(const nlohmann::json &value, const std::string &path);
std::string stringFromJson(const nlohmann::json &value, const std::string &path);
// An array of Id text.
std::vector<Id> idsFromJson(const nlohmann::json &value, const std::string &path);

// The record types a form needs for `message` (the delivery record when any
// delivery field is present). `message` must be an object.
std::vector<Type> messageRecordTypes(const nlohmann::json &message, const std::string &path);

// Sets every field `message` names on `form`. A field the form refuses
// (a limit, a read-only element) is reported as JsonShapeError naming the
// field and carrying the provider's reason; so is a field that is not one
// of the fields above, or a value of the wrong JSON type.
void fillMessageForm(messaging::MessageForm &form, const nlohmann::json &message, const std::string &path);

// The JSON text of `value`, on one line. Strings that are not valid UTF-8
// (a provider may hold any bytes) get U+FFFD in place of the bad bytes
// rather than making the dump throw.
std::string jsonText(const nlohmann::json &value);

// What is wrong with `message` as a description of a message, without a
// form: not an object, unknown fields, values of the wrong JSON type or
// unreadable Id and time text. One line per problem; empty when the shape
// is right (a provider may still refuse a value, as fillMessageForm says).
std::vector<std::string> messageJsonProblems(const nlohmann::json &message, const std::string &path);

// The message as JSON: "id", "subject", "text", "display_name", and for a
// sent message "sender", "sending_agent", "recipients", "sent_time",
// "received_time".
nlohmann::json messageToJson(const messaging::Message &message);

// The same as text: messageToJson(message).dump(), byte for byte, written
// straight into a string without building the JSON tree (a batch's every
// succeeded result is one of these).
std::string messageJsonText(const messaging::Message &message);

} // namespace osid::service
