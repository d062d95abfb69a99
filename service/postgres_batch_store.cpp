#include "service/postgres_batch_store.h"

#include "service/batch_json.h"
#include "service/webhook_signature.h"
#include "postgres/schema_state.h"

#include <fmt/format.h>

#include <poll.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>
#include <random>

namespace osid::service {

using postgres::Connection;
using postgres::Params;
using postgres::Result;

namespace {

// The advisory lock that serializes schema changes across processes
// ("OSIDBATC" in ASCII), and the class of the processing locks ("OBAT", the
// SQLite store's application_id) and of the idempotency-key locks.
constexpr const char *kSchemaLock = "SELECT pg_advisory_xact_lock(5715992909581472835)";
constexpr std::int64_t kProcessingLockClass = 1329742164;
// The class of the courier locks: one worker process per provider sends
// the callbacks ("OBCB").
constexpr std::int64_t kCourierLockClass = 1329742658;
constexpr std::int64_t kKeyLockSeed = 5715992909581472843;

constexpr const char *kBatchColumns = "key, id, status, request_count, succeeded, errored, canceled, expired, "
                                      "created_at, expires_at, ended_at, cancel_initiated_at, archived_at, "
                                      "provider, attempted, parent_id, workspace, callback_url";

// Ends batch $1 (status $2, ended_at $3), dropping any claims of its
// chunks, and queues its callback, due now, if it has one: the rows
// changed are the deliveries queued.
constexpr const char *kEndBatch = "WITH claims AS (DELETE FROM osid_batch.message_batch_chunks WHERE batch = $1), "
                                  "ended AS (UPDATE osid_batch.message_batches SET status = $2, ended_at = $3 "
                                  "WHERE key = $1 AND status != $2 RETURNING key, callback_url) "
                                  "INSERT INTO osid_batch.message_batch_deliveries (batch, due) "
                                  "SELECT key, $3 FROM ended WHERE callback_url IS NOT NULL";

// What a create or a cancel sends with its commit, and listen() hears.
constexpr const char *kNotify = "NOTIFY osid_batch";

// Requests per INSERT when a batch is saved: one statement of arrays each,
// several statements per round trip.
constexpr std::size_t kRequestsPerInsert = 1000;

// Step N takes the schema from version N-1 to N. Never edit a released
// step: add one.
void applyStep(Connection &db, int step, const std::string &authority)
{
    switch (step) {
    case 1:
        db.execute(R"sql(
            CREATE SCHEMA IF NOT EXISTS osid_batch;
            CREATE TABLE osid_batch.meta (name text PRIMARY KEY, value text NOT NULL);
            -- key orders batches by creation; counts move with the
            -- requests' states in the same statement. Times are
            -- microseconds. status: 0 in_progress, 1 canceling, 2 ended.
            CREATE TABLE osid_batch.message_batches (
                key bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id text COLLATE "C" NOT NULL UNIQUE,
                status integer NOT NULL,
                request_count bigint NOT NULL,
                succeeded bigint NOT NULL DEFAULT 0,
                errored bigint NOT NULL DEFAULT 0,
                canceled bigint NOT NULL DEFAULT 0,
                expired bigint NOT NULL DEFAULT 0,
                created_at bigint NOT NULL,
                expires_at bigint NOT NULL,
                ended_at bigint,
                cancel_initiated_at bigint,
                archived_at bigint,
                provider text NOT NULL DEFAULT '',
                attempted bigint NOT NULL DEFAULT 0,
                idempotency_key text COLLATE "C",
                request_digest text,
                parent_id text COLLATE "C");
            CREATE UNIQUE INDEX message_batches_by_idempotency_key ON osid_batch.message_batches (idempotency_key)
                WHERE idempotency_key IS NOT NULL;
            CREATE INDEX message_batches_unfinished ON osid_batch.message_batches (key) WHERE status != 2;
            -- state: 0 pending, then 1 succeeded, 2 errored, 3 canceled,
            -- 4 expired. result: the message or the error, as JSON.
            CREATE TABLE osid_batch.message_batch_requests (
                batch bigint NOT NULL,
                idx bigint NOT NULL,
                custom_id text COLLATE "C" NOT NULL,
                params text NOT NULL,
                state integer NOT NULL DEFAULT 0,
                result text,
                PRIMARY KEY (batch, idx));
            CREATE INDEX message_batch_requests_by_custom_id ON osid_batch.message_batch_requests (batch, custom_id);
        )sql");
        db.query("INSERT INTO osid_batch.meta VALUES ('application', $1), ('authority', $2), "
                 "('schema_version', '0')",
                 Params().add(PostgresBatchStore::kApplication).add(authority));
        return;
    case 2:
        // Workspaces (the SQLite store's version 6): a batch belongs to one
        // workspace, the text of its mailbox Id ('' the provider's default
        // mailbox); lists read one workspace's batches through the index,
        // and an idempotency key names a batch within its workspace only.
        db.execute(R"sql(
            ALTER TABLE osid_batch.message_batches ADD COLUMN workspace text COLLATE "C" NOT NULL DEFAULT '';
            CREATE INDEX message_batches_by_workspace ON osid_batch.message_batches (workspace, key);
            DROP INDEX osid_batch.message_batches_by_idempotency_key;
            CREATE UNIQUE INDEX message_batches_by_idempotency_key
                ON osid_batch.message_batches (workspace, idempotency_key) WHERE idempotency_key IS NOT NULL;
        )sql");
        return;
    case 3:
        // Callbacks when a batch ends (the SQLite store's version 7), signed
        // with the store's secret (the meta row webhook_secret, made when
        // first asked for). A batch with a callback URL gets a delivery in
        // the transaction that ends it: state 0 pending, 1 delivered, 2
        // failed; round, the webhook-id's number, one more on every
        // redeliver; tries, of this round; due, when the next try is
        // (microseconds). Every try is kept: when, the answer's HTTP status
        // (NULL: none) and the error (NULL: delivered).
        db.execute(R"sql(
            ALTER TABLE osid_batch.message_batches ADD COLUMN callback_url text;
            CREATE TABLE osid_batch.message_batch_deliveries (
                batch bigint PRIMARY KEY,
                state integer NOT NULL DEFAULT 0,
                round bigint NOT NULL DEFAULT 1,
                tries integer NOT NULL DEFAULT 0,
                due bigint NOT NULL);
            CREATE INDEX message_batch_deliveries_due ON osid_batch.message_batch_deliveries (due) WHERE state = 0;
            CREATE TABLE osid_batch.message_batch_delivery_attempts (
                batch bigint NOT NULL,
                number integer NOT NULL,
                round bigint NOT NULL,
                at bigint NOT NULL,
                http_status integer,
                error text,
                PRIMARY KEY (batch, number));
        )sql");
        return;
    case 4:
        // Results by cursor (the SQLite store's version 8): a request's
        // position is where it is in the order its batch's requests
        // finished, from 1, given in the transaction that finishes it under
        // the batch's row lock (NULL while pending); the requests finished
        // before this step get theirs in request order.
        db.execute(R"sql(
            ALTER TABLE osid_batch.message_batch_requests ADD COLUMN position bigint;
            UPDATE osid_batch.message_batch_requests r SET position = f.n
                FROM (SELECT batch, idx, row_number() OVER (PARTITION BY batch ORDER BY idx) AS n
                      FROM osid_batch.message_batch_requests WHERE state != 0) AS f
                WHERE r.batch = f.batch AND r.idx = f.idx;
            CREATE UNIQUE INDEX message_batch_requests_by_position
                ON osid_batch.message_batch_requests (batch, position) WHERE position IS NOT NULL;
        )sql");
        return;
    case 5:
        // Claims (workers in many processes): a batch's requests below
        // `claimed` have been handed to a worker, a chunk at a time; a
        // chunk in flight is a row of message_batch_chunks, held by its
        // claim until lease_until. `turn` (the number of the batch's last
        // claim) takes batches in turn. A batch left unfinished is claimed
        // again from its first pending request.
        db.execute(R"sql(
            CREATE SEQUENCE osid_batch.claims;
            ALTER TABLE osid_batch.message_batches ADD COLUMN claimed bigint NOT NULL DEFAULT 0,
                ADD COLUMN turn bigint NOT NULL DEFAULT 0;
            UPDATE osid_batch.message_batches b SET claimed = coalesce((SELECT min(idx)
                FROM osid_batch.message_batch_requests r WHERE r.batch = b.key AND r.state = 0), b.request_count)
                WHERE status != 2;
            CREATE TABLE osid_batch.message_batch_chunks (
                batch bigint NOT NULL,
                from_idx bigint NOT NULL,
                to_idx bigint NOT NULL,
                claimed_by text NOT NULL,
                claim bigint NOT NULL,
                lease_until timestamptz NOT NULL,
                PRIMARY KEY (batch, from_idx));
        )sql");
        return;
    default: throw OperationFailed(fmt::format("no batch store schema step {}", step));
    }
}

using StoreState = postgres::SchemaState;

StoreState readState(Connection &db) { return postgres::readSchemaState(db, "osid_batch"); }

void requireOurs(const StoreState &state, const std::string &displayName)
{
    if (!state.empty && state.application != PostgresBatchStore::kApplication)
        throw ConfigurationError(fmt::format("{}: its schema osid_batch is not an osid-batch store (application "
                                             "\"{}\", expected \"{}\"); it was not changed",
                                             displayName, state.application, PostgresBatchStore::kApplication));
    if (state.version > PostgresBatchStore::kSchemaVersion)
        throw ConfigurationError(fmt::format("{} holds message batches of a newer build (version {}; this build "
                                             "knows versions up to {}); it was not changed",
                                             displayName, state.version, PostgresBatchStore::kSchemaVersion));
}

Params &addTime(Params &p, const std::optional<DateTime> &t) { return t ? p.add(t->toMicroseconds()) : p.addNull(); }

std::optional<DateTime> optionalTime(const Result &r, int row, int column)
{
    if (r.isNull(row, column))
        return std::nullopt;
    return DateTime::fromMicroseconds(r.integer(row, column));
}

StoredBatch readBatch(const Result &r, int row)
{
    StoredBatch out;
    out.key = r.integer(row, 0);
    out.batch.id = r.text(row, 1);
    out.batch.processingStatus = static_cast<ProcessingStatus>(r.integer(row, 2));
    out.requestCount = static_cast<std::uint64_t>(r.integer(row, 3));
    auto &counts = out.batch.requestCounts;
    counts.succeeded = static_cast<std::uint64_t>(r.integer(row, 4));
    counts.errored = static_cast<std::uint64_t>(r.integer(row, 5));
    counts.canceled = static_cast<std::uint64_t>(r.integer(row, 6));
    counts.expired = static_cast<std::uint64_t>(r.integer(row, 7));
    counts.processing = out.requestCount - counts.succeeded - counts.errored - counts.canceled - counts.expired;
    out.batch.createdAt = DateTime::fromMicroseconds(r.integer(row, 8));
    out.batch.expiresAt = DateTime::fromMicroseconds(r.integer(row, 9));
    out.batch.endedAt = optionalTime(r, row, 10);
    out.batch.cancelInitiatedAt = optionalTime(r, row, 11);
    out.batch.archivedAt = optionalTime(r, row, 12);
    out.provider = r.text(row, 13);
    out.attempted = r.integer(row, 14);
    if (!r.isNull(row, 15))
        out.batch.parentBatchId = std::string(r.text(row, 15));
    out.batch.workspace = r.text(row, 16);
    if (!r.isNull(row, 17))
        out.batch.callbackUrl = std::string(r.text(row, 17));
    return out;
}

std::vector<StoredBatch> readBatches(const Result &r)
{
    std::vector<StoredBatch> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int row = 0; row < r.rows(); ++row)
        out.push_back(readBatch(r, row));
    return out;
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

// Moves the pending requests of batch $1 with index >= $2 to `state` ($3),
// with positions after the batch's last, in request order, and the batch's
// count by as many, setting `alsoSet` too; returns that many. The caller
// holds the batch's row lock.
std::string closePendingSql(RequestState state, const char *alsoSet = "")
{
    return fmt::format(R"sql(
        WITH last AS (
            SELECT coalesce(max(position), 0) AS p FROM osid_batch.message_batch_requests WHERE batch = $1),
        moved AS (
            UPDATE osid_batch.message_batch_requests r SET state = $3, position = (SELECT p FROM last) + f.n
            FROM (SELECT idx, row_number() OVER (ORDER BY idx) AS n FROM osid_batch.message_batch_requests
                  WHERE batch = $1 AND idx >= $2 AND state = 0) AS f
            WHERE r.batch = $1 AND r.idx = f.idx RETURNING 1)
        UPDATE osid_batch.message_batches SET {0} = {0} + (SELECT count(*) FROM moved){1}
        WHERE key = $1 RETURNING (SELECT count(*) FROM moved))sql",
                       countColumn(state), alsoSet);
}
// A session advisory lock on a connection of its own: the server releases
// it when the session ends, so a process that dies (or loses the server)
// loses it. Workers hold it shared, so that any number work at once; a
// Sole holder holds it exclusive, and so knows that no worker runs. The
// courier lock is another one, exclusive.
class AdvisoryLock final : public ProcessingLock {
public:
    AdvisoryLock(std::string conninfo, std::string provider, LockRole role)
        : conninfo_(std::move(conninfo)), provider_(std::move(provider)),
          shared_(role == LockRole::Worker ? "_shared" : ""),
          class_(role == LockRole::Courier ? kCourierLockClass : kProcessingLockClass)
    {
    }
    // Released here, not left to the session's end: the server ends a
    // closed session a moment later, and the next holder (a cancel in this
    // process, say) must find the lock free at once.
    ~AdvisoryLock() override
    {
        if (!held_ || !db_)
            return;
        try {
            db_->query(fmt::format("SELECT pg_advisory_unlock{}($1::integer, hashtext($2))", shared_),
                       Params().add(class_).add(provider_));
        } catch (const OsidException &) {
            // The session is gone, and the lock with it.
        }
    }
    AdvisoryLock(const AdvisoryLock &) = delete;
    AdvisoryLock &operator=(const AdvisoryLock &) = delete;

