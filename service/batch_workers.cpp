#include "service/batch_workers.h"

#include "service/batch_json.h"
#include "service/service_log.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace osid::service {

namespace {

// A store write that failed storeWriteAttempts times in a row: this service
// stops processing (MessageBatchService::wait says why).
struct StoreGaveUp : std::runtime_error {
    using std::runtime_error::runtime_error;
};

} // namespace

BatchWorkers::BatchWorkers(std::shared_ptr<messaging::MessagingManager> manager, const MessageBatchOptions &options,
                           std::string provider, std::shared_ptr<BatchStore> store)
    : manager_(std::move(manager)), options_(options), provider_(std::move(provider)), store_(std::move(store)),
      lock_(store_->processingLock(provider_))
{
    if (!options_.process || options_.readOnly)
        return;
    {
        std::lock_guard lock(mutex_);
        tryTakeLock();
        for (std::size_t i = 0; i < options_.workers; ++i)
            workers_.emplace_back([this] { work(); });
        courier_ = std::thread([this] { deliverCallbacks(); });
    }
    listener_ = store_->listen([this] {
        {
            std::lock_guard lock(mutex_);
            lastRefresh_ = {}; // the next worker to look reads the store again
        }
        workAvailable_.notify_all();
    });
}

BatchWorkers::~BatchWorkers()
{
    listener_.reset();
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    workAvailable_.notify_all();
    callbackDue_.notify_all();
    for (auto &t : workers_)
        t.join();
    if (courier_.joinable())
        courier_.join();
}

void BatchWorkers::created(std::int64_t key, const MessageBatch &batch, std::uint64_t requestCount)
{
    {
        std::lock_guard lock(mutex_);
        if (processing_)
            track(key, batch, static_cast<std::int64_t>(requestCount), 0, 0, false);
    }
    workAvailable_.notify_all();
}

void BatchWorkers::canceling(std::int64_t key)
{
    {
        std::lock_guard lock(mutex_);
        if (auto *a = active(key))
            a->canceling = true;
    }
    workAvailable_.notify_all();
}

void BatchWorkers::redelivered() { callbackDue_.notify_all(); }

std::string BatchWorkers::webhookSecret()
{
    return options_.callback.secret.empty() ? store_->webhookSecret() : options_.callback.secret;
}

bool BatchWorkers::isProcessing()
{
    std::lock_guard lock(mutex_);
    return processing_;
}

std::optional<std::string> BatchWorkers::awaitProgress(bool callbacks)
{
    std::unique_lock lock(mutex_);
    if (failure_)
        return failure_;
    if (callbacks && callbackFailure_)
        return callbackFailure_;
    progress_.wait_for(lock, options_.pollInterval);
    return std::nullopt;
}

// Runs a store call, again after a pause (doubling from
// storeRetryDelay) when it fails, up to storeWriteAttempts times; then
// throws StoreGaveUp.
template <typename Call>
auto BatchWorkers::retrying(const char *what, Call &&call)
{
    auto delay = options_.storeRetryDelay;
    for (std::size_t attempt = 1;; ++attempt) {
        try {
            return call();
        } catch (const std::exception &e) {
            if (attempt >= options_.storeWriteAttempts)
                throw StoreGaveUp(fmt::format("the batch store failed {} {} in a row {}: {}", attempt,
                                              attempt == 1 ? "time" : "times", what, e.what()));
        }
        std::this_thread::sleep_for(delay);
        delay *= 2;
    }
}

// Stops processing for good: failure() (and so wait()) then says `why`,
// the log also says where. Called with mutex_ held.
void BatchWorkers::fail(const std::string &why, const std::string &where)
{
    if (!failure_) {
        failure_ = why;
        reportLine(options_.log,
                   fmt::format("message batch workers stopped{}: {}", where.empty() ? "" : " at " + where, why));
    }
    workAvailable_.notify_all();
    progress_.notify_all();
}

// Called with mutex_ held.
void BatchWorkers::tryTakeLock() { processing_ = lock_->tryLock(); }

