#include "service/sqlite_batch_store.h"

#include "service/batch_json.h"
#include "service/process_lock.h"
#include "service/store_file.h"
#include "service/webhook_signature.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <utility>
#include <random>

namespace osid::service {

using sqlite::Statement;

namespace {

constexpr int kSchemaVersion = 8;

constexpr const char *kBatchColumns = "key, id, status, request_count, succeeded, errored, canceled, expired, "
                                      "created_at, expires_at, ended_at, cancel_initiated_at, archived_at, "
                                      "provider, attempted, parent_id, workspace, callback_url";
// The same from a store of an older version opened read-only (not
// upgraded). Version 1: no provider recorded, and any pending request may
// have been attempted. Versions 2 and 3: no parent. Before version 6: every
// batch in the default workspace. Before version 7: no callback URL.
constexpr const char *kBatchColumnsVersion1 = "key, id, status, request_count, succeeded, errored, canceled, "
                                              "expired, created_at, expires_at, ended_at, cancel_initiated_at, "
                                              "archived_at, '', request_count, NULL, '', NULL";
constexpr const char *kBatchColumnsVersion3 = "key, id, status, request_count, succeeded, errored, canceled, "
                                              "expired, created_at, expires_at, ended_at, cancel_initiated_at, "
                                              "archived_at, provider, attempted, NULL, '', NULL";
constexpr const char *kBatchColumnsVersion5 = "key, id, status, request_count, succeeded, errored, canceled, "
                                              "expired, created_at, expires_at, ended_at, cancel_initiated_at, "
                                              "archived_at, provider, attempted, parent_id, '', NULL";
constexpr const char *kBatchColumnsVersion6 = "key, id, status, request_count, succeeded, errored, canceled, "
                                              "expired, created_at, expires_at, ended_at, cancel_initiated_at, "
                                              "archived_at, provider, attempted, parent_id, workspace, NULL";

// Step N takes the tables from version N-1 to N. Never edit a released step.
constexpr const char *kSchemaStep1 = R"sql(
    -- key orders batches by creation; counts move with the requests'
    -- states in the same transaction. Times are microseconds.
    CREATE TABLE message_batches (
        key INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        status INTEGER NOT NULL,
        request_count INTEGER NOT NULL,
        succeeded INTEGER NOT NULL DEFAULT 0,
        errored INTEGER NOT NULL DEFAULT 0,
        canceled INTEGER NOT NULL DEFAULT 0,
        expired INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        ended_at INTEGER,
        cancel_initiated_at INTEGER,
        archived_at INTEGER);
    -- state: 0 pending, then 1 succeeded, 2 errored, 3 canceled,
    -- 4 expired. result: the message or the error, as JSON.
    CREATE TABLE message_batch_requests (
        batch INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        custom_id TEXT NOT NULL,
        params TEXT NOT NULL,
        state INTEGER NOT NULL DEFAULT 0,
        result TEXT,
        PRIMARY KEY (batch, idx)) WITHOUT ROWID;
)sql";

// Version 2: the store's authority (of its idempotency keys), each batch's
// provider and the requests it may have sent. A batch left unfinished by
// version 1 may have sent any pending request.
constexpr const char *kSchemaStep2 = R"sql(
    ALTER TABLE message_batch_schema ADD COLUMN authority TEXT;
    ALTER TABLE message_batches ADD COLUMN provider TEXT NOT NULL DEFAULT '';
    ALTER TABLE message_batches ADD COLUMN attempted INTEGER NOT NULL DEFAULT 0;
    UPDATE message_batches SET attempted = request_count WHERE status != 2;
)sql";

// Version 3: idempotent create. A batch created with an idempotency key
// keeps it, with a digest of its requests, for as long as the batch is
// there; the index makes a key name one batch at most.
constexpr const char *kSchemaStep3 = R"sql(
    ALTER TABLE message_batches ADD COLUMN idempotency_key TEXT;
    ALTER TABLE message_batches ADD COLUMN request_digest TEXT;
    CREATE UNIQUE INDEX message_batches_by_idempotency_key ON message_batches (idempotency_key)
        WHERE idempotency_key IS NOT NULL;
)sql";

// Version 4: retry. A batch made by retry() names the batch it retries.
constexpr const char *kSchemaStep4 = R"sql(
    ALTER TABLE message_batches ADD COLUMN parent_id TEXT;
)sql";

// Version 5: merged results of a retried chain look each custom_id up in
// the batches retried from.
constexpr const char *kSchemaStep5 = R"sql(
    CREATE INDEX message_batch_requests_by_custom_id ON message_batch_requests (batch, custom_id);
)sql";

// Version 6: workspaces. A batch belongs to one workspace, the text of its
// mailbox Id ('' the provider's default mailbox); lists read one
// workspace's batches through the index, and an idempotency key names a
// batch within its workspace only.
constexpr const char *kSchemaStep6 = R"sql(
    ALTER TABLE message_batches ADD COLUMN workspace TEXT NOT NULL DEFAULT '';
    CREATE INDEX message_batches_by_workspace ON message_batches (workspace, key);
    DROP INDEX message_batches_by_idempotency_key;
    CREATE UNIQUE INDEX message_batches_by_idempotency_key ON message_batches (workspace, idempotency_key)
        WHERE idempotency_key IS NOT NULL;
)sql";

