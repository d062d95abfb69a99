// The store of MessageBatchService's batches, requests and results (not
// installed): the calls the engine and its workers make, whichever database
// keeps them. Two stores implement it: SqliteBatchStore (a SQLite file, or
// memory; sqlite_batch_store.h), the embedded default, and
// PostgresBatchStore (a PostgreSQL database; postgres_batch_store.h), which
// front ends and workers on several machines share. openBatchStore picks one
// from MessageBatchOptions::storePath.
//
// Every store keeps the same promises: a request's state only moves from
// pending to one final state, and a batch's counts move with it in the same
// transaction, so the counts always agree with the rows; concurrent creates
// with one idempotency key, from any processes on one store, make one batch.

#pragma once

#include "osid/errors.h"
#include "service/batch_states.h"
#include "service/message_batches.h"
#include "sqlite/connection.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace osid::service {

struct StoredBatch {
    std::int64_t key = 0; // the row's key: creation order
    std::uint64_t requestCount = 0;
    // The provider the batch was created for (MessageBatchOptions::provider);
    // empty for a batch from a version 1 store, until a worker binds it.
    std::string provider;
    // Requests with a smaller index may have been sent to the provider (a
    // chunk is marked before its messages are created): a pending one among
    // them may have its message already, found through its alias.
    std::int64_t attempted = 0;
    MessageBatch batch;
};

struct PendingRequest {
    std::int64_t index = 0;
    std::string customId;
    std::string params; // JSON text
};

// A request that ended other than succeeded, as retry() reads it.
struct UnsucceededRequest {
    std::string customId;
    std::string params; // JSON text
    RequestState state = RequestState::Errored;
    bool retryable = false; // errored with a retryable error
};

// A callback due to be tried (BatchStore::dueDeliveries).
struct StoredDelivery {
    std::int64_t key = 0; // the batch's
    std::string batchId;
    std::string url;
    std::int64_t round = 1;
    int tries = 0; // of this round, so far
};

// The webhook-id of a round of a batch's callback: "BATCHID-ROUND".
std::string webhookId(const std::string &batchId, std::int64_t round);

struct FinishedRequest {
    std::int64_t index = 0;
    RequestState state = RequestState::Succeeded;
    std::string result; // JSON text: the message (succeeded) or {"type",
                        // "message"} (errored)
};

// The store could not take the work now (another process held a lock past
// the busy timeout, the database is out of connections or space, a
// serialization failure); nothing was written, and the same work may
// succeed later. The PostgreSQL store raises it; the SQLite store's
// connection raises sqlite::Overloaded, its own.
class StoreOverloaded final : public OperationFailed {
public:
    using OperationFailed::OperationFailed;
};

// Runs `body`, a call of the store, turning the OSID errors it throws
// (OperationFailed: the database failed) into ServiceError api_error, as
// callers of the service see a store failure, and a store that cannot take
// the work now (StoreOverloaded) into overloaded_error.
template <typename Body>
auto guarded(Body &&body)
{
    try {
        return body();
    } catch (const ServiceError &) {
        throw;
    } catch (const StoreOverloaded &e) {
        throw ServiceError(error_type::kOverloaded,
                           fmt::format("the batch store cannot take more work now: {}", e.what()));
    } catch (const sqlite::Overloaded &e) {
        throw ServiceError(error_type::kOverloaded,
                           fmt::format("the batch store cannot take more work now: {}", e.what()));
    } catch (const OsidException &e) {
        throw ServiceError(error_type::kApi, fmt::format("the batch store failed: {}", e.what()));
    }
}

// The creation time before which an ended batch's results are past
// options.resultsRetention at `now` (BatchStore::archive's cutoff).
inline DateTime retentionCutoff(const MessageBatchOptions &options, DateTime now)
{
    return DateTime::fromMicroseconds(now.toMicroseconds() - options.resultsRetention.count());
}

// A chunk of a batch that a worker claimed (BatchStore::claimChunk):
// requests [from, to) of batch `key`. `recover`: some of them may have been
// sent before (by a worker that stopped, or lost its lease), so each
// request's idempotency key is looked up first, and the message found taken
// as its result. `create`: the messages of the others are created;
// otherwise (the batch is canceled or expired) they end as `closeAs`.
struct ChunkClaim {
    std::int64_t key = 0;
    std::string batchId;
    std::string workspace;
    std::int64_t from = 0;
    std::int64_t to = 0;
    bool recover = false;
    bool create = true;
    RequestState closeAs = RequestState::Canceled;
    // Which claim of the chunk this is: a finish saves only while the
    // chunk is still claimed by it (not taken over after its lease ran out).
    std::int64_t claim = 0;
};

