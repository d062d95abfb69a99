#include "impl/sqlite/sqlite_checkpointer.h"

#include "sqlite/connection.h"

namespace osid::impl::sqlite {

namespace {

// Far enough above the threshold that the thread, not the caller, does the
// work in the normal run of things.
constexpr int kLimitFactor = 8;

} // namespace

Checkpointer::Checkpointer(const std::string &filename, int thresholdPages, int busyTimeoutMilliseconds)
    : thresholdPages_(thresholdPages), limitPages_(thresholdPages * kLimitFactor),
      connection_(std::make_unique<Connection>(filename, busyTimeoutMilliseconds))
{
    // A connection learns that the file is in WAL mode, and opens the WAL,
    // when it first reads; until then a checkpoint does nothing.
    connection_->execute("SELECT count(*) FROM sqlite_schema");
    thread_ = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void Checkpointer::watch(Connection &connection) { sqlite3_wal_hook(connection.handle(), &onCommit, this); }

std::uint64_t Checkpointer::checkpointsRun() const
{
    std::lock_guard lock(mutex_);
    return checkpointsRun_;
}

int Checkpointer::onCommit(void *self, sqlite3 *db, const char *schema, int walPages)
{
    auto &c = *static_cast<Checkpointer *>(self);
    if (walPages >= c.limitPages_) {
        // What SQLite's automatic checkpoint does; a failure here (the
        // database busy) is not the committed call's failure.
        sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (walPages >= c.thresholdPages_) {
        {
            std::lock_guard lock(c.mutex_);
            c.pending_ = true;
        }
        c.wake_.notify_one();
    }
    return SQLITE_OK;
}

void Checkpointer::run()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return pending_ || stopping_; });
        if (stopping_)
            return;
        pending_ = false;
        lock.unlock();
        // Busy or interrupted: the next commit over the threshold asks again.
        const int rc =
            sqlite3_wal_checkpoint_v2(connection_->handle(), "main", SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        lock.lock();
        if (rc == SQLITE_OK)
            ++checkpointsRun_;
    }
}

} // namespace osid::impl::sqlite
