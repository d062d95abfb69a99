#include "service/batch_workers.h"

#include "service/batch_json.h"
#include "service/service_log.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <random>
#include <stdexcept>
#include <unordered_set>
#include <utility>

namespace osid::service {

namespace {

// A store write that failed storeWriteAttempts times in a row: this service
// stops processing (MessageBatchService::wait says why).
struct StoreGaveUp : std::runtime_error {
    using std::runtime_error::runtime_error;
};

} // namespace

namespace {

// A name no other process of any machine has, for this object's claims:
// host:pid:random.
std::string workerName()
{
    thread_local std::mt19937_64 random{std::random_device{}()};
    return fmt::format("{}:{}:{:08x}", workerHost(), getpid(), random() & 0xffffffffu);
}

} // namespace

std::string workerHost()
{
    // Read once: every claimer's name is checked against it at each lease
    // turn.
    static const std::string name = []() -> std::string {
        char host[256] = {};
        if (gethostname(host, sizeof host - 1) != 0)
            host[0] = '\0';
        // Containers may share a host name but not their pids: the pid
        // namespace ("pid:[4026531836]") tells them apart.
        char ns[64] = {};
        const auto n = readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
        const std::string_view link(ns, n > 0 ? static_cast<std::size_t>(n) : 0);
        const auto open = link.find('['), close = link.find(']');
        if (host[0] == '\0' || open == std::string_view::npos || close == std::string_view::npos || close < open)
            return host;
        return fmt::format("{}/{}", host, link.substr(open + 1, close - open - 1));
    }();
    return name;
}

bool workerProcessEnded(const std::string &name)
{
    const auto random = name.rfind(':');
    const auto pid = random == std::string::npos || random == 0 ? std::string::npos : name.rfind(':', random - 1);
    if (pid == std::string::npos || pid == 0 || name.compare(0, pid, workerHost()) != 0)
        return false;
    pid_t process = 0;
    const auto digits = std::string_view(name).substr(pid + 1, random - pid - 1);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), process);
    if (error != std::errc() || end != digits.data() + digits.size() || process <= 0 || process == getpid())
        return false;
    return kill(process, 0) != 0 && errno == ESRCH;
}

BatchWorkers::BatchWorkers(std::shared_ptr<messaging::MessagingManager> manager, const MessageBatchOptions &options,
                           std::string provider, std::shared_ptr<BatchStore> store)
    : manager_(std::move(manager)), options_(options), provider_(std::move(provider)), store_(std::move(store)),
      name_(workerName()), lock_(store_->processingLock(provider_, LockRole::Worker)),
      courierLock_(store_->processingLock(provider_, LockRole::Courier))
{
    if (!options_.process || options_.readOnly)
        return;
    {
        std::lock_guard lock(mutex_);
        tryTakeLock();
        for (std::size_t i = 0; i < options_.workers; ++i)
            workers_.emplace_back([this] { work(); });
        courier_ = std::thread([this] { deliverCallbacks(); });
        leaseKeeper_ = std::thread([this] { keepLeases(); });
    }
    listener_ = store_->listen([this] { wake(); });
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
    leasesDue_.notify_all();
    if (leaseKeeper_.joinable())
        leaseKeeper_.join();
}

void BatchWorkers::wake()
{
    {
        std::lock_guard lock(mutex_);
        ++wakeups_;
    }
    workAvailable_.notify_all();
}

void BatchWorkers::changed() { wake(); }

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

