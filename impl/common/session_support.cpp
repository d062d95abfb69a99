#include "impl/common/session_support.h"

#include "impl/common/snapshots.h"
#include "osid/errors.h"
#include "osid/vector_list.h"

#include <fmt/format.h>

namespace osid::impl {

void requireNotNull(const Id &id, const char *parameter)
{
    if (id.isNull())
        throw NullArgument(fmt::format("{} is null", parameter));
}

NotFound noSuchMessage(const Id &messageId)
{
    return NotFound(fmt::format("no message {} in this mailbox", messageId.toString()));
}

void requireOrdered(const DateTime &from, const DateTime &to, const char *fromName, const char *toName)
{
    if (from > to)
        throw InvalidArgument(
            fmt::format("{} ({}) is after {} ({})", fromName, from.toString(), toName, to.toString()));
}

void requireNoNullTypes(const std::vector<Type> &types, const char *parameter)
{
    for (const auto &t : types)
        if (t.isNull())
            throw NullArgument(fmt::format("{} holds a null Type", parameter));
}

std::unique_ptr<messaging::MessageList> selectMessages(MessageStore &store, MailboxKey mailbox,
                                                       const MessageQuery &query)
{
    auto messages = store.read([&](const StoreReader &s) {
        auto hits = s.select(mailbox, query);
        std::vector<std::shared_ptr<messaging::Message>> out;
        out.reserve(hits.size());
        for (auto &[key, content] : hits)
            out.push_back(MessageSnapshot::make(s.messageId(key), std::move(content)));
        return out;
    });
    return makeList<messaging::MessageList>(std::move(messages));
}

} // namespace osid::impl
