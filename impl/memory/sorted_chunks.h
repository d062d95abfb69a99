// SortedChunks<T>: an ordered set of small values kept in sorted arrays of
// at most kChunk values each, with the last value of every chunk beside
// them for the search.
//
// It replaces std::set for the memory store's indexes: a std::set node is
// one heap block (64 bytes for a 16-byte value) and a walk to it is a chain
// of cache misses; here a value costs about 22 bytes and a lookup is two
// binary searches over contiguous memory.

#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

namespace osid::impl::memory {

template <class T>
class SortedChunks {
    static_assert(std::is_trivially_copyable_v<T>, "values are moved as bytes");

public:
    std::size_t size() const noexcept { return size_; }

    // Adds `value`, which must not be present.
    void insert(const T &value)
    {
        if (chunks_.empty()) {
            chunks_.push_back(std::make_unique<Chunk>());
            lasts_.push_back(value);
        }
        const std::size_t c = chunkFor(value);
        if (chunks_[c]->size == kChunk) {
            if (value > lasts_[c]) {
                // Appending (keys grow): start a chunk rather than leave
                // two half-empty ones behind.
                chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(c) + 1, std::make_unique<Chunk>());
                lasts_.insert(lasts_.begin() + static_cast<std::ptrdiff_t>(c) + 1, value);
                return insert(value);
            }
            split(c);
            return insert(value);
        }
        Chunk &chunk = *chunks_[c];
        T *end = chunk.values + chunk.size;
        T *at = std::upper_bound(chunk.values, end, value);
        std::move_backward(at, end, end + 1);
        *at = value;
        ++chunk.size;
        lasts_[c] = chunk.values[chunk.size - 1];
        ++size_;
    }

    // Removes `value`; false if it was not present.
    bool erase(const T &value)
    {
        if (chunks_.empty())
            return false;
        const std::size_t c = chunkFor(value);
        Chunk &chunk = *chunks_[c];
        T *end = chunk.values + chunk.size;
        T *at = std::lower_bound(chunk.values, end, value);
        if (at == end || *at != value)
            return false;
        std::move(at + 1, end, at);
        --chunk.size;
        --size_;
        if (chunk.size == 0) {
            chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(c));
            lasts_.erase(lasts_.begin() + static_cast<std::ptrdiff_t>(c));
        } else {
            lasts_[c] = chunk.values[chunk.size - 1];
            mergeWithNext(c);
        }
        return true;
    }

    // Removes the values of [first, last), which must be in ascending
    // order; a value that is not present is skipped. Each chunk that holds
    // some of them is compacted once, in order, rather than searched and
    // shifted once per value, so a run of neighbouring values (all of one
    // sender, a span of time) costs about one pass over its chunks. It
    // allocates nothing, so it cannot fail halfway. Returns how many were
    // removed.
    std::size_t eraseSorted(const T *first, const T *last) noexcept
    {
        std::size_t removed = 0;
        bool reshape = false;
        while (first != last && !chunks_.empty()) {
            const std::size_t c = chunkFor(*first);
            Chunk &chunk = *chunks_[c];
            const T lastBefore = lasts_[c];
            T *end = chunk.values + chunk.size;
            // Values before `in` are settled; those kept are before `out`.
            T *out = std::lower_bound(chunk.values, end, *first);
            T *in = out;
            while (in != end && first != last) {
                if (*in == *first) {
                    ++in, ++first;
                } else if (*first < *in) {
                    ++first; // not present
                } else {
                    // Keep the values up to the next one to remove, as a block.
                    T *next = std::lower_bound(in + 1, end, *first);
                    // Until the first removal the values are in place.
                    out = out == in ? next : std::copy(in, next, out);
                    in = next;
                }
            }
            out = out == in ? end : std::copy(in, end, out);
            const auto left = static_cast<std::size_t>(out - chunk.values);
            removed += chunk.size - left;
            chunk.size = left;
            // An empty chunk keeps its old last value until compact(), so
            // that lasts_ stays sorted for chunkFor().
            if (left == 0)
                reshape = true;
            else {
                lasts_[c] = chunk.values[left - 1];
                reshape = reshape || underfull(c) || (c > 0 && underfull(c - 1));
            }
            // Whatever is left up to the chunk's old last value is absent.
            while (first != last && !(lastBefore < *first))
                ++first;
            if (c + 1 == chunks_.size())
                break;
        }
        size_ -= removed;
        if (reshape)
            compact();
        return removed;
    }

    // Calls f(value) for each value >= `first`, in order, while f returns true.
    template <class F>
    void visitFrom(const T &first, F &&f) const
    {
        if (chunks_.empty())
            return;
        for (std::size_t c = chunkFor(first); c < chunks_.size(); ++c) {
            const Chunk &chunk = *chunks_[c];
            const T *end = chunk.values + chunk.size;
            for (const T *v = std::lower_bound(chunk.values, end, first); v != end; ++v)
                if (!f(*v))
                    return;
        }
    }

