// The SQLite tables behind MessageBatchService (not installed): the
// embedded default store, a file or memory.
//
// One connection, used under one mutex: every call is short (a page of rows
// or one chunk's results), and the messages themselves go to the provider,
// not here. Tables are prefixed message_batch, so that job runs may keep
// theirs in the same file. The processing lock is a byte of PATH.lock
// (process_lock.h); a store in memory is this process's alone.

#pragma once

#include "service/batch_store.h"
#include "sqlite/connection.h"

#include <chrono>
#include <map>
#include <mutex>

namespace osid::service {

class SqliteBatchStore final : public BatchStore {
public:
    // Opens the store, creating or upgrading it; with readOnly, opens an
    // existing one only to read, creating and changing nothing.
    // Errors: OperationFailed (SQLite cannot open the file: with readOnly,
    //         also a missing file), ConfigurationError (the file is not an
    //         osid-batch store, holds no batches (readOnly), or holds a newer
    //         version of these tables; it was not changed).
    // A write waits up to `busyTimeout` for another process's write lock.
    explicit SqliteBatchStore(const std::string &path, bool readOnly = false,
                              std::chrono::milliseconds busyTimeout = std::chrono::seconds(10));

    std::unique_ptr<ProcessingLock> processingLock(const std::string &provider,
                                                   LockRole role = LockRole::Sole) override;
    std::optional<ChunkClaim> claimChunk(const std::string &provider, const std::string &worker, std::size_t chunkSize,
                                         DateTime now, std::chrono::milliseconds lease, bool &callbackQueued) override;
    std::size_t renewLeases(const std::vector<std::int64_t> &claims, std::chrono::milliseconds lease) override;
    bool finishChunk(const ChunkClaim &claim, const std::string &worker,
                     const std::vector<FinishedRequest> &requests) override;
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
    // The batch of `workspace` that has the idempotency key (as Earlier),
    // with the digest of its requests. Called with mutex_ held.
    std::optional<std::pair<Inserted, std::string>> withKey(const std::string &workspace,
                                                            const std::string &idempotencyKey);
    StoredBatch readBatch(sqlite::Statement &row);
    // The calls of the same names, inside a transaction the caller holds
    // (with mutex_).
    std::int64_t firstPendingLocked(std::int64_t key, std::int64_t requestCount);
    void saveFinished(std::int64_t key, const std::vector<FinishedRequest> &requests);
    std::uint64_t closePendingLocked(std::int64_t key, std::int64_t from, RequestState state);
    bool setEndedLocked(std::int64_t key, DateTime now);
    std::vector<StoredBatch> readBatches(sqlite::Statement &rows);
    // The batch's greatest position so far (0: none). Called with mutex_
    // held, inside the write that gives the next ones.
    std::int64_t lastPosition(std::int64_t key);

    std::string path_;
    std::mutex mutex_;
    sqlite::Connection db_;
    const char *batchColumns_;
    bool readOnly_ = false;
    bool hasDeliveries_ = true;  // false for an older store opened read-only
    bool hasFinishOrder_ = true; // the same

    // The claims of the workers of this process (claimChunk), which alone
    // claim while they hold the processing lock: per batch worked on, the
    // requests claimed so far, its chunks in flight and its last turn.
    struct Claims {
        std::int64_t claimed = 0;
        int inFlight = 0;
        std::uint64_t turn = 0;
    };
    std::map<std::int64_t, Claims> claims_;
    std::uint64_t turns_ = 0;
    std::string claimsOf_; // the worker whose claims these are
};

} // namespace osid::service
