#include "service/osid_json.h"

#include "messaging/records/delivery_record.h"
#include "osid/errors.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace osid::service {

using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 4> kContentFields = {"display_name", "description", "subject", "text"};
constexpr std::array<std::string_view, 5> kDeliveryFields = {"sender", "sending_agent", "recipients", "sent_time",
                                                             "received_time"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N> &fields, std::string_view name)
{
    for (auto f : fields)
        if (f == name)
            return true;
    return false;
}

const char *typeName(const json &value) { return value.type_name(); }

// Runs one setter; a refusal names the field.
template <typename Setter>
void set(const std::string &path, Setter &&setter)
{
    try {
        setter();
    } catch (const OsidException &e) {
        throw JsonShapeError(fmt::format("{}: {}", path, e.what()));
    }
}

JsonShapeError unknownField(const std::string &path, const std::string &key)
{
    return JsonShapeError(fmt::format("{}.{}: unknown field (a message has display_name, description, subject, "
                                      "text, sender, sending_agent, recipients, sent_time, received_time)",
                                      path, key));
}

} // namespace

std::string stringFromJson(const json &value, const std::string &path)
{
    if (!value.is_string())
        throw JsonShapeError(fmt::format("{}: expected a string, got {}", path, typeName(value)));
    return value.get<std::string>();
}

namespace {

// Reads the text form of an Id, Type or DateTime (each has T::parse).
template <typename T>
T parsedFromJson(const json &value, const std::string &path)
{
    const auto text = stringFromJson(value, path);
    try {
        return T::parse(text);
    } catch (const OsidException &e) {
        throw JsonShapeError(fmt::format("{}: {}", path, e.what()));
    }
}

} // namespace

Id idFromJson(const json &value, const std::string &path) { return parsedFromJson<Id>(value, path); }
Type typeFromJson(const json &value, const std::string &path) { return parsedFromJson<Type>(value, path); }
DateTime dateTimeFromJson(const json &value, const std::string &path) { return parsedFromJson<DateTime>(value, path); }

std::vector<Id> idsFromJson(const json &value, const std::string &path)
{
    if (!value.is_array())
        throw JsonShapeError(fmt::format("{}: expected an array of Ids, got {}", path, typeName(value)));
    std::vector<Id> ids;
    ids.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i)
        ids.push_back(idFromJson(value[i], fmt::format("{}[{}]", path, i)));
    return ids;
}

std::vector<Type> messageRecordTypes(const json &message, const std::string &path)
{
    if (!message.is_object())
        throw JsonShapeError(fmt::format("{}: expected an object, got {}", path, typeName(message)));
    for (const auto &item : message.items())
        if (contains(kDeliveryFields, item.key()))
            return {messaging::records::deliveryRecordType()};
    return {};
}

void fillMessageForm(messaging::MessageForm &form, const json &message, const std::string &path)
{
    if (!message.is_object())
        throw JsonShapeError(fmt::format("{}: expected an object, got {}", path, typeName(message)));
    for (const auto &item : message.items()) {
        const auto &key = item.key();
        if (!contains(kContentFields, key) && !contains(kDeliveryFields, key))
            throw unknownField(path, key);
    }
    const auto field = [&](std::string_view name) { return fmt::format("{}.{}", path, name); };
    for (const auto &item : message.items()) {
        const auto &key = item.key();
        const auto &value = item.value();
        const auto where = field(key);
        if (key == "display_name") {
            auto v = stringFromJson(value, where);
            set(where, [&] { form.setDisplayName(v); });
        } else if (key == "description") {
            auto v = stringFromJson(value, where);
            set(where, [&] { form.setDescription(v); });
        } else if (key == "subject") {
            auto v = stringFromJson(value, where);
            set(where, [&] { form.setSubjectLine(v); });
        } else if (key == "text") {
            auto v = stringFromJson(value, where);
            set(where, [&] { form.setText(v); });
        }
    }
    if (messageRecordTypes(message, path).empty())
        return;
    // In kDeliveryFields' order, so the sent time is set before the received
    // time, which may not be earlier.
    auto &delivery = messaging::records::deliveryFormRecord(form);
    for (auto key : kDeliveryFields) {
        const auto found = message.find(key);
        if (found == message.end())
            continue;
        const auto &value = *found;
        const auto where = field(key);
        if (key == "sender") {
            auto v = idFromJson(value, where);
            set(where, [&] { delivery.setSender(v); });
        } else if (key == "sending_agent") {
            auto v = idFromJson(value, where);
            set(where, [&] { delivery.setSendingAgent(v); });
        } else if (key == "recipients") {
            auto recipients = idsFromJson(value, where);
            set(where, [&] { delivery.setRecipients(recipients); });
        } else if (key == "sent_time") {
            auto v = dateTimeFromJson(value, where);
            set(where, [&] { delivery.setSentTime(v); });
        } else if (key == "received_time") {
            auto v = dateTimeFromJson(value, where);
            set(where, [&] { delivery.setReceivedTime(v); });
        }
    }
}