void BatchWorkers::endCanceledHere(const StoredBatch &stored)
{
    if (options_.readOnly || options_.storePath == ":memory:")
        return;
    const auto provider = stored.provider.empty() ? provider_ : stored.provider;
    const auto lock = store_->processingLock(provider);
    if (!lock->tryLock())
        return; // a worker of that provider ends it (or the lock file cannot be opened)
    const auto count = static_cast<std::int64_t>(stored.requestCount);
    const auto first = store_->firstPending(stored.key, count);
    if (first < stored.attempted) {
        if (provider != provider_)
            return;
        ProviderSessions sessions;
        for (auto from = first; from < stored.attempted; from += static_cast<std::int64_t>(options_.chunkSize))
            process(Chunk{stored.key, stored.batch.id, stored.batch.workspace, from,
                          std::min(stored.attempted, from + static_cast<std::int64_t>(options_.chunkSize)), true, false,
                          false, RequestState::Canceled},
                    sessions);
    }
    store_->closePending(stored.key, 0, RequestState::Canceled);
    store_->setEnded(stored.key, options_.clock());
}

BatchWorkers::Active *BatchWorkers::active(std::int64_t key)
{
    for (auto &a : active_)
        if (a.key == key)
            return &a;
    return nullptr;
}

void BatchWorkers::track(std::int64_t key, const MessageBatch &batch, std::int64_t requestCount, std::int64_t nextIndex,
                         std::int64_t attempted, bool canceling)
{
    if (active(key) == nullptr)
        active_.push_back(
            Active{key, batch.id, batch.workspace, requestCount, nextIndex, attempted, batch.expiresAt, canceling});
}

// Picks up the batches of this engine's provider created, canceled or
// left unfinished by others; binds those of no provider to it. Called
// with mutex_ held.
void BatchWorkers::refresh()
{
    for (const auto &stored : store_->unfinished()) {
        const bool canceling = stored.batch.processingStatus == ProcessingStatus::Canceling;
        if (auto *a = active(stored.key)) {
            a->canceling = a->canceling || canceling;
            continue;
        }
        if (stored.provider != provider_ && (!stored.provider.empty() || !store_->bindProvider(stored.key, provider_)))
            continue; // another provider's batch: left to its workers
        const auto count = static_cast<std::int64_t>(stored.requestCount);
        track(stored.key, stored.batch, count, store_->firstPending(stored.key, count), stored.attempted, canceling);
    }
    lastRefresh_ = std::chrono::steady_clock::now();
}

// The next chunk, taking batches in turn; closes canceled and expired
// batches and ends those with nothing left on the way. Called with
// mutex_ held.
std::optional<BatchWorkers::Chunk> BatchWorkers::claim()
{
    const auto now = options_.clock();
    const auto size = static_cast<std::int64_t>(options_.chunkSize);
    std::optional<Chunk> chunk;
    for (std::size_t k = 0; k < active_.size() && !chunk; ++k) {
        auto &a = active_[(cursor_ + k) % active_.size()];
        const bool closing = a.canceling || now >= a.expiresAt;
        const auto closeAs = a.canceling ? RequestState::Canceled : RequestState::Expired;
        if (a.nextIndex < a.requestCount && closing && a.nextIndex >= a.attempted) {
            retrying("closing the batch's unstarted requests",
                     [&] { return store_->closePending(a.key, a.nextIndex, closeAs); });
            a.nextIndex = a.requestCount;
        }
        if (a.nextIndex < a.requestCount) {
            // Closing, requests that may have been sent are only looked
            // up: found, they succeeded; missing, they close.
            const auto to = std::min(closing ? a.attempted : a.requestCount, a.nextIndex + size);
            chunk = Chunk{
                a.key, a.id, a.workspace, a.nextIndex, to, a.nextIndex<a.attempted, !closing, to> a.attempted, closeAs};
            a.nextIndex = to;
            a.attempted = std::max(a.attempted, to);
            ++a.inFlight;
            cursor_ = (cursor_ + k + 1) % active_.size();
        } else {
            endIfDone(a);
        }
    }
    std::erase_if(active_, [](const Active &a) { return a.ended; });
    return chunk;
}