private:
    // 4 KiB of 16-byte values: inserts move at most that much.
    static constexpr std::size_t kChunk = 4096 / sizeof(T);

    struct Chunk {
        std::size_t size = 0;
        T values[kChunk];
    };

    // The first chunk whose last value is >= value, else the last chunk.
    std::size_t chunkFor(const T &value) const
    {
        const auto it = std::lower_bound(lasts_.begin(), lasts_.end(), value);
        return it == lasts_.end() ? lasts_.size() - 1 : static_cast<std::size_t>(it - lasts_.begin());
    }

    void split(std::size_t c)
    {
        Chunk &full = *chunks_[c];
        auto upper = std::make_unique<Chunk>();
        const std::size_t keep = full.size / 2;
        std::copy(full.values + keep, full.values + full.size, upper->values);
        upper->size = full.size - keep;
        full.size = keep;
        lasts_.insert(lasts_.begin() + static_cast<std::ptrdiff_t>(c), full.values[keep - 1]);
        chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(c) + 1, std::move(upper));
    }

    // Whether chunk c and the next one would fit in half a chunk together
    // (mergeWithNext() would merge them).
    bool underfull(std::size_t c) const noexcept
    {
        return c + 1 < chunks_.size() && chunks_[c]->size + chunks_[c + 1]->size <= kChunk / 2;
    }

    // Drops empty chunks and merges neighbours that fit in half a chunk
    // together, in one pass and in place: it allocates nothing.
    void compact() noexcept
    {
        std::size_t kept = 0;
        for (std::size_t c = 0; c < chunks_.size(); ++c) {
            Chunk &chunk = *chunks_[c];
            if (chunk.size == 0)
                continue;
            if (kept > 0 && chunks_[kept - 1]->size + chunk.size <= kChunk / 2) {
                Chunk &into = *chunks_[kept - 1];
                std::copy(chunk.values, chunk.values + chunk.size, into.values + into.size);
                into.size += chunk.size;
                chunk.size = 0;
                lasts_[kept - 1] = lasts_[c];
                continue;
            }
            if (kept != c) {
                // The chunk swapped back to c is empty (or merged): freed below.
                std::swap(chunks_[kept], chunks_[c]);
                lasts_[kept] = lasts_[c];
            }
            ++kept;
        }
        chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(kept), chunks_.end());
        lasts_.erase(lasts_.begin() + static_cast<std::ptrdiff_t>(kept), lasts_.end());
    }

    // Keeps chunks at least a quarter full on average after many erases.
    void mergeWithNext(std::size_t c)
    {
        if (c + 1 >= chunks_.size() || chunks_[c]->size + chunks_[c + 1]->size > kChunk / 2)
            return;
        Chunk &into = *chunks_[c];
        const Chunk &from = *chunks_[c + 1];
        std::copy(from.values, from.values + from.size, into.values + into.size);
        into.size += from.size;
        lasts_[c] = lasts_[c + 1];
        chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(c) + 1);
        lasts_.erase(lasts_.begin() + static_cast<std::ptrdiff_t>(c) + 1);
    }

    std::vector<std::unique_ptr<Chunk>> chunks_;
    std::vector<T> lasts_;
    std::size_t size_ = 0;
};

} // namespace osid::impl::memory
