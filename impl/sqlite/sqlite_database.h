// The SQLite provider's Database: what every session of one manager
// shares: the file (schema brought up to date, WAL mode), its authority, a
// pool of connections, the background checkpointer and the key floor.

#pragma once

#include "impl/common/connection_pool.h"
#include "impl/common/message_store.h"
#include "impl/sqlite/sqlite_provider.h"
#include "sqlite/connection.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace osid::impl::sqlite {

// The SQLite RAII layer (sqlite/connection.h), by its short names.
using ::osid::sqlite::Connection;
using ::osid::sqlite::Statement;

class Checkpointer;

class Database {
public:
    // Opens the file, brings its schema up to date and sets WAL mode.
    explicit Database(const SqliteProviderOptions &options);
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;
    // Closes the idle connections; a temporary database is removed.
    ~Database();

    const std::string &authority() const noexcept { return authority_; }

    // A connection for a session, from the pool or new.
    std::unique_ptr<Connection> acquire();
    // Gives a connection back; an open transaction on it is rolled back.
    void release(std::unique_ptr<Connection> connection) noexcept;

    // The lowest message key an insert of this process may take: raised
    // past the keys of an aborted transaction whose counter could not be
    // written back, so that they are not handed out again.
    MessageKey keyFloor() const noexcept { return keyFloor_.load(); }
    void raiseKeyFloor(MessageKey next) noexcept
    {
        auto current = keyFloor_.load();
        while (current < next && !keyFloor_.compare_exchange_weak(current, next)) {
        }
    }

private:
    std::unique_ptr<Connection> connect() const;

    std::string filename_;
    std::string displayName_;
    int busyTimeoutMilliseconds_;
    Synchronous synchronous_;
    std::string authority_;
    // Whether the file is ours alone, to remove at the end (":memory:").
    bool temporary_ = false;
    // Declared before idle_, so destroyed after it (the destructor also
    // says so explicitly).
    std::unique_ptr<Checkpointer> checkpointer_;
    // Idle connections kept for reuse; more are closed when given back.
    ConnectionPool<Connection> idle_{16};
    std::atomic<MessageKey> keyFloor_{0};
};

} // namespace osid::impl::sqlite
