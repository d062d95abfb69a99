#include "service/message_batches.h"

#include "service/batch_json.h"
#include "service/batch_store.h"
#include "service/batch_workers.h"
#include "service/osid_json.h"
#include "service/webhook_signature.h"

#include <fmt/format.h>

#include <algorithm>
#include <istream>
#include <limits>
#include <random>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

namespace osid::service {

using nlohmann::json;

namespace {

ServiceError notFound(const std::string &id)
{
    return ServiceError(error_type::kNotFound, fmt::format("no message batch has the id \"{}\"", id));
}

void checkIdempotencyKey(const std::string &key)
{
    if (key.size() > 255)
        throw ServiceError(error_type::kInvalidRequest,
                           fmt::format("an idempotency key has at most 255 characters, not {}", key.size()));
    for (const char c : key)
        if (c < 0x20 || c > 0x7e)
            throw ServiceError(error_type::kInvalidRequest,
                               "an idempotency key is printable ASCII: it has a control or non-ASCII character");
}

void checkCallbackUrl(const std::string &url)
{
    if (url.empty())
        return;
    if (url.size() > 2048)
        throw ServiceError(error_type::kInvalidRequest,
                           fmt::format("callback_url has at most 2048 characters, not {}", url.size()));
    if (!parseWebhookUrl(url, true))
        throw ServiceError(error_type::kInvalidRequest,
                           fmt::format("callback_url \"{}\" is not an http:// or https:// URL with a host "
                                       "(http[s]://host[:port][/path][?query], no user info); nothing was created",
                                       url));
}

// The longest a batch may run before its unstarted requests expire.
constexpr std::chrono::seconds kLongestExpiry = std::chrono::hours(24 * 7);

void checkExpiresAfter(const std::optional<std::chrono::seconds> &expiresAfter)
{
    if (expiresAfter && (expiresAfter->count() < 1 || *expiresAfter > kLongestExpiry))
        throw ServiceError(error_type::kInvalidRequest,
                           fmt::format("expires_after is {} seconds; it must be 1 to {} (7 days); nothing was created",
                                       expiresAfter->count(), kLongestExpiry.count()));
}

// A batch whose results the reaper deleted (archived_at set): the batch
// stays, its results and requests do not.
void requireResultsKept(const MessageBatch &batch, const char *what)
{
    if (batch.archivedAt)
        throw ServiceError(error_type::kNotFound,
                           fmt::format("message batch {} was archived at {}: its {} were deleted once the results' "
                                       "retention after its creation had passed (the batch itself is kept)",
                                       batch.id, batch.archivedAt->toString(), what));
}

std::string newBatchId(DateTime now)
{
    // Time first, so ids sort by creation; then randomness, so two services
    // on one file never collide.
    thread_local std::mt19937_64 random{std::random_device{}()};
    return fmt::format("msgbatch_{:016x}{:08x}", static_cast<std::uint64_t>(now.toMicroseconds()),
                       static_cast<std::uint32_t>(random()));
}

// Which batches a call sees, and where a create saves its batch.
struct Scope {
    std::optional<std::string> only; // a workspace; nullopt: every one

    // The workspace of new batches: the scope's, or the default one.
    std::string createIn() const { return only.value_or(std::string()); }
};

const Scope kEveryWorkspace{};

Scope scopeOf(const std::string &workspace) { return Scope{workspace}; }

} // namespace

// The service's calls, over its store and its workers.
class MessageBatchService::Engine {
public:
    Engine(std::shared_ptr<messaging::MessagingManager> manager, MessageBatchOptions options)
        : options_(std::move(options))
    {
        if (!manager)
            throw ServiceError(error_type::kInvalidRequest, "a message batch service needs a messaging manager");
        if (options_.workers == 0 || options_.chunkSize == 0 || options_.storeWriteAttempts == 0 ||
            options_.callback.attempts < 1)
            throw ServiceError(error_type::kInvalidRequest,
                               "workers, chunkSize, storeWriteAttempts and callback.attempts must be at least 1");
        if (!options_.callback.secret.empty()) {
            try {
                signWebhook(options_.callback.secret, "check", 0, "");
            } catch (const std::invalid_argument &e) {
                throw ServiceError(error_type::kInvalidRequest, fmt::format("callback.secret: {}", e.what()));
            }
        }
        provider_ = options_.provider.empty() ? manager->getId().toString() : options_.provider;
        manager_ = manager;
        try {
            store_ = openBatchStore(options_.storePath, options_.readOnly, options_.busyTimeout);
        } catch (const OsidException &e) {
            throw ServiceError(error_type::kApi, fmt::format("cannot open the batch store {}: {}",
                                                             storePathForDisplay(options_.storePath), e.what()));
        }
        store_->setWriteHook(options_.storeWriteHook);
        workers_ = std::make_unique<BatchWorkers>(std::move(manager), options_, provider_, store_);
    }

