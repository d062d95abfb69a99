// The PostgreSQL provider's purge: removes the rows that deletes of all of
// a mailbox's messages left behind (schema step 4, postgres_store.h,
// "Deleting all"), off the callers' path, on a thread and a connection of
// its own, as PostgreSQL's own VACUUM removes what a DELETE leaves.
//
// A generation waits in osid_messaging.dropped_generations until its rows
// are gone. The purge removes the aliases of its messages (one statement),
// then its rows in transactions of at most kBatch rows, so that no lock or
// transaction of its lasts long, then the generation's entry, and last the
// aliases that name no message any more (one statement). Several
// processes may purge at once: a row deleted by one is skipped by the
// others. Nothing it does changes what any statement of a session sees.
//
// It runs when woken (after a delete of all commits, and once when the
// Database opens, for what an earlier process left) until nothing is left
// or the Database closes. An error (the server restarting, the connection
// lost, a row locked for over a second) ends the round; the next starts by
// itself after a pause (1 s, doubling up to a minute), on a new
// connection, and finishes what the last left half done. Closing the
// Database waits for the statement that runs (a batch: well under a
// second; at most its statement_timeout, 60 s) or for the connection to be
// made (libpq's connect_timeout, when the conninfo sets one).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace osid::impl::postgres {

class Purge {
public:
    // The most rows one transaction of the purge deletes.
    static constexpr std::int64_t kBatch = 10'000;

    explicit Purge(std::string conninfo);
    // Stops after the statement that is running, if any.
    ~Purge();
    Purge(const Purge &) = delete;
    Purge &operator=(const Purge &) = delete;

    // Asks for a round: every dropped generation purged.
    void wake();

private:
    void run(std::stop_token stop);
    // One round; false if it failed (the rest waits for the next).
    bool purgeAll(const std::stop_token &stop);

    const std::string conninfo_;
    std::mutex mutex_;
    std::condition_variable_any changed_;
    bool asked_ = false;
    // Last: it starts once the rest is built, and is joined first.
    std::jthread thread_;
};

} // namespace osid::impl::postgres