void BatchWorkers::endIfDone(Active &a)
{
    if (a.ended || a.inFlight > 0 || a.nextIndex < a.requestCount)
        return;
    if (retrying("ending the batch", [&] { return store_->setEnded(a.key, options_.clock()); }))
        callbackDue_.notify_all();
    a.ended = true;
    progress_.notify_all();
}

void BatchWorkers::work()
{
    ProviderSessions sessions;
    std::unique_lock lock(mutex_);
    while (!stopping_ && !failure_) {
        std::optional<Chunk> chunk;
        try {
            tryTakeLock();
            if (processing_ && std::chrono::steady_clock::now() - lastRefresh_ >= options_.pollInterval)
                retrying("reading the open batches", [&] { refresh(); });
            if (processing_)
                chunk = claim();
        } catch (const std::exception &e) {
            fail(e.what());
            break;
        }
        if (!chunk) {
            workAvailable_.wait_for(lock, options_.pollInterval);
            continue;
        }
        lock.unlock();
        std::optional<std::string> error;
        try {
            process(*chunk, sessions);
        } catch (const std::exception &e) {
            error = e.what();
        }
        lock.lock();
        auto *a = active(chunk->key);
        if (a != nullptr)
            --a->inFlight;
        if (error) {
            // The chunk's results could not be saved. Its messages carry
            // their keys, so the next process finds them instead of
            // creating them again; this one stops.
            fail(*error, fmt::format("batch {}, requests {} to {}", chunk->batchId, chunk->from, chunk->to));
            break;
        }
        if (a == nullptr)
            continue;
        try {
            endIfDone(*a);
        } catch (const std::exception &e) {
            fail(e.what());
            break;
        }
        progress_.notify_all();
    }
}

// Creates the chunk's messages (or finds those created before) and
// saves their results. Throws StoreGaveUp when the store cannot be
// read or written.
void BatchWorkers::process(const Chunk &chunk, ProviderSessions &sessions)
{
    const auto requests =
        retrying("reading the chunk's requests", [&] { return store_->pending(chunk.key, chunk.from, chunk.to); });
    if (requests.empty())
        return;
    const ChunkOfBatch owner{store_->authority(), chunk.batchId};
    std::vector<FinishedRequest> finished;
    finished.reserve(requests.size());
    try {
        sessions.open(*manager_, chunk.workspace);
        std::vector<const PendingRequest *> missing;
        if (chunk.recover)
            recoverMessages(owner, requests, sessions, finished, missing);
        else
            for (const auto &r : requests)
                missing.push_back(&r);
        if (!chunk.create) {
            for (const auto *r : missing)
                finished.push_back({r->index, chunk.closeAs, ""});
        } else if (!missing.empty()) {
            if (chunk.mark)
                retrying("marking the chunk started", [&] { store_->markAttempted(chunk.key, chunk.to); });
            createMessages(owner, missing, sessions, finished);
        }
    } catch (const StoreGaveUp &) {
        throw;
    } catch (const std::exception &e) {
        // The provider failed the whole call: every request not yet
        // finished fails with it, retryable.
        const auto *osid = dynamic_cast<const OsidException *>(&e);
        const auto code = osid != nullptr ? osid->code() : ErrorCode::OperationFailed;
        std::vector<bool> done(requests.size());
        for (const auto &f : finished)
            done[static_cast<std::size_t>(f.index - requests.front().index)] = true;
        for (std::size_t i = 0; i < requests.size(); ++i)
            if (!done[i])
                finished.push_back(
                    {requests[i].index, RequestState::Errored,
                     errorJson(error_type::kApi, code, fmt::format("the provider failed: {}", e.what()))});
    }
    retrying("saving the chunk's results", [&] { store_->finish(chunk.key, finished); });
}