    bool tryLock() override
    {
        try {
            if (db_ && db_->isBroken()) {
                // The session, and the lock with it, is gone.
                db_.reset();
                held_ = false;
            }
            if (held_)
                return true;
            if (!db_)
                db_ = std::make_unique<Connection>(conninfo_);
            held_ = db_->query(fmt::format("SELECT pg_try_advisory_lock{}($1::integer, hashtext($2))", shared_),
                               Params().add(class_).add(provider_))
                        .boolean(0, 0);
        } catch (const OsidException &) {
            // The server cannot be reached: not held; tried again at the
            // next poll.
            db_.reset();
            held_ = false;
        }
        return held_;
    }

private:
    std::string conninfo_;
    std::string provider_;
    const char *shared_; // the lock functions' suffix
    std::int64_t class_;
    std::unique_ptr<Connection> db_;
    bool held_ = false;
};

// LISTEN osid_batch on a connection of its own, in a thread of its own,
// until it goes away. A connection lost is opened again after a pause, and
// `changed` is called then too: notices sent meanwhile are lost.
class NotifyListener final : public StoreListener {
public:
    NotifyListener(std::string conninfo, std::function<void()> changed)
        : conninfo_(std::move(conninfo)), changed_(std::move(changed)), thread_([this] { run(); })
    {
    }
    ~NotifyListener() override
    {
        stopping_ = true;
        thread_.join();
    }

private:
    void run()
    {
        PGconn *db = nullptr;
        while (!stopping_) {
            if (db == nullptr || PQstatus(db) != CONNECTION_OK) {
                PQfinish(db);
                db = PQconnectdb(conninfo_.c_str());
                // The server's "terminating connection" at a restart is
                // not printed on stderr.
                PQsetNoticeProcessor(
                    db, [](void *, const char *) {}, nullptr);
                PGresult *r = PQstatus(db) == CONNECTION_OK ? PQexec(db, "LISTEN osid_batch") : nullptr;
                const bool listening = r != nullptr && PQresultStatus(r) == PGRES_COMMAND_OK;
                PQclear(r);
                if (!listening) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(500));
                    continue;
                }
                changed_();
            }
            // Wakes at least every 200 ms to see whether to stop.
            pollfd socket{PQsocket(db), POLLIN, 0};
            if (::poll(&socket, 1, 200) > 0 && PQconsumeInput(db) == 0)
                continue; // lost: opened again above
            bool heard = false;
            while (PGnotify *notice = PQnotifies(db)) {
                heard = true;
                PQfreemem(notice);
            }
            if (heard)
                changed_();
        }
        PQfinish(db);
    }

    std::string conninfo_;
    std::function<void()> changed_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

} // namespace