    MessageBatch create(const std::vector<MessageBatchRequest> &requests, const CreateOptions &create,
                        const Scope &scope)
    {
        checkIdempotencyKey(create.idempotencyKey);
        requireMailbox(scope.createIn());
        checkCallbackUrl(create.callbackUrl);
        checkExpiresAfter(create.expiresAfter);
        auto problems = envelopeProblems(requests, options_.maxRequests);
        if (!problems.empty())
            throw envelopeError(std::move(problems));
        auto batch = newBatch(scope.createIn(), create);
        const auto inserted =
            guarded([&] { return store_->insert(batch, requests, provider_, create.idempotencyKey); });
        return created(std::move(batch), create, inserted);
    }

    MessageBatch create(std::istream &in, const CreateOptions &create, const Scope &scope)
    {
        checkIdempotencyKey(create.idempotencyKey);
        requireMailbox(scope.createIn());
        checkCallbackUrl(create.callbackUrl);
        checkExpiresAfter(create.expiresAfter);
        std::vector<EnvelopeProblem> problems;
        std::unordered_map<std::string, std::size_t> seen; // custom_id -> line index
        std::size_t count = 0;
        std::size_t index = 0;
        std::string line;
        const auto next = [&](std::string &customId, std::string &params) {
            for (; std::getline(in, line);) {
                const auto at = index++;
                auto request = requestFromLine(line, at, problems);
                if (!request)
                    continue;
                ++count;
                if (auto problem = customIdProblem(request->customId, at, seen))
                    problems.push_back(std::move(*problem));
                else if (auto depth = paramsDepthProblem(*request, at))
                    problems.push_back(std::move(*depth));
                if (!problems.empty())
                    continue; // read on for every problem; save nothing more
                customId = std::move(request->customId);
                params = request->params.dump();
                return true;
            }
            if (in.bad())
                throw ServiceError(error_type::kInvalidRequest,
                                   fmt::format("the batch file could not be read after line {}", index));
            // These two have no line: index SIZE_MAX.
            constexpr auto kNoLine = std::numeric_limits<std::size_t>::max();
            if (count == 0)
                problems.push_back({kNoLine, "", "a batch needs at least one request"});
            if (count > options_.maxRequests)
                problems.push_back(
                    {kNoLine, "", fmt::format("{} requests; a batch holds at most {}", count, options_.maxRequests)});
            if (!problems.empty())
                throw envelopeError(std::move(problems)); // rolls the batch back
            return false;
        };
        auto batch = newBatch(scope.createIn(), create);
        const auto inserted =
            guarded([&] { return store_->insertStreaming(batch, provider_, create.idempotencyKey, next); });
        return created(std::move(batch), create, inserted);
    }

    // A create in a workspace needs its mailbox: checked once per workspace
    // (a mailbox deleted later fails the batch's requests instead).
    void requireMailbox(const std::string &workspace)
    {
        if (workspace.empty())
            return;
        {
            std::lock_guard lock(mutex_);
            if (knownMailboxes_.contains(workspace))
                return;
        }
        try {
            manager_->getMailboxLookupSession()->getMailbox(Id::parse(workspace));
        } catch (const NotFound &) {
            throw ServiceError(
                error_type::kInvalidRequest,
                fmt::format("the workspace {} is not a mailbox of the provider: nothing was created", workspace));
        } catch (const OsidException &e) {
            throw ServiceError(error_type::kApi,
                               fmt::format("cannot look up the mailbox of the workspace {}: {}", workspace, e.what()));
        }
        std::lock_guard lock(mutex_);
        knownMailboxes_.insert(workspace);
    }

