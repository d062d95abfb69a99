// The SQLite tables behind MessageBatchService (not installed).
//
// One connection, used under one mutex: every call is short (a page of rows
// or one chunk's results), and the messages themselves go to the provider,
// not here. Tables are prefixed message_batch, so that job runs may keep
// theirs in the same file.
//
// A request's state only moves from pending to one final state, and a
// batch's counts move with it in the same transaction, so the counts always
// agree with the rows.

#pragma once

#include "osid/errors.h"
#include "sqlite/connection.h"
#include "service/batch_states.h"
#include "service/message_batches.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
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

struct FinishedRequest {
    std::int64_t index = 0;
    RequestState state = RequestState::Succeeded;
    std::string result; // JSON text: the message (succeeded) or {"type",
                        // "message"} (errored)
};

// Runs `body`, a call of the store, turning the OSID errors it throws
// (OperationFailed: SQLite failed) into ServiceError api_error, as callers
// of the service see a store failure, and a store that cannot take the
// work now into overloaded_error.
template <typename Body>
auto guarded(Body &&body)
{
    try {
        return body();
    } catch (const ServiceError &) {
        throw;
    } catch (const sqlite::Overloaded &e) {
        throw ServiceError(error_type::kOverloaded,
                           fmt::format("the batch store cannot take more work now: {}", e.what()));
    } catch (const OsidException &e) {
        throw ServiceError(error_type::kApi, fmt::format("the batch store failed: {}", e.what()));
    }
}

class BatchStore {
public:
    // Opens the store, creating or upgrading it; with readOnly, opens an
    // existing one only to read, creating and changing nothing.
    // Errors: OperationFailed (SQLite cannot open the file: with readOnly,
    //         also a missing file), ConfigurationError (the file is not an
    //         osid-batch store, holds no batches (readOnly), or holds a newer
    //         version of these tables; it was not changed).
    // A write waits up to `busyTimeout` for another process's write lock.
    explicit BatchStore(const std::string &path, bool readOnly = false,
                        std::chrono::milliseconds busyTimeout = std::chrono::seconds(10));

    // The authority of this store's idempotency keys: made at random when
    // the store is created, so that keys of two stores never meet.
    const std::string &authority() const noexcept { return authority_; }

    // Called at the start of every write with the write's name; whatever it
    // throws fails that write before anything changed. For fault-injection
    // tests (MessageBatchOptions::storeWriteHook).
    void setWriteHook(std::function<void(std::string_view)> hook) { writeHook_ = std::move(hook); }

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
    Inserted insertStreaming(const MessageBatch &batch, const std::string &provider, const std::string &idempotencyKey,
                             const std::function<bool(std::string &customId, std::string &params)> &next);

    // Binds a batch of no provider (from a version 1 store) to `provider`;
    // false if it is bound already (to this or another one).
    bool bindProvider(std::int64_t key, const std::string &provider);

    // Records that requests below `to` may have been sent to the provider.
    void markAttempted(std::int64_t key, std::int64_t to);

    std::optional<StoredBatch> find(const std::string &id);

    // Up to `limit` batches that pass the filters of `filter` (its status
    // and created range) and are of `workspace` (any workspace: nullopt),
    // newest first: those older than `around` (a key; 0 for the newest),
    // or, with newer = true, those newer than it.
    std::vector<StoredBatch> page(std::int64_t around, bool newer, std::size_t limit, const ListParams &filter = {},
                                  const std::optional<std::string> &workspace = std::nullopt);

    // Batches not ended, oldest first.
    std::vector<StoredBatch> unfinished();

    // in_progress -> canceling; false if the batch was not in_progress.
    bool setCanceling(std::int64_t key, DateTime now);

    // The pending requests with index in [from, to).
    std::vector<PendingRequest> pending(std::int64_t key, std::int64_t from, std::int64_t to);
    // The smallest pending index; requestCount when none is pending.
    std::int64_t firstPending(std::int64_t key, std::int64_t requestCount);

    // Saves finished requests (each still pending; others are skipped) and
    // the batch's counts, in one transaction.
    void finish(std::int64_t key, const std::vector<FinishedRequest> &requests);
    // Moves every pending request with index >= from to `state` (canceled or
    // expired), with the counts; returns how many moved.
    std::uint64_t closePending(std::int64_t key, std::int64_t from, RequestState state);
    void setEnded(std::int64_t key, DateTime now);

    // The requests of the batch that ended errored, canceled or expired, in
    // request order.
    std::vector<UnsucceededRequest> unsucceeded(std::int64_t key);

    // Whether the batch is (still) there.
    bool exists(std::int64_t key);

    // Deletes the batch and its requests; false if it was not there.
    bool remove(std::int64_t key);

    // Up to `limit` finished requests with index > afterIndex, in index
    // order, each with its index.
    std::vector<std::pair<std::int64_t, MessageBatchResult>> results(std::int64_t key, std::int64_t afterIndex,
                                                                     std::size_t limit);

    // The same for a retried chain, `chain` its batches' keys from the
    // newest to the first: the first batch's requests, each with the
    // result of the newest batch of the chain that finished it.
    std::vector<std::pair<std::int64_t, MessageBatchResult>> mergedResults(const std::vector<std::int64_t> &chain,
                                                                           std::int64_t afterIndex, std::size_t limit);

private:
    // The batch of `workspace` that has the idempotency key (as Earlier),
    // with the digest of its requests. Called with mutex_ held.
    std::optional<std::pair<Inserted, std::string>> withKey(const std::string &workspace,
                                                            const std::string &idempotencyKey);
    StoredBatch readBatch(sqlite::Statement &row);
    // A result from a row (idx, custom_id, state, result) of batch `key`.
    MessageBatchResult readResult(sqlite::Statement &row, std::int64_t key);
    std::vector<StoredBatch> readBatches(sqlite::Statement &rows);
    void beforeWrite(std::string_view what) const
    {
        if (writeHook_)
            writeHook_(what);
    }

    std::mutex mutex_;
    sqlite::Connection db_;
    std::string authority_;
    const char *batchColumns_;
    std::function<void(std::string_view)> writeHook_;
};

} // namespace osid::service
