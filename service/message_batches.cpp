#include "service/message_batches.h"

#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/message_lookup_session.h"
#include "osid/id_list.h"
#include "osid/vector_list.h"
#include "transaction/transaction.h"
#include "service/batch_store.h"
#include "service/osid_json.h"
#include "service/service_log.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <istream>
#include <limits>
#include <map>
#include <random>
#include <thread>
#include <unordered_map>

namespace osid::service {

using nlohmann::json;

const char *statusName(ProcessingStatus status) noexcept
{
    switch (status) {
    case ProcessingStatus::InProgress: return "in_progress";
    case ProcessingStatus::Canceling: return "canceling";
    case ProcessingStatus::Ended: return "ended";
    }
    return "unknown";
}

const char *resultTypeName(ResultType type) noexcept
{
    switch (type) {
    case ResultType::Succeeded: return "succeeded";
    case ResultType::Errored: return "errored";
    case ResultType::Canceled: return "canceled";
    case ResultType::Expired: return "expired";
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
template <typename Body>
auto guarded(Body &&body)
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

// The problem of the custom_id of the request at `index`, if any; `seen`
// holds the custom_ids before it, with their indexes.
std::optional<EnvelopeProblem> customIdProblem(const std::string &id, std::size_t index,
                                               std::unordered_map<std::string, std::size_t> &seen)
{
    if (!isValidCustomId(id))
        return EnvelopeProblem{index, "",
                               fmt::format("custom_id \"{}\" does not match ^[a-zA-Z0-9_-]{{1,64}}$",
                                           id.size() > 80 ? id.substr(0, 80) + "..." : id)};
    auto [first, inserted] = seen.emplace(id, index);
    if (!inserted)
        return EnvelopeProblem{index, id, fmt::format("custom_id is not unique (also request {})", first->second)};
    return std::nullopt;
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
        if (auto problem = customIdProblem(id, i, seen)) {
            problems.push_back(std::move(*problem));
            continue;
        }
        if (nestedDeeperThan(requests[i].params))
            problems.push_back(
                {i, id, fmt::format("params nests objects and arrays more than {} levels deep", kMaxJsonDepth)});
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

// The request on one line of a batch file (index: the line's, from 0);
// nullopt for a blank line, and (with a problem) for a bad one.
std::optional<MessageBatchRequest> requestFromLine(const std::string &line, std::size_t index,
                                                   std::vector<EnvelopeProblem> &problems)
{
    if (line.find_first_not_of(" \t\r") == std::string::npos)
        return std::nullopt;
    auto item = json::parse(line, nullptr, false);
    if (item.is_discarded()) {
        problems.push_back({index, "", fmt::format("line {} is not valid JSON", index + 1)});
        return std::nullopt;
    }
    if (nestedDeeperThan(item)) {
        problems.push_back(
            {index, "",
             fmt::format("line {} nests objects and arrays more than {} levels deep", index + 1, kMaxJsonDepth)});
        return std::nullopt;
    }
    return requestFromJson(item, index, problems);
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

// A request's idempotency key: an alias Id the provider keeps with its
// message, batch-request:<batch id>/<custom_id>@<store authority>. custom_id
// is checked to [a-zA-Z0-9_-] and the batch id is msgbatch_<hex>, so the
// identifier needs no escaping; Id's text form escapes the rest.
Id requestAlias(const std::string &authority, const std::string &batchId, const std::string &customId)
{
    return Id(authority, "batch-request", batchId + "/" + customId);
}

// A store write that failed storeWriteAttempts times in a row: this service
// stops processing (MessageBatchService::wait says why).
struct StoreGaveUp : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The byte of PATH.lock whose lock is the processing lock of `provider`'s
// batches: one byte per provider (FNV-1a of its name), so workers with
// different providers work on one store side by side.
off_t lockOffset(const std::string &provider)
{
    std::uint64_t hash = 14695981039346656037ull;
    for (const unsigned char c : provider) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return static_cast<off_t>(hash % (1ull << 30));
}

// Takes the lock of one byte of `fd` without waiting; an open file
// description's lock (F_OFD_SETLK), so two services of one process exclude
// each other too. Closing the descriptor releases it.
bool lockByte(int fd, off_t offset)
{
    struct flock range {};
    range.l_type = F_WRLCK;
    range.l_whence = SEEK_SET;
    range.l_start = offset;
    range.l_len = 1;
    return ::fcntl(fd, F_OFD_SETLK, &range) == 0;
}

// Why a filled form is not valid: every problem the form reports, each
// with the field of params it concerns ("params.sent_time: the sent time is
// required; params.sender: ..."), from the element Ids of its invalid
// Metadata (sentTime -> sent_time).
std::string invalidFormMessage(const messaging::MessageForm &form)
{
    const auto messages = form.getValidationMessages();
    const auto elements = form.getInvalidMetadata();
    std::string out;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        std::string path = "params";
        if (i < elements.size() && !elements[i].getElementId().isNull()) {
            path += '.';
            for (const char c : elements[i].getElementId().getIdentifier()) {
                if (c >= 'A' && c <= 'Z') {
                    path += '_';
                    path += static_cast<char>(c - 'A' + 'a');
                } else {
                    path += c;
                }
            }
        }
        out += fmt::format("{}{}: {}", out.empty() ? "" : "; ", path, messages[i].getText());
    }
    return out.empty() ? "params: the message is not valid" : out;
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
        // The API's ErrorResponse, nested as its SDKs' types expect.
        result["error"] = {{"type", "error"}, {"error", {{"type", errorType}, {"message", errorMessage}}}};
    return json{{"custom_id", customId}, {"result", std::move(result)}};
}

std::vector<MessageBatchRequest> readRequestsJsonLines(std::istream &in, std::vector<std::size_t> *lineNumbers)
{
    std::vector<MessageBatchRequest> requests;
    std::vector<EnvelopeProblem> problems;
    std::string line;
    std::size_t index = 0;
    for (; std::getline(in, line); ++index) {
        if (auto request = requestFromLine(line, index, problems)) {
            requests.push_back(std::move(*request));
            if (lineNumbers)
                lineNumbers->push_back(index + 1);
        }
    }
    if (in.bad())
        throw ServiceError(error_type::kInvalidRequest,
                           fmt::format("the batch file could not be read after line {}", index));
    if (!problems.empty())
        throw envelopeError(std::move(problems));
    return requests;
}

std::vector<MessageBatchRequest> requestsFromJson(const json &body)
{
    if (nestedDeeperThan(body))
        throw ServiceError(error_type::kInvalidRequest,
                           fmt::format("the body nests objects and arrays more than {} levels deep", kMaxJsonDepth));
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

ResultStream::ResultStream(std::shared_ptr<BatchStore> store, std::int64_t batchKey, std::string batchId)
    : store_(std::move(store)), batchKey_(batchKey), batchId_(std::move(batchId))
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
        // Checked after the page was read: a delete (one transaction) that
        // came before the read is seen here.
        if (!guarded([&] { return store_->exists(batchKey_); }))
            throw ServiceError(error_type::kNotFound,
                               fmt::format("message batch {} was deleted while its results were read; they stop "
                                           "after {} result{}",
                                           batchId_, read_, read_ == 1 ? "" : "s"));
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
    ++read_;
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
        if (options_.workers == 0 || options_.chunkSize == 0 || options_.storeWriteAttempts == 0)
            throw ServiceError(error_type::kInvalidRequest,
                               "workers, chunkSize and storeWriteAttempts must be at least 1");
        provider_ = options_.provider.empty() ? manager_->getId().toString() : options_.provider;
        try {
            store_ = std::make_shared<BatchStore>(options_.storePath, options_.readOnly);
        } catch (const OsidException &e) {
            throw ServiceError(error_type::kApi,
                               fmt::format("cannot open the batch store {}: {}", options_.storePath, e.what()));
        }
        store_->setWriteHook(options_.storeWriteHook);
        if (options_.process && !options_.readOnly) {
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
        auto batch = newBatch();
        const auto key = guarded([&] { return store_->insert(batch, requests, provider_); });
        return created(std::move(batch), key, requests.size());
    }

    MessageBatch create(std::istream &in)
    {
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
                else if (nestedDeeperThan(request->params))
                    problems.push_back(
                        {at, request->customId,
                         fmt::format("params nests objects and arrays more than {} levels deep", kMaxJsonDepth)});
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
        auto batch = newBatch();
        const auto [key, saved] = guarded([&] { return store_->insertStreaming(batch, provider_, next); });
        batch.requestCounts.processing = saved;
        return created(std::move(batch), key, saved);
    }

    // A batch as created now, without requests yet.
    MessageBatch newBatch()
    {
        MessageBatch batch;
        batch.createdAt = options_.clock();
        batch.expiresAt = DateTime::fromMicroseconds(batch.createdAt.toMicroseconds() + options_.expiresAfter.count());
        batch.id = newBatchId(batch.createdAt);
        return batch;
    }

    // Hands a batch just saved to the workers.
    MessageBatch created(MessageBatch batch, std::int64_t key, std::uint64_t requestCount)
    {
        batch.requestCounts.processing = requestCount;
        {
            std::lock_guard lock(mutex_);
            if (processing_)
                track(key, batch.id, static_cast<std::int64_t>(requestCount), 0, 0, batch.expiresAt, false);
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
        if (stored.batch.processingStatus != ProcessingStatus::Ended && !isProcessing())
            guarded([&] { endCanceledHere(stored); });
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

    ResultStream results(const std::string &id, bool finishedSoFar)
    {
        const auto stored = find(id);
        if (stored.batch.processingStatus != ProcessingStatus::Ended && !finishedSoFar)
            throw ServiceError(error_type::kInvalidRequest,
                               fmt::format("message batch {} is {}: its results are not all there yet; wait for it "
                                           "to end, or ask for the requests finished so far",
                                           id, statusName(stored.batch.processingStatus)));
        return ResultStream(store_, stored.key, id);
    }

    MessageBatch wait(const std::string &id, const std::function<void(const MessageBatch &)> &onProgress)
    {
        std::optional<RequestCounts> reported;
        auto reportedStatus = ProcessingStatus::InProgress;
        for (;;) {
            const auto stored = find(id);
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
            std::unique_lock lock(mutex_);
            if (failure_)
                throw ServiceError(error_type::kApi,
                                   fmt::format("message batch {} stopped: {}; it stays {} and resumes with the next "
                                               "process once the store can be written",
                                               id, *failure_, statusName(batch.processingStatus)));
            progress_.wait_for(lock, options_.pollInterval);
        }
    }

    bool isProcessing()
    {
        std::lock_guard lock(mutex_);
        return processing_;
    }

    const std::string &provider() const noexcept { return provider_; }

private:
    // An unfinished batch this engine works on. Requests below nextIndex
    // have been handed to a worker (or were finished before); the others
    // are not started, which is what cancel and expiry close. Pending
    // requests below `attempted` may have been sent to the provider by a
    // process that stopped before saving their results.
    struct Active {
        std::int64_t key;
        std::string id;
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
        std::int64_t from;
        std::int64_t to;
        bool recover;
        bool create;
        bool mark; // record `to` as attempted before the provider is called
        RequestState closeAs = RequestState::Canceled;
    };

    // The sessions one worker uses, opened on its first chunk.
    struct Sessions {
        std::unique_ptr<messaging::batch::MessageBatchAdminSession> admin;
        std::unique_ptr<messaging::MessageLookupSession> lookup;
        bool transactions = false;
    };

    // Runs a store call, again after a pause (doubling from
    // storeRetryDelay) when it fails, up to storeWriteAttempts times; then
    // throws StoreGaveUp.
    template <typename Call>
    auto retrying(const char *what, Call &&call)
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

    // Stops this engine's processing for good. Called with mutex_ held.
    // Stops processing: wait() then says `why`; the log also says where.
    void fail(const std::string &why, const std::string &where = {})
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
        processing_ = lockFd_ >= 0 && lockByte(lockFd_, lockOffset(provider_));
    }

    // Ends a canceled batch when nobody processes its provider's batches:
    // closes its unstarted requests here. Requests a stopped process may
    // have sent to the provider are left pending (the batch stays
    // canceling) unless this service has that provider and can look them
    // up.
    void endCanceledHere(const StoredBatch &stored)
    {
        if (options_.readOnly || options_.storePath == ":memory:")
            return;
        const auto provider = stored.provider.empty() ? provider_ : stored.provider;
        const int fd = ::open((options_.storePath + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return;
        struct Closer {
            int fd;
            ~Closer() { ::close(fd); }
        } closer{fd};
        if (!lockByte(fd, lockOffset(provider)))
            return; // a worker of that provider ends it
        const auto count = static_cast<std::int64_t>(stored.requestCount);
        const auto first = store_->firstPending(stored.key, count);
        if (first < stored.attempted) {
            if (provider != provider_)
                return;
            Sessions sessions;
            for (auto from = first; from < stored.attempted; from += static_cast<std::int64_t>(options_.chunkSize))
                process(Chunk{stored.key, stored.batch.id, from,
                              std::min(stored.attempted, from + static_cast<std::int64_t>(options_.chunkSize)), true,
                              false, false, RequestState::Canceled},
                        sessions);
        }
        store_->closePending(stored.key, 0, RequestState::Canceled);
        store_->setEnded(stored.key, options_.clock());
    }

    Active *active(std::int64_t key)
    {
        for (auto &a : active_)
            if (a.key == key)
                return &a;
        return nullptr;
    }

    void track(std::int64_t key, const std::string &id, std::int64_t requestCount, std::int64_t nextIndex,
               std::int64_t attempted, DateTime expiresAt, bool canceling)
    {
        if (active(key) == nullptr)
            active_.push_back(Active{key, id, requestCount, nextIndex, attempted, expiresAt, canceling});
    }

    // Picks up the batches of this engine's provider created, canceled or
    // left unfinished by others; binds those of no provider to it. Called
    // with mutex_ held.
    void refresh()
    {
        for (const auto &stored : store_->unfinished()) {
            const bool canceling = stored.batch.processingStatus == ProcessingStatus::Canceling;
            if (auto *a = active(stored.key)) {
                a->canceling = a->canceling || canceling;
                continue;
            }
            if (stored.provider != provider_ &&
                (!stored.provider.empty() || !store_->bindProvider(stored.key, provider_)))
                continue; // another provider's batch: left to its workers
            const auto count = static_cast<std::int64_t>(stored.requestCount);
            track(stored.key, stored.batch.id, count, store_->firstPending(stored.key, count), stored.attempted,
                  stored.batch.expiresAt, canceling);
        }
        lastRefresh_ = std::chrono::steady_clock::now();
    }

    // The next chunk, taking batches in turn; closes canceled and expired
    // batches and ends those with nothing left on the way. Called with
    // mutex_ held.
    std::optional<Chunk> claim()
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
                chunk =
                    Chunk{a.key, a.id, a.nextIndex, to, a.nextIndex<a.attempted, !closing, to> a.attempted, closeAs};
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

    void endIfDone(Active &a)
    {
        if (a.ended || a.inFlight > 0 || a.nextIndex < a.requestCount)
            return;
        retrying("ending the batch", [&] { store_->setEnded(a.key, options_.clock()); });
        a.ended = true;
        progress_.notify_all();
    }

    void work()
    {
        Sessions sessions;
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
    void process(const Chunk &chunk, Sessions &sessions)
    {
        const auto requests =
            retrying("reading the chunk's requests", [&] { return store_->pending(chunk.key, chunk.from, chunk.to); });
        if (requests.empty())
            return;
        std::vector<FinishedRequest> finished;
        finished.reserve(requests.size());
        try {
            openSessions(sessions);
            std::vector<const PendingRequest *> missing;
            if (chunk.recover)
                recover(chunk, requests, sessions, finished, missing);
            else
                for (const auto &r : requests)
                    missing.push_back(&r);
            if (!chunk.create) {
                for (const auto *r : missing)
                    finished.push_back({r->index, chunk.closeAs, ""});
            } else if (!missing.empty()) {
                if (chunk.mark)
                    retrying("marking the chunk started", [&] { store_->markAttempted(chunk.key, chunk.to); });
                createMessages(chunk, missing, sessions, finished);
            }
        } catch (const StoreGaveUp &) {
            throw;
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
        retrying("saving the chunk's results", [&] { store_->finish(chunk.key, finished); });
    }

    void openSessions(Sessions &sessions)
    {
        if (sessions.admin)
            return;
        sessions.admin = manager_->getMessagingBatchManager()->getMessageBatchAdminSession();
        sessions.lookup = manager_->getMessageLookupSession();
        sessions.transactions = sessions.admin->supportsTransactions();
    }

    // Looks up each request's idempotency key: a message found is the
    // request's (created by a process that stopped before saving the
    // result); the others go to `missing`.
    void recover(const Chunk &chunk, const std::vector<PendingRequest> &requests, Sessions &sessions,
                 std::vector<FinishedRequest> &finished, std::vector<const PendingRequest *> &missing)
    {
        for (const auto &r : requests) {
            std::shared_ptr<messaging::Message> message;
            try {
                message = sessions.lookup->getMessage(requestAlias(store_->authority(), chunk.batchId, r.customId));
            } catch (const NotFound &) {
                missing.push_back(&r);
                continue;
            }
            finished.push_back({r.index, RequestState::Succeeded, messageToJson(*message).dump()});
        }
    }

    // Creates the messages of `requests`, each with its idempotency key: in
    // one provider transaction where the provider has them (the keys and
    // the messages exist together or not at all), else right after.
    void createMessages(const Chunk &chunk, const std::vector<const PendingRequest *> &requests, Sessions &sessions,
                        std::vector<FinishedRequest> &finished)
    {
        const auto fail = [&](const PendingRequest &r, const char *type, const std::string &message) {
            finished.push_back({r.index, RequestState::Errored, errorJson(type, message)});
        };
        // Forms are asked for per set of record types: at most two here.
        std::map<std::vector<Type>, std::vector<std::pair<const PendingRequest *, json>>> byTypes;
        for (const auto *r : requests) {
            auto params = json::parse(r->params, nullptr, false);
            try {
                auto types = messageRecordTypes(params, "params");
                byTypes[types].emplace_back(r, std::move(params));
            } catch (const JsonShapeError &e) {
                fail(*r, error_type::kInvalidRequest, e.what());
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
                if (!form->isValid()) {
                    // Said here, with every problem and its field, rather
                    // than by the provider's create response.
                    fail(*request, error_type::kInvalidRequest, invalidFormMessage(*form));
                    continue;
                }
                byForm.emplace(form->getId(), request);
                forms.push_back(std::move(form));
            }
        }
        if (forms.empty())
            return;
        std::unique_ptr<transaction::Transaction> transaction;
        if (sessions.transactions)
            transaction = sessions.admin->startTransaction();
        VectorList<messaging::batch::MessageBatchFormList> formList(forms);
        auto responses = sessions.admin->createMessages(formList);
        std::vector<Id> createdIds;
        std::vector<transaction::batch::AliasRequest> keys;
        std::unordered_map<Id, const PendingRequest *> byCreated;
        for (const auto &response : *responses) {
            const auto *request = byForm.at(response.getFormId());
            if (!response.isSuccessful()) {
                fail(*request, errorTypeOf(response.getErrorCode()), response.getErrorMessage().getText());
                continue;
            }
            createdIds.push_back(response.getCreatedId());
            keys.emplace_back(response.getCreatedId(),
                              requestAlias(store_->authority(), chunk.batchId, request->customId));
            byCreated.emplace(response.getCreatedId(), request);
        }
        if (!keys.empty()) {
            VectorList<transaction::batch::AliasRequestList> keyList(std::move(keys));
            auto keyed = sessions.admin->aliasMessages(keyList);
            for (const auto &response : *keyed)
                if (!response.isSuccessful() && transaction)
                    throw OperationFailed(fmt::format("cannot add the idempotency key {}: {}",
                                                      response.getAliasId().toString(),
                                                      response.getErrorMessage().getText()));
        }
        if (transaction)
            transaction->commit();
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
    std::string provider_;
    std::shared_ptr<BatchStore> store_;

    std::mutex mutex_;
    std::condition_variable workAvailable_; // a chunk may be ready, or stopping_
    std::condition_variable progress_;      // a batch's counts or status changed
    bool stopping_ = false;
    std::optional<std::string> failure_; // why processing stopped for good
    bool processing_ = false;            // this engine holds the processing lock
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

MessageBatch MessageBatchService::create(std::istream &jsonLines) { return engine_->create(jsonLines); }

MessageBatch MessageBatchService::retrieve(const std::string &id) { return engine_->find(id).batch; }

MessageBatchPage MessageBatchService::list(const ListParams &params) { return engine_->list(params); }

MessageBatch MessageBatchService::cancel(const std::string &id) { return engine_->cancel(id); }

json MessageBatchService::remove(const std::string &id) { return engine_->remove(id); }

ResultStream MessageBatchService::results(const std::string &id, bool finishedSoFar)
{
    return engine_->results(id, finishedSoFar);
}

MessageBatch MessageBatchService::wait(const std::string &id,
                                       const std::function<void(const MessageBatch &)> &onProgress)
{
    return engine_->wait(id, onProgress);
}

bool MessageBatchService::isProcessing() const { return engine_->isProcessing(); }

const std::string &MessageBatchService::provider() const { return engine_->provider(); }

} // namespace osid::service