    // A batch as created now in `workspace`, without requests yet, to be
    // POSTed to `callbackUrl` (if any) when it ends.
    MessageBatch newBatch(const std::string &workspace, const CreateOptions &create)
    {
        MessageBatch batch;
        batch.workspace = workspace;
        if (!create.callbackUrl.empty())
            batch.callbackUrl = create.callbackUrl;
        batch.createdAt = options_.clock();
        const auto expiresAfter =
            create.expiresAfter ? std::chrono::microseconds(*create.expiresAfter) : options_.expiresAfter;
        batch.expiresAt = DateTime::fromMicroseconds(batch.createdAt.toMicroseconds() + expiresAfter.count());
        batch.id = newBatchId(batch.createdAt);
        return batch;
    }

    // Hands a batch just saved to the workers; or, when the idempotency key
    // was used before, answers with the earlier batch or refuses.
    MessageBatch created(MessageBatch batch, const CreateOptions &create, const BatchStore::Inserted &inserted)
    {
        if (inserted.outcome == BatchStore::Inserted::Earlier)
            return find(inserted.id, kEveryWorkspace).batch;
        if (inserted.outcome == BatchStore::Inserted::Conflict)
            throw ServiceError(error_type::kConflict,
                               fmt::format("the idempotency key \"{}\" was used for message batch {} with other "
                                           "requests; nothing was created (use a new key for a new batch)",
                                           create.idempotencyKey, inserted.id));
        batch.requestCounts.processing = inserted.count;
        workers_->changed();
        return batch;
    }

    MessageBatch retry(const std::string &id, const RetryOptions &retry, const Scope &scope)
    {
        const auto stored = find(id, scope);
        if (stored.batch.processingStatus != ProcessingStatus::Ended)
            throw ServiceError(error_type::kInvalidRequest,
                               fmt::format("message batch {} is {}; only an ended batch can be retried", id,
                                           statusName(stored.batch.processingStatus)));
        requireResultsKept(stored.batch, "requests");
        const auto wanted = [&](const UnsucceededRequest &r) {
            if (retry.types.empty())
                return r.state != RequestState::Errored || r.retryable;
            const auto type = resultTypeEntry(r.state)->type;
            return std::find(retry.types.begin(), retry.types.end(), type) != retry.types.end();
        };
        std::vector<MessageBatchRequest> requests;
        for (auto &r : guarded([&] { return store_->unsucceeded(stored.key); }))
            if (wanted(r))
                requests.push_back({std::move(r.customId), json::parse(r.params)});
        if (requests.empty())
            throw ServiceError(error_type::kInvalidRequest,
                               fmt::format("message batch {} has no request to retry of the types asked for", id));
        // In the parent's workspace, which the caller's scope sees, with its
        // callback URL.
        CreateOptions child;
        child.callbackUrl = stored.batch.callbackUrl.value_or("");
        auto batch = newBatch(stored.batch.workspace, child);
        batch.parentBatchId = id;
        const auto inserted = guarded([&] { return store_->insert(batch, requests, provider_); });
        return created(std::move(batch), {}, inserted);
    }

    // The batch, if the scope sees it.
    StoredBatch find(const std::string &id, const Scope &scope)
    {
        auto stored = guarded([&] { return store_->find(id); });
        if (!stored || (scope.only && stored->batch.workspace != *scope.only))
            throw notFound(id);
        return *stored;
    }

