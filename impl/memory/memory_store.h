// The memory provider's store: every mailbox, message and alias of one
// manager, behind one reader/writer lock, shared by all its sessions.
//
// Layout, per mailbox: messages by key (MessageTable), plus ordered indexes
// by (sender, key) and (received time, key) (SortedChunks), so deletes by
// sender or date visit only what they delete. Ids that repeat across messages (senders, agents,
// recipients, genus types) are interned to 32-bit handles. Aliases are
// global: alias Id -> message key (AliasTable).
//
// A write section keeps an undo journal: if it fails, the journal is
// played back and the store is as it was before the section.

#pragma once

#include "impl/common/id_space.h"
#include "impl/common/message_store.h"
#include "impl/memory/alias_table.h"
#include "impl/memory/message_table.h"
#include "impl/memory/sorted_chunks.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace osid::impl::memory {

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

// One message as the memory store keeps it. Its recipients and strings
// share one heap block (recipient handles first, then display name,
// description, subject and text), as most of a message is its text: one
// allocation per message instead of five, and no std::string headers.
// The block is immutable and reference-counted: a snapshot that a lookup
// returns shares it, and an update makes a new one.
class StoredMessage {
public:
    StoredMessage() = default;
    StoredMessage(std::string_view displayName, std::string_view description, std::string_view subject,
                  std::string_view text, const std::vector<std::uint32_t> &recipients);

    std::string_view displayName() const noexcept { return part(0); }
    std::string_view description() const noexcept { return part(1); }
    std::string_view subject() const noexcept { return part(2); }
    std::string_view text() const noexcept { return part(3); }
    std::size_t recipientCount() const noexcept { return recipientCount_; }
    std::uint32_t recipient(std::size_t i) const noexcept
    {
        std::uint32_t r;
        std::memcpy(&r, data_.get() + i * sizeof r, sizeof r);
        return r;
    }

    std::int64_t sentTime = 0;
    std::int64_t receivedTime = 0;
    std::uint32_t sender = 0;
    std::uint32_t sendingAgent = 0;
    std::uint32_t genusType = 0;
    bool sent = false;
    bool delivery = false;

    // The block, for a snapshot to keep alive.
    std::shared_ptr<const void> block() const noexcept { return data_; }

private:
    std::string_view part(std::size_t i) const noexcept
    {
        std::size_t offset = recipientCount_ * sizeof(std::uint32_t);
        for (std::size_t k = 0; k < i; ++k)
            offset += sizes_[k];
        return {data_.get() + offset, sizes_[i]};
    }

    std::shared_ptr<char[]> data_;
    std::uint32_t sizes_[4] = {};
    std::uint32_t recipientCount_ = 0;
};

// An entry of an ordered index: the indexed value (a sender handle or a
// time) and the message's key. Trivially copyable, so that the index moves
// entries with memmove.
template <class V>
struct IndexEntry {
    V value;
    MessageKey key;
    friend auto operator<=>(const IndexEntry &, const IndexEntry &) = default;
};

struct MailboxData {
    Id id;
    std::string displayName;
    std::string description;
    Type genusType;
    MessageTable<StoredMessage> messages;
    SortedChunks<IndexEntry<std::uint32_t>> bySender;
    SortedChunks<IndexEntry<std::int64_t>> byReceived;
};

// The data, with no locking of its own; reached through MemoryStore.
class StoreState final : public StoreWriter {
public:
    explicit StoreState(std::string authority);

    // StoreReader.
    MailboxKey defaultMailbox() const override { return 0; }
    std::optional<MailboxKey> findMailbox(const Id &mailboxId) const override;
    std::vector<MailboxKey> mailboxes() const override;
    std::shared_ptr<messaging::Mailbox> mailbox(MailboxKey mailbox) const override;
    Id messageId(MessageKey key) const override;
    bool isPrimarySpace(const Id &id) const override;
    std::optional<MessageKey> resolve(MailboxKey mailbox, const Id &messageId) const override;
    std::optional<MailboxKey> aliasMailbox(const Id &aliasId) const override;
    MessageContent content(MailboxKey mailbox, MessageKey key) const override;
    std::vector<std::optional<KeyedView>> findAll(MailboxKey mailbox, const std::vector<Id> &messageIds) const override;
    std::shared_ptr<messaging::Message> message(MailboxKey mailbox, MessageKey key) const override;
    std::vector<KeyedContent> select(MailboxKey mailbox, const MessageQuery &query) const override;
    std::vector<MessageKey> allKeys(MailboxKey mailbox) const override;
    std::vector<MessageKey> keysFromSender(MailboxKey mailbox, const Id &sender) const override;
    std::vector<MessageKey> keysReceivedBetween(MailboxKey mailbox, DateTime from, DateTime to) const override;

    // StoreWriter.
    MailboxKey createMailbox(const std::string &displayName, const std::string &description,
                             const Type &genusType) override;
    MessageKey insert(MailboxKey mailbox, const MessageContent &content) override;
    void replace(MailboxKey mailbox, MessageKey key, const MessageContent &previous,
                 const MessageContent &content) override;
    UpdateOutcome updateMessage(MailboxKey mailbox, const Id &messageId, const MessageChanges &changes) override;
    std::vector<UpdateOutcome> updateMessages(MailboxKey mailbox,
                                              const std::vector<std::pair<Id, MessageChanges>> &updates) override;
    void erase(MailboxKey mailbox, MessageKey key) override;
    std::vector<MessageKey> eraseKeys(MailboxKey mailbox, std::vector<MessageKey> keys) override;
    std::vector<MessageKey> eraseAll(MailboxKey mailbox) override;
    void setAlias(const Id &aliasId, MessageKey key) override;
    AliasOutcome aliasMessage(MailboxKey mailbox, const Id &referenceId, const Id &aliasId) override;
    std::vector<AliasOutcome> aliasMessages(MailboxKey mailbox,
                                            const std::vector<transaction::batch::AliasRequest> &requests) override;
    void dropDanglingAliases() override;

