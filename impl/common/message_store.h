// MessageStore: what a provider keeps its mailboxes, messages and aliases
// in, seen from the shared session code (impl/common/*_session.h).
//
// The sessions hold every OSID rule: forms, per-item responses, errors.
// A store only keeps data. Each store gives:
//
//   read(f)   runs f(const StoreReader &) on one consistent view;
//   write(f)  runs f(StoreWriter &) all or nothing: if f throws, every
//             change it made is undone before the exception leaves write().
//
// One batch call is one write(), so another session sees all of it or none
// of it. A store may also offer OSID transactions, which group the calls of
// one session until commit or abort.
//
// Keys: a message key is the provider's own, never reused after a delete,
// so a stale Id or alias can never reach a newer message.
//
// Errors: read() and write() are the one boundary between the sessions and
// a store. An OSID exception passes through; anything else a store throws
// (std::out_of_range, std::bad_alloc, a driver's error) leaves as
// OperationFailed with the cause in its message, so a session method
// raises only the errors its contract lists.

#pragma once

#include "impl/common/message_content.h"
#include "impl/common/snapshots.h"
#include "messaging/mailbox.h"
#include "osid/errors.h"
#include "transaction/batch/alias_request.h"
#include "transaction/transaction.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace osid::impl {

using MessageKey = std::uint64_t;
using MailboxKey = std::uint64_t;

// What a message lookup asks for. A field left unset matches everything;
// the ranges include both ends.
struct MessageQuery {
    std::optional<Type> genusType;
    bool deliveryRecordOnly = false;
    std::optional<bool> sent;
    std::optional<Id> sender;
    std::optional<Id> recipient;
    std::optional<std::pair<DateTime, DateTime>> sentTime;
    std::optional<std::pair<DateTime, DateTime>> receivedTime;
    // Otherwise in creation order.
    bool orderBySentTime = false;
};

using KeyedContent = std::pair<MessageKey, MessageContent>;
using KeyedView = std::pair<MessageKey, MessageView>;

// What StoreWriter::aliasMessage() came to, in the order it checks.
enum class AliasOutcome {
    // The alias now names the message.
    Set,
    // No message of the mailbox has the reference Id.
    NoTarget,
    // The alias Id lies in the store's own message Id space.
    PrimarySpace,
    // The alias names a message of another mailbox.
    OtherMailbox,
    // The reference Id or the alias Id is null (aliasMessages() only).
    NullId,
};

// What StoreWriter::updateMessage() came to.
struct UpdateOutcome {
    enum Result {
        Updated,
        // No message of the mailbox has the Id.
        NoMessage,
        // The changes would put the received time before the sent time;
        // nothing changed.
        ReceivedBeforeSent,
    };
    Result result = Updated;
    // For ReceivedBeforeSent: the times the changes would have given.
    DateTime sentTime;
    DateTime receivedTime;
};

class StoreReader {
public:
    virtual ~StoreReader() = default;

    // Mailboxes.
    virtual MailboxKey defaultMailbox() const = 0;
    virtual std::optional<MailboxKey> findMailbox(const Id &mailboxId) const = 0;
    // Every mailbox, in creation order.
    virtual std::vector<MailboxKey> mailboxes() const = 0;
    virtual std::shared_ptr<messaging::Mailbox> mailbox(MailboxKey mailbox) const = 0;

    // Message Ids.
    virtual Id messageId(MessageKey key) const = 0;
    // Whether `id` lies in this store's own message Id space (so it can
    // never be an alias).
    virtual bool isPrimarySpace(const Id &id) const = 0;
    // The key of a message of `mailbox` named by its primary Id or an alias.
    virtual std::optional<MessageKey> resolve(MailboxKey mailbox, const Id &messageId) const = 0;
    // The mailbox of the message `aliasId` names, if it names one that
    // still exists (in any mailbox).
    virtual std::optional<MailboxKey> aliasMailbox(const Id &aliasId) const = 0;