    MessageBatchPage list(const ListParams &params, const Scope &scope)
    {
        if (params.limit < 1 || params.limit > 1000)
            throw ServiceError(error_type::kInvalidRequest,
                               fmt::format("limit must be between 1 and 1000, not {}", params.limit));
        if (!params.beforeId.empty() && !params.afterId.empty())
            throw ServiceError(error_type::kInvalidRequest, "give before_id or after_id, not both");
        if (params.createdAfter && params.createdBefore && !(*params.createdAfter < *params.createdBefore))
            throw ServiceError(error_type::kInvalidRequest,
                               fmt::format("created_after ({}) must be before created_before ({})",
                                           params.createdAfter->toString(), params.createdBefore->toString()));
        const bool newer = !params.beforeId.empty();
        std::int64_t around = 0;
        if (newer)
            around = find(params.beforeId, scope).key;
        else if (!params.afterId.empty())
            around = find(params.afterId, scope).key;
        const auto limit = static_cast<std::size_t>(params.limit);
        auto rows = guarded([&] { return store_->page(around, newer, limit + 1, params, scope.only); });
        MessageBatchPage page;
        page.hasMore = rows.size() > limit;
        if (page.hasMore) {
            // The extra row lies beyond the page: the oldest when paging
            // back, the newest when paging forward.
            if (newer)
                rows.erase(rows.begin());
            else
                rows.pop_back();
        }
        for (auto &row : rows)
            page.data.push_back(std::move(row.batch));
        if (!page.data.empty()) {
            page.firstId = page.data.front().id;
            page.lastId = page.data.back().id;
        }
        return page;
    }

    MessageBatch cancel(const std::string &id, const Scope &scope)
    {
        const auto stored = find(id, scope);
        if (stored.batch.processingStatus == ProcessingStatus::InProgress) {
            guarded([&] { return store_->setCanceling(stored.key, options_.clock()); });
            workers_->changed();
        }
        if (stored.batch.processingStatus != ProcessingStatus::Ended && !workers_->isProcessing())
            guarded([&] { workers_->endCanceledHere(stored); });
        return find(id, scope).batch;
    }

    json remove(const std::string &id, const Scope &scope)
    {
        const auto stored = find(id, scope);
        if (stored.batch.processingStatus != ProcessingStatus::Ended)
            throw ServiceError(error_type::kInvalidRequest,
                               fmt::format("message batch {} is {}; only an ended batch can be "
                                           "deleted: cancel it "
                                           "first and delete it once it has ended",
                                           id, statusName(stored.batch.processingStatus)));
        if (!guarded([&] { return store_->remove(stored.key); }))
            throw notFound(id);
        return json{{"id", id}, {"type", "message_batch_deleted"}};
    }

    ResultStream results(const std::string &id, const ResultsOptions &options, const Scope &scope)
    {
        const auto stored = find(id, scope);
        if (stored.batch.processingStatus != ProcessingStatus::Ended && !options.finishedSoFar && !options.after)
            throw ServiceError(error_type::kInvalidRequest,
                               fmt::format("message batch {} is {}: its results are not all there yet; wait for it "
                                           "to end, or ask for the requests finished so far, or read them by cursor",
                                           id, statusName(stored.batch.processingStatus)));
        requireResultsKept(stored.batch, "results");
        return ResultStream(store_, stored.key, id, options);
    }

    ResultStream mergedResults(const std::string &id, const Scope &scope)
    {
        auto stored = find(id, scope);
        if (stored.batch.processingStatus != ProcessingStatus::Ended)
            throw ServiceError(error_type::kInvalidRequest,
                               fmt::format("message batch {} is {}: merged results are read once it has ended", id,
                                           statusName(stored.batch.processingStatus)));
        requireResultsKept(stored.batch, "results");
        std::vector<std::int64_t> chain{stored.key};
        while (stored.batch.parentBatchId) {
            auto parent = guarded([&] { return store_->find(*stored.batch.parentBatchId); });
            if (!parent)
                break;
            stored = std::move(*parent);
            chain.push_back(stored.key);
        }
        return ResultStream(store_, std::move(chain), id);
    }

    MessageBatch wait(const std::string &id, const std::function<void(const MessageBatch &)> &onProgress,
                      const Scope &scope)
    {
        std::optional<RequestCounts> reported;
        auto reportedStatus = ProcessingStatus::InProgress;
        for (;;) {
            const auto stored = find(id, scope);
            const auto &batch = stored.batch;
            if (batch.processingStatus != ProcessingStatus::Ended && !stored.provider.empty() &&
                stored.provider != provider_)
                throw ServiceError(error_type::kInvalidRequest,
                                   fmt::format("message batch {} was created for the provider \"{}\"; this service "
                                               "uses \"{}\" and leaves it alone: wait for it with that provider",
                                               id, stored.provider, provider_));
            const auto &c = batch.requestCounts;
            const bool changed = !reported || batch.processingStatus != reportedStatus ||
                                 reported->processing != c.processing || reported->succeeded != c.succeeded ||
                                 reported->errored != c.errored || reported->canceled != c.canceled ||
                                 reported->expired != c.expired;
            if (changed && onProgress)
                onProgress(batch);
            reported = c;
            reportedStatus = batch.processingStatus;
            if (batch.processingStatus == ProcessingStatus::Ended)
                return batch;
            if (const auto failure = workers_->awaitProgress())
                throw ServiceError(error_type::kApi,
                                   fmt::format("message batch {} stopped: {}; it stays {} and resumes with the next "
                                               "process once the store can be written",
                                               id, *failure, statusName(batch.processingStatus)));
        }
    }

