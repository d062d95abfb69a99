// osid::service::BatchWorkers: the scheduler and the worker threads of
// MessageBatchService (not installed).
//
// Workers take chunks of requests from the open batches of their provider
// in turn, so that several batches share them fairly; each chunk's messages
// are created through the provider (batch_messages.h) and its results saved
// in one store transaction. Canceled and expired batches have their
// unstarted requests closed; a batch with nothing left ends. Workers run
// only while this object holds the processing lock of its provider's
// batches (BatchStore::processingLock); they try to take it at every poll, so they take
// over when its holder goes away, and they pick up batches created or
// canceled by other processes from the store.
//
// While it holds the lock, a courier thread sends the callbacks of its
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
#include <string>
#include <thread>
#include <vector>

namespace osid::service {

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

    // Hands a batch just saved to the workers.
    void created(std::int64_t key, const MessageBatch &batch, std::uint64_t requestCount);

    // Tells the workers that a batch was set canceling.
    void canceling(std::int64_t key);

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

    // Waits until a batch's counts or status (or, with `callbacks`, a
    // callback's state) may have changed, or pollInterval has passed;
    // returns why processing (or, with `callbacks`, sending callbacks)
    // stopped for good, if it did (then without waiting).
    std::optional<std::string> awaitProgress(bool callbacks = false);

private:
    // An unfinished batch being worked on. Requests below nextIndex have
    // been handed to a worker (or were finished before); the others are not
    // started, which is what cancel and expiry close. Pending requests below
    // `attempted` may have been sent to the provider by a process that
    // stopped before saving their results.
    struct Active {
        std::int64_t key;
        std::string id;
        std::string workspace;
        std::int64_t requestCount;
        std::int64_t nextIndex;
        std::int64_t attempted;
        DateTime expiresAt;
        bool canceling;
        int inFlight = 0;
        bool ended = false;
    };

    // Requests [from, to) of a batch. `recover`: look each request's
    // idempotency key up first, and take the message found as its result.
    // `create`: create the messages of the others (otherwise they end as
    // `closeAs`, canceled or expired).
    struct Chunk {
        std::int64_t key;
        std::string batchId;
        std::string workspace;
        std::int64_t from;
        std::int64_t to;
        bool recover;
        bool create;
        bool mark; // record `to` as attempted before the provider is called
        RequestState closeAs = RequestState::Canceled;
    };

    template <typename Call>
    auto retrying(const char *what, Call &&call);
    void fail(const std::string &why, const std::string &where = {});
    void tryTakeLock();
    Active *active(std::int64_t key);
    void track(std::int64_t key, const MessageBatch &batch, std::int64_t requestCount, std::int64_t nextIndex,
               std::int64_t attempted, bool canceling);
    void refresh();
    std::optional<Chunk> claim();
    void endIfDone(Active &a);
    void work();
    void process(const Chunk &chunk, ProviderSessions &sessions);
    void deliverCallbacks();
    void reapIfDue();
    void deliver(const StoredDelivery &delivery, const std::string &secret);

    std::shared_ptr<messaging::MessagingManager> manager_;
    const MessageBatchOptions options_;
    const std::string provider_;
    std::shared_ptr<BatchStore> store_;

    std::mutex mutex_;
    std::condition_variable workAvailable_; // a chunk may be ready, or stopping_
    std::condition_variable progress_;      // a batch's counts or status changed, or a callback's state
    std::condition_variable callbackDue_;   // courier: a callback may be due, or stopping_
    bool stopping_ = false;
    std::optional<std::string> failure_;         // why processing stopped for good
    std::optional<std::string> callbackFailure_; // why the courier stopped for good
    bool processing_ = false;                    // this object holds the processing lock
    std::unique_ptr<ProcessingLock> lock_;
    std::vector<Active> active_;
    std::size_t cursor_ = 0;
    std::chrono::steady_clock::time_point lastRefresh_{};
    std::vector<std::thread> workers_;
    // Where the store can tell, wakes the workers when another process
    // creates or cancels a batch (before pollInterval has passed).
    std::unique_ptr<StoreListener> listener_;
    std::thread courier_;
    std::chrono::steady_clock::time_point nextReap_{}; // courier's thread only
};

} // namespace osid::service