// What a batch is to the claims, as a store reads it under its lock.
struct ClaimableBatch {
    ProcessingStatus status = ProcessingStatus::InProgress;
    std::int64_t requestCount = 0;
    DateTime expiresAt;
    // Requests below `attempted` may have been sent (see StoredBatch).
    std::int64_t attempted = 0;
    // Requests below `claimed` have been handed to a worker (or had ended):
    // the others were never sent, and are what cancel and expiry close.
    std::int64_t claimed = 0;
    // A claimed chunk of it is not finished yet.
    bool busy = false;
};

// What a claim does with a batch (planClaim): hand out requests [from, to)
// as a chunk (create and recover as in ChunkClaim); close the pending
// requests from `from` on as `closeAs` and take the batch again; wait for
// its chunks in flight; or end it.
struct ClaimPlan {
    enum Action { Chunk, Close, Wait, End } action = Wait;
    std::int64_t from = 0;
    std::int64_t to = 0;
    bool recover = false;
    bool create = true;
    RequestState closeAs = RequestState::Canceled;
};

// The one rule every store's claims follow: requests in claim order, a
// chunk at a time; a canceled or expired batch only looks up the requests
// that may have been sent and closes the others; a batch with nothing left
// to claim ends once its chunks in flight have finished.
ClaimPlan planClaim(const ClaimableBatch &batch, std::size_t chunkSize, DateTime now);

// Who takes a provider's processing lock: the workers of a process, a
// process that must know that no worker of the provider runs (to end a
// canceled batch itself), or the one worker process that sends the
// provider's callbacks (on SQLite, the one processing process already).
enum class LockRole { Worker, Sole, Courier };

// The processing lock of one provider's batches in a store: a process's
// workers hold it while they work (batch_workers.h). On SQLite one holder
// at a time, whatever its role: one process runs the workers. On
// PostgreSQL workers share it, and a Sole holder excludes them all.
// Released when the object goes away, or its process does.
class ProcessingLock {
public:
    virtual ~ProcessingLock() = default;
    // Takes the lock without waiting, or checks that it is still held;
    // true if this object holds it now.
    virtual bool tryLock() = 0;
};

// A subscription to a store's changes made by any process (a batch created
// or canceled); it ends when the object goes away.
class StoreListener {
public:
    virtual ~StoreListener() = default;
};

class BatchStore {
public:
    virtual ~BatchStore() = default;

    // The authority of this store's idempotency keys: made at random when
    // the store is created, so that keys of two stores never meet.
    const std::string &authority() const noexcept { return authority_; }

    // Called at the start of every write with the write's name; whatever it
    // throws fails that write before anything changed. For fault-injection
    // tests (MessageBatchOptions::storeWriteHook).
    void setWriteHook(std::function<void(std::string_view)> hook) { writeHook_ = std::move(hook); }

    // The processing lock of `provider`'s batches in this store, for
    // `role`; not taken yet. A new object each time: two of them exclude
    // each other (but two Worker ones on PostgreSQL), in one process or in
    // two.
    virtual std::unique_ptr<ProcessingLock> processingLock(const std::string &provider,
                                                           LockRole role = LockRole::Sole) = 0;

    // Claims the next chunk of `provider`'s batches for `worker` (a name
    // unique to the claiming process), at most `chunkSize` requests, under
    // a lease of `lease`: first a chunk whose lease ran out (its claimer
    // stopped), then the next requests of the batches in turn (planClaim).
    // On the way, binds batches of no provider (a version 1 store) to
    // `provider`, closes the unstarted requests of canceled and expired
    // batches (expired: `now` past expires_at) and ends batches with
    // nothing left (callbackQueued: one of them queued its callback).
    // nullopt: nothing to claim now. The SQLite store, whose
    // workers run in one process (the processing lock), keeps its claims
    // in memory and takes over the chunks of another worker name at once.
    virtual std::optional<ChunkClaim> claimChunk(const std::string &provider, const std::string &worker,
                                                 std::size_t chunkSize, DateTime now, std::chrono::milliseconds lease,
                                                 bool &callbackQueued) = 0;

    // Extends the leases of the chunks of `claims` (ChunkClaim::claim) to
    // `lease` from now; returns how many were still held (a held chunk,
    // holdChunk, is skipped: no one can take it over meanwhile).
    virtual std::size_t renewLeases(const std::vector<std::int64_t> &claims, std::chrono::milliseconds lease) = 0;

    // Ends now the leases of the chunks claimed by workers that `stopped`
    // says have stopped (asked once per claimer name, of the chunks whose
    // leases still run), so that the next claim takes them over without
    // waiting for their leases; returns how many chunks it let go. A chunk
    // let go by mistake costs only work: its claimer, if alive after all,
    // can no longer commit it (holdChunk). The default is for a store
    // whose claims end with their process (SQLite): nothing to do.
    virtual std::size_t releaseClaimsOf(const std::function<bool(const std::string &worker)> &stopped)
    {
        (void)stopped;
        return 0;
    }