    std::optional<CallbackDelivery> delivery(const std::string &id, const Scope &scope)
    {
        const auto stored = find(id, scope);
        return guarded([&] { return store_->delivery(stored.key); });
    }

    // The delivery of an ended batch with a callback URL.
    CallbackDelivery requireDelivery(const std::string &id, const Scope &scope)
    {
        const auto stored = find(id, scope);
        if (!stored.batch.callbackUrl)
            throw ServiceError(error_type::kInvalidRequest, fmt::format("message batch {} has no callback URL", id));
        if (stored.batch.processingStatus != ProcessingStatus::Ended)
            throw ServiceError(error_type::kInvalidRequest,
                               fmt::format("message batch {} is {}: its callback is sent once it has ended", id,
                                           statusName(stored.batch.processingStatus)));
        auto found = guarded([&] { return store_->delivery(stored.key); });
        if (!found)
            throw notFound(id); // deleted meanwhile
        return *found;
    }

    CallbackDelivery redeliver(const std::string &id, const Scope &scope)
    {
        const auto stored = find(id, scope);
        requireDelivery(id, scope);
        if (!guarded([&] { return store_->redeliver(stored.key, options_.clock()); }))
            throw notFound(id);
        workers_->redelivered();
        return requireDelivery(id, scope);
    }

    CallbackDelivery waitDelivery(const std::string &id, const Scope &scope)
    {
        for (;;) {
            auto found = requireDelivery(id, scope);
            if (found.state != DeliveryState::Pending)
                return found;
            if (const auto failure = workers_->awaitProgress(true))
                throw ServiceError(error_type::kApi,
                                   fmt::format("the callback of message batch {} stopped: {}; it stays pending and "
                                               "is sent by the next process",
                                               id, *failure));
        }
    }

    std::uint64_t purge()
    {
        if (options_.readOnly)
            throw ServiceError(error_type::kInvalidRequest, "a read-only message batch service archives nothing");
        const auto now = options_.clock();
        return guarded([&] { return store_->archive(retentionCutoff(options_, now), now); });
    }

    std::string webhookSecret()
    {
        return guarded([&] { return workers_->webhookSecret(); });
    }

    bool isProcessing() { return workers_->isProcessing(); }

    std::optional<std::string> processingFailure() { return workers_->failure(); }