    // Messages. content() takes a key that resolve() or a selection gave.
    virtual MessageContent content(MailboxKey mailbox, MessageKey key) const = 0;
    // The key and content of the message of `mailbox` named by its primary
    // Id or an alias, if there is one: resolve() and content() at once.
    virtual std::optional<KeyedContent> find(MailboxKey mailbox, const Id &messageId) const
    {
        auto key = resolve(mailbox, messageId);
        if (!key)
            return std::nullopt;
        return KeyedContent(*key, content(mailbox, *key));
    }
    // find() for each of `messageIds`, in order, as views: what update
    // forms start from. A store may read them all at once (one statement
    // rather than one per Id), and may share its own immutable versions of
    // the messages rather than copy them.
    virtual std::vector<std::optional<KeyedView>> findAll(MailboxKey mailbox, const std::vector<Id> &messageIds) const
    {
        std::vector<std::optional<KeyedView>> out;
        out.reserve(messageIds.size());
        for (const auto &id : messageIds) {
            auto found = find(mailbox, id);
            out.push_back(
                found ? std::optional<KeyedView>(std::in_place, found->first, ownedView(std::move(found->second)))
                      : std::nullopt);
        }
        return out;
    }
    // The message as a snapshot that stays valid and unchanged whatever
    // happens to the message later. A store may share its own immutable
    // version of the message with it rather than copy it.
    virtual std::shared_ptr<messaging::Message> message(MailboxKey mailbox, MessageKey key) const
    {
        return MessageSnapshot::make(messageId(key), content(mailbox, key));
    }
    // The message of `mailbox` named by its primary Id or an alias, as
    // message() gives it; nullptr if there is none.
    virtual std::shared_ptr<messaging::Message> lookup(MailboxKey mailbox, const Id &messageId) const
    {
        auto key = resolve(mailbox, messageId);
        return key ? message(mailbox, *key) : nullptr;
    }
    virtual std::vector<KeyedContent> select(MailboxKey mailbox, const MessageQuery &query) const = 0;
    virtual std::vector<MessageKey> allKeys(MailboxKey mailbox) const = 0;
    virtual std::vector<MessageKey> keysFromSender(MailboxKey mailbox, const Id &sender) const = 0;
    virtual std::vector<MessageKey> keysReceivedBetween(MailboxKey mailbox, DateTime from, DateTime to) const = 0;
};

class StoreWriter : public StoreReader {
public:
    virtual MailboxKey createMailbox(const std::string &displayName, const std::string &description,
                                     const Type &genusType) = 0;
    virtual MessageKey insert(MailboxKey mailbox, const MessageContent &content) = 0;
    // Replaces a message's content. `previous` is what content() gave for
    // it in this section, so a store may write only what changed.
    virtual void replace(MailboxKey mailbox, MessageKey key, const MessageContent &previous,
                         const MessageContent &content) = 0;
    // Applies `changes` to the message of `mailbox` named by its primary
    // Id or an alias, unless there is none or the result would put its
    // received time before its sent time. find(), the changes and
    // replace() at once, so that a store may change its stored version
    // without reading it out first.
    virtual UpdateOutcome updateMessage(MailboxKey mailbox, const Id &messageId, const MessageChanges &changes)
    {
        auto found = find(mailbox, messageId);
        if (!found)
            return {UpdateOutcome::NoMessage, {}, {}};
        const auto &[key, previous] = *found;
        auto content = previous;
        changes.applyTo(content);
        if (content.sent && content.receivedTime < content.sentTime)
            return {UpdateOutcome::ReceivedBeforeSent, content.sentTime, content.receivedTime};
        replace(mailbox, key, previous, content);
        return {UpdateOutcome::Updated, {}, {}};
    }
    // updateMessage() for each (Id, changes), in order: a later update of
    // the same message applies to what the earlier one left. A store may
    // read and write them all at once.
    virtual std::vector<UpdateOutcome> updateMessages(MailboxKey mailbox,
                                                      const std::vector<std::pair<Id, MessageChanges>> &updates)
    {
        std::vector<UpdateOutcome> out;
        out.reserve(updates.size());
        for (const auto &[id, changes] : updates)
            out.push_back(updateMessage(mailbox, id, changes));
        return out;
    }
    virtual void erase(MailboxKey mailbox, MessageKey key) = 0;
    // Erases the messages of `keys` (keys of `mailbox` that a selection
    // gave) and returns them.
    virtual std::vector<MessageKey> eraseKeys(MailboxKey mailbox, std::vector<MessageKey> keys)
    {
        for (auto key : keys)
            erase(mailbox, key);
        return keys;
    }
    // Erases the sent messages of `mailbox` from `sender`, or received
    // between `from` and `to` (both included), and returns their keys: the
    // selection and eraseKeys() at once, so that a store may find and
    // erase them with one search.
    virtual std::vector<MessageKey> eraseFromSender(MailboxKey mailbox, const Id &sender)
    {
        return eraseKeys(mailbox, keysFromSender(mailbox, sender));
    }
    virtual std::vector<MessageKey> eraseReceivedBetween(MailboxKey mailbox, DateTime from, DateTime to)
    {
        return eraseKeys(mailbox, keysReceivedBetween(mailbox, from, to));
    }
    // Erases every message of `mailbox` and returns their keys, in no
    // particular order.
    virtual std::vector<MessageKey> eraseAll(MailboxKey mailbox) { return eraseKeys(mailbox, allKeys(mailbox)); }
    // Adds the alias or re-points it.
    virtual void setAlias(const Id &aliasId, MessageKey key) = 0;
    // Points `aliasId` at the message of `mailbox` that `referenceId`
    // names (by its primary Id or an alias), unless that message does not
    // exist, the alias lies in the primary space, or it names a message of
    // another mailbox (checked in that order). resolve(), isPrimarySpace(),
    // aliasMailbox() and setAlias() at once, so that a store may do it in
    // one search.
    virtual AliasOutcome aliasMessage(MailboxKey mailbox, const Id &referenceId, const Id &aliasId)
    {
        auto key = resolve(mailbox, referenceId);
        if (!key)
            return AliasOutcome::NoTarget;
        if (isPrimarySpace(aliasId))
            return AliasOutcome::PrimarySpace;
        if (auto owner = aliasMailbox(aliasId); owner && *owner != mailbox)
            return AliasOutcome::OtherMailbox;
        setAlias(aliasId, *key);
        return AliasOutcome::Set;
    }
    // aliasMessage() for each request, in order; NullId for a request with
    // a null Id, which changes nothing. A store may work on several
    // requests at once (load what the next ones need while it changes one).
    virtual std::vector<AliasOutcome> aliasMessages(MailboxKey mailbox,
                                                    const std::vector<transaction::batch::AliasRequest> &requests)
    {
        std::vector<AliasOutcome> out;
        out.reserve(requests.size());
        for (const auto &r : requests)
            out.push_back(r.getReferenceId().isNull() || r.getAliasId().isNull()
                              ? AliasOutcome::NullId
                              : aliasMessage(mailbox, r.getReferenceId(), r.getAliasId()));
        return out;
    }
    // Removes aliases whose message no longer exists anywhere.
    virtual void dropDanglingAliases() = 0;
};

