// MessageTable<V>: values by 64-bit key (never 0), for the memory store's
// messages.
//
// Values live in slots that are reused after an erase, in blocks that never
// move (so growing never copies a message); an open-addressing index with
// linear probing maps a key to its slot. An index entry is 8 bytes, a slot
// number and 32 bits of the key's hash, so that a probe rarely reads a slot
// it does not want (a key below 2^31 is its own tag, so a probe for one
// never reads a slot); std::unordered_map spends a node (key, value and
// link) plus a bucket per message.

#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

namespace osid::impl::memory {

template <class V>
class MessageTable {
public:
    std::size_t size() const noexcept { return size_; }

    V *find(std::uint64_t key)
    {
        const auto i = position(key);
        return i == kNone ? nullptr : &slots_[index_[i].slot - 1].value;
    }
    const V *find(std::uint64_t key) const
    {
        const auto i = position(key);
        return i == kNone ? nullptr : &slots_[index_[i].slot - 1].value;
    }
    // Whether `key` is present. For a key below 2^31 (every key of the
    // first two billion messages) this reads the index only, not the slot.
    bool contains(std::uint64_t key) const { return position(key) != kNone; }

    // Starts loading the index entry that find(key) and contains(key)
    // read first.
    void prefetch(std::uint64_t key) const noexcept
    {
        if (!index_.empty())
            __builtin_prefetch(&index_[home(key)]);
    }

    // Adds `value` under `key`, which must not be present.
    V &insert(std::uint64_t key, V value)
    {
        if ((size_ + 1) * 8 > index_.size() * 7)
            grow();
        std::uint32_t slot;
        if (free_.empty()) {
            slot = static_cast<std::uint32_t>(slots_.size());
            slots_.push_back({key, std::move(value)});
        } else {
            slot = free_.back();
            free_.pop_back();
            slots_[slot] = {key, std::move(value)};
        }
        place(key, slot);
        ++size_;
        return slots_[slot].value;
    }

    // Makes sure the next `n` calls of take() allocate nothing. It grows
    // the free list geometrically, so that many small calls cost no more
    // than take()'s own push_back would.
    void reserveTakes(std::size_t n)
    {
        if (free_.capacity() - free_.size() < n)
            free_.reserve(std::max(free_.size() + n, 2 * free_.capacity()));
    }

    // Removes `key` and gives its value back (for the undo journal).
    V take(std::uint64_t key)
    {
        const auto i = position(key);
        const std::uint32_t s = index_[i].slot - 1;
        V value = std::move(slots_[s].value);
        removeAt(i);
        slots_[s] = Slot{};
        free_.push_back(s);
        --size_;
        return value;
    }

    // Calls f(key, value) for every value, in no particular order.
    template <class F>
    void forEach(F &&f) const
    {
        for (const auto &s : slots_)
            if (s.key != 0)
                f(s.key, s.value);
    }

private:
    struct Entry {
        std::uint32_t tag = 0;
        std::uint32_t slot = 0; // slot number + 1; 0: empty
    };
    static constexpr std::size_t kNone = SIZE_MAX;
    struct Slot {
        std::uint64_t key = 0; // 0: free
        V value{};
    };

    // Fibonacci hashing: keys are consecutive, the product spreads them.
    static std::uint64_t hashOf(std::uint64_t key) noexcept { return key * 0x9E3779B97F4A7C15ull; }
    std::size_t home(std::uint64_t key) const noexcept { return static_cast<std::size_t>(hashOf(key) >> shift_); }
    // A key below 2^31 is its own tag (top bit clear), so a matching tag
    // is the key itself; a larger key's tag is 31 bits of its hash with the
    // top bit set, and a match must be confirmed in the slot.
    static constexpr std::uint64_t kExactTags = std::uint64_t{1} << 31;
    static std::uint32_t tagOf(std::uint64_t key) noexcept
    {
        return key < kExactTags ? static_cast<std::uint32_t>(key)
                                : static_cast<std::uint32_t>(hashOf(key) >> 33) | 0x80000000u;
    }
    std::uint64_t keyAt(std::size_t i) const noexcept { return slots_[index_[i].slot - 1].key; }

    // Where `key` is in the index, or kNone.
    std::size_t position(std::uint64_t key) const
    {
        if (index_.empty() || key == 0)
            return kNone;
        const std::size_t mask = index_.size() - 1;
        const std::uint32_t tag = tagOf(key);
        for (std::size_t i = home(key);; i = (i + 1) & mask) {
            const Entry &e = index_[i];
            if (e.slot == 0)
                return kNone;
            if (e.tag == tag && (key < kExactTags || keyAt(i) == key))
                return i;
        }
    }

    void place(std::uint64_t key, std::uint32_t slot)
    {
        const std::size_t mask = index_.size() - 1;
        std::size_t i = home(key);
        while (index_[i].slot != 0)
            i = (i + 1) & mask;
        index_[i] = {tagOf(key), slot + 1};
    }

    // Backward-shift deletion: later entries of the probe run move up, so
    // no tombstones are left behind.
    void removeAt(std::size_t hole)
    {
        const std::size_t mask = index_.size() - 1;
        for (std::size_t i = (hole + 1) & mask; index_[i].slot != 0; i = (i + 1) & mask) {
            const std::size_t h = home(keyAt(i));
            // Move the entry up unless its home lies in (hole, i].
            if (((i - h) & mask) >= ((i - hole) & mask)) {
                index_[hole] = index_[i];
                hole = i;
            }
        }
        index_[hole] = Entry{};
    }

    void grow()
    {
        std::vector<Entry> old = std::exchange(index_, std::vector<Entry>(index_.empty() ? 16 : index_.size() * 2));
        shift_ = 64;
        for (std::size_t n = index_.size(); n > 1; n /= 2)
            --shift_;
        for (const auto &e : old)
            if (e.slot != 0)
                place(slots_[e.slot - 1].key, e.slot - 1);
    }

    std::vector<Entry> index_;
    unsigned shift_ = 64;
    std::deque<Slot> slots_;
    std::vector<std::uint32_t> free_;
    std::size_t size_ = 0;
};

} // namespace osid::impl::memory
