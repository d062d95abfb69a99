#include "service/message_batches.h"

#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/message_lookup_session.h"
#include "osid/id_list.h"
#include "osid/vector_list.h"
#include "service/batch_store.h"
#include "service/osid_json.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <istream>
#include <map>
#include <random>
#include <thread>
#include <unordered_map>

namespace osid::service {

using nlohmann::json;

const char *statusName(ProcessingStatus status) noexcept
{
    switch (status) {
    case ProcessingStatus::InProgress:
        return "in_progress";
    case ProcessingStatus::Canceling:
        return "canceling";
    case ProcessingStatus::Ended:
        return "ended";
    }
    return "unknown";
}

const char *resultTypeName(ResultType type) noexcept
{
    switch (type) {
    case ResultType::Succeeded:
        return "succeeded";
    case ResultType::Errored:
        return "errored";
    case ResultType::Canceled:
        return "canceled";
    case ResultType::Expired:
        return "expired";
    }
    return "unknown";
}

namespace {

json timeOrNull(const std::optional<DateTime> &t) { return t ? json(t->toString()) : json(nullptr); }

ServiceError notFound(const std::string &id)
{
    return ServiceError(error_type::kNotFound, fmt::format("no message batch has the id \"{}\"", id));
}

// What a store failure looks like to a caller.
ServiceError storeFailure(const std::exception &e)
{
    return ServiceError(error_type::kApi, fmt::format("the batch store failed: {}", e.what()));
}

// Runs `body`, turning OSID errors from the store into ServiceError.
template <typename Body> auto guarded(Body &&body)
{
    try {
        return body();
    } catch (const ServiceError &) {
        throw;
    } catch (const OsidException &e) {
        throw storeFailure(e);
    }
}

bool isValidCustomId(const std::string &id)
{
    if (id.empty() || id.size() > 64)
        return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

// Every envelope problem of `requests`, in index order.
std::vector<EnvelopeProblem> envelopeProblems(const std::vector<MessageBatchRequest> &requests, std::size_t maxRequests)
{
    std::vector<EnvelopeProblem> problems;
    if (requests.empty())
        problems.push_back({0, "", "a batch needs at least one request"});
    if (requests.size() > maxRequests)
        problems.push_back(
            {maxRequests, "", fmt::format("{} requests; a batch holds at most {}", requests.size(), maxRequests)});
    std::unordered_map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto &id = requests[i].customId;
        if (!isValidCustomId(id)) {
            problems.push_back({i, "",
                                fmt::format("custom_id \"{}\" does not match ^[a-zA-Z0-9_-]{{1,64}}$",
                                            id.size() > 80 ? id.substr(0, 80) + "..." : id)});
            continue;
        }
        auto [first, inserted] = seen.emplace(id, i);
        if (!inserted)
            problems.push_back({i, id, fmt::format("custom_id is not unique (also request {})", first->second)});
    }
    return problems;
}

ServiceError envelopeError(std::vector<EnvelopeProblem> problems)
{
    std::string message =
        fmt::format("the batch was not created: {} problem{}", problems.size(), problems.size() == 1 ? "" : "s");
    for (std::size_t i = 0; i < problems.size() && i < 5; ++i)
        message += fmt::format("; request {}: {}", problems[i].index, problems[i].reason);
    if (problems.size() > 5)
        message += "; ...";
    return ServiceError(error_type::kInvalidRequest, message, std::move(problems));
}

// One request of a JSON body or line; nullopt (and a problem) if malformed.
std::optional<MessageBatchRequest> requestFromJson(const json &item, std::size_t index,
                                                   std::vector<EnvelopeProblem> &problems)
{
    if (!item.is_object()) {
        problems.push_back({index, "", fmt::format("a request must be an object, not {}", item.type_name())});
        return std::nullopt;
    }
    const auto customId = item.find("custom_id");
    const auto params = item.find("params");
    std::string id = customId != item.end() && customId->is_string() ? customId->get<std::string>() : "";
    std::string reason;
    if (customId == item.end())
        reason = "custom_id is required";
    else if (!customId->is_string())
        reason = fmt::format("custom_id must be a string, not {}", customId->type_name());
    else if (params == item.end())
        reason = "params is required";
    else if (!params->is_object())
        reason = fmt::format("params must be an object, not {}", params->type_name());
    else {
        for (const auto &field : item.items())
            if (field.key() != "custom_id" && field.key() != "params")
                reason = fmt::format("unknown field \"{}\" (a request has custom_id and params)", field.key());
    }
    if (!reason.empty()) {
        problems.push_back({index, id, reason});
        return std::nullopt;
    }
    return MessageBatchRequest{std::move(id), *params};
}

std::string newBatchId(DateTime now)
{
    // Time first, so ids sort by creation; then randomness, so two services
    // on one file never collide.
    thread_local std::mt19937_64 random{std::random_device{}()};
    return fmt::format("msgbatch_{:016x}{:08x}", static_cast<std::uint64_t>(now.toMicroseconds()),
                       static_cast<std::uint32_t>(random()));
}

std::string errorJson(const char *type, const std::string &message)
{
    return json{{"type", type}, {"message", message}}.dump();
}

// The error type of a create response that failed: the caller's fault
// unless the provider itself failed.
const char *errorTypeOf(ErrorCode code)
{
    return code == ErrorCode::OperationFailed ? error_type::kApi : error_type::kInvalidRequest;
}

} // namespace

json MessageBatch::toJson() const
{
    return json{{"id", id},
                {"type", "message_batch"},
                {"processing_status", statusName(processingStatus)},
                {"request_counts",
                 {{"processing", requestCounts.processing},
                  {"succeeded", requestCounts.succeeded},
                  {"errored", requestCounts.errored},
                  {"canceled", requestCounts.canceled},
                  {"expired", requestCounts.expired}}},
                {"created_at", createdAt.toString()},
                {"ended_at", timeOrNull(endedAt)},
                {"expires_at", expiresAt.toString()},
                {"cancel_initiated_at", timeOrNull(cancelInitiatedAt)},
                {"archived_at", timeOrNull(archivedAt)}};
}

json MessageBatchPage::toJson() const
{
    json batches = json::array();
    for (const auto &b : data)
        batches.push_back(b.toJson());
    return json{{"data", std::move(batches)},
                {"has_more", hasMore},
                {"first_id", firstId ? json(*firstId) : json(nullptr)},
                {"last_id", lastId ? json(*lastId) : json(nullptr)}};
}

json MessageBatchResult::toJson() const
{
    json result{{"type", resultTypeName(type)}};
    if (type == ResultType::Succeeded)
        result["message"] = message;
    else if (type == ResultType::Errored)
        result["error"] = {{"type", errorType}, {"message", errorMessage}};
    return json{{"custom_id", customId}, {"result", std::move(result)}};
}

std::vector<MessageBatchRequest> readRequestsJsonLines(std::istream &in)
{
    std::vector<MessageBatchRequest> requests;
    std::vector<EnvelopeProblem> problems;
    std::string line;
    for (std::size_t index = 0; std::getline(in, line); ++index) {
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        auto item = json::parse(line, nullptr, false);
        if (item.is_discarded()) {
            problems.push_back({index, "", fmt::format("line {} is not valid JSON", index + 1)});
            continue;
        }
        if (auto request = requestFromJson(item, index, problems))
            requests.push_back(std::move(*request));
    }
    if (!problems.empty())
        throw envelopeError(std::move(problems));
    return requests;
}

std::vector<MessageBatchRequest> requestsFromJson(const json &body)
{
    if (!body.is_object() || !body.contains("requests") || !body["requests"].is_array())
        throw ServiceError(error_type::kInvalidRequest, "the body must be an object with an array \"requests\"");
    std::vector<MessageBatchRequest> requests;
    std::vector<EnvelopeProblem> problems;
    const auto &items = body["requests"];
    for (std::size_t i = 0; i < items.size(); ++i)
        if (auto request = requestFromJson(items[i], i, problems))
            requests.push_back(std::move(*request));
    if (!problems.empty())
        throw envelopeError(std::move(problems));
    return requests;
}

// ---------------------------------------------------------------------------
// ResultStream

ResultStream::ResultStream(std::shared_ptr<BatchStore> store, std::int64_t batchKey)
    : store_(std::move(store)), batchKey_(batchKey)
{
}
ResultStream::ResultStream(ResultStream &&) noexcept = default;
ResultStream &ResultStream::operator=(ResultStream &&) noexcept = default;
ResultStream::~ResultStream() = default;

bool ResultStream::next(MessageBatchResult &result)
{
    if (position_ == page_.size()) {
        if (exhausted_)
            return false;
        auto rows = guarded([&] { return store_->results(batchKey_, afterIndex_, kPageSize); });
        page_.clear();
        position_ = 0;
        for (auto &row : rows)
            page_.push_back(std::move(row.second));
        if (!rows.empty())
            afterIndex_ = rows.back().first;
        exhausted_ = rows.size() < kPageSize;
        if (page_.empty())
            return false;
    }
    result = std::move(page_[position_++]);
    return true;
}

// ---------------------------------------------------------------------------
// The engine: scheduling, workers, and the calls.

class MessageBatchService::Engine {
  public:
    Engine(std::shared_ptr<messaging::MessagingManager> manager, MessageBatchOptions options)
        : manager_(std::move(manager)), options_(std::move(options))
    {
        if (!manager_)
            throw ServiceError(error_type::kInvalidRequest, "a message batch service needs a messaging manager");
        if (options_.workers == 0 || options_.chunkSize == 0)
            throw ServiceError(error_type::kInvalidRequest, "workers and chunkSize must be at least 1");
        try {
            store_ = std::make_shared<BatchStore>(options_.storePath);
        } catch (const OsidException &e) {
            throw ServiceError(error_type::kApi,
                               fmt::format("cannot open the batch store {}: {}", options_.storePath, e.what()));
        }
        if (options_.process) {
            std::lock_guard lock(mutex_);
            tryTakeLock();
            for (std::size_t i = 0; i < options_.workers; ++i)
                workers_.emplace_back([this] { work(); });
        }
    }

