// osid::service::MessageBatchService: asynchronous message batches over any
// provider, in the shape of the Message Batches API (seeds 000 and 001).
//
// A batch is a list of requests, each {custom_id, params}, where params
// describe one message (service/osid_json.h). create() checks the envelope,
// saves the batch and returns at once; worker threads then create the
// messages through the provider's MessageBatchAdminSession, a chunk at a
// time, taking chunks from the open batches in turn so that several batches
// share the workers fairly. Every request ends as exactly one of
//   succeeded  the message was created; the result carries it
//   errored    its params were refused (invalid_request_error) or the
//              provider failed (api_error); the result says why
//   canceled   the batch was canceled before the request was started
//   expired    expires_at passed before the request was started
// and results() streams them as JSON lines keyed by custom_id. A batch
// created with a callback URL is POSTed, signed, to it when it ends
// (completed, canceled or expired): a delivery kept in the store, tried by
// the workers with a pause that grows, each try recorded, until a 2xx
// answer or options.callback.attempts tries; it survives a restart.
//
// Lifecycle: in_progress -> ended, or in_progress -> canceling -> ended.
// request_counts are live while the batch runs.
//
// Persistence: batches, requests and results live in a SQLite file or a
// PostgreSQL database (options.storePath), so they outlive the process. Each request has an
// idempotency key, the alias Id batch-request:<batch id>/<custom_id>@<store
// authority>, which the provider keeps with the message: in the same
// provider transaction as the create where the provider has transactions,
// right after it otherwise. A chunk's results are saved in one store
// transaction after its messages were created; a chunk that a stopped
// process left unsaved is run again by looking its keys up first, so it
// makes no second message (on a provider without transactions, at most the
// chunk a crash cut between create and key). A batch is processed only by a
// service of the provider it was created for (options.provider). On a
// SQLite file, per provider, whichever MessageBatchService with `process`
// set first holds the processing lock (a byte of PATH.lock) runs the
// workers; the others read and change batch state and wait for it, and take
// over when that process goes away. On PostgreSQL every service with
// `process` set runs workers, which share the chunks of the provider's
// batches through claims under a lease (options.lease; batch_workers.h). A store write that keeps failing stops processing after
// options.storeWriteAttempts tries, and wait() says so.
//
// Workspaces: a batch belongs to one workspace, a mailbox of the provider,
// in which its messages are created. The service's own calls see every
// workspace's batches and create in the default one (the provider's
// default mailbox); workspace(mailboxId) gives the calls of one workspace,
// which create there and see only its batches (another's is not_found, as
// if it were not there). The HTTP server gives each API key's client its
// key's workspace.
//
// Thread-safety: every method may be called from any thread.
//
// Example:
//   MessageBatchService batches(manager, {.storePath = "batches.db"});
//   auto batch = batches.create({{"first", {{"subject", "Hello"}, {"text", "..."}}}});
//   batches.wait(batch.id);
//   auto results = batches.results(batch.id);
//   for (MessageBatchResult r; results.next(r);)
//       std::cout << r.toJsonLine() << '\n';

#pragma once

#include "messaging/messaging_manager.h"
#include "osid/datetime.h"
#include "service/service_error.h"
#include "service/webhook_delivery.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace osid::service {

enum class ProcessingStatus { InProgress, Canceling, Ended };

// "in_progress", "canceling", "ended".
const char *statusName(ProcessingStatus status) noexcept;

struct RequestCounts {
    std::uint64_t processing = 0;
    std::uint64_t succeeded = 0;
    std::uint64_t errored = 0;
    std::uint64_t canceled = 0;
    std::uint64_t expired = 0;
};

struct MessageBatch {
    std::string id;
    ProcessingStatus processingStatus = ProcessingStatus::InProgress;
    RequestCounts requestCounts;
    DateTime createdAt;
    DateTime expiresAt;
    std::optional<DateTime> endedAt;
    std::optional<DateTime> cancelInitiatedAt;
    std::optional<DateTime> archivedAt;
    // The batch this one retries (MessageBatchService::retry).
    std::optional<std::string> parentBatchId;
    // The workspace the batch belongs to: the text of the Id of the mailbox
    // its messages are created in; empty for the default workspace (the
    // provider's default mailbox). See MessageBatchService::workspace.
    std::string workspace;
    // Where the batch is POSTed when it ends (CreateOptions::callbackUrl).
    std::optional<std::string> callbackUrl;

    // Why an ended batch ended: "canceled" (a cancel came), "expired" (some
    // requests expired), else "completed"; nullptr while it runs.
    const char *endReason() const noexcept;

