// The batch store in a PostgreSQL database (not installed): batches,
// requests and results that front ends and workers on several machines
// share. MessageBatchOptions::storePath "postgresql://...", "postgres://..."
// or "postgres:CONNINFO" selects it (batch_store.h).
//
// The tables live in one PostgreSQL schema, osid_batch, so that the store
// can share a database with the PostgreSQL provider (osid_messaging) and
// with other applications. Its `meta` table says what it is (the
// application, "osid-cpp batch service"), its schema version and the
// authority of its idempotency keys. Opening a database:
//   - no osid_batch schema, or an empty one: every step runs, in one
//     transaction (read-only: refused, "holds no message batches");
//   - an older version: the missing steps run, in one transaction;
//   - the current version: nothing changes;
//   - a newer version, or an osid_batch schema of another application:
//     refused with ConfigurationError, and the database is left as it was.
// Two processes that open a new database at once take turns (an advisory
// lock), so the steps run once.
//
// Versions:
//   1  meta; message_batches (with provider, attempted, idempotency key and
//      digest, parent) and message_batch_requests, as the SQLite store's
//      version 5.
//   2  workspaces (the SQLite store's version 6): message_batches.workspace,
//      an index (workspace, key), the idempotency key unique per workspace.
//   3  callbacks (the SQLite store's version 7): message_batches.
//      callback_url, message_batch_deliveries and their attempts.
//   4  results by cursor (the SQLite store's version 8): a request's
//      position in its batch's finish order.
//   5  claims: message_batches.claimed and turn, message_batch_chunks (a
//      chunk in flight, its claim and lease), the sequence claims.
//
// One connection (and one per hold), used under one mutex, as the SQLite store's; a lost
// connection (a server restart, a dropped session) is opened again by the
// next call, which waits up to busyTimeout for a restarting server. Each write is one transaction, and the writes that must agree
// (a request's state and its batch's counts) are one statement. Creates
// with one idempotency key take turns on an advisory lock of the key, so
// concurrent creates from any processes make one batch. A write waits up to
// busyTimeout for a lock (lock_timeout); past it, and on a serialization
// failure or a server out of connections, the call fails with
// StoreOverloaded. Workers in any number of processes share the work: a
// claim (claimChunk) takes a chunk whose lease ran out (FOR UPDATE SKIP
// LOCKED), or the next requests of a batch, locking the batch's row for
// its short transaction; the chunk is a row held until its lease ends,
// renewed while it runs, and its results are saved only while it is still
// held. holdChunk() locks the chunk's row FOR UPDATE in a transaction on a
// connection of its own (from a few kept spare) across the provider's
// commit: claims that take chunks over and lease renewals skip it
// meanwhile. The processing lock of a provider's batches is a session advisory
// lock on a connection of its own, held shared by every worker process
// and exclusive by a front end that ends a canceled batch itself; the
// server releases it when that session ends, a crash included. A create and a cancel send
// NOTIFY osid_batch with their commit; listen() LISTENs on a connection of
// its own, so workers wake at once instead of at their next poll.

#pragma once

#include "postgres/connection.h"
#include "service/batch_store.h"

#include <chrono>
#include <memory>
#include <mutex>

namespace osid::service {

// Runs the schema steps that take the store from version `from` to `to`
// (a new store: from 0, with `authority`), inside the caller's transaction.
// For the store's open and the migration test.
void applyBatchSchemaSteps(postgres::Connection &db, int from, int to, const std::string &authority);

// The database `conninfo` names, for messages: never the password.
std::string postgresDisplayName(const std::string &conninfo);

class PostgresBatchStore final : public BatchStore {
public:
    // What the meta table's `application` row holds in a store of ours.
    static constexpr const char *kApplication = "osid-cpp batch service";
    static constexpr int kSchemaVersion = 5;

    // Connects and brings the schema up to date (see above); with
    // readOnly, only reads an existing store, and its session writes
    // nothing.
    // Errors: OperationFailed (the server cannot be reached or refuses),
    //         ConfigurationError (another application's osid_batch schema,
    //         a newer version, or (readOnly) no store; nothing changed).
    PostgresBatchStore(const std::string &conninfo, bool readOnly = false,
                       std::chrono::milliseconds busyTimeout = std::chrono::seconds(10));