void applyBatchSchemaSteps(postgres::Connection &db, int from, int to, const std::string &authority)
{
    for (int step = from + 1; step <= to; ++step)
        applyStep(db, step, authority);
    db.query("UPDATE osid_batch.meta SET value = $1 WHERE name = 'schema_version'", Params().add(std::int64_t{to}));
}

std::string postgresDisplayName(const std::string &conninfo)
{
    char *error = nullptr;
    PQconninfoOption *options = PQconninfoParse(conninfo.c_str(), &error);
    if (options == nullptr) {
        PQfreemem(error);
        return "a PostgreSQL database (a connection string that does not parse)";
    }
    std::string database, host, port;
    for (auto *o = options; o->keyword != nullptr; ++o) {
        if (o->val == nullptr)
            continue;
        const std::string_view keyword = o->keyword;
        if (keyword == "dbname")
            database = o->val;
        else if (keyword == "host")
            host = o->val;
        else if (keyword == "port")
            port = o->val;
    }
    PQconninfoFree(options);
    return fmt::format("PostgreSQL database \"{}\" ({}{})", database.empty() ? "(the default)" : database,
                       host.empty()     ? "the default host"
                       : host[0] == '/' ? "socket " + host
                                        : "host " + host,
                       port.empty() ? "" : ", port " + port);
}

PostgresBatchStore::PostgresBatchStore(const std::string &conninfo, bool readOnly,
                                       std::chrono::milliseconds busyTimeout)
    : conninfo_(conninfo), readOnly_(readOnly), busyTimeout_(busyTimeout), db_(conninfo)
{
    setUpSession(db_);
    openSchema();
}

void PostgresBatchStore::setUpSession(postgres::Connection &db)
{
    db.execute(fmt::format("SET lock_timeout = {}; SET default_transaction_read_only = {}", busyTimeout_.count(),
                           readOnly_ ? "on" : "off"));
}

void PostgresBatchStore::openSchema()
{
    const auto name = db_.describe();
    // A store already at this version is only read. Otherwise the steps
    // run in one transaction, under a lock that another process opening
    // the same database at the same time waits for; then the state is read
    // again, since that process may have done the work. Again in a new
    // transaction: a session's catalog cache may still hold "no schema
    // osid_batch" from the first read, and only a transaction's start is
    // sure to refresh it.
    try {
        db_.execute("BEGIN");
        auto state = readState(db_);
        requireOurs(state, name);
        if (state.version < kSchemaVersion) {
            if (readOnly_)
                throw ConfigurationError(fmt::format("{} holds no message batches", name));
            db_.execute("COMMIT; BEGIN");
            db_.query(kSchemaLock);
            state = readState(db_);
            requireOurs(state, name);
            if (state.version < kSchemaVersion) {
                thread_local std::mt19937_64 random{std::random_device{}()};
                const auto authority = state.empty ? fmt::format("osid-batch.{:016x}", random()) : state.authority;
                applyBatchSchemaSteps(db_, state.version, kSchemaVersion, authority);
                state = readState(db_);
            }
        }
        if (state.authority.empty())
            throw ConfigurationError(fmt::format("{} has no authority recorded; it is damaged", name));
        authority_ = state.authority;
        db_.execute("COMMIT");
    } catch (...) {
        db_.rollBack();
        throw;
    }
}

template <typename Body>
auto PostgresBatchStore::run(Body &&body)
{
    std::lock_guard lock(mutex_);
    if (db_.isBroken()) {
        // A restarting server is waited for as a lock is: the workers'
        // retries of a write would not outlast it.
        db_.reconnect(busyTimeout_);
        setUpSession(db_);
    }
    try {
        return body();
    } catch (const postgres::Overloaded &e) {
        db_.rollBack();
        throw StoreOverloaded(e.what());
    } catch (...) {
        db_.rollBack();
        throw;
    }
}

std::unique_ptr<StoreListener> PostgresBatchStore::listen(std::function<void()> changed)
{
    return std::make_unique<NotifyListener>(conninfo_, std::move(changed));
}

std::unique_ptr<ProcessingLock> PostgresBatchStore::processingLock(const std::string &provider, LockRole role)
{
    return std::make_unique<AdvisoryLock>(conninfo_, provider, role);
}

