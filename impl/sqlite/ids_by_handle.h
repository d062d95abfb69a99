// IdsByHandle: the Ids of a SQLite store's names, by handle, as reads
// resolve them (every sender and recipient of a message read is one).
//
// Handles are the rowids of the names table, which this library assigns
// from 1 without gaps, so they index a vector: a lookup is a bounds check
// and a load, where a hash map divided by a prime and followed a node (7 %
// of a lookup's time in a profile of W1's P6). A handle far beyond the
// others, as a file written by other software may hold, goes to a map
// instead of growing the vector to it.

#pragma once

#include "osid/id.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace osid::impl::sqlite {

class IdsByHandle {
public:
    // The Id of `handle`, or null when it has not been added.
    const Id *find(std::int64_t handle) const noexcept
    {
        if (inDense(handle)) {
            if (const auto &slot = dense_[static_cast<std::size_t>(handle)])
                return &*slot;
        }
        // A handle added while it was still far beyond the vector's end
        // stays in the map after the vector grows past it.
        if (sparse_.empty())
            return nullptr;
        auto it = sparse_.find(handle);
        return it == sparse_.end() ? nullptr : &it->second;
    }

    const Id &add(std::int64_t handle, Id id)
    {
        if (handle >= 0 && static_cast<std::uint64_t>(handle) < dense_.size() + kReach) {
            if (!inDense(handle))
                dense_.resize(static_cast<std::size_t>(handle) + 1);
            return dense_[static_cast<std::size_t>(handle)].emplace(std::move(id));
        }
        return sparse_.insert_or_assign(handle, std::move(id)).first->second;
    }

    void clear() noexcept
    {
        dense_.clear();
        sparse_.clear();
    }

private:
    // How far past the vector's end a handle may be and still grow it.
    static constexpr std::size_t kReach = 4096;

    bool inDense(std::int64_t handle) const noexcept
    {
        return handle >= 0 && static_cast<std::uint64_t>(handle) < dense_.size();
    }

    std::vector<std::optional<Id>> dense_;
    std::unordered_map<std::int64_t, Id> sparse_;
};

} // namespace osid::impl::sqlite