    // The Message Batches object: {"id", "type": "message_batch",
    // "processing_status", "request_counts", "created_at", "ended_at",
    // "expires_at", "cancel_initiated_at", "archived_at"}, and ours:
    // "parent_batch_id", "workspace", "callback_url", "end_reason"; absent
    // values are null.
    nlohmann::json toJson() const;
};

struct MessageBatchRequest {
    // Must match ^[a-zA-Z0-9_-]{1,64}$ and be unique within the batch.
    std::string customId;
    // One message, as service/osid_json.h describes. Checked when the
    // request is processed: a bad value makes this request errored, not
    // the batch invalid.
    nlohmann::json params;
};

// Reads a batch file: one JSON object {"custom_id", "params"} per line
// (blank lines are skipped). Every line that is not such an object is a
// problem, reported together, with index = line number - 1. With
// `lineNumbers`, it receives each request's line number (from 1).
// Errors: ServiceError (invalid_request_error).
std::vector<MessageBatchRequest> readRequestsJsonLines(std::istream &in,
                                                       std::vector<std::size_t> *lineNumbers = nullptr);

// The same from a parsed {"requests": [...]} body, as the HTTP API takes it.
std::vector<MessageBatchRequest> requestsFromJson(const nlohmann::json &body);

// What a create may say besides the requests.
struct CreateOptions {
    // Makes the create safe to repeat (after a timeout, a lost answer, a
    // crash): a create with the key of a batch that is still in the store
    // and the same requests (custom_ids and params, in order) returns that
    // batch as it is now, creating nothing; with other requests it is
    // refused (conflict_error). The key lives as long as its batch. 1 to 255
    // printable ASCII characters; empty: none. (Each member has an
    // initializer, so {.callbackUrl = ...} alone draws no warning.)
    std::string idempotencyKey{};
    // When the batch ends (completed, canceled or expired), the batch
    // object is POSTed to this URL, signed with the store's webhook secret
    // (MessageBatchService::webhookSecret). An http:// or https:// URL with
    // a host, an optional port, path and query; empty: no callback. A
    // repeated idempotent create returns the earlier batch with its own.
    std::string callbackUrl{};
    // How long after creation the batch's unstarted requests expire, from 1
    // second to 7 days; nullopt: MessageBatchOptions::expiresAfter.
    std::optional<std::chrono::seconds> expiresAfter{};
};

enum class DeliveryState { Pending, Delivered, Failed };

// "pending", "delivered", "failed".
const char *deliveryStateName(DeliveryState state) noexcept;

// One try of a callback.
struct DeliveryAttempt {
    std::int64_t round = 1; // the delivery's round: 1, then one more per redeliver
    DateTime at;            // when it was sent
    int httpStatus = 0;     // the receiver's answer; 0: none (no connection, a timeout)
    std::string error;      // empty: delivered (a 2xx answer)
};

// The callback of an ended batch: pending until delivered, or failed after
// the policy's tries; redeliver() starts a new round.
struct CallbackDelivery {
    std::string url;
    DeliveryState state = DeliveryState::Pending;
    std::int64_t round = 1; // 1, then one more per redeliver
    // The webhook-id of the current round, "BATCHID-ROUND": the same on
    // every try of a round, so a receiver can drop repeats by it.
    std::string webhookId;
    std::vector<DeliveryAttempt> attempts; // every try, oldest first

    // {"url", "state", "round", "webhook_id", "attempts": [{"round", "at",
    // "http_status" (null: none), "error" (null: delivered)}]}.
    nlohmann::json toJson() const;
};

struct ListParams {
    // Batches per page, 1 to 1000.
    std::int64_t limit = 20;
    // At most one of the two: the page of batches newer than beforeId, or
    // older than afterId. Both empty: the newest batches.
    std::string beforeId;
    std::string afterId;
    // Filters, applied before paging (so pages hold only batches that pass,
    // and hasMore says whether more that pass lie beyond): the batches with
    // this processing status; created at or after createdAfter; created
    // before createdBefore. A cursor need not pass them.
    std::optional<ProcessingStatus> status;
    std::optional<DateTime> createdAfter;
    std::optional<DateTime> createdBefore;
};

// The status of a name ("in_progress", "canceling", "ended"); nullopt for
// another.
std::optional<ProcessingStatus> processingStatusFromName(std::string_view name) noexcept;