    // Saves a claimed chunk's finished requests as finish() does, and ends
    // the claim, in one transaction, only while the chunk is still claimed
    // by `claim` (of `worker`); false, saving nothing, when it was taken
    // over (its lease ran out and another worker claimed it: that one's
    // results count).
    virtual bool finishChunk(const ChunkClaim &claim, const std::string &worker,
                             const std::vector<FinishedRequest> &requests) = 0;

    // A claimed chunk that no other worker can take over while the object
    // lives (holdChunk); dropped, it lets the chunk go.
    class ChunkHold {
    public:
        virtual ~ChunkHold() = default;
    };

    // Holds the chunk of `claim` until the hold ends; nullptr when the claim
    // no longer holds it (another worker took it over). A worker holds its
    // chunk across the provider's commit of the chunk's messages: a worker
    // that stalled past its lease (a frozen VM, a long pause) then finds the
    // chunk gone and rolls its messages back, and the one that took the
    // chunk over never looks the keys up while a live worker commits them.
    // The default is for a store whose workers run in one process (the
    // SQLite store: no other process takes a chunk over while this one
    // lives): it locks nothing.
    // Errors: OperationFailed (the store failed; nothing is held).
    virtual std::unique_ptr<ChunkHold> holdChunk(const ChunkClaim &claim);

    // Calls `changed` (from a thread of its own) soon after any process
    // creates or cancels a batch in this store, and when it may have missed
    // one; nullptr where the store cannot tell (SQLite: the workers poll).
    virtual std::unique_ptr<StoreListener> listen(std::function<void()> changed)
    {
        (void)changed;
        return nullptr;
    }

    // What insert did.
    struct Inserted {
        std::int64_t key = 0;    // the batch's
        std::uint64_t count = 0; // the requests saved (Created)
        std::string id;          // the batch's
        // Created: a new batch. Earlier: the idempotency key names a batch
        // with the same requests, which was not changed. Conflict: it names
        // one with other requests; nothing was saved.
        enum Outcome { Created, Earlier, Conflict } outcome = Created;
    };

    // Saves the batch (its counts are derived; its workspace is
    // batch.workspace) and its requests, in one transaction. With an
    // idempotency key that an earlier batch of the same workspace has, saves
    // nothing and says whether that batch has the same requests.
    Inserted insert(const MessageBatch &batch, const std::vector<MessageBatchRequest> &requests,
                    const std::string &provider, const std::string &idempotencyKey = {});

    // The same with the requests `next` gives (custom_id, params as JSON
    // text) until it returns false, without holding them all. Whatever
    // `next` throws rolls everything back.
    virtual Inserted insertStreaming(const MessageBatch &batch, const std::string &provider,
                                     const std::string &idempotencyKey,
                                     const std::function<bool(std::string &customId, std::string &params)> &next) = 0;

    virtual std::optional<StoredBatch> find(const std::string &id) = 0;

    // Up to `limit` batches that pass the filters of `filter` (its status
    // and created range) and are of `workspace` (any workspace: nullopt),
    // newest first: those older than `around` (a key; 0 for the newest),
    // or, with newer = true, those newer than it.
    virtual std::vector<StoredBatch> page(std::int64_t around, bool newer, std::size_t limit,
                                          const ListParams &filter = {},
                                          const std::optional<std::string> &workspace = std::nullopt) = 0;

    // in_progress -> canceling; false if the batch was not in_progress.
    virtual bool setCanceling(std::int64_t key, DateTime now) = 0;

    // The pending requests with index in [from, to).
    virtual std::vector<PendingRequest> pending(std::int64_t key, std::int64_t from, std::int64_t to) = 0;
    // The smallest pending index; requestCount when none is pending.
    virtual std::int64_t firstPending(std::int64_t key, std::int64_t requestCount) = 0;

    // Saves finished requests (each still pending; others are skipped) and
    // the batch's counts, in one transaction.
    virtual void finish(std::int64_t key, const std::vector<FinishedRequest> &requests) = 0;
    // Moves every pending request with index >= from to `state` (canceled or
    // expired), with the counts; returns how many moved.
    virtual std::uint64_t closePending(std::int64_t key, std::int64_t from, RequestState state) = 0;
    // Ends the batch, and drops any claims of its chunks; with a callback
    // URL, its delivery is queued, due `now`, in the same transaction. True
    // when that queued a delivery.
    virtual bool setEnded(std::int64_t key, DateTime now) = 0;

    // The requests of the batch that ended errored, canceled or expired, in
    // request order.
    virtual std::vector<UnsucceededRequest> unsucceeded(std::int64_t key) = 0;

    // Whether the batch is (still) there with its results: not deleted,
    // not archived.
    virtual bool resultsKept(std::int64_t key) = 0;