std::optional<std::string> BatchWorkers::failure()
{
    std::lock_guard lock(mutex_);
    return failure_;
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
    const auto lock = store_->processingLock(provider, LockRole::Sole);
    if (!lock->tryLock())
        return; // a worker of that provider ends it (or the lock cannot be taken)
    const auto count = static_cast<std::int64_t>(stored.requestCount);
    const auto first = store_->firstPending(stored.key, count);
    if (first < stored.attempted) {
        if (provider != provider_)
            return;
        ProviderSessions sessions;
        for (auto from = first; from < stored.attempted; from += static_cast<std::int64_t>(options_.chunkSize)) {
            ChunkClaim chunk;
            chunk.key = stored.key;
            chunk.batchId = stored.batch.id;
            chunk.workspace = stored.batch.workspace;
            chunk.from = from;
            chunk.to = std::min(stored.attempted, from + static_cast<std::int64_t>(options_.chunkSize));
            chunk.recover = true;
            chunk.create = false;
            chunk.closeAs = RequestState::Canceled;
            process(chunk, sessions, false);
        }
    }
    store_->closePending(stored.key, 0, RequestState::Canceled);
    if (store_->setEnded(stored.key, options_.clock()))
        callbackDue_.notify_all();
}

void BatchWorkers::work()
{
    ProviderSessions sessions;
    std::unique_lock lock(mutex_);
    while (!stopping_ && !failure_) {
        tryTakeLock();
        if (!processing_) {
            workAvailable_.wait_for(lock, options_.pollInterval);
            continue;
        }
        const auto wakeups = wakeups_;
        lock.unlock();
        std::optional<ChunkClaim> chunk;
        std::optional<std::string> error;
        bool callbackQueued = false;
        try {
            chunk = retrying("claiming a chunk", [&] {
                return store_->claimChunk(provider_, name_, options_.chunkSize, options_.clock(), options_.lease,
                                          callbackQueued);
            });
        } catch (const std::exception &e) {
            error = e.what();
        }
        lock.lock();
        if (error) {
            fail(*error);
            break;
        }
        progress_.notify_all(); // the claim may have ended or closed batches
        if (callbackQueued)
            callbackDue_.notify_all();
        if (!chunk) {
            // Unless woken while claiming: then there may be work already.
            if (wakeups == wakeups_)
                workAvailable_.wait_for(lock, options_.pollInterval);
            continue;
        }
        held_.insert(chunk->claim);
        lock.unlock();
        bool saved = true;
        try {
            saved = process(*chunk, sessions, true);
        } catch (const std::exception &e) {
            error = e.what();
        }
        lock.lock();
        held_.erase(chunk->claim);
        if (error) {
            // The chunk's results could not be saved. Its messages carry
            // their keys, so the worker that takes it over finds them
            // instead of creating them again (once its lease has run out,
            // no longer renewed here); this one stops.
            fail(*error, fmt::format("batch {}, requests {} to {}", chunk->batchId, chunk->from, chunk->to));
            break;
        }
        if (!saved)
            reportLine(options_.log, fmt::format("message batch worker {}: the lease of batch {}, requests {} to {}, "
                                                 "ran out and another worker took the chunk over; its results are "
                                                 "that worker's to save",
                                                 name_, chunk->batchId, chunk->from, chunk->to));
        progress_.notify_all();
    }
}

// Renews the leases of the chunks running here, three times a lease, until
// the workers stop. A renewal that fails is tried at the next turn; a
// lease that runs out meanwhile lets another worker take the chunk over.
// At the start and at each turn, also lets go of the chunks of this
// machine's worker processes that have ended.
void BatchWorkers::keepLeases()
{
    std::unique_lock lock(mutex_);
    for (bool first = true; !stopping_ || !held_.empty(); first = false) {
        if (!first)
            leasesDue_.wait_for(lock, options_.lease / 3);
        const std::vector<std::int64_t> claims(held_.begin(), held_.end());
        const bool stopping = stopping_;
        lock.unlock();
        try {
            if (!claims.empty())
                store_->renewLeases(claims, options_.lease);
        } catch (const std::exception &) {
            // Tried again at the next turn.
        }
        if (!stopping)
            releaseEndedWorkers();
        lock.lock();
    }
}