// Sets the filters of `params` from their text, as the HTTP API's query
// (processing_status, created_after, created_before) and osid-batch's
// options give them: a status name, and RFC 3339 times. Empty text: no
// filter. Errors: ServiceError (invalid_request_error naming the field).
void setListFilters(ListParams &params, std::string_view status, std::string_view createdAfter,
                    std::string_view createdBefore);

struct MessageBatchPage {
    std::vector<MessageBatch> data; // newest first
    // Whether more batches lie beyond this page, in the direction paged:
    // newer ones for beforeId, older ones otherwise.
    bool hasMore = false;
    // The first and last id of `data`; pass firstId as beforeId for the
    // previous (newer) page, lastId as afterId for the next (older) one.
    std::optional<std::string> firstId;
    std::optional<std::string> lastId;

    // {"data": [...], "has_more", "first_id", "last_id"}.
    nlohmann::json toJson() const;
};

enum class ResultType { Succeeded, Errored, Canceled, Expired };

// "succeeded", "errored", "canceled", "expired".
const char *resultTypeName(ResultType type) noexcept;

// The type of a name; nullopt for another.
std::optional<ResultType> resultTypeFromName(std::string_view name) noexcept;

struct MessageBatchResult {
    std::string customId;
    ResultType type = ResultType::Succeeded;
    // Succeeded: the message created (service/osid_json.h messageToJson).
    nlohmann::json message;
    // Errored: an error_type value and why; whether sending the request
    // again may succeed (api_error: the provider failed) or not
    // (invalid_request_error: it was refused); and the OSID error behind
    // it, by its OSID name ("OPERATION_FAILED", "INVALID_ARGUMENT", ...).
    std::string errorType;
    std::string errorMessage;
    bool retryable = false;
    std::string osidError;

    // Read by cursor (ResultsOptions::after): where this result is in the
    // order the batch's requests finished, from 1; the cursor to resume
    // from after it. 0 otherwise, and then the line has no "position".
    std::uint64_t position = 0;

    // One results line, as the Message Batches API writes it:
    // {"custom_id", "result": {"type": "succeeded", "message": {...}}} or
    // {"type": "errored", "error": {"type": "error", "error": {"type",
    // "message", "retryable", "osid_error"}}} (the API's ErrorResponse, with
    // two fields of ours in the inner error) or {"type": "canceled"} or
    // {"type": "expired"}.
    nlohmann::json toJson() const;

    // The same as one line of text (no newline), its keys in the API's
    // order: custom_id, then result (then position, when read by cursor);
    // in result, type first; in an error, type, then message
    // (nlohmann::json would sort them).
    std::string toJsonLine() const;
};

class BatchStore;

// Which results MessageBatchService::results reads.
struct ResultsOptions {
    // Of a batch not ended yet, the requests finished so far (without it,
    // such a batch is refused).
    bool finishedSoFar = false;
    // A cursor: the results in the order their requests finished (not in
    // request order), those after position `after` (0: from the first),
    // each with its position. Allowed on a batch not ended; a consumer that
    // starts early resumes from the last position it read, and misses
    // nothing and sees nothing twice.
    std::optional<std::uint64_t> after{};
    // Only results of these types; empty: every type.
    std::vector<ResultType> types{};
};

// The finished requests of one batch, in request order (or, read by cursor,
// in the order they finished), read from the store a page at a time: memory
// stays bounded whatever the batch's size. Read after the batch has ended,
// it holds every request; before (only when asked for the finished part),
// those finished so far.
class ResultStream {
public:
    static constexpr std::size_t kPageSize = 1000;

    ResultStream(std::shared_ptr<BatchStore> store, std::int64_t batchKey, std::string batchId,
                 const ResultsOptions &options = {});
    // The merged results of a retried chain (MessageBatchService::
    // mergedResults): `chain` holds its batches' keys, newest first.
    ResultStream(std::shared_ptr<BatchStore> store, std::vector<std::int64_t> chain, std::string batchId);
    ResultStream(ResultStream &&) noexcept;
    ResultStream &operator=(ResultStream &&) noexcept;
    ~ResultStream();

    // The next result into `result`; false at the end.
    // Errors: ServiceError (not_found_error: the batch was deleted while
    //         being read, so the results stop short; api_error: the store
    //         failed).
    bool next(MessageBatchResult &result);

    // How many results are held in memory now: never more than kPageSize.
    std::size_t buffered() const noexcept { return page_.size() - position_; }

private:
    // Reads the next page when the current one is used up; false at the end.
    bool readPage();