    // Archives the ended batches created before `createdBefore`: deletes
    // their requests and results, and sets their archived_at to `now` (the
    // batches stay, with their counts). Returns how many it archived.
    virtual std::uint64_t archive(DateTime createdBefore, DateTime now) = 0;

    // Deletes the batch, its requests and its callback's delivery; false if
    // it was not there.
    virtual bool remove(std::int64_t key) = 0;

    // Up to `limit` finished requests with index > afterIndex, in index
    // order, each with its index.
    virtual std::vector<std::pair<std::int64_t, MessageBatchResult>> results(std::int64_t key, std::int64_t afterIndex,
                                                                             std::size_t limit) = 0;

    // Up to `limit` finished requests with position > afterPosition, in the
    // order they finished, each with its position (also in the result).
    // Positions are given in the transaction that finishes a request, from
    // 1, in commit order: a reader that saw position N has seen every
    // position below it.
    // Errors: ServiceError invalid_request_error (a store of an older
    //         version opened read-only: it has no positions).
    virtual std::vector<std::pair<std::int64_t, MessageBatchResult>> finishedSince(std::int64_t key,
                                                                                   std::int64_t afterPosition,
                                                                                   std::size_t limit) = 0;

    // The result of the request of batch `key` with `customId`, if it has
    // finished.
    virtual std::optional<MessageBatchResult> finishedResult(std::int64_t key, const std::string &customId) = 0;

    // The same for a retried chain, `chain` its batches' keys from the
    // newest to the first: the first batch's requests, each with the
    // result of the newest batch of the chain that finished it.
    std::vector<std::pair<std::int64_t, MessageBatchResult>> mergedResults(const std::vector<std::int64_t> &chain,
                                                                           std::int64_t afterIndex, std::size_t limit);

    // The secret callbacks are signed with, made at random and saved the
    // first time it is asked for ("" from a read-only store without one).
    virtual std::string webhookSecret() = 0;

    // Up to `limit` pending deliveries of `provider`'s batches due at
    // `now`, the soonest first.
    virtual std::vector<StoredDelivery> dueDeliveries(const std::string &provider, DateTime now, std::size_t limit) = 0;

    // Records a try of round `round` of the batch's callback; unless it
    // was delivered, the next try is due at nextDue, or none is left
    // (failed). A try of an older round is recorded and changes nothing
    // else; a try of a batch deleted meanwhile records nothing.
    virtual void recordAttempt(std::int64_t key, std::int64_t round, const DeliveryAttempt &attempt,
                               std::optional<DateTime> nextDue) = 0;

    // Queues the batch's callback again, due `now`, as a new round with no
    // tries; false when it has none (no callback URL, or not ended).
    virtual bool redeliver(std::int64_t key, DateTime now) = 0;

    // The batch's callback and its tries; nullopt when it has none.
    virtual std::optional<CallbackDelivery> delivery(std::int64_t key) = 0;

protected:
    void beforeWrite(std::string_view what) const
    {
        if (writeHook_)
            writeHook_(what);
    }

    std::string authority_;

private:
    std::function<void(std::string_view)> writeHook_;
};

// A SHA-256 digest of a batch's requests, fed one request at a time: two
// lists of requests have one digest when they have the same custom_ids with
// the same params (as JSON text, whose objects nlohmann writes with sorted
// keys), in the same order. Every store keeps it with an idempotent batch.
class RequestDigest {
public:
    RequestDigest();
    ~RequestDigest();
    RequestDigest(const RequestDigest &) = delete;
    RequestDigest &operator=(const RequestDigest &) = delete;

    void add(const std::string &customId, const std::string &params);
    // The digest in hex.
    std::string finish();

private:
    struct Context;
    Context *context_;
};

// A result as a store keeps it: request `index` of batch `key` in `state`
// with `result` (JSON text: the message, or {"type", "message", ...}).
// Errors: OperationFailed (the state is not a final one).
MessageBatchResult storedResult(std::int64_t key, std::int64_t index, std::string customId, RequestState state,
                                std::string_view result);
// Whether an errored result kept as `result` (JSON text) may succeed when
// sent again; results kept before it was recorded derive it from the type.
bool storedRetryable(std::string_view result);

// Opens the store `location` names (see isPostgresStorePath; otherwise a SQLite
// file, or ":memory:"), creating or upgrading it; with readOnly, opens an
// existing one only to read, creating and changing nothing. A write waits up
// to `busyTimeout` for another process's lock.
// Errors: OperationFailed (the database cannot be opened or reached: with
//         readOnly, also a missing file), ConfigurationError (not an
//         osid-batch store, no batches (readOnly), or a newer version; it
//         was not changed; a PostgreSQL store in a build without libpq).
std::shared_ptr<BatchStore> openBatchStore(const std::string &location, bool readOnly,
                                           std::chrono::milliseconds busyTimeout);

} // namespace osid::service