    // Runs `f` with an undo journal: if it throws, every change it made
    // is undone, newest first, before the exception leaves.
    template <class F>
    void journaled(F &&f)
    {
        beginJournal();
        try {
            f();
        } catch (...) {
            rollBack();
            endJournal();
            throw;
        }
        endJournal();
    }

private:
    void beginJournal() { journal_.clear(), journaling_ = true; }
    void endJournal() { journal_.clear(), journaling_ = false; }
    // Undoes everything since beginJournal(), newest first.
    void rollBack() noexcept;

    struct Inserted {
        MailboxKey mailbox;
        MessageKey key;
    };
    struct Replaced {
        MailboxKey mailbox;
        MessageKey key;
        StoredMessage previous;
    };
    struct Erased {
        MailboxKey mailbox;
        MessageKey key;
        StoredMessage message;
    };
    struct Aliased {
        Id aliasId;
        std::optional<MessageKey> previous;
    };
    struct MailboxCreated {};
    struct AliasesDropped {
        std::vector<std::pair<Id, MessageKey>> aliases;
    };
    // Every message of a mailbox, with its indexes, taken at once.
    // (Held by pointer: the journal's entries must move without throwing.)
    struct Tables {
        MessageTable<StoredMessage> messages;
        SortedChunks<IndexEntry<std::uint32_t>> bySender;
        SortedChunks<IndexEntry<std::int64_t>> byReceived;
    };
    struct Emptied {
        MailboxKey mailbox;
        std::unique_ptr<Tables> taken;
    };
    // Every alias, dropped at once.
    struct AliasesCleared {
        std::unique_ptr<AliasTable> aliases;
    };
    using Undo =
        std::variant<Inserted, Replaced, Erased, Aliased, MailboxCreated, AliasesDropped, Emptied, AliasesCleared>;

    MailboxData &data(MailboxKey mailbox) { return *mailboxes_.at(static_cast<std::size_t>(mailbox)); }
    const MailboxData &data(MailboxKey mailbox) const { return *mailboxes_.at(static_cast<std::size_t>(mailbox)); }
    const StoredMessage &stored(MailboxKey mailbox, MessageKey key) const;
    bool matches(const StoredMessage &m, const MessageQuery &query) const;
    // The delivery fields of a MessageContent or MessageView from `m`.
    template <class Out>
    void fillDelivery(Out &out, const StoredMessage &m) const;
    // The content of the stored message `m`, into `c`.
    void fill(MessageContent &c, const StoredMessage &m) const;
    // A view of the stored version, which it keeps alive: nothing of the
    // text is copied.
    MessageView view(const StoredMessage &m) const;
    // The key `messageId` names, by its primary Id or an alias, whether or
    // not a message of any mailbox has it.
    std::optional<MessageKey> unresolvedKey(const Id &messageId) const;
    // `previous`, if given, is the message's stored version, whose handles
    // are reused where the Ids are the same.
    StoredMessage toStored(const MessageContent &content, const StoredMessage *previous = nullptr);
    // Replaces the stored message `m` (key `key` of `mailbox`) with `fresh`,
    // journaled, reindexing only if what the indexes order by changed.
    void put(MailboxKey mailbox, MessageKey key, StoredMessage &m, StoredMessage fresh);
    // Applies `changes` to the stored message `m` (key `key` of `mailbox`),
    // unless the result would put its received time before its sent time.
    UpdateOutcome update(MailboxKey mailbox, MessageKey key, StoredMessage &m, const MessageChanges &changes);
    // aliasMessage() with `aliasHash` == aliasId.hash() already made.
    AliasOutcome aliasMessage(MailboxKey mailbox, const Id &referenceId, const Id &aliasId, std::size_t aliasHash);
    void index(MailboxData &mb, MessageKey key, const StoredMessage &m);
    void unindex(MailboxData &mb, MessageKey key, const StoredMessage &m);
    // Makes sure the next `n` record()s cannot fail for want of room,
    // growing the journal geometrically.
    void makeRoomInJournal(std::size_t n = 1)
    {
        if (journaling_ && journal_.capacity() - journal_.size() < n)
            journal_.reserve(std::max(journal_.size() + n, journal_.capacity() * 2 + 16));
    }
    void record(Undo undo)
    {
        if (journaling_)
            journal_.push_back(std::move(undo));
    }

    std::string authority_;
    IdSpace messageSpace_;
    IdSpace mailboxSpace_;
    std::vector<std::unique_ptr<MailboxData>> mailboxes_;
    AliasTable aliases_;
    Interner<Id> ids_;
    Interner<Type> typeHandles_;
    MessageKey nextKey_ = 1;
    std::vector<Undo> journal_;
    bool journaling_ = false;
    // toStored()'s buffer for recipient handles, reused across messages.
    std::vector<std::uint32_t> recipients_;
};

// One store shared by every session of a manager.
class MemoryStore final : public MessageStore {
public:
    explicit MemoryStore(const std::string &authority) : state_(authority), authority_(authority) {}

    const std::string &authority() const override { return authority_; }

protected:
    void readSection(const std::function<void(const StoreReader &)> &section) override
    {
        std::shared_lock lock(mutex_);
        section(state_);
    }

    void writeSection(const std::function<void(StoreWriter &)> &section) override
    {
        std::unique_lock lock(mutex_);
        state_.journaled([&] { section(state_); });
    }

private:
    std::shared_mutex mutex_;
    StoreState state_;
    std::string authority_;
};

} // namespace osid::impl::memory
