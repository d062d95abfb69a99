// AliasTable: the memory store's aliases, alias Id -> message key.
//
// An open-addressing table with linear probing: each slot holds the Id's
// full hash, the key and the Id, so a probe compares hashes without
// following the Id, and adding an alias allocates nothing (a
// std::unordered_map spends a node per alias and a bucket array beside it).
// Erasing shifts later entries of the probe run back, so no tombstones stay.

#pragma once

#include "impl/common/message_store.h"
#include "osid/id.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace osid::impl::memory {

class AliasTable {
public:
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

    const MessageKey *find(const Id &alias) const { return find(alias, alias.hash()); }
    MessageKey *find(const Id &alias) { return find(alias, alias.hash()); }
    // The same, with `hash` == alias.hash() already made (the hash of an Id
    // made with a key is computed afresh each time it is asked for).
    const MessageKey *find(const Id &alias, std::size_t hash) const
    {
        const auto i = position(alias, hash);
        return i == kNone ? nullptr : &slots_[i].key;
    }
    MessageKey *find(const Id &alias, std::size_t hash)
    {
        const auto i = position(alias, hash);
        return i == kNone ? nullptr : &slots_[i].key;
    }

    // Starts loading the slot where a search for an alias of hash `hash`
    // starts.
    void prefetch(std::size_t hash) const noexcept
    {
        if (!slots_.empty())
            __builtin_prefetch(&slots_[homeOf(hash)]);
    }
    // The alias and key in that slot, if its hash is `hash` (most likely
    // the alias searched for), or nullptr; for loading what a search will
    // compare.
    const std::pair<const Id *, MessageKey> peek(std::size_t hash) const noexcept
    {
        if (slots_.empty())
            return {nullptr, 0};
        const Slot &s = slots_[homeOf(hash)];
        return s.hash == hash && !s.alias.isNull() ? std::pair<const Id *, MessageKey>{&s.alias, s.key}
                                                   : std::pair<const Id *, MessageKey>{nullptr, 0};
    }

    // Adds `alias` -> `key`; `alias` must not be present.
    void insert(const Id &alias, MessageKey key) { insert(alias, alias.hash(), key); }
    // The same, with `hash` == alias.hash().
    void insert(const Id &alias, std::size_t hash, MessageKey key)
    {
        if ((size_ + 1) * 4 > slots_.size() * 3)
            grow();
        place(Slot{hash, key, alias});
        ++size_;
    }

    // Adds `alias` -> `key`, or re-points it; returns the key it had.
    std::optional<MessageKey> set(const Id &alias, MessageKey key)
    {
        const auto h = alias.hash();
        if (auto i = position(alias, h); i != kNone)
            return std::exchange(slots_[i].key, key);
        if ((size_ + 1) * 4 > slots_.size() * 3)
            grow();
        place(Slot{h, key, alias});
        ++size_;
        return std::nullopt;
    }

    // Removes `alias`, if present.
    void erase(const Id &alias)
    {
        auto hole = position(alias, alias.hash());
        if (hole == kNone)
            return;
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = (hole + 1) & mask; !slots_[i].alias.isNull(); i = (i + 1) & mask) {
            const std::size_t home = homeOf(slots_[i].hash);
            // Move the entry back unless its home lies in (hole, i].
            if (((i - home) & mask) >= ((i - hole) & mask)) {
                slots_[hole] = std::move(slots_[i]);
                hole = i;
            }
        }
        slots_[hole] = Slot{};
        --size_;
    }

    // Calls f(alias, key) for every alias, in no particular order.
    template <class F>
    void forEach(F &&f) const
    {
        for (const auto &s : slots_)
            if (!s.alias.isNull())
                f(s.alias, s.key);
    }

    // Keeps only the aliases for which keep(alias, key) is true.
    template <class F>
    void retainIf(F &&keep)
    {
        AliasTable kept;
        forEach([&](const Id &alias, MessageKey key) {
            if (keep(alias, key))
                kept.set(alias, key);
        });
        *this = std::move(kept);
    }

private:
    struct Slot {
        std::size_t hash = 0;
        MessageKey key = 0;
        Id alias; // null: the slot is free
    };
    static constexpr std::size_t kNone = SIZE_MAX;

    std::size_t homeOf(std::size_t hash) const noexcept
    {
        // The hash's top bits, mixed: Id hashes are already well spread.
        return static_cast<std::size_t>((static_cast<std::uint64_t>(hash) * 0x9E3779B97F4A7C15ull) >> shift_);
    }

    std::size_t position(const Id &alias, std::size_t hash) const
    {
        if (slots_.empty())
            return kNone;
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = homeOf(hash);; i = (i + 1) & mask) {
            const Slot &s = slots_[i];
            if (s.alias.isNull())
                return kNone;
            if (s.hash == hash && s.alias == alias)
                return i;
        }
    }

    void place(Slot slot)
    {
        const std::size_t mask = slots_.size() - 1;
        std::size_t i = homeOf(slot.hash);
        while (!slots_[i].alias.isNull())
            i = (i + 1) & mask;
        slots_[i] = std::move(slot);
    }

    void grow()
    {
        std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(slots_.empty() ? 16 : slots_.size() * 2));
        shift_ = 64;
        for (std::size_t n = slots_.size(); n > 1; n /= 2)
            --shift_;
        for (auto &s : old)
            if (!s.alias.isNull())
                place(std::move(s));
    }

    std::vector<Slot> slots_;
    unsigned shift_ = 64;
    std::size_t size_ = 0;
};

} // namespace osid::impl::memory
