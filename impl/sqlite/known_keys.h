// KnownKeys: the keys of messages a SQLite store's connection knows to
// exist, by mailbox, so that an alias's target can be checked without
// reading its row: in a file much larger than the page cache, that read is
// most of an alias's cost.
//
// It may know less than the truth, never more. SqliteStore adds a key when
// it inserts the message or finds it, removes it when it erases it, empties
// the set when a write is rolled back, and when another connection has
// committed since the set was last current (PRAGMA data_version).

#pragma once

#include "impl/common/message_store.h"

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace osid::impl::sqlite {

class KnownKeys {
public:
    void add(MailboxKey mailbox, MessageKey key) { words(mailbox)[key / 64] |= bit(key); }

    void remove(MailboxKey mailbox, MessageKey key)
    {
        auto *w = find(mailbox);
        if (w == nullptr)
            return;
        auto it = w->find(key / 64);
        if (it == w->end())
            return;
        // A word with no key left goes, so that the set stays as large as
        // the keys it holds.
        if ((it->second &= ~bit(key)) == 0)
            w->erase(it);
    }

    bool contains(MailboxKey mailbox, MessageKey key) const
    {
        const auto *w = find(mailbox);
        if (w == nullptr)
            return false;
        auto it = w->find(key / 64);
        return it != w->end() && (it->second & bit(key)) != 0;
    }

    // Forgets the keys of one mailbox, or of all.
    void clear(MailboxKey mailbox)
    {
        if (auto *w = find(mailbox))
            w->clear();
    }
    void clear() { mailboxes_.clear(); }

private:
    // 64 keys to a word, by key / 64: the keys a store hands out are
    // consecutive, so a word usually holds many.
    using Words = std::unordered_map<std::uint64_t, std::uint64_t>;

    static std::uint64_t bit(MessageKey key) { return std::uint64_t{1} << (key % 64); }

    Words *find(MailboxKey mailbox)
    {
        for (auto &[m, w] : mailboxes_)
            if (m == mailbox)
                return &w;
        return nullptr;
    }
    const Words *find(MailboxKey mailbox) const { return const_cast<KnownKeys *>(this)->find(mailbox); }
    Words &words(MailboxKey mailbox)
    {
        if (auto *w = find(mailbox))
            return *w;
        return mailboxes_.emplace_back(mailbox, Words{}).second;
    }

    // Few mailboxes hold messages: a list, searched in order.
    std::vector<std::pair<MailboxKey, Words>> mailboxes_;
};

} // namespace osid::impl::sqlite