class MessageStore {
public:
    MessageStore() = default;
    MessageStore(const MessageStore &) = delete;
    MessageStore &operator=(const MessageStore &) = delete;
    virtual ~MessageStore() = default;

    // The authority of every Id the store issues.
    virtual const std::string &authority() const = 0;

    template <class F>
    auto read(F &&f)
    {
        return run<const StoreReader &>(f, [this](const auto &section) { readSection(section); });
    }

    template <class F>
    auto write(F &&f)
    {
        return run<StoreWriter &>(f, [this](const auto &section) { writeSection(section); });
    }

    // The message of `mailbox` named by its primary Id or an alias, as
    // StoreReader::lookup() gives it, read in a section of its own; nullptr
    // if there is none. A store that reads it with one statement may skip
    // the section's transaction.
    virtual std::shared_ptr<messaging::Message> lookupMessage(MailboxKey mailbox, const Id &messageId);

    // OSID transactions over the calls made through this store. Stores
    // that have them are opened once per session.
    virtual bool supportsTransactions() const { return false; }
    virtual std::unique_ptr<transaction::Transaction> startTransaction()
    {
        throw Unsupported("this provider does not support transactions");
    }

protected:
    virtual void readSection(const std::function<void(const StoreReader &)> &section) = 0;
    virtual void writeSection(const std::function<void(StoreWriter &)> &section) = 0;

    // Runs f; errors from outside the OSID become OperationFailed.
    template <class F>
    static auto translatingErrors(F &&f)
    {
        try {
            return f();
        } catch (const OsidException &) {
            throw;
        } catch (const std::exception &e) {
            throw OperationFailed(std::string("the store failed: ") + e.what());
        } catch (...) {
            throw OperationFailed("the store failed with an unknown error");
        }
    }

private:
    // Runs f inside a section and carries its result out; errors from
    // outside the OSID become OperationFailed.
    template <class View, class F, class Section>
    static auto run(F &f, const Section &section)
    {
        using Result = std::invoke_result_t<F &, View>;
        return translatingErrors([&] {
            if constexpr (std::is_void_v<Result>) {
                section(std::function<void(View)>([&](View v) { f(v); }));
            } else {
                std::optional<Result> out;
                section(std::function<void(View)>([&](View v) { out.emplace(f(v)); }));
                return std::move(*out);
            }
        });
    }
};

inline std::shared_ptr<messaging::Message> MessageStore::lookupMessage(MailboxKey mailbox, const Id &messageId)
{
    return read([&](const StoreReader &s) { return s.lookup(mailbox, messageId); });
}

} // namespace osid::impl