// Version 7: callbacks when a batch ends, signed with the store's secret
// (made when first asked for). A batch with a callback URL gets a delivery
// in the transaction that ends it: state 0 pending, 1 delivered, 2 failed;
// round, the webhook-id's number, one more on every redeliver; tries, of
// this round; due, when the next try is (microseconds). Every try is kept:
// when, the answer's HTTP status (NULL: none) and the error (NULL:
// delivered).
constexpr const char *kSchemaStep7 = R"sql(
    ALTER TABLE message_batch_schema ADD COLUMN webhook_secret TEXT;
    ALTER TABLE message_batches ADD COLUMN callback_url TEXT;
    CREATE TABLE message_batch_deliveries (
        batch INTEGER PRIMARY KEY,
        state INTEGER NOT NULL DEFAULT 0,
        round INTEGER NOT NULL DEFAULT 1,
        tries INTEGER NOT NULL DEFAULT 0,
        due INTEGER NOT NULL);
    CREATE INDEX message_batch_deliveries_by_due ON message_batch_deliveries (state, due);
    CREATE TABLE message_batch_delivery_attempts (
        batch INTEGER NOT NULL,
        number INTEGER NOT NULL,
        round INTEGER NOT NULL,
        at INTEGER NOT NULL,
        http_status INTEGER,
        error TEXT,
        PRIMARY KEY (batch, number)) WITHOUT ROWID;
)sql";

// Version 8: results by cursor. A request's position is where it is in the
// order its batch's requests finished, from 1, given in the transaction
// that finishes it (NULL while pending); the requests finished before this
// step get theirs in request order.
constexpr const char *kSchemaStep8 = R"sql(
    ALTER TABLE message_batch_requests ADD COLUMN position INTEGER;
    UPDATE message_batch_requests SET position = f.n
        FROM (SELECT batch, idx, row_number() OVER (PARTITION BY batch ORDER BY idx) AS n
              FROM message_batch_requests WHERE state != 0) AS f
        WHERE message_batch_requests.batch = f.batch AND message_batch_requests.idx = f.idx;
    CREATE UNIQUE INDEX message_batch_requests_by_position ON message_batch_requests (batch, position)
        WHERE position IS NOT NULL;
)sql";

// A store opened to read must be there: reading creates nothing.
const std::string &requireExisting(const std::string &path)
{
    std::error_code error;
    if (!std::filesystem::exists(path, error))
        throw OperationFailed(fmt::format("{} does not exist (reading a store never creates one)", path));
    return path;
}

ConfigurationError newerSchema(const std::string &path, std::int64_t version)
{
    return ConfigurationError(
        fmt::format("{} holds message batches of schema version {}, newer than this build's {}; it was not changed",
                    path, version, kSchemaVersion));
}

std::optional<DateTime> optionalTime(Statement &row, int column)
{
    if (row.isNull(column))
        return std::nullopt;
    return DateTime::fromMicroseconds(row.integer(column));
}

void bindTime(Statement &s, int index, const std::optional<DateTime> &t)
{
    if (t)
        s.bind(index, t->toMicroseconds());
    else
        s.bindNull(index);
}

// The batch's count of requests in a final state: the column of the
// state's name.
const char *countColumn(RequestState state)
{
    const auto *entry = resultTypeEntry(state);
    if (entry == nullptr)
        throw InvalidArgument("a pending request has no count column");
    return entry->name;
}

} // namespace