std::vector<std::string> messageJsonProblems(const json &message, const std::string &path)
{
    if (!message.is_object())
        return {fmt::format("{}: expected an object, got {}", path, typeName(message))};
    std::vector<std::string> problems;
    for (const auto &item : message.items()) {
        const auto &key = item.key();
        const auto &value = item.value();
        const auto where = fmt::format("{}.{}", path, key);
        try {
            if (contains(kContentFields, key))
                stringFromJson(value, where);
            else if (key == "sender" || key == "sending_agent")
                idFromJson(value, where);
            else if (key == "recipients")
                idsFromJson(value, where);
            else if (key == "sent_time" || key == "received_time")
                dateTimeFromJson(value, where);
            else
                throw unknownField(path, key);
        } catch (const JsonShapeError &e) {
            problems.emplace_back(e.what());
        }
    }
    return problems;
}

std::string jsonText(const json &value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

json messageToJson(const messaging::Message &message)
{
    json out = {{"id", message.getId().toString()},
                {"display_name", message.getDisplayName().getText()},
                {"subject", message.getSubjectLine().getText()},
                {"text", message.getText().getText()},
                {"sent", message.isSent()}};
    if (message.isSent()) {
        out["sender"] = message.getSenderId().toString();
        out["sending_agent"] = message.getSendingAgentId().toString();
        json recipients = json::array();
        const auto recipientIds = message.getRecipientIds();
        for (const auto &r : *recipientIds)
            recipients.push_back(r.toString());
        out["recipients"] = std::move(recipients);
        out["sent_time"] = message.getSentTime().toString();
        out["received_time"] = message.getReceivedTime().toString();
    }
    return out;
}

namespace {

// Appends `text` as a JSON string, escaped as nlohmann::json::dump escapes
// it. Text with bytes past ASCII goes through nlohmann itself, which also
// checks that it is UTF-8 (and throws as dump() would when it is not).
void appendJsonString(std::string &out, std::string_view text)
{
    const auto begin = out.size();
    out += '"';
    // Runs of characters that need no escape are appended whole.
    std::size_t run = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80)
            continue;
        if (c >= 0x80) {
            out.resize(begin);
            out += json(text).dump();
            return;
        }
        out.append(text.substr(run, i - run));
        run = i + 1;
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: out += fmt::format("\\u{:04x}", c);
        }
    }
    out.append(text.substr(run));
    out += '"';
}

// Appends "key": and the string `value`, with a comma before all but the
// first member.
void appendMember(std::string &out, std::string_view key, std::string_view value)
{
    if (out.size() > 1)
        out += ',';
    appendJsonString(out, key);
    out += ':';
    appendJsonString(out, value);
}

} // namespace

std::string messageJsonText(const messaging::Message &message)
{
    // The members in the order nlohmann::json keeps them: sorted by key.
    std::string out = "{";
    out.reserve(512);
    const bool sent = message.isSent();
    appendMember(out, "display_name", message.getDisplayName().getText());
    appendMember(out, "id", message.getId().toString());
    if (sent) {
        appendMember(out, "received_time", message.getReceivedTime().toString());
        out += ",\"recipients\":[";
        const auto recipientIds = message.getRecipientIds();
        bool first = true;
        for (const auto &r : *recipientIds) {
            if (!first)
                out += ',';
            first = false;
            appendJsonString(out, r.toString());
        }
        out += ']';
        appendMember(out, "sender", message.getSenderId().toString());
        appendMember(out, "sending_agent", message.getSendingAgentId().toString());
    }
    out += sent ? ",\"sent\":true" : ",\"sent\":false";
    if (sent)
        appendMember(out, "sent_time", message.getSentTime().toString());
    appendMember(out, "subject", message.getSubjectLine().getText());
    appendMember(out, "text", message.getText().getText());
    out += '}';
    return out;
}

bool nestedDeeperThan(const nlohmann::json &value, std::size_t limit)
{
    // Each entry: a container and its depth.
    std::vector<std::pair<const nlohmann::json *, std::size_t>> stack;
    if (value.is_structured())
        stack.emplace_back(&value, 1);
    while (!stack.empty()) {
        const auto [container, depth] = stack.back();
        stack.pop_back();
        if (depth > limit)
            return true;
        for (const auto &child : *container)
            if (child.is_structured())
                stack.emplace_back(&child, depth + 1);
    }
    return false;
}

} // namespace osid::service
