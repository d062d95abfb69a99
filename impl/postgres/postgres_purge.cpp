#include "impl/postgres/postgres_purge.h"

#include "postgres/connection.h"

#include <algorithm>
#include <chrono>
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

void Purge::run(std::stop_token stop)
{
    // After a failed round the next starts by itself, after a pause that
    // doubles up to a minute: what is left waits in dropped_generations.
    std::chrono::milliseconds pause(0);
    std::unique_lock lock(mutex_);
    while (true) {
        if (pause.count() > 0) {
            // A wake meanwhile does not cut the pause short: it would be
            // for the same work.
            changed_.wait_for(lock, stop, pause, [] { return false; });
            if (stop.stop_requested())
                return;
            asked_ = true;
        }
        if (!changed_.wait(lock, stop, [&] { return asked_; }))
            return;
        asked_ = false;
        lock.unlock();
        const bool done = purgeAll(stop);
        lock.lock();
        pause = done ? std::chrono::milliseconds(0)
                     : std::min<std::chrono::milliseconds>(std::max(pause * 2, std::chrono::milliseconds(1000)),
                                                           std::chrono::minutes(1));
    }
}

bool Purge::purgeAll(const std::stop_token &stop)
{
    try {
        Connection db(conninfo_);
        // A statement of the purge never waits long for a lock: a row a
        // session holds is left for the next batch or round.
        // (A closing Database waits for the statement that runs.)
        db.execute("SET lock_timeout = '1s'; SET statement_timeout = '60s'");
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
                    return true;
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
        // nothing. An alias re-pointed meanwhile names another message
        // than the one found missing, and is kept (the join's condition is
        // checked again on the row as it is now).
        if (!generations.empty() && !stop.stop_requested())
            db.execute("DELETE FROM osid_messaging.aliases AS a USING (SELECT d.alias, d.message "
                       "FROM osid_messaging.aliases AS d WHERE NOT EXISTS "
                       "(SELECT 1 FROM osid_messaging.messages AS m WHERE m.message = d.message)) AS dangling "
                       "WHERE a.alias = dangling.alias AND a.message = dangling.message");
        return true;
    } catch (...) {
        // Nothing a session sees depends on the purge; the next round
        // starts again from what is left.
        return false;
    }
}

} // namespace osid::impl::postgres
