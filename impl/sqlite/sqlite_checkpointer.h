// Checkpoints a WAL database from a thread of its own.
//
// In WAL mode a commit appends the pages it changed to the -wal file, and
// a checkpoint copies them back into the database file. SQLite's automatic
// checkpoint runs inside the commit that crosses its threshold, so that one
// batch call pays for copying what many others wrote. A Checkpointer takes
// the copying off the callers: the connections it watches report each
// commit through SQLite's WAL hook, and its thread runs a PASSIVE
// checkpoint (one that never waits for, nor blocks, readers and writers)
// once the WAL holds `thresholdPages` pages. Should the thread fall behind,
// a commit that leaves more than `limitPages` pages checkpoints at once, as
// SQLite would, so the WAL stays bounded.

#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace osid::sqlite {
class Connection;
} // namespace osid::sqlite

namespace osid::impl::sqlite {

using ::osid::sqlite::Connection;

class Checkpointer {
public:
    // Opens a connection of its own to `filename` and starts the thread.
    // Opening reads the file once, and waits up to `busyTimeoutMilliseconds`
    // for another process that holds it locked (making its schema, or
    // turning on WAL), as the provider's own connections do.
    Checkpointer(const std::string &filename, int thresholdPages, int busyTimeoutMilliseconds);
    Checkpointer(const Checkpointer &) = delete;
    Checkpointer &operator=(const Checkpointer &) = delete;
    // Stops the thread; a checkpoint under way is finished first.
    ~Checkpointer();

    // Routes `connection`'s commits here, in place of SQLite's automatic
    // checkpoint. The connection must be closed before the Checkpointer.
    void watch(Connection &connection);

    // Checkpoints the thread has completed, for tests.
    std::uint64_t checkpointsRun() const;

private:
    static int onCommit(void *self, sqlite3 *db, const char *schema, int walPages);
    void run();

    const int thresholdPages_;
    const int limitPages_;
    std::unique_ptr<Connection> connection_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool pending_ = false;
    bool stopping_ = false;
    std::uint64_t checkpointsRun_ = 0;
    std::thread thread_;
};

} // namespace osid::impl::sqlite