// The courier: while this object holds the processing lock, sends the
// callbacks that are due, one try at a time, and sleeps until the next
// poll (or a batch ending here) otherwise. A store failure leaves the
// callback pending (a try sent but not recorded is sent again, with the
// same webhook-id) and pauses the courier, twice as long each time in a
// row; after storeWriteAttempts in a row it stops.
void BatchWorkers::deliverCallbacks()
{
    std::string secret;
    std::size_t failures = 0;
    auto pause = options_.storeRetryDelay;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        std::vector<StoredDelivery> due;
        if (processing_) {
            lock.unlock();
            reapIfDue();
            try {
                due = store_->dueDeliveries(provider_, options_.clock(), 16);
                if (!due.empty() && secret.empty())
                    secret = webhookSecret();
                for (const auto &delivery : due) {
                    deliver(delivery, secret);
                    std::lock_guard stopped(mutex_);
                    if (stopping_)
                        break;
                }
                failures = 0;
                pause = options_.storeRetryDelay;
            } catch (const std::exception &e) {
                lock.lock();
                if (++failures >= options_.storeWriteAttempts) {
                    callbackFailure_ = fmt::format("the batch store failed {} times in a row sending callbacks: {}",
                                                   failures, e.what());
                    reportLine(options_.log,
                               fmt::format("message batch callbacks stopped: {}; pending ones are sent by the next "
                                           "process",
                                           *callbackFailure_));
                    progress_.notify_all();
                    return;
                }
                reportLine(options_.log, fmt::format("message batch callbacks: {}", e.what()));
                callbackDue_.wait_for(lock, pause);
                pause *= 2;
                continue;
            }
            lock.lock();
            progress_.notify_all();
        }
        if (due.empty() && !stopping_)
            callbackDue_.wait_for(lock, options_.pollInterval);
    }
}

// The reaper, on the courier's thread (both are chores of the processing
// process, on a timer): archives the batches past the results' retention
// at the start and every reapInterval. A failure is logged and tried at the
// next interval; the batches wait, nothing is lost.
void BatchWorkers::reapIfDue()
{
    const auto now = std::chrono::steady_clock::now();
    if (now < nextReap_)
        return;
    nextReap_ = now + options_.reapInterval;
    try {
        const auto at = options_.clock();
        if (const auto archived = store_->archive(retentionCutoff(options_, at), at))
            reportLine(options_.log, fmt::format("message batches: archived {} batch{} past the results' retention",
                                                 archived, archived == 1 ? "" : "es"));
    } catch (const std::exception &e) {
        reportLine(options_.log, fmt::format("message batches: archiving old batches failed: {}", e.what()));
    }
}

// One try of a batch's callback, recorded; the next one is due after the
// policy's delay unless it was delivered or it was the last.
void BatchWorkers::deliver(const StoredDelivery &delivery, const std::string &secret)
{
    const auto stored = store_->find(delivery.batchId);
    if (!stored)
        return; // deleted meanwhile
    DeliveryAttempt attempt;
    attempt.round = delivery.round;
    attempt.at = options_.clock();
    if (const auto url = parseWebhookUrl(delivery.url, true)) {
        const auto outcome =
            postWebhook(*url, stored->batch.toJson().dump(), webhookId(delivery.batchId, delivery.round), secret,
                        options_.callback.timeout);
        attempt.httpStatus = outcome.httpStatus;
        attempt.error = outcome.error;
    } else {
        attempt.error = "not an http:// or https:// URL";
    }
    const int tries = delivery.tries + 1;
    std::optional<DateTime> next;
    if (!attempt.error.empty() && tries < options_.callback.attempts) {
        const auto delay = std::chrono::duration_cast<std::chrono::microseconds>(options_.callback.delayAfter(tries));
        next = DateTime::fromMicroseconds(options_.clock().toMicroseconds() + delay.count());
    }
    store_->recordAttempt(delivery.key, delivery.round, attempt, next);
}

} // namespace osid::service
