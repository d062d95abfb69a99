// osid::service::BatchWorkers: the worker threads of MessageBatchService
// (not installed).
//
// Workers loop over claims (BatchStore::claimChunk): each claim hands a
// worker a chunk of requests from the open batches of its provider, taken
// in turn so that several batches share them fairly; its messages are
// created through the provider (batch_messages.h) and its results saved in
// one store transaction, only while the claim still holds the chunk. The
// claims close canceled and expired batches' unstarted requests and end
// the batches with nothing left. Workers run while this object holds the
// processing lock of its provider's batches (BatchStore::processingLock,
// LockRole::Worker): on SQLite one process at a time, the others taking
// over when it goes; on PostgreSQL every worker process at once, each
// chunk under a lease (MessageBatchOptions::lease) that a thread renews
// while the chunk runs, so that a chunk of a process that died is taken
// over once its lease has run out. Workers wake when the store says that
// another process created or canceled a batch, or at their next poll.
//
// While it holds the lock (on PostgreSQL, where workers share it, also a
// courier lock of its own), a courier thread sends the callbacks of its
// provider's ended batches (those this process ended, and those left
// pending by a process that stopped): one try at a time, each recorded in
// the store, the next one due after MessageBatchOptions::callback's delay.
// A slow receiver holds up only the courier, for at most the try's timeout.
// The courier's thread also runs the reaper: at its start and every
// MessageBatchOptions::reapInterval it archives the batches past the
// results' retention (BatchStore::archive).
// A store that fails while the courier reads or records is tried again
// after a doubling pause; after storeWriteAttempts failures in a row the
// courier stops (the deliveries stay pending for the next process), and
// awaitProgress(true) says why.
//
// A store write that fails is tried again with a doubling pause, up to
// MessageBatchOptions::storeWriteAttempts times; then processing stops for
// good, the log says where, and failure() says why.
//
// Thread-safety: every method may be called from any thread.

#pragma once

#include "service/batch_messages.h"
#include "service/batch_store.h"
#include "service/message_batches.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace osid::service {

// The first part of a worker's name (the name its claims carry,
// host:pid:random): the host name and, where /proc tells it, the pid
// namespace ("db-worker-1/4026531836").
std::string workerHost();

// Whether the worker named `name` was of a process of this machine (and pid
// namespace) that has ended. False when unsure: another machine or
// namespace, a name of another form, a process that exists (or that this
// one may not signal).
bool workerProcessEnded(const std::string &name);

class BatchWorkers {
public:
    // Starts options.workers threads when options.process is set and the
    // store is not read-only; they work whenever they hold the lock.
    BatchWorkers(std::shared_ptr<messaging::MessagingManager> manager, const MessageBatchOptions &options,
                 std::string provider, std::shared_ptr<BatchStore> store);
    // Stops the workers after their current chunk.
    ~BatchWorkers();

    BatchWorkers(const BatchWorkers &) = delete;
    BatchWorkers &operator=(const BatchWorkers &) = delete;

    // Wakes the workers: a batch was saved, or set canceling, here.
    void changed();

    // Tells the courier that a callback was queued again.
    void redelivered();

    // The secret callbacks are signed with: options.callback.secret, or the
    // store's. Errors: OperationFailed (the store failed).
    std::string webhookSecret();

    // Ends a canceled batch when nobody processes its provider's batches:
    // closes its unstarted requests here. Requests a stopped process may
    // have sent to the provider are left pending (the batch stays
    // canceling) unless this service has that provider and can look them
    // up. Errors: OperationFailed (the store failed).
    void endCanceledHere(const StoredBatch &stored);

    // Whether this object holds the processing lock and works.
    bool isProcessing();

    // Why processing stopped for good; nullopt while the workers run.
    std::optional<std::string> failure();

    // Waits until a batch's counts or status (or, with `callbacks`, a
    // callback's state) may have changed, or pollInterval has passed;
    // returns why processing (or, with `callbacks`, sending callbacks)
    // stopped for good, if it did (then without waiting).
    std::optional<std::string> awaitProgress(bool callbacks = false);

private:
    template <typename Call>
    auto retrying(const char *what, Call &&call);
    void fail(const std::string &why, const std::string &where = {});
    void tryTakeLock();
    void wake();
    void work();
    void keepLeases();
    void releaseEndedWorkers();
    // Creates the chunk's messages (or finds those created before) and
    // saves their results: with `claimed`, only while the claim holds the
    // chunk (false when it was taken over).
    bool process(const ChunkClaim &chunk, ProviderSessions &sessions, bool claimed);
    void deliverCallbacks();
    void reapIfDue();
    void deliver(const StoredDelivery &delivery, const std::string &secret);

    std::shared_ptr<messaging::MessagingManager> manager_;
    const MessageBatchOptions options_;
    const std::string provider_;
    std::shared_ptr<BatchStore> store_;
    // This object's name in its claims: host, process and a random part.
    const std::string name_;

    std::mutex mutex_;
    std::condition_variable workAvailable_; // a chunk may be ready, or stopping_
    std::condition_variable progress_;      // a batch's counts or status changed, or a callback's state
    std::condition_variable callbackDue_;   // courier: a callback may be due, or stopping_
    std::condition_variable leasesDue_;     // stopping_, for keepLeases
    std::uint64_t wakeups_ = 0;             // calls of wake(), so far
    bool stopping_ = false;
    std::optional<std::string> failure_;         // why processing stopped for good
    std::optional<std::string> callbackFailure_; // why the courier stopped for good
    bool processing_ = false;                    // this object holds the processing lock
    std::unique_ptr<ProcessingLock> lock_;
    std::unique_ptr<ProcessingLock> courierLock_; // the courier's alone
    std::set<std::int64_t> held_;                 // the claims of the chunks running here
    std::vector<std::thread> workers_;
    std::thread leaseKeeper_;
    // Where the store can tell, wakes the workers when another process
    // creates or cancels a batch (before pollInterval has passed).
    std::unique_ptr<StoreListener> listener_;
    std::thread courier_;
    std::chrono::steady_clock::time_point nextReap_{}; // courier's thread only
};

} // namespace osid::service
