// The memory provider's store: every mailbox, message and alias of one
// manager, behind one reader/writer lock.
//
// Sessions reach the data only through read() and write(), which run a
// function under a shared or an exclusive lock; everything a batch call
// changes happens inside one write(), so other threads see all of it or
// none of it.
//
// Layout, per mailbox: messages by key, plus ordered indexes by (sender,
// key) and (received time, key), so deletes by sender or date visit only
// what they delete. Ids that repeat across messages (senders, agents,
// recipients, genus types) are interned to 32-bit handles. Aliases are
// global: alias Id -> message key.

#pragma once

#include "impl/common/message_content.h"
#include "impl/common/snapshots.h"
#include "osid/id.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace osid::impl::memory {

using MessageKey = std::uint64_t;
using MailboxIndex = std::uint32_t;

// Maps values to dense 32-bit handles and back. Handle 0 is "none".
template <class T>
class Interner {
public:
    Interner() : values_(1) {}

    std::uint32_t intern(const T &value)
    {
        auto [it, inserted] = handles_.try_emplace(value, static_cast<std::uint32_t>(values_.size()));
        if (inserted)
            values_.push_back(value);
        return it->second;
    }
    std::optional<std::uint32_t> find(const T &value) const
    {
        auto it = handles_.find(value);
        return it == handles_.end() ? std::nullopt : std::optional<std::uint32_t>(it->second);
    }
    const T &value(std::uint32_t handle) const { return values_[handle]; }

private:
    std::vector<T> values_;
    std::unordered_map<T, std::uint32_t> handles_;
};

// One message as the memory store keeps it.
struct StoredMessage {
    std::string subject;
    std::string text;
    std::string displayName;
    std::string description;
    std::vector<std::uint32_t> recipients;
    std::int64_t sentTime = 0;
    std::int64_t receivedTime = 0;
    std::uint32_t sender = 0;
    std::uint32_t sendingAgent = 0;
    std::uint32_t genusType = 0;
    bool sent = false;
    bool delivery = false;
};

struct MailboxData {
    Id id;
    std::string displayName;
    std::string description;
    Type genusType;
    std::unordered_map<MessageKey, StoredMessage> messages;
    std::set<std::pair<std::uint32_t, MessageKey>> bySender;
    std::set<std::pair<std::int64_t, MessageKey>> byReceived;
};

// The data, with no locking of its own; reached through MemoryStore.
class StoreState {
public:
    explicit StoreState(std::string authority);

    // Mailboxes.
    MailboxIndex defaultMailbox() const noexcept { return 0; }
    std::optional<MailboxIndex> findMailbox(const Id &mailboxId) const;
    MailboxIndex createMailbox(std::string displayName, std::string description, Type genusType);
    std::size_t mailboxCount() const noexcept { return mailboxes_.size(); }
    const MailboxData &mailbox(MailboxIndex index) const { return *mailboxes_[index]; }
    std::shared_ptr<messaging::Mailbox> mailboxSnapshot(MailboxIndex index) const;

    // Ids.
    Id messageId(MessageKey key) const;
    // The key of a message of `mailbox` named by its primary Id or an alias.
    std::optional<MessageKey> resolve(MailboxIndex mailbox, const Id &messageId) const;
    // Whether `id` lies in this store's own message Id space.
    bool isPrimarySpace(const Id &id) const;

    // Messages.
    const StoredMessage *find(MailboxIndex mailbox, MessageKey key) const;
    MessageContent content(const StoredMessage &m) const;
    std::shared_ptr<messaging::Message> snapshot(MessageKey key, const StoredMessage &m) const;
    MessageKey insert(MailboxIndex mailbox, const MessageContent &content);
    // Replaces the content of an existing message and re-indexes it.
    void replace(MailboxIndex mailbox, MessageKey key, const MessageContent &content);
    void erase(MailboxIndex mailbox, MessageKey key);
    // Removes aliases whose message no longer exists anywhere.
    void dropDanglingAliases();

    // The keys of `mailbox`'s messages from `sender` / received in [from, to].
    std::vector<MessageKey> keysFromSender(MailboxIndex mailbox, const Id &sender) const;
    std::vector<MessageKey> keysReceivedBetween(MailboxIndex mailbox, DateTime from, DateTime to) const;

    // Aliases. setAlias() inserts or re-points and returns the previous
    // target, so a failed call can put it back with restoreAlias().
    std::optional<MessageKey> setAlias(const Id &aliasId, MessageKey key)
    {
        auto [it, inserted] = aliases_.try_emplace(aliasId, key);
        if (inserted)
            return std::nullopt;
        return std::exchange(it->second, key);
    }
    void restoreAlias(const Id &aliasId, std::optional<MessageKey> previous)
    {
        if (previous)
            aliases_[aliasId] = *previous;
        else
            aliases_.erase(aliasId);
    }

    // Interning, for lookups that compare handles.
    std::optional<std::uint32_t> findHandle(const Id &id) const { return ids_.find(id); }
    std::optional<std::uint32_t> findTypeHandle(const Type &type) const { return typeHandles_.find(type); }

private:
    StoredMessage toStored(const MessageContent &content);
    void index(MailboxData &mb, MessageKey key, const StoredMessage &m);
    void unindex(MailboxData &mb, MessageKey key, const StoredMessage &m);

    std::string authority_;
    std::vector<std::unique_ptr<MailboxData>> mailboxes_;
    std::unordered_map<Id, MessageKey> aliases_;
    Interner<Id> ids_;
    Interner<Type> typeHandles_;
    MessageKey nextKey_ = 1;
};

class MemoryStore {
public:
    explicit MemoryStore(const std::string &authority) : state_(authority), authority_(authority) {}

    const std::string &authority() const noexcept { return authority_; }

    template <class F>
    auto read(F &&f) const
    {
        std::shared_lock lock(mutex_);
        return f(static_cast<const StoreState &>(state_));
    }

    template <class F>
    auto write(F &&f)
    {
        std::unique_lock lock(mutex_);
        return f(state_);
    }

private:
    mutable std::shared_mutex mutex_;
    StoreState state_;
    std::string authority_;
};

} // namespace osid::impl::memory
