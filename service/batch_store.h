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

#include "impl/sqlite/sqlite_connection.h"
#include "service/message_batches.h"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace osid::service {

// A request's state as stored; the final ones in ResultType's order.
enum class RequestState : int { Pending = 0, Succeeded = 1, Errored = 2, Canceled = 3, Expired = 4 };

struct StoredBatch {
    std::int64_t key = 0; // the row's key: creation order
    std::uint64_t requestCount = 0;
    MessageBatch batch;
};

struct PendingRequest {
    std::int64_t index = 0;
    std::string customId;
    std::string params; // JSON text
};

struct FinishedRequest {
    std::int64_t index = 0;
    RequestState state = RequestState::Succeeded;
    std::string result; // JSON text: the message (succeeded) or {"type",
                        // "message"} (errored)
};

class BatchStore {
  public:
    // Errors: OperationFailed (SQLite cannot open the file), ConfigurationError
    //         (the file holds a newer version of these tables).
    explicit BatchStore(const std::string &path);

    // Saves the batch (its counts are derived) and its requests, in one
    // transaction; returns the batch's key.
    std::int64_t insert(const MessageBatch &batch, const std::vector<MessageBatchRequest> &requests);

    std::optional<StoredBatch> find(const std::string &id);

    // Up to `limit` batches, newest first: those older than
    // `around` (a key; 0 for the newest), or, with newer = true, those newer
    // than it.
    std::vector<StoredBatch> page(std::int64_t around, bool newer, std::size_t limit);

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

    // Deletes the batch and its requests; false if it was not there.
    bool remove(std::int64_t key);

    // Up to `limit` finished requests with index > afterIndex, in index
    // order, each with its index.
    std::vector<std::pair<std::int64_t, MessageBatchResult>> results(std::int64_t key, std::int64_t afterIndex,
                                                                     std::size_t limit);

  private:
    StoredBatch readBatch(impl::sqlite::Statement &row);
    std::vector<StoredBatch> readBatches(impl::sqlite::Statement &rows);

    std::mutex mutex_;
    impl::sqlite::Connection db_;
};

} // namespace osid::service