    ~Engine()
    {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        workAvailable_.notify_all();
        for (auto &t : workers_)
            t.join();
        if (lockFd_ >= 0)
            ::close(lockFd_); // releases the processing lock
    }

    MessageBatch create(const std::vector<MessageBatchRequest> &requests)
    {
        auto problems = envelopeProblems(requests, options_.maxRequests);
        if (!problems.empty())
            throw envelopeError(std::move(problems));
        MessageBatch batch;
        batch.createdAt = options_.clock();
        batch.expiresAt = DateTime::fromMicroseconds(batch.createdAt.toMicroseconds() + options_.expiresAfter.count());
        batch.id = newBatchId(batch.createdAt);
        batch.requestCounts.processing = requests.size();
        const auto key = guarded([&] { return store_->insert(batch, requests); });
        {
            std::lock_guard lock(mutex_);
            if (processing_)
                track(key, batch.id, static_cast<std::int64_t>(requests.size()), 0, batch.expiresAt, false);
        }
        workAvailable_.notify_all();
        return batch;
    }

    StoredBatch find(const std::string &id)
    {
        auto stored = guarded([&] { return store_->find(id); });
        if (!stored)
            throw notFound(id);
        return *stored;
    }

    MessageBatchPage list(const ListParams &params)
    {
        if (params.limit < 1 || params.limit > 1000)
            throw ServiceError(error_type::kInvalidRequest,
                               fmt::format("limit must be between 1 and 1000, not {}", params.limit));
        if (!params.beforeId.empty() && !params.afterId.empty())
            throw ServiceError(error_type::kInvalidRequest, "give before_id or after_id, not both");
        const bool newer = !params.beforeId.empty();
        std::int64_t around = 0;
        if (newer)
            around = find(params.beforeId).key;
        else if (!params.afterId.empty())
            around = find(params.afterId).key;
        const auto limit = static_cast<std::size_t>(params.limit);
        auto rows = guarded([&] { return store_->page(around, newer, limit + 1); });
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

    MessageBatch cancel(const std::string &id)
    {
        const auto stored = find(id);
        if (stored.batch.processingStatus == ProcessingStatus::InProgress) {
            guarded([&] { return store_->setCanceling(stored.key, options_.clock()); });
            std::lock_guard lock(mutex_);
            if (auto *a = active(stored.key))
                a->canceling = true;
        }
        workAvailable_.notify_all();
        return find(id).batch;
    }

    json remove(const std::string &id)
    {
        const auto stored = find(id);
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

    ResultStream results(const std::string &id) { return ResultStream(store_, find(id).key); }

    MessageBatch wait(const std::string &id, const std::function<void(const MessageBatch &)> &onProgress)
    {
        std::optional<RequestCounts> reported;
        for (;;) {
            auto batch = find(id).batch;
            const auto &c = batch.requestCounts;
            const bool changed = !reported || reported->processing != c.processing ||
                                 reported->succeeded != c.succeeded || reported->errored != c.errored ||
                                 reported->canceled != c.canceled || reported->expired != c.expired;
            if (changed && onProgress)
                onProgress(batch);
            reported = c;
            if (batch.processingStatus == ProcessingStatus::Ended)
                return batch;
            std::unique_lock lock(mutex_);
            progress_.wait_for(lock, options_.pollInterval);
        }
    }

    bool isProcessing()
    {
        std::lock_guard lock(mutex_);
        return processing_;
    }

  private:
    // An unfinished batch this engine works on. Requests below nextIndex
    // have been handed to a worker (or were finished before); the others
    // are not started, which is what cancel and expiry close.
    struct Active {
        std::int64_t key;
        std::string id;
        std::int64_t requestCount;
        std::int64_t nextIndex;
        DateTime expiresAt;
        bool canceling;
        int inFlight = 0;
        bool ended = false;
    };

    struct Chunk {
        std::int64_t key;
        std::int64_t from;
        std::int64_t to;
    };

    // The sessions one worker uses, opened on its first chunk.
    struct Sessions {
        std::unique_ptr<messaging::batch::MessageBatchAdminSession> admin;
        std::unique_ptr<messaging::MessageLookupSession> lookup;
    };

    // Called with mutex_ held.
    void tryTakeLock()
    {
        if (processing_)
            return;
        if (options_.storePath == ":memory:") {
            processing_ = true;
            return;
        }
        if (lockFd_ < 0)
            lockFd_ = ::open((options_.storePath + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        processing_ = lockFd_ >= 0 && ::flock(lockFd_, LOCK_EX | LOCK_NB) == 0;
    }

    Active *active(std::int64_t key)
    {
        for (auto &a : active_)
            if (a.key == key)
                return &a;
        return nullptr;
    }

    void track(std::int64_t key, const std::string &id, std::int64_t requestCount, std::int64_t nextIndex,
               DateTime expiresAt, bool canceling)
    {
        if (active(key) == nullptr)
            active_.push_back(Active{key, id, requestCount, nextIndex, expiresAt, canceling});
    }

    // Picks up batches created, canceled or left unfinished by others.
    // Called with mutex_ held.
    void refresh()
    {
        lastRefresh_ = std::chrono::steady_clock::now();
        for (const auto &stored : store_->unfinished()) {
            const bool canceling = stored.batch.processingStatus == ProcessingStatus::Canceling;
            if (auto *a = active(stored.key)) {
                a->canceling = a->canceling || canceling;
                continue;
            }
            const auto count = static_cast<std::int64_t>(stored.requestCount);
            track(stored.key, stored.batch.id, count, store_->firstPending(stored.key, count), stored.batch.expiresAt,
                  canceling);
        }
    }

    // The next chunk, taking batches in turn; closes canceled and expired
    // batches and ends those with nothing left on the way. Called with
    // mutex_ held.
    std::optional<Chunk> claim()
    {
        const auto now = options_.clock();
        std::optional<Chunk> chunk;
        for (std::size_t k = 0; k < active_.size() && !chunk; ++k) {
            auto &a = active_[(cursor_ + k) % active_.size()];
            if (a.nextIndex < a.requestCount && (a.canceling || now >= a.expiresAt)) {
                store_->closePending(a.key, a.nextIndex, a.canceling ? RequestState::Canceled : RequestState::Expired);
                a.nextIndex = a.requestCount;
            }
            if (a.nextIndex < a.requestCount) {
                const auto to = std::min(a.requestCount, a.nextIndex + static_cast<std::int64_t>(options_.chunkSize));
                chunk = Chunk{a.key, a.nextIndex, to};
                a.nextIndex = to;
                ++a.inFlight;
                cursor_ = (cursor_ + k + 1) % active_.size();
            } else {
                endIfDone(a);
            }
        }
        std::erase_if(active_, [](const Active &a) { return a.ended; });
        return chunk;
    }

    void endIfDone(Active &a)
    {
        if (a.ended || a.inFlight > 0 || a.nextIndex < a.requestCount)
            return;
        store_->setEnded(a.key, options_.clock());
        a.ended = true;
        progress_.notify_all();
    }

    void work()
    {
        Sessions sessions;
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            std::optional<Chunk> chunk;
            try {
                tryTakeLock();
                if (processing_ && std::chrono::steady_clock::now() - lastRefresh_ >= options_.pollInterval)
                    refresh();
                if (processing_)
                    chunk = claim();
            } catch (const std::exception &) {
                // The store failed (disk full, locked too long): try again
                // after the poll interval; nothing was lost.
            }
            if (!chunk) {
                workAvailable_.wait_for(lock, options_.pollInterval);
                continue;
            }
            lock.unlock();
            bool saved = true;
            try {
                process(*chunk, sessions);
            } catch (const std::exception &) {
                saved = false;
            }
            lock.lock();
            auto *a = active(chunk->key);
            if (a == nullptr)
                continue;
            --a->inFlight;
            if (!saved) {
                // The results could not be saved: the chunk's requests are
                // still pending, so hand them out again, after a pause.
                a->nextIndex = std::min(a->nextIndex, chunk->from);
                workAvailable_.wait_for(lock, options_.pollInterval);
                continue;
            }
            try {
                endIfDone(*a);
            } catch (const std::exception &) {
                // Ended on a later pass through claim().
            }
            progress_.notify_all();
        }
    }

    // Creates the chunk's messages and saves their results. Throws only
    // when the results cannot be saved.
    void process(const Chunk &chunk, Sessions &sessions)
    {
        const auto requests = store_->pending(chunk.key, chunk.from, chunk.to);
        if (requests.empty())
            return;
        std::vector<FinishedRequest> finished;
        finished.reserve(requests.size());
        try {
            createMessages(requests, sessions, finished);
        } catch (const std::exception &e) {
            // The provider failed the whole call: every request not yet
            // finished fails with it.
            std::vector<bool> done(requests.size());
            for (const auto &f : finished)
                done[static_cast<std::size_t>(f.index - requests.front().index)] = true;
            for (std::size_t i = 0; i < requests.size(); ++i)
                if (!done[i])
                    finished.push_back({requests[i].index, RequestState::Errored,
                                        errorJson(error_type::kApi, fmt::format("the provider failed: {}", e.what()))});
        }
        store_->finish(chunk.key, finished);
    }

    void createMessages(const std::vector<PendingRequest> &requests, Sessions &sessions,
                        std::vector<FinishedRequest> &finished)
    {
        if (!sessions.admin) {
            sessions.admin = manager_->getMessagingBatchManager()->getMessageBatchAdminSession();
            sessions.lookup = manager_->getMessageLookupSession();
        }
        const auto fail = [&](const PendingRequest &r, const char *type, const std::string &message) {
            finished.push_back({r.index, RequestState::Errored, errorJson(type, message)});
        };
        // Forms are asked for per set of record types: at most two here.
        std::map<std::vector<Type>, std::vector<std::pair<const PendingRequest *, json>>> byTypes;
        for (const auto &r : requests) {
            auto params = json::parse(r.params, nullptr, false);
            try {
                auto types = messageRecordTypes(params, "params");
                byTypes[types].emplace_back(&r, std::move(params));
            } catch (const JsonShapeError &e) {
                fail(r, error_type::kInvalidRequest, e.what());
            }
        }
        std::vector<std::shared_ptr<messaging::batch::MessageBatchForm>> forms;
        std::unordered_map<Id, const PendingRequest *> byForm;
        for (auto &[types, group] : byTypes) {
            auto fresh = sessions.admin->getMessageFormsForCreate(group.size(), types);
            for (auto &[request, params] : group) {
                auto form = fresh->getNextMessageBatchForm();
                try {
                    fillMessageForm(*form, params, "params");
                } catch (const JsonShapeError &e) {
                    fail(*request, error_type::kInvalidRequest, e.what());
                    continue;
                }
                byForm.emplace(form->getId(), request);
                forms.push_back(std::move(form));
            }
        }
        if (forms.empty())
            return;
        VectorList<messaging::batch::MessageBatchFormList> formList(forms);
        auto responses = sessions.admin->createMessages(formList);
        std::vector<Id> createdIds;
        std::unordered_map<Id, const PendingRequest *> byCreated;
        for (const auto &response : *responses) {
            const auto *request = byForm.at(response.getFormId());
            if (!response.isSuccessful()) {
                fail(*request, errorTypeOf(response.getErrorCode()), response.getErrorMessage().getText());
                continue;
            }
            createdIds.push_back(response.getCreatedId());
            byCreated.emplace(response.getCreatedId(), request);
        }
        if (createdIds.empty())
            return;
        // Read the messages back, so each result holds what was stored.
        VectorList<IdList> idList(createdIds);
        auto messages = sessions.lookup->getMessagesByIds(idList);
        for (const auto &message : *messages) {
            const auto found = byCreated.find(message->getId());
            if (found == byCreated.end())
                continue;
            finished.push_back({found->second->index, RequestState::Succeeded, messageToJson(*message).dump()});
            byCreated.erase(found);
        }
        for (const auto &[id, request] : byCreated)
            fail(*request, error_type::kApi,
                 fmt::format("message {} was created but could not be read back", id.toString()));
    }

    std::shared_ptr<messaging::MessagingManager> manager_;
    MessageBatchOptions options_;
    std::shared_ptr<BatchStore> store_;

    std::mutex mutex_;
    std::condition_variable workAvailable_; // a chunk may be ready, or stopping_
    std::condition_variable progress_;      // a batch's counts or status changed
    bool stopping_ = false;
    bool processing_ = false; // this engine holds the processing lock
    int lockFd_ = -1;
    std::vector<Active> active_;
    std::size_t cursor_ = 0;
    std::chrono::steady_clock::time_point lastRefresh_{};
    std::vector<std::thread> workers_;
};

MessageBatchService::MessageBatchService(std::shared_ptr<messaging::MessagingManager> manager,
                                         MessageBatchOptions options)
    : engine_(std::make_unique<Engine>(std::move(manager), std::move(options)))
{
}

MessageBatchService::~MessageBatchService() = default;

MessageBatch MessageBatchService::create(const std::vector<MessageBatchRequest> &requests)
{
    return engine_->create(requests);
}

MessageBatch MessageBatchService::retrieve(const std::string &id) { return engine_->find(id).batch; }

MessageBatchPage MessageBatchService::list(const ListParams &params) { return engine_->list(params); }

MessageBatch MessageBatchService::cancel(const std::string &id) { return engine_->cancel(id); }

json MessageBatchService::remove(const std::string &id) { return engine_->remove(id); }

ResultStream MessageBatchService::results(const std::string &id) { return engine_->results(id); }

MessageBatch MessageBatchService::wait(const std::string &id,
                                       const std::function<void(const MessageBatch &)> &onProgress)
{
    return engine_->wait(id, onProgress);
}

bool MessageBatchService::isProcessing() const { return engine_->isProcessing(); }

} // namespace osid::service