    const std::string &provider() const noexcept { return provider_; }

private:
    MessageBatchOptions options_;
    std::shared_ptr<messaging::MessagingManager> manager_;
    std::string provider_;
    std::mutex mutex_;
    std::unordered_set<std::string> knownMailboxes_; // workspaces whose mailbox was found
    std::shared_ptr<BatchStore> store_;
    std::unique_ptr<BatchWorkers> workers_;
};

MessageBatchService::MessageBatchService(std::shared_ptr<messaging::MessagingManager> manager,
                                         MessageBatchOptions options)
    : engine_(std::make_unique<Engine>(std::move(manager), std::move(options)))
{
}

MessageBatchService::~MessageBatchService() = default;

MessageBatch MessageBatchService::create(const std::vector<MessageBatchRequest> &requests, const CreateOptions &options)
{
    return engine_->create(requests, options, kEveryWorkspace);
}

MessageBatch MessageBatchService::create(std::istream &jsonLines, const CreateOptions &options)
{
    return engine_->create(jsonLines, options, kEveryWorkspace);
}

MessageBatch MessageBatchService::retry(const std::string &id, const RetryOptions &options)
{
    return engine_->retry(id, options, kEveryWorkspace);
}

MessageBatch MessageBatchService::retrieve(const std::string &id) { return engine_->find(id, kEveryWorkspace).batch; }

MessageBatchPage MessageBatchService::list(const ListParams &params) { return engine_->list(params, kEveryWorkspace); }

MessageBatch MessageBatchService::cancel(const std::string &id) { return engine_->cancel(id, kEveryWorkspace); }

json MessageBatchService::remove(const std::string &id) { return engine_->remove(id, kEveryWorkspace); }

ResultStream MessageBatchService::results(const std::string &id, const ResultsOptions &options)
{
    return engine_->results(id, options, kEveryWorkspace);
}

ResultStream MessageBatchService::mergedResults(const std::string &id)
{
    return engine_->mergedResults(id, kEveryWorkspace);
}

MessageBatch MessageBatchService::wait(const std::string &id,
                                       const std::function<void(const MessageBatch &)> &onProgress)
{
    return engine_->wait(id, onProgress, kEveryWorkspace);
}

std::optional<CallbackDelivery> MessageBatchService::delivery(const std::string &id)
{
    return engine_->delivery(id, kEveryWorkspace);
}

CallbackDelivery MessageBatchService::redeliver(const std::string &id)
{
    return engine_->redeliver(id, kEveryWorkspace);
}

CallbackDelivery MessageBatchService::waitDelivery(const std::string &id)
{
    return engine_->waitDelivery(id, kEveryWorkspace);
}

std::string MessageBatchService::webhookSecret() { return engine_->webhookSecret(); }

std::uint64_t MessageBatchService::purge() { return engine_->purge(); }

bool MessageBatchService::isProcessing() const { return engine_->isProcessing(); }

std::optional<std::string> MessageBatchService::processingFailure() const { return engine_->processingFailure(); }

const std::string &MessageBatchService::provider() const { return engine_->provider(); }

WorkspaceBatches MessageBatchService::workspace(const Id &mailboxId)
{
    return WorkspaceBatches(*engine_, mailboxId.isNull() ? std::string() : mailboxId.toString());
}

// A workspace's calls: the engine's, scoped to it.

MessageBatch WorkspaceBatches::create(const std::vector<MessageBatchRequest> &requests, const CreateOptions &options)
{
    return engine_->create(requests, options, scopeOf(workspace_));
}

MessageBatch WorkspaceBatches::create(std::istream &jsonLines, const CreateOptions &options)
{
    return engine_->create(jsonLines, options, scopeOf(workspace_));
}

MessageBatch WorkspaceBatches::retry(const std::string &id, const RetryOptions &options)
{
    return engine_->retry(id, options, scopeOf(workspace_));
}

MessageBatch WorkspaceBatches::retrieve(const std::string &id) { return engine_->find(id, scopeOf(workspace_)).batch; }

MessageBatchPage WorkspaceBatches::list(const ListParams &params) { return engine_->list(params, scopeOf(workspace_)); }

MessageBatch WorkspaceBatches::cancel(const std::string &id) { return engine_->cancel(id, scopeOf(workspace_)); }

json WorkspaceBatches::remove(const std::string &id) { return engine_->remove(id, scopeOf(workspace_)); }

ResultStream WorkspaceBatches::results(const std::string &id, const ResultsOptions &options)
{
    return engine_->results(id, options, scopeOf(workspace_));
}

ResultStream WorkspaceBatches::mergedResults(const std::string &id)
{
    return engine_->mergedResults(id, scopeOf(workspace_));
}

MessageBatch WorkspaceBatches::wait(const std::string &id, const std::function<void(const MessageBatch &)> &onProgress)
{
    return engine_->wait(id, onProgress, scopeOf(workspace_));
}

std::optional<CallbackDelivery> WorkspaceBatches::delivery(const std::string &id)
{
    return engine_->delivery(id, scopeOf(workspace_));
}

CallbackDelivery WorkspaceBatches::redeliver(const std::string &id)
{
    return engine_->redeliver(id, scopeOf(workspace_));
}

CallbackDelivery WorkspaceBatches::waitDelivery(const std::string &id)
{
    return engine_->waitDelivery(id, scopeOf(workspace_));
}

} // namespace osid::service