// A worker process of this machine that ended (killed, crashed) holds its
// chunks until their leases run out; a restarted `osid-batch worker` would
// wait that long for them. Its chunks are let go of at once instead.
void BatchWorkers::releaseEndedWorkers()
{
    std::vector<std::string> ended;
    std::size_t released = 0;
    try {
        released = store_->releaseClaimsOf([&](const std::string &worker) {
            if (!workerProcessEnded(worker))
                return false;
            ended.push_back(worker);
            return true;
        });
    } catch (const std::exception &) {
        return; // tried again at the next turn
    }
    if (released == 0)
        return;
    reportLine(options_.log, fmt::format("message batch worker {}: {} chunk{} of the ended worker process{} {} of "
                                         "this machine taken over now, not when {} run out",
                                         name_, released, released == 1 ? "" : "s", ended.size() == 1 ? "" : "es",
                                         fmt::join(ended, ", "), released == 1 ? "its lease" : "their leases"));
    wake();
}

bool BatchWorkers::process(const ChunkClaim &chunk, ProviderSessions &sessions, bool claimed)
{
    const auto requests =
        retrying("reading the chunk's requests", [&] { return store_->pending(chunk.key, chunk.from, chunk.to); });
    const ChunkOfBatch owner{store_->authority(), chunk.batchId, chunk.recover};
    std::vector<FinishedRequest> finished;
    finished.reserve(requests.size());
    // A claimed chunk is held across its messages' commit: if it was taken
    // over (this worker stalled past its lease), they are not committed.
    std::unique_ptr<BatchStore::ChunkHold> hold;
    const CommitFence fence{[&] {
                                if (!claimed)
                                    return true;
                                hold = retrying("holding the chunk", [&] { return store_->holdChunk(chunk); });
                                return hold != nullptr;
                            },
                            [&] { hold.reset(); }};
    try {
        if (!requests.empty())
            sessions.open(*manager_, chunk.workspace);
        std::vector<const PendingRequest *> missing;
        for (const auto &r : requests)
            missing.push_back(&r);
        // A chunk run before is looked up first; again if the worker that
        // ran it turns out to have committed meanwhile (Created::RanBefore).
        for (int round = 0; chunk.create || round == 0; ++round) {
            if (chunk.recover && !missing.empty()) {
                const auto all = std::exchange(missing, {});
                recoverMessages(owner, all, sessions, finished, missing);
            }
            if (!chunk.create || missing.empty())
                break;
            const auto created = createMessages(owner, missing, sessions, finished, fence);
            if (created == Created::TakenOver)
                return false; // its results are the taker's
            if (created == Created::Done)
                break;
            if (round == 2)
                throw OperationFailed("the chunk's idempotency keys kept being committed by another worker");
        }
        if (!chunk.create)
            for (const auto *r : missing)
                finished.push_back({r->index, chunk.closeAs, ""});
    } catch (const StoreGaveUp &) {
        throw;
    } catch (const std::exception &e) {
        // The provider failed the whole call: every request not yet
        // finished fails with it, retryable.
        const auto *osid = dynamic_cast<const OsidException *>(&e);
        const auto code = osid != nullptr ? osid->code() : ErrorCode::OperationFailed;
        std::unordered_set<std::int64_t> done;
        for (const auto &f : finished)
            done.insert(f.index);
        for (const auto &r : requests)
            if (!done.contains(r.index))
                finished.push_back(
                    {r.index, RequestState::Errored,
                     errorJson(error_type::kApi, code, fmt::format("the provider failed: {}", e.what()))});
    }
    if (!claimed) {
        retrying("saving the chunk's results", [&] { store_->finish(chunk.key, finished); });
        return true;
    }
    // Also with no request left pending: the claim ends with it.
    return retrying("saving the chunk's results", [&] { return store_->finishChunk(chunk, name_, finished); });
}

// The courier: while this object holds the processing lock (and the
// courier lock), sends the
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
        // On PostgreSQL every worker process processes: one at a time,
        // the holder of the courier lock, sends the callbacks.
        if (processing_ && courierLock_->tryLock()) {
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