SqliteBatchStore::SqliteBatchStore(const std::string &path, bool readOnly, std::chrono::milliseconds busyTimeout)
    : path_(path), db_(readOnly && path != ":memory:" ? readOnlyUri(requireExisting(path)) : path,
                       static_cast<int>(busyTimeout.count())),
      batchColumns_(kBatchColumns), readOnly_(readOnly && path != ":memory:")
{
    // Nothing is written before the file is known to be ours.
    requireServiceStore(db_, path);
    if (readOnly && path != ":memory:") {
        const auto version = db_.queryInteger("SELECT version FROM message_batch_schema");
        if (!version)
            throw ConfigurationError(fmt::format("{} holds no message batches", path));
        if (*version > kSchemaVersion)
            throw newerSchema(path, *version);
        hasDeliveries_ = *version >= 7;
        hasFinishOrder_ = *version >= 8;
        if (*version < 2) {
            batchColumns_ = kBatchColumnsVersion1;
            return;
        }
        if (*version < 4)
            batchColumns_ = kBatchColumnsVersion3;
        else if (*version < 6)
            batchColumns_ = kBatchColumnsVersion5;
        else if (*version < 7)
            batchColumns_ = kBatchColumnsVersion6;
        auto authority = db_.prepare("SELECT authority FROM message_batch_schema");
        if (authority.step())
            authority_ = authority.text(0);
        return;
    }
    if (path != ":memory:") {
        db_.enableWal();
        db_.execute("PRAGMA synchronous = NORMAL");
    }
    db_.write([&] {
        db_.execute("CREATE TABLE IF NOT EXISTS message_batch_schema (version INTEGER NOT NULL)");
        auto version = db_.queryInteger("SELECT version FROM message_batch_schema");
        if (version && *version > kSchemaVersion)
            throw newerSchema(path, *version);
        if (!version) {
            db_.execute(kSchemaStep1);
            db_.prepare("INSERT INTO message_batch_schema VALUES (?1)").bind(1, std::int64_t{1}).run();
            version = 1;
        }
        if (*version < 2) {
            thread_local std::mt19937_64 random{std::random_device{}()};
            db_.execute(kSchemaStep2);
            db_.prepare("UPDATE message_batch_schema SET version = 2, authority = ?1")
                .bind(1, fmt::format("osid-batch.{:016x}", random()))
                .run();
        }
        if (*version < 3) {
            db_.execute(kSchemaStep3);
            db_.execute("UPDATE message_batch_schema SET version = 3");
        }
        if (*version < 4) {
            db_.execute(kSchemaStep4);
            db_.execute("UPDATE message_batch_schema SET version = 4");
        }
        if (*version < 5) {
            db_.execute(kSchemaStep5);
            db_.execute("UPDATE message_batch_schema SET version = 5");
        }
        if (*version < 6) {
            db_.execute(kSchemaStep6);
            db_.execute("UPDATE message_batch_schema SET version = 6");
        }
        if (*version < 7) {
            db_.execute(kSchemaStep7);
            db_.execute("UPDATE message_batch_schema SET version = 7");
        }
        if (*version < 8) {
            db_.execute(kSchemaStep8);
            db_.execute("UPDATE message_batch_schema SET version = 8");
        }
        markServiceStore(db_);
        auto authority = db_.prepare("SELECT authority FROM message_batch_schema");
        if (authority.step())
            authority_ = authority.text(0);
    });
}

StoredBatch SqliteBatchStore::readBatch(Statement &row)
{
    StoredBatch out;
    out.key = row.integer(0);
    out.batch.id = row.text(1);
    out.batch.processingStatus = static_cast<ProcessingStatus>(row.integer(2));
    out.requestCount = static_cast<std::uint64_t>(row.integer(3));
    auto &counts = out.batch.requestCounts;
    counts.succeeded = static_cast<std::uint64_t>(row.integer(4));
    counts.errored = static_cast<std::uint64_t>(row.integer(5));
    counts.canceled = static_cast<std::uint64_t>(row.integer(6));
    counts.expired = static_cast<std::uint64_t>(row.integer(7));
    counts.processing = out.requestCount - counts.succeeded - counts.errored - counts.canceled - counts.expired;
    out.batch.createdAt = DateTime::fromMicroseconds(row.integer(8));
    out.batch.expiresAt = DateTime::fromMicroseconds(row.integer(9));
    out.batch.endedAt = optionalTime(row, 10);
    out.batch.cancelInitiatedAt = optionalTime(row, 11);
    out.batch.archivedAt = optionalTime(row, 12);
    out.provider = row.text(13);
    out.attempted = row.integer(14);
    if (!row.isNull(15))
        out.batch.parentBatchId = row.text(15);
    out.batch.workspace = row.text(16);
    if (!row.isNull(17))
        out.batch.callbackUrl = row.text(17);
    return out;
}

std::vector<StoredBatch> SqliteBatchStore::readBatches(Statement &rows)
{
    std::vector<StoredBatch> out;
    while (rows.step())
        out.push_back(readBatch(rows));
    return out;
}

