// ConnectionPool: the idle connections of one database, kept for the next
// session (the SQLite and the PostgreSQL providers open one connection per
// session). Thread-safe.

#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace osid::impl {

template <class Connection>
class ConnectionPool {
public:
    // Keeps at most `maxIdle` idle connections; more are closed when given
    // back.
    explicit ConnectionPool(std::size_t maxIdle) : maxIdle_(maxIdle) {}

    // An idle connection, or null when there is none.
    std::unique_ptr<Connection> take()
    {
        std::lock_guard lock(mutex_);
        if (idle_.empty())
            return nullptr;
        auto connection = std::move(idle_.back());
        idle_.pop_back();
        return connection;
    }

    // Keeps `connection` for reuse, or closes it when the pool is full. The
    // caller has ended whatever was open on it.
    void give(std::unique_ptr<Connection> connection) noexcept
    {
        std::lock_guard lock(mutex_);
        if (idle_.size() >= maxIdle_)
            return;
        try {
            idle_.push_back(std::move(connection));
        } catch (...) {
            // Closing it instead is fine.
        }
    }

    // Closes every idle connection.
    void clear() noexcept
    {
        std::lock_guard lock(mutex_);
        idle_.clear();
    }

private:
    const std::size_t maxIdle_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Connection>> idle_;
};

} // namespace osid::impl