    std::shared_ptr<BatchStore> store_;
    std::int64_t batchKey_;
    std::vector<std::int64_t> chain_; // empty: one batch's results
    std::string batchId_;
    bool byPosition_ = false; // read by cursor: afterIndex_ is a position
    std::vector<ResultType> types_;
    std::int64_t afterIndex_ = -1;
    std::uint64_t read_ = 0;
    std::vector<MessageBatchResult> page_;
    std::size_t position_ = 0;
    bool exhausted_ = false;
};

// What retry takes again.
struct RetryOptions {
    // The requests whose results are of these types; empty: those errored
    // with a retryable error (api_error), expired or canceled. Errored here
    // takes every errored request, retryable or not.
    std::vector<ResultType> types{};
};

struct MessageBatchOptions {
    // Where batches, requests and results are kept: a SQLite file, created
    // if missing; ":memory:", in memory for this object's lifetime; or a
    // PostgreSQL database, "postgresql://..." (or "postgres://...", a libpq
    // URI) or "postgres:CONNINFO" (libpq's key=value pairs), in its schema
    // osid_batch, created if missing, which services on several machines
    // share (docs/scale-out.md).
    std::string storePath = ":memory:";
    // The most requests one batch may hold.
    std::size_t maxRequests = 100'000;
    // How long after creation unstarted requests expire, unless the create
    // says (CreateOptions::expiresAfter).
    std::chrono::microseconds expiresAfter = std::chrono::hours(24);
    // How long an ended batch's results (and requests) are kept, counted
    // from its creation, as the Message Batches API does: then the reaper
    // deletes them and sets archived_at; the batch stays listable. The
    // reaper runs in the processing service every reapInterval (and at its
    // start), and when purge() is called.
    std::chrono::microseconds resultsRetention = std::chrono::hours(24 * 29);
    std::chrono::milliseconds reapInterval = std::chrono::minutes(10);
    // Worker threads, and requests per chunk (one createMessages call and
    // one store transaction each).
    std::size_t workers = 2;
    std::size_t chunkSize = 500;
    // Whether this object runs workers (when it gets the processing lock).
    // false: it only reads and changes batch state; another process works.
    bool process = true;
    // How often an idle worker looks for batches created or canceled by
    // another process, and a waiting caller re-reads the store.
    std::chrono::milliseconds pollInterval{100};
    // How long a worker's claim holds a chunk (PostgreSQL store): renewed
    // every third of it while the chunk runs; a worker that stops renewing
    // (it died, or lost the database) loses the chunk once it has run out,
    // and another worker takes it over.
    std::chrono::milliseconds lease{30'000};
    // The time; tests inject their own to test expiry.
    std::function<DateTime()> clock = [] { return DateTime::now(); };
    // The provider the manager is, as recorded on each batch created here:
    // only a service with the same string processes the batch. Empty: the
    // manager's Id. osid-batch gives its --provider, with an absolute path.
    std::string provider;
    // Opens an existing store only to read (retrieve, list, results):
    // nothing is created or changed, and a missing file is an api_error.
    bool readOnly = false;
    // How long a write waits for another process's write lock on the
    // store; past it, the call is overloaded_error (HTTP 529).
    std::chrono::milliseconds busyTimeout{10'000};
    // A store write that fails is tried again after storeRetryDelay, then
    // twice that, ..., storeWriteAttempts times in all; then processing
    // stops and wait() throws api_error. The batch stays unfinished and
    // resumes with the next service, which finds the messages already
    // created through their idempotency keys instead of creating them again.
    std::size_t storeWriteAttempts = 6;
    std::chrono::milliseconds storeRetryDelay{50};
    // Called before every write to the store with what it is ("saving the
    // chunk's results", ...); an exception it throws fails that write, as a
    // full disk would. For fault-injection tests.
    std::function<void(std::string_view)> storeWriteHook;
    // Where the workers say why they stopped (the batch and the chunk, and
    // the store's or the provider's error), one line each; empty: stderr.
    // osid-batch passes stderr; a host passes its own logger.
    std::function<void(const std::string &line)> log;
    // How the callbacks of ended batches are tried: attempts, the first
    // delay and its growth, the timeout of one try. Its secret, when set,
    // replaces the store's. A delay is counted from `clock`.
    CallbackPolicy callback;
};

// Whether `storePath` (MessageBatchOptions::storePath) names a PostgreSQL
// database rather than a SQLite file.
bool isPostgresStorePath(const std::string &storePath);
// `storePath` as messages may show it: a PostgreSQL database by its name,
// host and port, never its password.
std::string storePathForDisplay(const std::string &storePath);

class WorkspaceBatches;

class MessageBatchService {
public:
    // Opens (or creates) the store; resumes unfinished batches when it gets
    // the processing lock.
    // Errors: ServiceError (api_error: the store cannot be opened, or is
    //         not a batch store of this version).
    MessageBatchService(std::shared_ptr<messaging::MessagingManager> manager, MessageBatchOptions options = {});
    // Stops the workers after their current chunk. Unfinished batches stay
    // in the store, in_progress, and resume with the next service.
    ~MessageBatchService();

    MessageBatchService(const MessageBatchService &) = delete;
    MessageBatchService &operator=(const MessageBatchService &) = delete;

    // Saves a new batch and returns it, in_progress; with an idempotency key
    // already used, see CreateOptions. Concurrent creates with one key, in
    // any processes on one store, make one batch.
    // Errors: ServiceError (invalid_request_error listing every envelope
    //         problem: no requests, more than maxRequests, a custom_id that
    //         is malformed or not unique; or a malformed idempotency key;
    //         conflict_error: the key is a batch's with other requests;
    //         invalid_request_error: a callback URL that is not http:// or
    //         https://). Nothing is saved then.
    MessageBatch create(const std::vector<MessageBatchRequest> &requests, const CreateOptions &options = {});

    // The same from a batch file (as readRequestsJsonLines reads it), saved
    // while it is read, in one store transaction: memory stays bounded
    // whatever the file's size. Every problem of the file and of the
    // envelope is reported together, each with index = line number - 1
    // ("custom_id is not unique (also request I)" names the other line's
    // index the same way; "a batch needs at least one request" and "N
    // requests; a batch holds at most M" have the index SIZE_MAX). Nothing
    // is saved then.
    MessageBatch create(std::istream &jsonLines, const CreateOptions &options = {});

    // Creates a child batch of an ended batch: its requests whose results
    // are of options.types, with the same custom_ids and params, in request
    // order, parentBatchId set to `id` and the batch's callback URL.
    // Returns it, in_progress.
    // Errors: ServiceError (not_found_error; invalid_request_error: the
    //         batch has not ended, or has no such request).
    MessageBatch retry(const std::string &id, const RetryOptions &options = {});

    // The batch as it is now. Errors: ServiceError (not_found_error).
    MessageBatch retrieve(const std::string &id);

    // A page of batches, newest first, of those that pass the filters.
    // Errors: ServiceError (invalid_request_error: limit outside 1..1000,
    //         both beforeId and afterId, createdAfter not before
    //         createdBefore; not_found_error: an unknown cursor).
    MessageBatchPage list(const ListParams &params = {});

    // Cancels the batch: canceling until the chunks already running finish,
    // then ended, with the requests not started counted canceled. When no
    // process works on the batch's provider, the batch is ended here, at
    // once, without processing anything. Canceling a batch that is
    // canceling or ended returns it unchanged.
    // Errors: ServiceError (not_found_error).
    MessageBatch cancel(const std::string &id);

    // Deletes an ended batch with its requests and results; returns
    // {"id", "type": "message_batch_deleted"}.
    // Errors: ServiceError (not_found_error; invalid_request_error when the
    //         batch has not ended: cancel it first).
    nlohmann::json remove(const std::string &id);

    // The batch's results: all of them once it has ended, in request
    // order. A batch not ended yet has only part of its results, which are
    // given only when asked for (options.finishedSoFar: the requests
    // finished by now), or read by cursor (options.after: in the order they
    // finished, each with its position, to resume from).
    // Errors: ServiceError (not_found_error; invalid_request_error: the
    //         batch has not ended and neither finishedSoFar nor after is
    //         set, or a store of an older version opened read-only has no
    //         finish order to read by cursor).
    ResultStream results(const std::string &id, const ResultsOptions &options = {});

    // The results of a retried chain merged, read from the batch `id` (the
    // newest attempt, usually) back through its parents: one per request
    // of the first batch, in its order, each the result of the newest batch
    // of the chain that finished that custom_id. A chain whose parent was
    // deleted starts at the oldest batch left.
    // Errors: ServiceError (not_found_error; invalid_request_error: the
    //         batch has not ended).
    ResultStream mergedResults(const std::string &id);

    // Blocks until the batch has ended and returns it. `onProgress` (if
    // given) is called with the batch each time its counts change.
    // Errors: ServiceError (not_found_error, also when deleted meanwhile;
    //         invalid_request_error: the batch belongs to another provider,
    //         which this service does not process; api_error: the store
    //         failed, or this service stopped processing because a store
    //         write failed storeWriteAttempts times).
    MessageBatch wait(const std::string &id, const std::function<void(const MessageBatch &)> &onProgress = {});

    // The callback of an ended batch with a callback URL: its state and
    // every try; nullopt for a batch without one, or not ended yet.
    // Errors: ServiceError (not_found_error).
    std::optional<CallbackDelivery> delivery(const std::string &id);

    // Sends the callback of an ended batch again, now: a new round (a new
    // webhook-id) with a fresh set of tries, whatever the state of the last
    // one. Returns the delivery, pending. The workers holding the
    // processing lock of the batch's provider send it (this service's, or
    // another process's within its pollInterval).
    // Errors: ServiceError (not_found_error; invalid_request_error: the
    //         batch has no callback URL, or has not ended).
    CallbackDelivery redeliver(const std::string &id);

    // Blocks until the callback of the ended batch is no longer pending
    // (delivered or failed) and returns it.
    // Errors: as delivery(), and invalid_request_error for a batch without
    //         a callback URL or not ended; api_error as wait().
    CallbackDelivery waitDelivery(const std::string &id);

    // The secret callbacks are signed with ("whsec_..."): the store's, made
    // at random the first time it is asked for (or a callback is sent) and
    // kept in the store; options.callback.secret instead when set. A
    // read-only service of a store without one answers "".
    std::string webhookSecret();

    // Runs the reaper now (MessageBatchOptions::resultsRetention): deletes
    // the requests and results of every ended batch created longer than the
    // retention ago, of every workspace and provider, and sets their
    // archived_at; the batches stay. Returns how many it archived.
    // Errors: ServiceError (api_error: the store failed; invalid_request_
    //         error: a read-only service).
    std::uint64_t purge();

    // Whether this object holds the processing lock of its provider's
    // batches and runs the workers.
    bool isProcessing() const;

    // Why this service's workers stopped for good (a store write failed
    // storeWriteAttempts times in a row); nullopt while they run, or when
    // this service does not process. Their batches stay in the store, as
    // they were, for the next process. A host that runs only workers
    // (osid-batch worker) exits on it, so that its supervisor restarts it.
    std::optional<std::string> processingFailure() const;

    // The provider string recorded on the batches this service creates.
    const std::string &provider() const;

    // The calls of one workspace: the batches whose messages go to the
    // mailbox `mailboxId` (the null Id: the default workspace). Nothing is
    // checked here: a create checks that the provider has the mailbox.
    // The service must outlive what this returns.
    WorkspaceBatches workspace(const Id &mailboxId);

private:
    friend class WorkspaceBatches;
    class Engine;
    std::unique_ptr<Engine> engine_;
};

// MessageBatchService's calls within one workspace (MessageBatchService::
// workspace): a create saves its batch in the workspace; every other call
// finds only the workspace's batches and answers not_found_error for
// another's, whose existence it does not reveal. Errors as the service's
// calls of the same name; create also invalid_request_error when the
// provider has no mailbox of the workspace's Id.
//
// A light handle: copy it freely; thread-safety as the service's.
class WorkspaceBatches {
public:
    MessageBatch create(const std::vector<MessageBatchRequest> &requests, const CreateOptions &options = {});
    MessageBatch create(std::istream &jsonLines, const CreateOptions &options = {});
    MessageBatch retry(const std::string &id, const RetryOptions &options = {});
    MessageBatch retrieve(const std::string &id);
    MessageBatchPage list(const ListParams &params = {});
    MessageBatch cancel(const std::string &id);
    nlohmann::json remove(const std::string &id);
    ResultStream results(const std::string &id, const ResultsOptions &options = {});
    ResultStream mergedResults(const std::string &id);
    MessageBatch wait(const std::string &id, const std::function<void(const MessageBatch &)> &onProgress = {});
    std::optional<CallbackDelivery> delivery(const std::string &id);
    CallbackDelivery redeliver(const std::string &id);
    CallbackDelivery waitDelivery(const std::string &id);

    // The workspace: its mailbox Id's text; empty for the default one.
    const std::string &name() const noexcept { return workspace_; }

private:
    friend class MessageBatchService;
    WorkspaceBatches(MessageBatchService::Engine &engine, std::string workspace)
        : engine_(&engine), workspace_(std::move(workspace))
    {
    }

    MessageBatchService::Engine *engine_;
    std::string workspace_;
};

} // namespace osid::service
