// The PostgreSQL provider's Database: what every session of one manager
// shares: the connection string, the store's authority (read when the
// schema is brought up to date), a pool of connections, and the purge of
// what deletes of all left (postgres_purge.h).

#pragma once

#include "impl/common/connection_pool.h"
#include "impl/postgres/postgres_provider.h"
#include "impl/postgres/postgres_purge.h"
#include "postgres/connection.h"

#include <chrono>
#include <memory>
#include <string>

namespace osid::impl::postgres {

// The PostgreSQL RAII layer (postgres/connection.h), by its short names.
using ::osid::postgres::Connection;
using ::osid::postgres::Params;
using ::osid::postgres::Result;

class Database {
public:
    // Connects and brings the schema up to date.
    explicit Database(const PostgresProviderOptions &options);
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    const std::string &authority() const noexcept { return authority_; }
    // PostgresProviderOptions::reconnectTimeout.
    std::chrono::milliseconds reconnectTimeout() const noexcept { return reconnectTimeout_; }
    // PostgresProviderOptions::lockTimeout.
    std::chrono::milliseconds lockTimeout() const noexcept { return lockTimeout_; }

    // A connection for a session, from the pool or new.
    std::unique_ptr<Connection> acquire();
    // Gives a connection back; an open transaction on it is rolled back,
    // and a lost one is closed.
    void release(std::unique_ptr<Connection> connection) noexcept;
    // The purge, woken by a store once its delete of all has committed.
    Purge &purge() noexcept { return purge_; }

private:
    std::string conninfo_;
    std::string authority_;
    std::chrono::milliseconds reconnectTimeout_;
    std::chrono::milliseconds lockTimeout_;
    // Idle connections kept for reuse; more are closed when given back.
    ConnectionPool<Connection> idle_{16};
    Purge purge_;
};

} // namespace osid::impl::postgres