BatchStore::Inserted SqliteBatchStore::insertStreaming(
    const MessageBatch &batch, const std::string &provider, const std::string &idempotencyKey,
    const std::function<bool(std::string &customId, std::string &params)> &next)
{
    std::lock_guard lock(mutex_);
    beforeWrite("saving the batch");
    // BEGIN IMMEDIATE: a second process with the same key waits here until
    // this one has committed, and then finds its batch.
    return db_.write([&] {
        RequestDigest digest;
        std::string customId, params;
        if (auto earlier = withKey(batch.workspace, idempotencyKey)) {
            while (next(customId, params))
                digest.add(customId, params);
            if (digest.finish() != earlier->second)
                earlier->first.outcome = Inserted::Conflict;
            return earlier->first;
        }
        {
            auto s =
                db_.prepare("INSERT INTO message_batches (id, status, request_count, created_at, expires_at, "
                            "ended_at, cancel_initiated_at, archived_at, provider, idempotency_key, parent_id, "
                            "workspace, callback_url) VALUES (?1, ?2, 0, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
            s.bind(1, batch.id)
                .bind(2, static_cast<std::int64_t>(batch.processingStatus))
                .bind(4, batch.createdAt.toMicroseconds())
                .bind(5, batch.expiresAt.toMicroseconds());
            bindTime(s, 6, batch.endedAt);
            bindTime(s, 7, batch.cancelInitiatedAt);
            bindTime(s, 8, batch.archivedAt);
            s.bind(9, provider);
            if (idempotencyKey.empty())
                s.bindNull(10);
            else
                s.bind(10, idempotencyKey);
            if (batch.parentBatchId)
                s.bind(11, *batch.parentBatchId);
            else
                s.bindNull(11);
            s.bind(12, batch.workspace);
            if (batch.callbackUrl)
                s.bind(13, *batch.callbackUrl);
            else
                s.bindNull(13);
            s.run();
        }
        const auto key = db_.lastInsertRowid();
        std::int64_t index = 0;
        while (next(customId, params)) {
            db_.prepare("INSERT INTO message_batch_requests (batch, idx, custom_id, params) VALUES (?1, ?2, ?3, ?4)")
                .bind(1, key)
                .bind(2, index++)
                .bind(3, customId, false)
                .bind(4, params, false)
                .run();
            if (!idempotencyKey.empty())
                digest.add(customId, params);
        }
        auto s = db_.prepare("UPDATE message_batches SET request_count = ?2, request_digest = ?3 WHERE key = ?1");
        s.bind(1, key).bind(2, index);
        if (idempotencyKey.empty())
            s.bindNull(3);
        else
            s.bind(3, digest.finish());
        s.run();
        return Inserted{key, static_cast<std::uint64_t>(index), batch.id, Inserted::Created};
    });
}

std::optional<std::pair<BatchStore::Inserted, std::string>> SqliteBatchStore::withKey(const std::string &workspace,
                                                                                      const std::string &idempotencyKey)
{
    if (idempotencyKey.empty())
        return std::nullopt;
    auto s = db_.prepare(
        "SELECT key, id, request_digest FROM message_batches WHERE workspace = ?2 AND idempotency_key = ?1");
    s.bind(1, idempotencyKey).bind(2, workspace);
    if (!s.step())
        return std::nullopt;
    return std::pair{Inserted{s.integer(0), 0, s.text(1), Inserted::Earlier}, s.text(2)};
}

std::optional<StoredBatch> SqliteBatchStore::find(const std::string &id)
{
    std::lock_guard lock(mutex_);
    auto s = db_.prepare(fmt::format("SELECT {} FROM message_batches WHERE id = ?1", batchColumns_));
    s.bind(1, id);
    if (!s.step())
        return std::nullopt;
    return readBatch(s);
}

std::vector<StoredBatch> SqliteBatchStore::page(std::int64_t around, bool newer, std::size_t limit,
                                                const ListParams &filter, const std::optional<std::string> &workspace)
{
    std::lock_guard lock(mutex_);
    // A filter not given matches everything: ?3 IS NULL, ... Newer batches
    // are read oldest first (the ones next to the cursor) and turned round,
    // so the page is newest first either way.
    constexpr const char *kFilters = "(?3 IS NULL OR status = ?3) AND (?4 IS NULL OR created_at >= ?4) "
                                     "AND (?5 IS NULL OR created_at < ?5) AND (?6 IS NULL OR workspace = ?6)";
    auto s = db_.prepare(newer ? fmt::format("SELECT {} FROM message_batches WHERE key > ?1 AND {} ORDER BY key "
                                             "LIMIT ?2",
                                             batchColumns_, kFilters)
                               : fmt::format("SELECT {} FROM message_batches WHERE key < ?1 AND {} ORDER BY key "
                                             "DESC LIMIT ?2",
                                             batchColumns_, kFilters));
    s.bind(1, around == 0 && !newer ? INT64_MAX : around).bind(2, static_cast<std::uint64_t>(limit));
    if (filter.status)
        s.bind(3, static_cast<std::int64_t>(*filter.status));
    else
        s.bindNull(3);
    bindTime(s, 4, filter.createdAfter);
    bindTime(s, 5, filter.createdBefore);
    if (workspace)
        s.bind(6, *workspace);
    else
        s.bindNull(6);
    auto out = readBatches(s);
    if (newer)
        std::reverse(out.begin(), out.end());
    return out;
}

bool SqliteBatchStore::setCanceling(std::int64_t key, DateTime now)
{
    std::lock_guard lock(mutex_);
    beforeWrite("canceling the batch");
    db_.prepare("UPDATE message_batches SET status = ?2, cancel_initiated_at = ?3 WHERE key = ?1 AND status = ?4")
        .bind(1, key)
        .bind(2, static_cast<std::int64_t>(ProcessingStatus::Canceling))
        .bind(3, now.toMicroseconds())
        .bind(4, static_cast<std::int64_t>(ProcessingStatus::InProgress))
        .run();
    return db_.changes() > 0;
}

std::vector<PendingRequest> SqliteBatchStore::pending(std::int64_t key, std::int64_t from, std::int64_t to)
{
    std::lock_guard lock(mutex_);
    auto s = db_.prepare("SELECT idx, custom_id, params FROM message_batch_requests "
                         "WHERE batch = ?1 AND idx >= ?2 AND idx < ?3 AND state = 0 ORDER BY idx");
    s.bind(1, key).bind(2, from).bind(3, to);
    std::vector<PendingRequest> out;
    while (s.step())
        out.push_back(PendingRequest{s.integer(0), s.text(1), s.text(2)});
    return out;
}

std::int64_t SqliteBatchStore::firstPending(std::int64_t key, std::int64_t requestCount)
{
    std::lock_guard lock(mutex_);
    return firstPendingLocked(key, requestCount);
}

std::int64_t SqliteBatchStore::firstPendingLocked(std::int64_t key, std::int64_t requestCount)
{
    auto s = db_.prepare("SELECT min(idx) FROM message_batch_requests WHERE batch = ?1 AND state = 0");
    s.bind(1, key);
    if (!s.step() || s.isNull(0))
        return requestCount;
    return s.integer(0);
}

void SqliteBatchStore::finish(std::int64_t key, const std::vector<FinishedRequest> &requests)
{
    std::lock_guard lock(mutex_);
    beforeWrite("saving the chunk's results");
    db_.write([&] { saveFinished(key, requests); });
}

void SqliteBatchStore::saveFinished(std::int64_t key, const std::vector<FinishedRequest> &requests)
{
    std::int64_t counts[5] = {};
    auto position = lastPosition(key);
    for (const auto &r : requests) {
        db_.prepare("UPDATE message_batch_requests SET state = ?3, result = ?4, position = ?5 WHERE batch = ?1 "
                    "AND idx = ?2 AND state = 0")
            .bind(1, key)
            .bind(2, r.index)
            .bind(3, static_cast<std::int64_t>(r.state))
            .bind(4, r.result, false)
            .bind(5, position + 1)
            .run();
        const auto changed = db_.changes();
        counts[static_cast<int>(r.state)] += changed;
        position += changed;
    }
    db_.prepare("UPDATE message_batches SET succeeded = succeeded + ?2, errored = errored + ?3, "
                "canceled = canceled + ?4, expired = expired + ?5 WHERE key = ?1")
        .bind(1, key)
        .bind(2, counts[1])
        .bind(3, counts[2])
        .bind(4, counts[3])
        .bind(5, counts[4])
        .run();
}

std::uint64_t SqliteBatchStore::closePending(std::int64_t key, std::int64_t from, RequestState state)
{
    std::lock_guard lock(mutex_);
    beforeWrite("closing the batch's unstarted requests");
    return db_.write([&] { return closePendingLocked(key, from, state); });
}

std::uint64_t SqliteBatchStore::closePendingLocked(std::int64_t key, std::int64_t from, RequestState state)
{
    // Positions after the last one, in request order.
    db_.prepare("UPDATE message_batch_requests SET state = ?3, position = ?4 + f.n "
                "FROM (SELECT idx, row_number() OVER (ORDER BY idx) AS n FROM message_batch_requests "
                "WHERE batch = ?1 AND idx >= ?2 AND state = 0) AS f "
                "WHERE message_batch_requests.batch = ?1 AND message_batch_requests.idx = f.idx")
        .bind(1, key)
        .bind(2, from)
        .bind(3, static_cast<std::int64_t>(state))
        .bind(4, lastPosition(key))
        .run();
    const auto moved = static_cast<std::uint64_t>(db_.changes());
    db_.prepare(fmt::format("UPDATE message_batches SET {0} = {0} + ?2 WHERE key = ?1", countColumn(state)))
        .bind(1, key)
        .bind(2, moved)
        .run();
    return moved;
}

bool SqliteBatchStore::setEnded(std::int64_t key, DateTime now)
{
    std::lock_guard lock(mutex_);
    beforeWrite("ending the batch");
    const bool queued = db_.write([&] { return setEndedLocked(key, now); });
    claims_.erase(key);
    return queued;
}

bool SqliteBatchStore::setEndedLocked(std::int64_t key, DateTime now)
{
    db_.prepare("UPDATE message_batches SET status = ?2, ended_at = ?3 WHERE key "
                "= ?1 AND status != ?2")
        .bind(1, key)
        .bind(2, static_cast<std::int64_t>(ProcessingStatus::Ended))
        .bind(3, now.toMicroseconds())
        .run();
    if (db_.changes() == 0)
        return false;
    // Its callback, due now, in the same transaction.
    db_.prepare("INSERT INTO message_batch_deliveries (batch, due) SELECT key, ?2 FROM message_batches "
                "WHERE key = ?1 AND callback_url IS NOT NULL")
        .bind(1, key)
        .bind(2, now.toMicroseconds())
        .run();
    return db_.changes() > 0;
}

std::optional<ChunkClaim> SqliteBatchStore::claimChunk(const std::string &provider, const std::string &worker,
                                                       std::size_t chunkSize, DateTime now, std::chrono::milliseconds,
                                                       bool &callbackQueued)
{
    std::lock_guard lock(mutex_);
    if (worker != claimsOf_) {
        // Only the holder of the processing lock claims: the worker whose
        // claims these were has stopped, and its chunks are free at once.
        claims_.clear();
        claimsOf_ = worker;
    }
    // Worked on a copy, kept only once the transaction has committed.
    auto claims = claims_;
    auto turns = turns_;
    auto out = db_.write([&]() -> std::optional<ChunkClaim> {
        // A claim that finds nothing to do writes nothing.
        bool writing = false;
        const auto write = [&] {
            if (!std::exchange(writing, true))
                beforeWrite("claiming a chunk");
        };
        struct Candidate {
            std::int64_t key;
            std::string id, workspace, provider;
            ClaimableBatch batch;
        };
        std::vector<Candidate> candidates;
        auto s = db_.prepare("SELECT key, id, workspace, provider, status, request_count, expires_at, attempted "
                             "FROM message_batches WHERE status != ?1 AND provider IN (?2, '') ORDER BY key");
        s.bind(1, static_cast<std::int64_t>(ProcessingStatus::Ended)).bind(2, provider);
        while (s.step()) {
            Candidate c{s.integer(0), s.text(1), s.text(2), s.text(3), {}};
            c.batch.status = static_cast<ProcessingStatus>(s.integer(4));
            c.batch.requestCount = s.integer(5);
            c.batch.expiresAt = DateTime::fromMicroseconds(s.integer(6));
            c.batch.attempted = s.integer(7);
            candidates.push_back(std::move(c));
        }
        // Batches ended or deleted elsewhere are forgotten; those first
        // seen are claimed from their first pending request on.
        std::erase_if(claims, [&](const auto &entry) {
            return std::none_of(candidates.begin(), candidates.end(),
                                [&](const Candidate &c) { return c.key == entry.first; });
        });
        for (const auto &c : candidates)
            if (claims.find(c.key) == claims.end())
                claims[c.key].claimed = firstPendingLocked(c.key, c.batch.requestCount);
        // In turn: the batch claimed longest ago first.
        std::stable_sort(candidates.begin(), candidates.end(), [&](const Candidate &a, const Candidate &b) {
            return claims[a.key].turn < claims[b.key].turn;
        });
        for (auto &c : candidates) {
            auto &state = claims[c.key];
            for (;;) {
                c.batch.claimed = state.claimed;
                c.batch.busy = state.inFlight > 0;
                const auto plan = planClaim(c.batch, chunkSize, now);
                if (plan.action != ClaimPlan::Wait)
                    write();
                if (plan.action == ClaimPlan::Close) {
                    closePendingLocked(c.key, plan.from, plan.closeAs);
                    state.claimed = c.batch.requestCount;
                    continue;
                }
                if (plan.action == ClaimPlan::End) {
                    if (setEndedLocked(c.key, now))
                        callbackQueued = true;
                    claims.erase(c.key);
                } else if (plan.action == ClaimPlan::Chunk) {
                    if (c.provider.empty())
                        db_.prepare("UPDATE message_batches SET provider = ?2 WHERE key = ?1")
                            .bind(1, c.key)
                            .bind(2, provider)
                            .run();
                    // Before the provider is called: a process that stops
                    // after it leaves these requests to be looked up.
                    if (plan.to > c.batch.attempted)
                        db_.prepare("UPDATE message_batches SET attempted = ?2 WHERE key = ?1")
                            .bind(1, c.key)
                            .bind(2, plan.to)
                            .run();
                    state.claimed = plan.to;
                    ++state.inFlight;
                    state.turn = ++turns;
                    return ChunkClaim{c.key,       c.id,         c.workspace,
                                      plan.from,   plan.to,      plan.recover,
                                      plan.create, plan.closeAs, static_cast<std::int64_t>(turns)};
                }
                break;
            }
        }
        return std::nullopt;
    });
    claims_ = std::move(claims);
    turns_ = turns;
    return out;
}

std::size_t SqliteBatchStore::renewLeases(const std::vector<std::int64_t> &claims, std::chrono::milliseconds)
{
    // Claims live as long as this process: nothing runs out.
    return claims.size();
}

bool SqliteBatchStore::finishChunk(const ChunkClaim &claim, const std::string &worker,
                                   const std::vector<FinishedRequest> &requests)
{
    std::lock_guard lock(mutex_);
    beforeWrite("saving the chunk's results");
    const auto state = claims_.find(claim.key);
    if (worker != claimsOf_ || state == claims_.end())
        return false; // taken over: its chunks are another worker's now
    db_.write([&] { saveFinished(claim.key, requests); });
    --state->second.inFlight;
    return true;
}

std::vector<UnsucceededRequest> SqliteBatchStore::unsucceeded(std::int64_t key)
{
    std::lock_guard lock(mutex_);
    auto s = db_.prepare("SELECT custom_id, params, state, result FROM message_batch_requests "
                         "WHERE batch = ?1 AND state > ?2 ORDER BY idx");
    s.bind(1, key).bind(2, static_cast<std::int64_t>(RequestState::Succeeded));
    std::vector<UnsucceededRequest> out;
    while (s.step()) {
        UnsucceededRequest r{s.text(0), s.text(1), static_cast<RequestState>(s.integer(2)), false};
        if (r.state == RequestState::Errored)
            r.retryable = storedRetryable(s.textView(3));
        out.push_back(std::move(r));
    }
    return out;
}

bool SqliteBatchStore::resultsKept(std::int64_t key)
{
    std::lock_guard lock(mutex_);
    auto s = db_.prepare("SELECT 1 FROM message_batches WHERE key = ?1 AND archived_at IS NULL");
    s.bind(1, key);
    return s.step();
}

std::uint64_t SqliteBatchStore::archive(DateTime createdBefore, DateTime now)
{
    std::lock_guard lock(mutex_);
    // Looked for first: the reaper's usual round finds nothing, and then
    // writes nothing.
    {
        auto due = db_.prepare("SELECT 1 FROM message_batches WHERE status = ?2 AND archived_at IS NULL "
                               "AND created_at < ?1 LIMIT 1");
        due.bind(1, createdBefore.toMicroseconds()).bind(2, static_cast<std::int64_t>(ProcessingStatus::Ended));
        if (!due.step())
            return 0;
    }
    beforeWrite("archiving old batches");
    return db_.write([&] {
        db_.prepare("DELETE FROM message_batch_requests WHERE batch IN (SELECT key FROM message_batches "
                    "WHERE status = ?2 AND archived_at IS NULL AND created_at < ?1)")
            .bind(1, createdBefore.toMicroseconds())
            .bind(2, static_cast<std::int64_t>(ProcessingStatus::Ended))
            .run();
        db_.prepare("UPDATE message_batches SET archived_at = ?3 "
                    "WHERE status = ?2 AND archived_at IS NULL AND created_at < ?1")
            .bind(1, createdBefore.toMicroseconds())
            .bind(2, static_cast<std::int64_t>(ProcessingStatus::Ended))
            .bind(3, now.toMicroseconds())
            .run();
        return static_cast<std::uint64_t>(db_.changes());
    });
}

bool SqliteBatchStore::remove(std::int64_t key)
{
    std::lock_guard lock(mutex_);
    beforeWrite("deleting the batch");
    return db_.write([&] {
        db_.prepare("DELETE FROM message_batch_requests WHERE batch = ?1").bind(1, key).run();
        db_.prepare("DELETE FROM message_batch_delivery_attempts WHERE batch = ?1").bind(1, key).run();
        db_.prepare("DELETE FROM message_batch_deliveries WHERE batch = ?1").bind(1, key).run();
        db_.prepare("DELETE FROM message_batches WHERE key = ?1").bind(1, key).run();
        return db_.changes() > 0;
    });
}

std::vector<std::pair<std::int64_t, MessageBatchResult>> SqliteBatchStore::results(std::int64_t key,
                                                                                   std::int64_t afterIndex,
                                                                                   std::size_t limit)
{
    std::lock_guard lock(mutex_);
    auto s = db_.prepare("SELECT idx, custom_id, state, result FROM message_batch_requests "
                         "WHERE batch = ?1 AND idx > ?2 AND state != 0 ORDER BY idx LIMIT ?3");
    s.bind(1, key).bind(2, afterIndex).bind(3, static_cast<std::uint64_t>(limit));
    std::vector<std::pair<std::int64_t, MessageBatchResult>> out;
    while (s.step())
        out.emplace_back(s.integer(0), storedResult(key, s.integer(0), s.text(1),
                                                    static_cast<RequestState>(s.integer(2)), s.textView(3)));
    return out;
}

std::int64_t SqliteBatchStore::lastPosition(std::int64_t key)
{
    auto s = db_.prepare("SELECT coalesce(max(position), 0) FROM message_batch_requests WHERE batch = ?1");
    s.bind(1, key);
    return s.step() ? s.integer(0) : 0;
}

std::vector<std::pair<std::int64_t, MessageBatchResult>> SqliteBatchStore::finishedSince(std::int64_t key,
                                                                                         std::int64_t afterPosition,
                                                                                         std::size_t limit)
{
    std::lock_guard lock(mutex_);
    if (!hasFinishOrder_)
        throw ServiceError(error_type::kInvalidRequest,
                           fmt::format("{} is a store of an older version, opened read-only: its results have no "
                                       "positions to read by cursor until a command that writes opens it once",
                                       path_));
    auto s = db_.prepare("SELECT position, idx, custom_id, state, result FROM message_batch_requests "
                         "WHERE batch = ?1 AND position > ?2 ORDER BY position LIMIT ?3");
    s.bind(1, key).bind(2, afterPosition).bind(3, static_cast<std::uint64_t>(limit));
    std::vector<std::pair<std::int64_t, MessageBatchResult>> out;
    while (s.step()) {
        const auto position = s.integer(0);
        out.emplace_back(position, storedResult(key, s.integer(1), s.text(2), static_cast<RequestState>(s.integer(3)),
                                                s.textView(4)));
        out.back().second.position = static_cast<std::uint64_t>(position);
    }
    return out;
}

std::optional<MessageBatchResult> SqliteBatchStore::finishedResult(std::int64_t key, const std::string &customId)
{
    std::lock_guard lock(mutex_);
    auto s = db_.prepare("SELECT idx, custom_id, state, result FROM message_batch_requests "
                         "WHERE batch = ?1 AND custom_id = ?2 AND state != 0");
    s.bind(1, key).bind(2, customId);
    if (!s.step())
        return std::nullopt;
    return storedResult(key, s.integer(0), s.text(1), static_cast<RequestState>(s.integer(2)), s.textView(3));
}

std::unique_ptr<ProcessingLock> SqliteBatchStore::processingLock(const std::string &provider, LockRole role)
{
    // One holder at a time, whatever its role: one process runs the
    // workers, and its courier sends the callbacks. A store in memory is
    // this process's alone: nobody else could work.
    struct Always final : ProcessingLock {
        bool tryLock() override { return true; }
    };
    if (path_ == ":memory:" || role == LockRole::Courier)
        return std::make_unique<Always>();
    return std::make_unique<ProcessLock>(path_, provider);
}

std::string SqliteBatchStore::webhookSecret()
{
    std::lock_guard lock(mutex_);
    const auto read = [&] {
        auto s = db_.prepare("SELECT webhook_secret FROM message_batch_schema");
        return s.step() && !s.isNull(0) ? s.text(0) : std::string();
    };
    if (!hasDeliveries_)
        return {};
    if (auto secret = read(); !secret.empty() || readOnly_)
        return secret;
    beforeWrite("saving the webhook secret");
    return db_.write([&] {
        // Another process may have made one first: its stays.
        db_.prepare("UPDATE message_batch_schema SET webhook_secret = ?1 WHERE webhook_secret IS NULL")
            .bind(1, newWebhookSecret())
            .run();
        return read();
    });
}

std::vector<StoredDelivery> SqliteBatchStore::dueDeliveries(const std::string &provider, DateTime now,
                                                            std::size_t limit)
{
    std::lock_guard lock(mutex_);
    auto s = db_.prepare("SELECT d.batch, b.id, b.callback_url, d.round, d.tries FROM message_batch_deliveries d "
                         "JOIN message_batches b ON b.key = d.batch WHERE d.state = 0 AND d.due <= ?1 "
                         "AND b.provider = ?2 ORDER BY d.due LIMIT ?3");
    s.bind(1, now.toMicroseconds()).bind(2, provider).bind(3, static_cast<std::uint64_t>(limit));
    std::vector<StoredDelivery> out;
    while (s.step())
        out.push_back(StoredDelivery{s.integer(0), s.text(1), s.text(2), s.integer(3), static_cast<int>(s.integer(4))});
    return out;
}

void SqliteBatchStore::recordAttempt(std::int64_t key, std::int64_t round, const DeliveryAttempt &attempt,
                                     std::optional<DateTime> nextDue)
{
    std::lock_guard lock(mutex_);
    beforeWrite("recording the callback's try");
    db_.write([&] {
        // Nothing for a batch deleted while the try was in flight.
        auto s = db_.prepare("INSERT INTO message_batch_delivery_attempts (batch, number, round, at, http_status, "
                             "error) SELECT ?1, next, ?2, ?3, ?4, ?5 FROM (SELECT coalesce(max(number), 0) + 1 AS next "
                             "FROM message_batch_delivery_attempts WHERE batch = ?1) "
                             "WHERE EXISTS (SELECT 1 FROM message_batch_deliveries WHERE batch = ?1)");
        s.bind(1, key).bind(2, round).bind(3, attempt.at.toMicroseconds());
        if (attempt.httpStatus != 0)
            s.bind(4, static_cast<std::int64_t>(attempt.httpStatus));
        else
            s.bindNull(4);
        if (attempt.error.empty())
            s.bindNull(5);
        else
            s.bind(5, attempt.error);
        s.run();
        // A try of an older round (a redeliver came since) changes nothing.
        const auto state = attempt.error.empty() ? DeliveryState::Delivered
                           : nextDue             ? DeliveryState::Pending
                                                 : DeliveryState::Failed;
        db_.prepare("UPDATE message_batch_deliveries SET tries = tries + 1, state = ?3, due = ?4 "
                    "WHERE batch = ?1 AND round = ?2 AND state = 0")
            .bind(1, key)
            .bind(2, round)
            .bind(3, static_cast<std::int64_t>(state))
            .bind(4, (nextDue ? *nextDue : attempt.at).toMicroseconds())
            .run();
    });
}

bool SqliteBatchStore::redeliver(std::int64_t key, DateTime now)
{
    std::lock_guard lock(mutex_);
    beforeWrite("queuing the callback again");
    db_.prepare("UPDATE message_batch_deliveries SET state = 0, round = round + 1, tries = 0, due = ?2 "
                "WHERE batch = ?1")
        .bind(1, key)
        .bind(2, now.toMicroseconds())
        .run();
    return db_.changes() > 0;
}

std::optional<CallbackDelivery> SqliteBatchStore::delivery(std::int64_t key)
{
    std::lock_guard lock(mutex_);
    if (!hasDeliveries_)
        return std::nullopt;
    auto s = db_.prepare("SELECT b.id, b.callback_url, d.state, d.round FROM message_batch_deliveries d "
                         "JOIN message_batches b ON b.key = d.batch WHERE d.batch = ?1");
    s.bind(1, key);
    if (!s.step())
        return std::nullopt;
    CallbackDelivery out;
    out.url = s.text(1);
    out.state = static_cast<DeliveryState>(s.integer(2));
    out.round = s.integer(3);
    out.webhookId = webhookId(s.text(0), out.round);
    auto tries = db_.prepare("SELECT round, at, http_status, error FROM message_batch_delivery_attempts "
                             "WHERE batch = ?1 ORDER BY number");
    tries.bind(1, key);
    while (tries.step())
        out.attempts.push_back(DeliveryAttempt{tries.integer(0), DateTime::fromMicroseconds(tries.integer(1)),
                                               tries.isNull(2) ? 0 : static_cast<int>(tries.integer(2)),
                                               tries.isNull(3) ? std::string() : tries.text(3)});
    return out;
}

} // namespace osid::service