std::optional<ChunkClaim> PostgresBatchStore::claimChunk(const std::string &provider, const std::string &worker,
                                                         std::size_t chunkSize, DateTime now,
                                                         std::chrono::milliseconds lease, bool &callbackQueued)
{
    return run([&]() -> std::optional<ChunkClaim> {
        // A claim that finds nothing to do writes nothing.
        bool writing = false;
        const auto write = [&] {
            if (!std::exchange(writing, true))
                beforeWrite("claiming a chunk");
        };
        db_.execute("BEGIN");
        // A chunk whose lease ran out: its worker stopped, or lost the
        // database. Its requests may have been sent: they are looked up.
        auto expired = db_.query("SELECT c.batch, c.from_idx, c.to_idx FROM osid_batch.message_batch_chunks c "
                                 "JOIN osid_batch.message_batches b ON b.key = c.batch "
                                 "WHERE b.provider = $1 AND c.lease_until < clock_timestamp() "
                                 "ORDER BY c.lease_until LIMIT 1 FOR UPDATE OF c SKIP LOCKED",
                                 Params().add(provider));
        if (expired.rows() > 0) {
            write();
            ChunkClaim out;
            out.key = expired.integer(0, 0);
            out.from = expired.integer(0, 1);
            out.to = expired.integer(0, 2);
            out.claim = db_.query("UPDATE osid_batch.message_batch_chunks SET claimed_by = $3, "
                                  "claim = nextval('osid_batch.claims'), "
                                  "lease_until = clock_timestamp() + $4 * interval '1 millisecond' "
                                  "WHERE batch = $1 AND from_idx = $2 RETURNING claim",
                                  Params().add(out.key).add(out.from).add(worker).add(std::int64_t{lease.count()}))
                            .integer(0, 0);
            auto b = db_.query("SELECT id, workspace, status, expires_at FROM osid_batch.message_batches "
                               "WHERE key = $1",
                               Params().add(out.key));
            db_.execute("COMMIT");
            out.batchId = b.text(0, 0);
            out.workspace = b.text(0, 1);
            const bool canceling = static_cast<ProcessingStatus>(b.integer(0, 2)) == ProcessingStatus::Canceling;
            out.recover = true;
            out.create = !canceling && now < DateTime::fromMicroseconds(b.integer(0, 3));
            out.closeAs = canceling ? RequestState::Canceled : RequestState::Expired;
            return out;
        }
        // The next requests of the batch claimed longest ago. A batch
        // another worker is claiming from is skipped; when every batch is,
        // this waits for one (its claim is short) rather than idle for a
        // poll.
        constexpr const char *kNextBatch =
            "SELECT key, id, workspace, status, request_count, expires_at, attempted, claimed "
            "FROM osid_batch.message_batches b WHERE status != 2 AND provider IN ($1, '') AND (claimed < "
            "request_count OR NOT EXISTS (SELECT 1 FROM osid_batch.message_batch_chunks c WHERE c.batch = b.key)) "
            "ORDER BY turn, key LIMIT 1 FOR UPDATE";
        for (bool wait = false;;) {
            auto r = db_.query(fmt::format("{}{}", kNextBatch, wait ? "" : " SKIP LOCKED"), Params().add(provider));
            if (r.rows() == 0) {
                if (wait) {
                    db_.execute("COMMIT");
                    return std::nullopt;
                }
                wait = true;
                continue;
            }
            const auto key = r.integer(0, 0);
            ClaimableBatch batch;
            batch.status = static_cast<ProcessingStatus>(r.integer(0, 3));
            batch.requestCount = r.integer(0, 4);
            batch.expiresAt = DateTime::fromMicroseconds(r.integer(0, 5));
            batch.attempted = r.integer(0, 6);
            batch.claimed = r.integer(0, 7);
            // Read again now that the batch is locked: the row read above
            // may be of an older snapshot than the lock's.
            batch.busy =
                batch.claimed >= batch.requestCount &&
                db_.query("SELECT 1 FROM osid_batch.message_batch_chunks WHERE batch = $1 LIMIT 1", Params().add(key))
                        .rows() > 0;
            const auto plan = planClaim(batch, chunkSize, now);
            if (plan.action != ClaimPlan::Wait)
                write();
            if (plan.action == ClaimPlan::Close) {
                db_.query(closePendingSql(plan.closeAs, ", claimed = request_count"),
                          Params().add(key).add(plan.from).add(static_cast<std::int64_t>(plan.closeAs)));
                continue; // taken again: it ends, or waits for its chunks in flight
            }
            if (plan.action == ClaimPlan::End) {
                if (db_.query(kEndBatch, Params()
                                             .add(key)
                                             .add(static_cast<std::int64_t>(ProcessingStatus::Ended))
                                             .add(now.toMicroseconds()))
                        .changed() > 0)
                    callbackQueued = true;
                continue;
            }
            if (plan.action == ClaimPlan::Wait) {
                db_.execute("COMMIT");
                return std::nullopt;
            }
            // The chunk's row, the batch's claimed requests and its mark of
            // requests that may be sent move in one transaction.
            const auto claim =
                db_.query("INSERT INTO osid_batch.message_batch_chunks VALUES ($1, $2, $3, $4, "
                          "nextval('osid_batch.claims'), clock_timestamp() + $5 * interval '1 millisecond') "
                          "RETURNING claim",
                          Params().add(key).add(plan.from).add(plan.to).add(worker).add(std::int64_t{lease.count()}))
                    .integer(0, 0);
            db_.query("UPDATE osid_batch.message_batches SET claimed = $2, attempted = greatest(attempted, $2), "
                      "turn = $3, provider = $4 WHERE key = $1",
                      Params().add(key).add(plan.to).add(claim).add(provider));
            db_.execute("COMMIT");
            return ChunkClaim{key,
                              std::string(r.text(0, 1)),
                              std::string(r.text(0, 2)),
                              plan.from,
                              plan.to,
                              plan.recover,
                              plan.create,
                              plan.closeAs,
                              claim};
        }
    });
}

std::size_t PostgresBatchStore::renewLeases(const std::vector<std::int64_t> &claims, std::chrono::milliseconds lease)
{
    if (claims.empty())
        return 0;
    return run([&] {
        return static_cast<std::size_t>(
            // A chunk held while its results are saved (holdChunk) is
            // skipped, not waited for: no one can take it over meanwhile.
            db_.query("UPDATE osid_batch.message_batch_chunks AS c SET lease_until = clock_timestamp() + $2 * "
                      "interval '1 millisecond' FROM (SELECT batch, from_idx FROM osid_batch.message_batch_chunks "
                      "WHERE claim = ANY($1::bigint[]) FOR UPDATE SKIP LOCKED) AS h "
                      "WHERE c.batch = h.batch AND c.from_idx = h.from_idx",
                      Params().addArray(claims).add(std::int64_t{lease.count()}))
                .changed());
    });
}