    std::unique_ptr<ProcessingLock> processingLock(const std::string &provider,
                                                   LockRole role = LockRole::Sole) override;
    std::optional<ChunkClaim> claimChunk(const std::string &provider, const std::string &worker, std::size_t chunkSize,
                                         DateTime now, std::chrono::milliseconds lease, bool &callbackQueued) override;
    std::size_t renewLeases(const std::vector<std::int64_t> &claims, std::chrono::milliseconds lease) override;
    std::size_t releaseClaimsOf(const std::function<bool(const std::string &worker)> &stopped) override;
    bool finishChunk(const ChunkClaim &claim, const std::string &worker,
                     const std::vector<FinishedRequest> &requests) override;
    std::unique_ptr<ChunkHold> holdChunk(const ChunkClaim &claim) override;
    std::unique_ptr<StoreListener> listen(std::function<void()> changed) override;
    Inserted insertStreaming(const MessageBatch &batch, const std::string &provider, const std::string &idempotencyKey,
                             const std::function<bool(std::string &customId, std::string &params)> &next) override;
    std::optional<StoredBatch> find(const std::string &id) override;
    std::vector<StoredBatch> page(std::int64_t around, bool newer, std::size_t limit, const ListParams &filter = {},
                                  const std::optional<std::string> &workspace = std::nullopt) override;
    bool setCanceling(std::int64_t key, DateTime now) override;
    std::vector<PendingRequest> pending(std::int64_t key, std::int64_t from, std::int64_t to) override;
    std::int64_t firstPending(std::int64_t key, std::int64_t requestCount) override;
    void finish(std::int64_t key, const std::vector<FinishedRequest> &requests) override;
    std::uint64_t closePending(std::int64_t key, std::int64_t from, RequestState state) override;
    bool setEnded(std::int64_t key, DateTime now) override;
    std::vector<UnsucceededRequest> unsucceeded(std::int64_t key) override;
    bool resultsKept(std::int64_t key) override;
    std::uint64_t archive(DateTime createdBefore, DateTime now) override;
    bool remove(std::int64_t key) override;
    std::vector<std::pair<std::int64_t, MessageBatchResult>> results(std::int64_t key, std::int64_t afterIndex,
                                                                     std::size_t limit) override;
    std::vector<std::pair<std::int64_t, MessageBatchResult>> finishedSince(std::int64_t key, std::int64_t afterPosition,
                                                                           std::size_t limit) override;
    std::optional<MessageBatchResult> finishedResult(std::int64_t key, const std::string &customId) override;
    std::string webhookSecret() override;
    std::vector<StoredDelivery> dueDeliveries(const std::string &provider, DateTime now, std::size_t limit) override;
    void recordAttempt(std::int64_t key, std::int64_t round, const DeliveryAttempt &attempt,
                       std::optional<DateTime> nextDue) override;
    bool redeliver(std::int64_t key, DateTime now) override;
    std::optional<CallbackDelivery> delivery(std::int64_t key) override;

private:
    // Runs `body` with the connection under mutex_, after opening it again
    // if it was lost; a failure rolls back what was open, and the server's
    // "not now" (postgres::Overloaded) becomes StoreOverloaded.
    template <typename Body>
    auto run(Body &&body);
    class Hold;
    class HoldConnection;

    // finish(), and with a claim finishChunk(): true if the batch's counts
    // were written.
    bool saveFinished(std::int64_t key, const std::vector<FinishedRequest> &requests, const ChunkClaim *claim);
    // Sets what every session of this store has (lock_timeout, read-only).
    void setUpSession(postgres::Connection &db);
    void openSchema();
    // Queues a lock of the batch's row, inside a transaction: the writes
    // that give positions to its requests take turns on it.
    static void lockBatchRow(postgres::Connection &db, std::int64_t key);

    std::string conninfo_;
    bool readOnly_;
    std::chrono::milliseconds busyTimeout_;
    std::mutex mutex_;
    postgres::Connection db_;
    // Connections of holds that ended, for the next holds: each hold has
    // one of its own, so that other calls need not wait for it.
    std::mutex spareMutex_;
    std::vector<std::unique_ptr<postgres::Connection>> spare_;
};

} // namespace osid::service
