#include "impl/postgres/postgres_purge.h"

#include "postgres/connection.h"

#include <memory>
#include <vector>

namespace osid::impl::postgres {

using ::osid::postgres::Connection;
using ::osid::postgres::Params;

Purge::Purge(std::string conninfo)
    : conninfo_(std::move(conninfo)), thread_([this](std::stop_token stop) { run(stop); })
{
}

Purge::~Purge()
{
    thread_.request_stop();
    changed_.notify_all();
}

void Purge::wake()
{
    {
        std::lock_guard lock(mutex_);
        asked_ = true;
    }
    changed_.notify_all();
}

void Purge::waitIdle()
{
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !asked_ && !running_; });
}

void Purge::run(std::stop_token stop)
{
    std::unique_lock lock(mutex_);
    while (true) {
        if (!changed_.wait(lock, stop, [&] { return asked_; }))
            return;
        asked_ = false;
        running_ = true;
        lock.unlock();
        purgeAll(stop);
        lock.lock();
        running_ = false;
        changed_.notify_all();
    }
}

void Purge::purgeAll(const std::stop_token &stop)
{
    try {
        Connection db(conninfo_);
        // A statement of the purge never waits long for a lock: a row a
        // session holds is left for the next batch or round.
        db.execute("SET lock_timeout = '10s'");
        const auto dropped = db.query("SELECT generation FROM osid_messaging.dropped_generations ORDER BY generation");
        std::vector<std::int64_t> generations;
        for (int row = 0; row < dropped.rows(); ++row)
            generations.push_back(dropped.integer(row, 0));
        for (auto generation : generations) {
            // Aliases first, while their messages are still there to say
            // which generation they were in.
            db.query("DELETE FROM osid_messaging.aliases AS a USING osid_messaging.messages AS m "
                     "WHERE m.message = a.message AND m.generation = $1",
                     Params().add(generation));
            while (true) {
                if (stop.stop_requested())
                    return;
                const auto deleted = db.query("DELETE FROM osid_messaging.messages WHERE ctid = ANY(ARRAY("
                                              "SELECT ctid FROM osid_messaging.messages WHERE generation = $1 "
                                              "LIMIT $2))",
                                              Params().add(generation).add(kBatch));
                // None left, or the rest are another purge's.
                if (deleted.changed() == 0)
                    break;
            }
            // Kept while rows remain that another process's purge is
            // deleting: it drops the entry when it ends, or, should it
            // die, the next round finishes its work.
            db.query("DELETE FROM osid_messaging.dropped_generations WHERE generation = $1 AND NOT EXISTS "
                     "(SELECT 1 FROM osid_messaging.messages WHERE generation = $1)",
                     Params().add(generation));
        }
        // And the aliases that deletes by Id, sender or date left naming
        // nothing.
        if (!generations.empty() && !stop.stop_requested())
            db.execute("DELETE FROM osid_messaging.aliases AS a WHERE NOT EXISTS "
                       "(SELECT 1 FROM osid_messaging.messages AS m WHERE m.message = a.message)");
    } catch (...) {
        // The next round starts again from what is left.
    }
}

} // namespace osid::impl::postgres