std::size_t PostgresBatchStore::releaseClaimsOf(const std::function<bool(const std::string &worker)> &stopped)
{
    return run([&]() -> std::size_t {
        std::vector<std::string> gone;
        const auto claimers = db_.query("SELECT DISTINCT claimed_by FROM osid_batch.message_batch_chunks "
                                        "WHERE lease_until > clock_timestamp()");
        for (int row = 0; row < claimers.rows(); ++row)
            if (std::string name(claimers.text(row, 0)); stopped(name))
                gone.push_back(std::move(name));
        if (gone.empty())
            return 0;
        beforeWrite("letting the chunks of stopped workers go");
        return static_cast<std::size_t>(
            // A chunk held (holdChunk) has a live worker after all: skipped.
            db_.query("UPDATE osid_batch.message_batch_chunks AS c SET lease_until = clock_timestamp() "
                      "FROM (SELECT batch, from_idx FROM osid_batch.message_batch_chunks WHERE claimed_by = "
                      "ANY($1::text[]) AND lease_until > clock_timestamp() FOR UPDATE SKIP LOCKED) AS h "
                      "WHERE c.batch = h.batch AND c.from_idx = h.from_idx",
                      Params().addArray(gone))
                .changed());
    });
}

bool PostgresBatchStore::finishChunk(const ChunkClaim &claim, const std::string &,
                                     const std::vector<FinishedRequest> &requests)
{
    // The claim ends with the results, which are saved only if it still
    // held the chunk. A claim taken over waits here for its taker's lock,
    // and then finds the chunk another's.
    return saveFinished(claim.key, requests, &claim);
}

// A connection of the store's spares, given back (its transaction rolled
// back) when this goes away; one that was lost is dropped instead.
class PostgresBatchStore::HoldConnection {
public:
    explicit HoldConnection(PostgresBatchStore &store) : store_(store)
    {
        {
            std::lock_guard lock(store_.spareMutex_);
            if (!store_.spare_.empty()) {
                db_ = std::move(store_.spare_.back());
                store_.spare_.pop_back();
            }
        }
        if (!db_) {
            db_ = connect();
            setUp();
        } else if (db_->isBroken()) {
            db_->reconnect(store_.busyTimeout_);
            setUp();
        }
    }
    HoldConnection(const HoldConnection &) = delete;
    HoldConnection &operator=(const HoldConnection &) = delete;
    ~HoldConnection()
    {
        db_->rollBack();
        if (db_->isBroken())
            return;
        std::lock_guard lock(store_.spareMutex_);
        store_.spare_.push_back(std::move(db_));
    }

    postgres::Connection &operator*() const { return *db_; }
    postgres::Connection *operator->() const { return db_.get(); }

    // Runs `body`; the server's "not now" becomes StoreOverloaded, as in
    // run(), and any failure rolls back what was open.
    template <typename Body>
    auto translating(Body &&body)
    {
        try {
            return body();
        } catch (const postgres::Overloaded &e) {
            db_->rollBack();
            throw StoreOverloaded(e.what());
        } catch (...) {
            db_->rollBack();
            throw;
        }
    }

private:
    // A new connection, waiting for a restarting server as run() does.
    std::unique_ptr<postgres::Connection> connect() const
    {
        const auto deadline = std::chrono::steady_clock::now() + store_.busyTimeout_;
        for (;;) {
            try {
                return std::make_unique<postgres::Connection>(store_.conninfo_);
            } catch (const OperationFailed &) {
                if (std::chrono::steady_clock::now() >= deadline)
                    throw;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }

    void setUp()
    {
        store_.setUpSession(*db_);
        // A hold is idle in its transaction while the provider commits. A
        // server that ended such a session (a database default of
        // idle_in_transaction_session_timeout, or from PostgreSQL 17 of
        // transaction_timeout) would let another worker take the chunk
        // over before this worker's commit.
        db_->execute("SET idle_in_transaction_session_timeout = 0");
        if (db_->query("SELECT current_setting('server_version_num')::int >= 170000").boolean(0, 0))
            db_->execute("SET transaction_timeout = 0");
    }

    PostgresBatchStore &store_;
    std::unique_ptr<postgres::Connection> db_;
};

// The chunk's row, locked FOR UPDATE in a transaction of the hold's own
// connection, which a claim that takes chunks over skips (SKIP LOCKED);
// rolled back when the hold ends.
class PostgresBatchStore::Hold final : public ChunkHold {
public:
    explicit Hold(std::unique_ptr<HoldConnection> db) : db_(std::move(db)) {}

private:
    std::unique_ptr<HoldConnection> db_;
};

std::unique_ptr<BatchStore::ChunkHold> PostgresBatchStore::holdChunk(const ChunkClaim &claim)
{
    auto db = std::make_unique<HoldConnection>(*this);
    const bool held = db->translating([&] {
        (*db)->queue("BEGIN");
        return (*db)
                   ->query("SELECT 1 FROM osid_batch.message_batch_chunks "
                           "WHERE batch = $1 AND from_idx = $2 AND claim = $3 FOR UPDATE",
                           Params().add(claim.key).add(claim.from).add(claim.claim))
                   .rows() > 0;
    });
    if (!held)
        return nullptr;
    return std::make_unique<Hold>(std::move(db));
}
BatchStore::Inserted PostgresBatchStore::insertStreaming(
    const MessageBatch &batch, const std::string &provider, const std::string &idempotencyKey,
    const std::function<bool(std::string &customId, std::string &params)> &next)
{
    return run([&] {
        beforeWrite("saving the batch");
        db_.queue("BEGIN");
        RequestDigest digest;
        std::string customId, params;
        if (!idempotencyKey.empty()) {
            // A second process with the same key in the same workspace
            // waits here until this one has committed, and then finds its
            // batch.
            db_.queue("SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(10) || $2, $3))",
                      Params().add(batch.workspace).add(idempotencyKey).add(kKeyLockSeed));
            auto earlier = db_.query("SELECT key, id, request_digest FROM osid_batch.message_batches "
                                     "WHERE workspace = $1 AND idempotency_key = $2",
                                     Params().add(batch.workspace).add(idempotencyKey));
            if (earlier.rows() > 0) {
                Inserted out{earlier.integer(0, 0), 0, std::string(earlier.text(0, 1)), Inserted::Earlier};
                while (next(customId, params))
                    digest.add(customId, params);
                if (digest.finish() != earlier.text(0, 2))
                    out.outcome = Inserted::Conflict;
                db_.execute("COMMIT");
                return out;
            }
        }
        Params row;
        row.add(batch.id).add(static_cast<std::int64_t>(batch.processingStatus));
        row.add(batch.createdAt.toMicroseconds()).add(batch.expiresAt.toMicroseconds());
        addTime(row, batch.endedAt);
        addTime(row, batch.cancelInitiatedAt);
        addTime(row, batch.archivedAt);
        row.add(provider);
        if (idempotencyKey.empty())
            row.addNull();
        else
            row.add(idempotencyKey);
        if (batch.parentBatchId)
            row.add(*batch.parentBatchId);
        else
            row.addNull();
        row.add(batch.workspace);
        if (batch.callbackUrl)
            row.add(*batch.callbackUrl);
        else
            row.addNull();
        const auto key = db_.query("INSERT INTO osid_batch.message_batches (id, status, request_count, created_at, "
                                   "expires_at, ended_at, cancel_initiated_at, archived_at, provider, "
                                   "idempotency_key, parent_id, workspace, callback_url) "
                                   "VALUES ($1, $2, 0, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING key",
                                   row)
                             .integer(0, 0);
        std::int64_t index = 0;
        std::vector<std::string> customIds, paramsTexts;
        auto insertGathered = [&] {
            if (customIds.empty())
                return;
            const auto first = index - static_cast<std::int64_t>(customIds.size());
            db_.queue("INSERT INTO osid_batch.message_batch_requests (batch, idx, custom_id, params) "
                      "SELECT $1, $2 + t.n - 1, t.c, t.p FROM unnest($3::text[], $4::text[]) "
                      "WITH ORDINALITY AS t(c, p, n)",
                      Params().add(key).add(first).addArray(customIds).addArray(paramsTexts));
            customIds.clear();
            paramsTexts.clear();
        };
        while (next(customId, params)) {
            if (!idempotencyKey.empty())
                digest.add(customId, params);
            customIds.push_back(std::move(customId));
            paramsTexts.push_back(std::move(params));
            ++index;
            if (customIds.size() == kRequestsPerInsert)
                insertGathered();
        }
        insertGathered();
        Params counts;
        counts.add(key).add(index);
        if (idempotencyKey.empty())
            counts.addNull();
        else
            counts.add(digest.finish());
        db_.queue("UPDATE osid_batch.message_batches SET request_count = $2, request_digest = $3 WHERE key = $1",
                  std::move(counts));
        db_.queue(kNotify);
        db_.queue("COMMIT");
        db_.flush();
        return Inserted{key, static_cast<std::uint64_t>(index), batch.id, Inserted::Created};
    });
}

std::optional<StoredBatch> PostgresBatchStore::find(const std::string &id)
{
    return run([&]() -> std::optional<StoredBatch> {
        auto r = db_.query(fmt::format("SELECT {} FROM osid_batch.message_batches WHERE id = $1", kBatchColumns),
                           Params().add(id));
        if (r.rows() == 0)
            return std::nullopt;
        return readBatch(r, 0);
    });
}

std::vector<StoredBatch> PostgresBatchStore::page(std::int64_t around, bool newer, std::size_t limit,
                                                  const ListParams &filter, const std::optional<std::string> &workspace)
{
    return run([&] {
        // A filter not given matches everything. Newer batches are read
        // oldest first (the ones next to the cursor) and turned round, so
        // the page is newest first either way.
        constexpr const char *kFilters = "($3::integer IS NULL OR status = $3) AND ($4::bigint IS NULL OR created_at "
                                         ">= $4) AND ($5::bigint IS NULL OR created_at < $5) AND ($6::text IS NULL OR "
                                         "workspace = $6)";
        Params p;
        p.add(around == 0 && !newer ? INT64_MAX : around).add(static_cast<std::uint64_t>(limit));
        if (filter.status)
            p.add(static_cast<std::int64_t>(*filter.status));
        else
            p.addNull();
        addTime(p, filter.createdAfter);
        addTime(p, filter.createdBefore);
        if (workspace)
            p.add(*workspace);
        else
            p.addNull();
        auto out = readBatches(db_.query(
            fmt::format("SELECT {} FROM osid_batch.message_batches WHERE key {} $1 AND {} ORDER BY key {} LIMIT $2",
                        kBatchColumns, newer ? ">" : "<", kFilters, newer ? "" : "DESC"),
            p));
        if (newer)
            std::reverse(out.begin(), out.end());
        return out;
    });
}

bool PostgresBatchStore::setCanceling(std::int64_t key, DateTime now)
{
    return run([&] {
        beforeWrite("canceling the batch");
        // The notice goes out with the commit; a cancel that changed
        // nothing wakes the workers for nothing, once.
        db_.queue("BEGIN");
        db_.queue(kNotify);
        const bool changed = db_.query("UPDATE osid_batch.message_batches SET status = $2, cancel_initiated_at = $3 "
                                       "WHERE key = $1 AND status = $4",
                                       Params()
                                           .add(key)
                                           .add(static_cast<std::int64_t>(ProcessingStatus::Canceling))
                                           .add(now.toMicroseconds())
                                           .add(static_cast<std::int64_t>(ProcessingStatus::InProgress)))
                                 .changed() > 0;
        db_.execute("COMMIT");
        return changed;
    });
}

std::vector<PendingRequest> PostgresBatchStore::pending(std::int64_t key, std::int64_t from, std::int64_t to)
{
    return run([&] {
        auto r = db_.query("SELECT idx, custom_id, params FROM osid_batch.message_batch_requests "
                           "WHERE batch = $1 AND idx >= $2 AND idx < $3 AND state = 0 ORDER BY idx",
                           Params().add(key).add(from).add(to));
        std::vector<PendingRequest> out;
        out.reserve(static_cast<std::size_t>(r.rows()));
        for (int row = 0; row < r.rows(); ++row)
            out.push_back(PendingRequest{r.integer(row, 0), std::string(r.text(row, 1)), std::string(r.text(row, 2))});
        return out;
    });
}

std::int64_t PostgresBatchStore::firstPending(std::int64_t key, std::int64_t requestCount)
{
    return run([&] {
        auto r = db_.query("SELECT min(idx) FROM osid_batch.message_batch_requests WHERE batch = $1 AND state = 0",
                           Params().add(key));
        return r.rows() == 0 || r.isNull(0, 0) ? requestCount : r.integer(0, 0);
    });
}

void PostgresBatchStore::finish(std::int64_t key, const std::vector<FinishedRequest> &requests)
{
    saveFinished(key, requests, nullptr);
}

bool PostgresBatchStore::saveFinished(std::int64_t key, const std::vector<FinishedRequest> &requests,
                                      const ChunkClaim *claim)
{
    std::vector<std::int64_t> indexes, states;
    std::vector<std::string> results;
    for (const auto &r : requests) {
        indexes.push_back(r.index);
        states.push_back(static_cast<std::int64_t>(r.state));
        results.push_back(r.result);
    }
    Params p;
    p.add(key).addArray(indexes).addArray(states).addArray(results);
    if (claim != nullptr)
        p.add(claim->from).add(claim->claim);
    // One statement: the requests still pending move, with positions after
    // the batch's last, and the counts move by what moved; with a claim,
    // only if it still holds the chunk, whose claim it ends.
    const auto sql = fmt::format(R"sql(
        WITH {0}
        todo AS (
            SELECT f.idx, f.state, f.result, row_number() OVER (ORDER BY f.idx) AS n
            FROM unnest($2::bigint[], $3::integer[], $4::text[]) AS f(idx, state, result)
            JOIN osid_batch.message_batch_requests r ON r.batch = $1 AND r.idx = f.idx AND r.state = 0),
        last AS (
            SELECT coalesce(max(position), 0) AS p FROM osid_batch.message_batch_requests WHERE batch = $1),
        done AS (
            UPDATE osid_batch.message_batch_requests r
            SET state = t.state, result = t.result, position = (SELECT p FROM last) + t.n
            FROM todo t WHERE r.batch = $1 AND r.idx = t.idx AND r.state = 0 {1}
            RETURNING r.state)
        UPDATE osid_batch.message_batches SET
            succeeded = succeeded + (SELECT count(*) FROM done WHERE state = 1),
            errored = errored + (SELECT count(*) FROM done WHERE state = 2),
            canceled = canceled + (SELECT count(*) FROM done WHERE state = 3),
            expired = expired + (SELECT count(*) FROM done WHERE state = 4)
        WHERE key = $1 {1})sql",
                                 claim == nullptr ? ""
                                                  : "mine AS (DELETE FROM osid_batch.message_batch_chunks "
                                                    "WHERE batch = $1 AND from_idx = $5 AND claim = $6 RETURNING 1),",
                                 claim == nullptr ? "" : "AND EXISTS (SELECT 1 FROM mine)");
    return run([&] {
        beforeWrite("saving the chunk's results");
        // Under the batch's row lock, so positions follow the commits.
        db_.queue("BEGIN");
        lockBatchRow(db_, key);
        const bool saved = db_.query(sql, p).changed() > 0;
        db_.execute("COMMIT");
        return saved;
    });
}

std::uint64_t PostgresBatchStore::closePending(std::int64_t key, std::int64_t from, RequestState state)
{
    const auto sql = closePendingSql(state); // refuses a pending state before anything
    return run([&] {
        beforeWrite("closing the batch's unstarted requests");
        // Positions after the last one, in request order (see finish).
        db_.queue("BEGIN");
        lockBatchRow(db_, key);
        auto r = db_.query(sql, Params().add(key).add(from).add(static_cast<std::int64_t>(state)));
        db_.execute("COMMIT");
        return r.rows() == 0 ? std::uint64_t{0} : static_cast<std::uint64_t>(r.integer(0, 0));
    });
}

bool PostgresBatchStore::setEnded(std::int64_t key, DateTime now)
{
    return run([&] {
        beforeWrite("ending the batch");
        // Its callback, due now, in the same statement.
        return db_.query(kEndBatch, Params()
                                        .add(key)
                                        .add(static_cast<std::int64_t>(ProcessingStatus::Ended))
                                        .add(now.toMicroseconds()))
                   .changed() > 0;
    });
}

std::vector<UnsucceededRequest> PostgresBatchStore::unsucceeded(std::int64_t key)
{
    return run([&] {
        auto r = db_.query("SELECT custom_id, params, state, result FROM osid_batch.message_batch_requests "
                           "WHERE batch = $1 AND state > $2 ORDER BY idx",
                           Params().add(key).add(static_cast<std::int64_t>(RequestState::Succeeded)));
        std::vector<UnsucceededRequest> out;
        for (int row = 0; row < r.rows(); ++row) {
            UnsucceededRequest u{std::string(r.text(row, 0)), std::string(r.text(row, 1)),
                                 static_cast<RequestState>(r.integer(row, 2)), false};
            if (u.state == RequestState::Errored)
                u.retryable = storedRetryable(r.text(row, 3));
            out.push_back(std::move(u));
        }
        return out;
    });
}

bool PostgresBatchStore::resultsKept(std::int64_t key)
{
    return run([&] {
        return db_.query("SELECT 1 FROM osid_batch.message_batches WHERE key = $1 AND archived_at IS NULL",
                         Params().add(key))
                   .rows() > 0;
    });
}

std::uint64_t PostgresBatchStore::archive(DateTime createdBefore, DateTime now)
{
    return run([&]() -> std::uint64_t {
        // Looked for first: the reaper's usual round finds nothing, and
        // then writes nothing.
        if (db_.query(
                   "SELECT 1 FROM osid_batch.message_batches WHERE status = $2 AND archived_at IS NULL "
                   "AND created_at < $1 LIMIT 1",
                   Params().add(createdBefore.toMicroseconds()).add(static_cast<std::int64_t>(ProcessingStatus::Ended)))
                .rows() == 0)
            return 0;
        beforeWrite("archiving old batches");
        auto r = db_.query("WITH archived AS (UPDATE osid_batch.message_batches SET archived_at = $3 "
                           "WHERE status = $2 AND archived_at IS NULL AND created_at < $1 RETURNING key), "
                           "requests AS (DELETE FROM osid_batch.message_batch_requests "
                           "WHERE batch IN (SELECT key FROM archived)) "
                           "SELECT count(*) FROM archived",
                           Params()
                               .add(createdBefore.toMicroseconds())
                               .add(static_cast<std::int64_t>(ProcessingStatus::Ended))
                               .add(now.toMicroseconds()));
        return static_cast<std::uint64_t>(r.integer(0, 0));
    });
}

bool PostgresBatchStore::remove(std::int64_t key)
{
    return run([&] {
        beforeWrite("deleting the batch");
        // The delivery first, in a statement of its own: it waits for a
        // try being recorded (recordAttempt locks the delivery), and the
        // next statements then see that try, so none is left behind.
        db_.queue("BEGIN");
        db_.queue("DELETE FROM osid_batch.message_batch_deliveries WHERE batch = $1", Params().add(key));
        db_.queue("DELETE FROM osid_batch.message_batch_delivery_attempts WHERE batch = $1", Params().add(key));
        db_.queue("DELETE FROM osid_batch.message_batch_requests WHERE batch = $1", Params().add(key));
        db_.queue("DELETE FROM osid_batch.message_batch_chunks WHERE batch = $1", Params().add(key));
        const bool removed =
            db_.query("DELETE FROM osid_batch.message_batches WHERE key = $1", Params().add(key)).changed() > 0;
        db_.execute("COMMIT");
        return removed;
    });
}

std::vector<std::pair<std::int64_t, MessageBatchResult>> PostgresBatchStore::results(std::int64_t key,
                                                                                     std::int64_t afterIndex,
                                                                                     std::size_t limit)
{
    return run([&] {
        auto r = db_.query("SELECT idx, custom_id, state, result FROM osid_batch.message_batch_requests "
                           "WHERE batch = $1 AND idx > $2 AND state != 0 ORDER BY idx LIMIT $3",
                           Params().add(key).add(afterIndex).add(static_cast<std::uint64_t>(limit)));
        std::vector<std::pair<std::int64_t, MessageBatchResult>> out;
        out.reserve(static_cast<std::size_t>(r.rows()));
        for (int row = 0; row < r.rows(); ++row) {
            const auto index = r.integer(row, 0);
            out.emplace_back(index, storedResult(key, index, std::string(r.text(row, 1)),
                                                 static_cast<RequestState>(r.integer(row, 2)), r.text(row, 3)));
        }
        return out;
    });
}

void PostgresBatchStore::lockBatchRow(postgres::Connection &db, std::int64_t key)
{
    db.queue("SELECT 1 FROM osid_batch.message_batches WHERE key = $1 FOR UPDATE", Params().add(key));
}

std::vector<std::pair<std::int64_t, MessageBatchResult>> PostgresBatchStore::finishedSince(std::int64_t key,
                                                                                           std::int64_t afterPosition,
                                                                                           std::size_t limit)
{
    return run([&] {
        auto r = db_.query("SELECT position, idx, custom_id, state, result FROM osid_batch.message_batch_requests "
                           "WHERE batch = $1 AND position > $2 ORDER BY position LIMIT $3",
                           Params().add(key).add(afterPosition).add(static_cast<std::uint64_t>(limit)));
        std::vector<std::pair<std::int64_t, MessageBatchResult>> out;
        out.reserve(static_cast<std::size_t>(r.rows()));
        for (int row = 0; row < r.rows(); ++row) {
            const auto position = r.integer(row, 0);
            out.emplace_back(position, storedResult(key, r.integer(row, 1), std::string(r.text(row, 2)),
                                                    static_cast<RequestState>(r.integer(row, 3)), r.text(row, 4)));
            out.back().second.position = static_cast<std::uint64_t>(position);
        }
        return out;
    });
}

std::optional<MessageBatchResult> PostgresBatchStore::finishedResult(std::int64_t key, const std::string &customId)
{
    return run([&]() -> std::optional<MessageBatchResult> {
        auto r = db_.query("SELECT idx, custom_id, state, result FROM osid_batch.message_batch_requests "
                           "WHERE batch = $1 AND custom_id = $2 AND state != 0",
                           Params().add(key).add(customId));
        if (r.rows() == 0)
            return std::nullopt;
        return storedResult(key, r.integer(0, 0), std::string(r.text(0, 1)), static_cast<RequestState>(r.integer(0, 2)),
                            r.text(0, 3));
    });
}

std::string PostgresBatchStore::webhookSecret()
{
    return run([&] {
        const auto read = [&] {
            auto r = db_.query("SELECT value FROM osid_batch.meta WHERE name = 'webhook_secret'");
            return r.rows() == 0 ? std::string() : std::string(r.text(0, 0));
        };
        if (auto secret = read(); !secret.empty() || readOnly_)
            return secret;
        beforeWrite("saving the webhook secret");
        // Another process may have made one first: its stays.
        db_.query("INSERT INTO osid_batch.meta VALUES ('webhook_secret', $1) ON CONFLICT (name) DO NOTHING",
                  Params().add(newWebhookSecret()));
        return read();
    });
}

std::vector<StoredDelivery> PostgresBatchStore::dueDeliveries(const std::string &provider, DateTime now,
                                                              std::size_t limit)
{
    return run([&] {
        auto r = db_.query("SELECT d.batch, b.id, b.callback_url, d.round, d.tries "
                           "FROM osid_batch.message_batch_deliveries d "
                           "JOIN osid_batch.message_batches b ON b.key = d.batch "
                           "WHERE d.state = 0 AND d.due <= $1 AND b.provider = $2 ORDER BY d.due LIMIT $3",
                           Params().add(now.toMicroseconds()).add(provider).add(static_cast<std::uint64_t>(limit)));
        std::vector<StoredDelivery> out;
        for (int row = 0; row < r.rows(); ++row)
            out.push_back(StoredDelivery{r.integer(row, 0), std::string(r.text(row, 1)), std::string(r.text(row, 2)),
                                         r.integer(row, 3), static_cast<int>(r.integer(row, 4))});
        return out;
    });
}

void PostgresBatchStore::recordAttempt(std::int64_t key, std::int64_t round, const DeliveryAttempt &attempt,
                                       std::optional<DateTime> nextDue)
{
    run([&] {
        beforeWrite("recording the callback's try");
        db_.execute("BEGIN");
        // Nothing for a batch deleted while the try was in flight; the lock
        // keeps a delete waiting until this try is recorded (see remove).
        if (db_.query("SELECT 1 FROM osid_batch.message_batch_deliveries WHERE batch = $1 FOR UPDATE",
                      Params().add(key))
                .rows() == 0) {
            db_.execute("COMMIT");
            return;
        }
        Params tryRow;
        tryRow.add(key).add(round).add(attempt.at.toMicroseconds());
        if (attempt.httpStatus != 0)
            tryRow.add(static_cast<std::int64_t>(attempt.httpStatus));
        else
            tryRow.addNull();
        if (attempt.error.empty())
            tryRow.addNull();
        else
            tryRow.add(attempt.error);
        db_.queue("INSERT INTO osid_batch.message_batch_delivery_attempts (batch, number, round, at, http_status, "
                  "error) SELECT $1, coalesce(max(number), 0) + 1, $2, $3, $4, $5 "
                  "FROM osid_batch.message_batch_delivery_attempts WHERE batch = $1",
                  std::move(tryRow));
        // A try of an older round (a redeliver came since) changes nothing.
        const auto state = attempt.error.empty() ? DeliveryState::Delivered
                           : nextDue             ? DeliveryState::Pending
                                                 : DeliveryState::Failed;
        db_.queue("UPDATE osid_batch.message_batch_deliveries SET tries = tries + 1, state = $3, due = $4 "
                  "WHERE batch = $1 AND round = $2 AND state = 0",
                  Params()
                      .add(key)
                      .add(round)
                      .add(static_cast<std::int64_t>(state))
                      .add((nextDue ? *nextDue : attempt.at).toMicroseconds()));
        db_.queue("COMMIT");
        db_.flush();
    });
}

bool PostgresBatchStore::redeliver(std::int64_t key, DateTime now)
{
    return run([&] {
        beforeWrite("queuing the callback again");
        return db_.query("UPDATE osid_batch.message_batch_deliveries SET state = 0, round = round + 1, tries = 0, "
                         "due = $2 WHERE batch = $1",
                         Params().add(key).add(now.toMicroseconds()))
                   .changed() > 0;
    });
}

std::optional<CallbackDelivery> PostgresBatchStore::delivery(std::int64_t key)
{
    return run([&]() -> std::optional<CallbackDelivery> {
        // One snapshot for the delivery and its tries.
        db_.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        auto d = db_.query("SELECT b.id, b.callback_url, d.state, d.round FROM osid_batch.message_batch_deliveries d "
                           "JOIN osid_batch.message_batches b ON b.key = d.batch WHERE d.batch = $1",
                           Params().add(key));
        if (d.rows() == 0) {
            db_.execute("COMMIT");
            return std::nullopt;
        }
        CallbackDelivery out;
        out.url = d.text(0, 1);
        out.state = static_cast<DeliveryState>(d.integer(0, 2));
        out.round = d.integer(0, 3);
        out.webhookId = webhookId(std::string(d.text(0, 0)), out.round);
        auto tries = db_.query("SELECT round, at, http_status, error FROM osid_batch.message_batch_delivery_attempts "
                               "WHERE batch = $1 ORDER BY number",
                               Params().add(key));
        db_.execute("COMMIT");
        for (int row = 0; row < tries.rows(); ++row)
            out.attempts.push_back(
                DeliveryAttempt{tries.integer(row, 0), DateTime::fromMicroseconds(tries.integer(row, 1)),
                                tries.isNull(row, 2) ? 0 : static_cast<int>(tries.integer(row, 2)),
                                tries.isNull(row, 3) ? std::string() : std::string(tries.text(row, 3))});
        return out;
    });
}

} // namespace osid::service
