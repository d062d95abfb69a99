// The batch service's PostgreSQL store against a real server: the schema's
// version and refusals, the errors a caller sees (overloaded past the busy
// timeout, a lost connection opened again), the password kept out of
// messages, and batches whose messages go to the PostgreSQL provider in the
// same database. The message batch tests run on this store too (Meson test
// service-postgres).
//
// OSID_TEST_POSTGRES names the server; each test makes a database of its
// own there. Without it, the tests that need a server are skipped.

#include "runtime/provider_runtime.h"
#include "service/batch_messages.h"
#include "service/batch_workers.h"
#include "service/message_batches.h"
#include "service/postgres_batch_store.h"
#include "tests/postgres/postgres_support.h"
#include "tests/service/stalling_provider.h"
#include "tests/service/batch_support.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <set>
#include <string>
#include <thread>

using namespace osid;
using namespace osid::service;
using namespace postgres_test;
using batch_test::errorOf;
using osid::postgres::Params;

namespace {

std::vector<MessageBatchRequest> someRequests(int n)
{
    std::vector<MessageBatchRequest> out;
    for (int i = 0; i < n; ++i)
        out.push_back({fmt::format("r-{}", i), {{"subject", fmt::format("Subject {}", i)}, {"text", "Text"}}});
    return out;
}

MessageBatchOptions storeOptions(const ScratchDatabase &scratch, bool process = true)
{
    MessageBatchOptions options;
    options.storePath = "postgres:" + scratch.conninfo();
    options.process = process;
    options.pollInterval = std::chrono::milliseconds(10);
    return options;
}

// Creates a batch of `n` requests through a front end that processes
// nothing, as `osid-batch submit --detach` does; returns its id.
std::string createUnprocessed(const std::shared_ptr<messaging::MessagingManager> &provider, MessageBatchOptions options,
                              int n)
{
    options.process = false;
    return MessageBatchService(provider, options).create(someRequests(n)).id;
}

std::shared_ptr<messaging::MessagingManager> memoryProvider()
{
    return runtime::getMessagingManager(*runtime::makeProviderRuntime(), "memory");
}

std::string metaValue(Connection &db, const char *name)
{
    return std::string(db.query("SELECT value FROM osid_batch.meta WHERE name = $1", Params().add(name)).text(0, 0));
}

// Options for a service of one worker whose chunk is the whole of a
// 20-request batch, the provider PostgreSQL in the same database.
MessageBatchOptions oneChunkOptions(const ScratchDatabase &scratch)
{
    auto options = storeOptions(scratch);
    options.provider = "postgres";
    options.workers = 1;
    options.chunkSize = 20;
    return options;
}

// Checks that batch `id` has `n` results, all succeeded, and that the
// database holds `n` messages: each request's key names the message of its
// result.
void checkOneMessagePerRequest(const ScratchDatabase &scratch,
                               const std::shared_ptr<messaging::MessagingManager> &provider, const std::string &id,
                               std::int64_t n)
{
    auto db = scratch.raw();
    CHECK(db.query("SELECT count(*) FROM osid_messaging.messages").integer(0, 0) == n);
    const auto authority = metaValue(db, "authority");
    auto lookup = provider->getMessageLookupSession();
    MessageBatchService reader(provider, storeOptions(scratch, false));
    auto results = reader.results(id);
    std::int64_t count = 0;
    for (MessageBatchResult r; results.next(r); ++count) {
        REQUIRE(r.type == ResultType::Succeeded);
        CHECK(lookup->getMessage(requestAlias(authority, id, r.customId))->getId().toString() ==
              r.message.at("id").get<std::string>());
    }
    CHECK(count == n);
}

} // namespace

TEST_SUITE("the batch service's PostgreSQL store")
{
    TEST_CASE("a store path names PostgreSQL by its prefix; messages never show the password")
    {
        CHECK(isPostgresStorePath("postgresql://u@h/db"));
        CHECK(isPostgresStorePath("postgres://u@h/db"));
        CHECK(isPostgresStorePath("postgres:dbname=x"));
        CHECK_FALSE(isPostgresStorePath("batches.db"));
        CHECK_FALSE(isPostgresStorePath(":memory:"));
        const auto shown = storePathForDisplay("postgresql://alice:sesame@db.example:5433/batches");
        CHECK(shown.find("sesame") == std::string::npos);
        CHECK(shown.find("\"batches\"") != std::string::npos);
        CHECK(shown.find("db.example") != std::string::npos);
        CHECK(storePathForDisplay("postgres:dbname=b password=sesame").find("sesame") == std::string::npos);
        MessageBatchOptions options;
        options.storePath = "postgres:host=/nonexistent-osid-test port=1 password=sesame connect_timeout=2";
        const auto e = errorOf([&] { MessageBatchService(memoryProvider(), options); });
        CHECK(e.type() == "api_error");
        CHECK(std::string(e.what()).find("cannot connect to PostgreSQL") != std::string::npos);
        CHECK(std::string(e.what()).find("sesame") == std::string::npos);
    }

    TEST_CASE("a new database gets the schema osid_batch at the current version; opening it again changes nothing" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        std::string authority;
        {
            MessageBatchService service(memoryProvider(), storeOptions(scratch));
            service.wait(service.create(someRequests(3)).id);
        }
        auto db = scratch.raw();
        CHECK(metaValue(db, "application") == "osid-cpp batch service");
        CHECK(metaValue(db, "schema_version") == std::to_string(PostgresBatchStore::kSchemaVersion));
        authority = metaValue(db, "authority");
        CHECK(authority.starts_with("osid-batch."));
        MessageBatchService again(memoryProvider(), storeOptions(scratch));
        CHECK(again.list({}).data.size() == 1);
        CHECK(metaValue(db, "authority") == authority);
    }

    TEST_CASE("a version 1 store is upgraded step by step: its batches are in the default workspace, and keys are "
              "per workspace" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto db = scratch.raw();
        db.execute("BEGIN");
        applyBatchSchemaSteps(db, 0, 1, "osid-batch.0123456789abcdef");
        db.execute("INSERT INTO osid_batch.message_batches (id, status, request_count, created_at, expires_at, "
                   "idempotency_key) VALUES ('msgbatch_old', 2, 0, 1, 2, 'k')");
        db.execute("COMMIT");
        MessageBatchService service(memoryProvider(), storeOptions(scratch));
        CHECK(metaValue(db, "schema_version") == std::to_string(PostgresBatchStore::kSchemaVersion));
        CHECK(metaValue(db, "authority") == "osid-batch.0123456789abcdef");
        const auto old = service.retrieve("msgbatch_old");
        CHECK(old.workspace.empty());
        CHECK(db.query("SELECT count(*) FROM osid_batch.message_batches WHERE workspace = '' AND "
                       "idempotency_key = 'k'")
                  .integer(0, 0) == 1);
        // The key is the old batch's in the default workspace: the same key
        // in another workspace makes a batch of its own.
        db.execute("INSERT INTO osid_batch.message_batches (id, status, request_count, created_at, expires_at, "
                   "idempotency_key, workspace) VALUES ('msgbatch_other', 2, 0, 1, 2, 'k', 'elsewhere')");
        CHECK_THROWS(db.execute("INSERT INTO osid_batch.message_batches (id, status, request_count, created_at, "
                                "expires_at, idempotency_key) VALUES ('msgbatch_again', 2, 0, 1, 2, 'k')"));
    }

    TEST_CASE("a batch left unfinished by a version 4 store is claimed from its first pending request on" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto db = scratch.raw();
        db.execute("BEGIN");
        applyBatchSchemaSteps(db, 0, 4, "osid-batch.0123456789abcdef");
        // Three requests: the first ended, the second maybe sent (attempted).
        db.execute("INSERT INTO osid_batch.message_batches (id, status, request_count, succeeded, created_at, "
                   "expires_at, attempted) VALUES ('msgbatch_open', 0, 3, 1, 1, 9000000000000000, 2)");
        db.execute("INSERT INTO osid_batch.message_batch_requests (batch, idx, custom_id, params, state, result) "
                   "SELECT key, i, 'r-' || i, '{\"subject\":\"S\",\"text\":\"T\"}', "
                   "CASE WHEN i = 0 THEN 1 ELSE 0 END, CASE WHEN i = 0 THEN '{}' END "
                   "FROM osid_batch.message_batches, generate_series(0, 2) AS i");
        db.execute("COMMIT");
        auto provider = memoryProvider();
        MessageBatchService service(provider, storeOptions(scratch));
        CHECK(service.wait("msgbatch_open").requestCounts.succeeded == 3);
        CHECK(db.query("SELECT claimed, provider FROM osid_batch.message_batches").integer(0, 0) == 3);
        CHECK(db.query("SELECT count(*) FROM osid_batch.message_batch_chunks").integer(0, 0) == 0);
    }

    TEST_CASE("a newer version, or another application's osid_batch schema, is refused unchanged" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        {
            MessageBatchService service(memoryProvider(), storeOptions(scratch));
        }
        auto db = scratch.raw();
        db.execute("UPDATE osid_batch.meta SET value = '99' WHERE name = 'schema_version'");
        auto newer = errorOf([&] { MessageBatchService(memoryProvider(), storeOptions(scratch)); });
        CHECK(newer.type() == "api_error");
        CHECK(std::string(newer.what()).find("newer build") != std::string::npos);
        CHECK(metaValue(db, "schema_version") == "99");

        ScratchDatabase theirs;
        auto other = theirs.raw();
        other.execute("CREATE SCHEMA osid_batch; CREATE TABLE osid_batch.notes (text text)");
        auto foreign = errorOf([&] { MessageBatchService(memoryProvider(), storeOptions(theirs)); });
        CHECK(std::string(foreign.what()).find("not an osid-batch store") != std::string::npos);
        CHECK(other.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'osid_batch'").integer(0, 0) == 1);
    }

    TEST_CASE("a read-only service on a database without a store refuses, and creates nothing" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto options = storeOptions(scratch);
        options.readOnly = true;
        const auto e = errorOf([&] { MessageBatchService(memoryProvider(), options); });
        CHECK(e.type() == "api_error");
        CHECK(std::string(e.what()).find("holds no message batches") != std::string::npos);
        auto db = scratch.raw();
        CHECK(db.query("SELECT count(*) FROM pg_namespace WHERE nspname = 'osid_batch'").integer(0, 0) == 0);
    }

    TEST_CASE("a batch row locked by another session past the busy timeout: overloaded_error, nothing changed" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto options = storeOptions(scratch, false);
        options.busyTimeout = std::chrono::milliseconds(100);
        MessageBatchService front(memoryProvider(), options);
        const auto id = front.create(someRequests(2)).id;
        auto other = scratch.raw();
        other.execute("BEGIN");
        other.query("SELECT 1 FROM osid_batch.message_batches WHERE id = $1 FOR UPDATE", Params().add(id));
        const auto e = errorOf([&] { front.cancel(id); });
        CHECK(e.type() == "overloaded_error");
        CHECK(std::string(e.what()).find("lock timeout") != std::string::npos);
        other.execute("ROLLBACK");
        CHECK(front.retrieve(id).processingStatus == ProcessingStatus::InProgress);
        CHECK(front.cancel(id).processingStatus != ProcessingStatus::InProgress);
    }

    TEST_CASE("a store whose session the server ended opens a new one at the next call" * doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        MessageBatchService front(memoryProvider(), storeOptions(scratch, false));
        const auto id = front.create(someRequests(2)).id;
        auto admin = scratch.raw();
        const auto ended = admin.query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                       "WHERE datname = current_database() AND pid != pg_backend_pid()");
        CHECK(ended.integer(0, 0) >= 1);
        // The server closes the sessions as it gets to them.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        CHECK(front.retrieve(id).id == id);
        CHECK(front.list({}).data.size() == 1);
    }

    TEST_CASE("with the PostgreSQL provider in the same database, each succeeded request has one message, found "
              "by its idempotency key" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto provider = openStore(scratch.conninfo());
        MessageBatchService service(provider, storeOptions(scratch));
        const auto batch = service.wait(service.create(someRequests(40)).id);
        CHECK(batch.requestCounts.succeeded == 40);
        auto db = scratch.raw();
        CHECK(db.query("SELECT count(*) FROM osid_messaging.messages").integer(0, 0) == 40);
        CHECK(db.query("SELECT count(*) FROM osid_messaging.aliases WHERE alias LIKE $1",
                       Params().add(fmt::format("batch-request:{}/%", batch.id)))
                  .integer(0, 0) == 40);
        auto results = service.results(batch.id);
        std::size_t n = 0;
        for (MessageBatchResult r; results.next(r);) {
            CHECK(r.type == ResultType::Succeeded);
            ++n;
        }
        CHECK(n == 40);
    }

    TEST_CASE("a worker wakes on NOTIFY when another service creates a batch, long before its next poll" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto slow = storeOptions(scratch);
        slow.pollInterval = std::chrono::seconds(30);
        MessageBatchService worker(memoryProvider(), slow);
        REQUIRE(worker.isProcessing());
        // Past its first look at the store, at its start.
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        MessageBatchService front(memoryProvider(), storeOptions(scratch, false));
        const auto started = std::chrono::steady_clock::now();
        const auto id = front.create(someRequests(20)).id;
        CHECK(front.wait(id).requestCounts.succeeded == 20);
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
    }

    TEST_CASE("the processing lock: workers share it; a sole holder excludes them, and is excluded by any; released "
              "at once when its holder goes" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        PostgresBatchStore store(scratch.conninfo());
        auto otherProvider = store.processingLock("memory-2", LockRole::Sole);
        CHECK(otherProvider->tryLock());
        for (int round = 0; round < 20; ++round) {
            auto sole = store.processingLock("memory", LockRole::Sole);
            REQUIRE(sole->tryLock()); // the last round's holders are gone
            CHECK(sole->tryLock());   // still held
            CHECK_FALSE(store.processingLock("memory", LockRole::Sole)->tryLock());
            CHECK_FALSE(store.processingLock("memory", LockRole::Worker)->tryLock());
            sole.reset();
            auto worker = store.processingLock("memory", LockRole::Worker);
            auto another = store.processingLock("memory", LockRole::Worker);
            CHECK(worker->tryLock());
            CHECK(another->tryLock());
            CHECK_FALSE(store.processingLock("memory", LockRole::Sole)->tryLock());
        }
    }

    TEST_CASE("two services process chunks of one batch at once; each custom_id has one result and one message" *
              doctest::skip(noServer()))
    {
        constexpr int kRequests = 6000;
        ScratchDatabase scratch;
        auto options = storeOptions(scratch);
        options.workers = 1;
        options.chunkSize = 50;
        // Each with a provider of its own, over the same database.
        MessageBatchService first(openStore(scratch.conninfo()), options);
        MessageBatchService second(openStore(scratch.conninfo()), options);
        CHECK(first.isProcessing());
        CHECK(second.isProcessing());
        const auto id = first.create(someRequests(kRequests)).id;
        // The workers' names on the chunks in flight: two of them at one
        // moment, at least once.
        auto db = scratch.raw();
        std::set<std::string> claimers;
        std::size_t mostAtOnce = 0;
        while (
            db.query("SELECT status FROM osid_batch.message_batches WHERE id = $1", Params().add(id)).integer(0, 0) !=
            2) {
            auto r = db.query("SELECT DISTINCT claimed_by FROM osid_batch.message_batch_chunks");
            mostAtOnce = std::max(mostAtOnce, static_cast<std::size_t>(r.rows()));
            for (int row = 0; row < r.rows(); ++row)
                claimers.insert(std::string(r.text(row, 0)));
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        CHECK(claimers.size() == 2);
        CHECK(mostAtOnce == 2);
        const auto ended = second.wait(id);
        CHECK(ended.requestCounts.succeeded == kRequests);
        std::set<std::string> customIds;
        auto results = second.results(id);
        for (MessageBatchResult r; results.next(r);) {
            CHECK(customIds.insert(r.customId).second);
            CHECK(r.type == ResultType::Succeeded);
        }
        CHECK(customIds.size() == kRequests);
        CHECK(db.query("SELECT count(*) FROM osid_messaging.messages").integer(0, 0) == kRequests);
        CHECK(db.query("SELECT count(DISTINCT message) FROM osid_messaging.aliases WHERE alias LIKE $1",
                       Params().add(fmt::format("batch-request:{}/%", id)))
                  .integer(0, 0) == kRequests);
    }

    TEST_CASE("a lease: renewed, its chunk stays its claimer's; run out, another worker takes the chunk over, and "
              "the first can no longer save its results" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto front = storeOptions(scratch, false);
        front.provider = "memory";
        const auto id = createUnprocessed(memoryProvider(), front, 30);
        PostgresBatchStore store(scratch.conninfo());
        const auto now = DateTime::now();
        constexpr auto kLease = std::chrono::milliseconds(300);
        bool queued = false; // a callback: none here
        const auto dead = store.claimChunk("memory", "dead", 10, now, kLease, queued);
        REQUIRE(dead.has_value());
        CHECK(dead->from == 0);
        CHECK(dead->to == 10);
        CHECK_FALSE(dead->recover);
        // Renewed for three leases, it is not taken: the others' chunks are.
        std::vector<std::int64_t> others;
        for (int i = 0; i < 9; ++i) {
            CHECK(store.renewLeases({dead->claim}, kLease) == 1);
            if (auto c = store.claimChunk("memory", "live", 10, now, std::chrono::seconds(30), queued)) {
                CHECK(c->from != 0);
                others.push_back(c->from);
            }
            std::this_thread::sleep_for(kLease / 3);
        }
        CHECK(others == std::vector<std::int64_t>{10, 20});
        // No longer renewed: its lease runs out, and the next claim takes
        // its chunk over, looking its requests up first.
        std::this_thread::sleep_for(kLease * 2);
        const auto taken = store.claimChunk("memory", "live", 10, now, std::chrono::seconds(30), queued);
        REQUIRE(taken.has_value());
        CHECK(taken->from == 0);
        CHECK(taken->to == 10);
        CHECK(taken->recover);
        CHECK(taken->claim != dead->claim);
        CHECK(store.renewLeases({dead->claim}, kLease) == 0);
        std::vector<FinishedRequest> deadResults, liveResults;
        for (std::int64_t i = 0; i < 10; ++i) {
            deadResults.push_back({i, RequestState::Errored, R"({"type":"api_error","message":"late"})"});
            liveResults.push_back({i, RequestState::Errored, R"({"type":"api_error","message":"taker's"})"});
        }
        CHECK_FALSE(store.finishChunk(*dead, "dead", deadResults));
        CHECK(store.finishChunk(*taken, "live", liveResults));
        CHECK_FALSE(store.finishChunk(*dead, "dead", deadResults));
        const auto batch = store.find(id);
        REQUIRE(batch.has_value());
        CHECK(batch->batch.requestCounts.errored == 10);
        const auto result = store.finishedResult(batch->key, "r-3");
        REQUIRE(result.has_value());
        CHECK(result->errorMessage == "taker's");
    }

    TEST_CASE("a held chunk is not taken over, and neither its lease renewal nor the release of an ended worker's "
              "chunks waits for it; a hold of a claim taken over is refused" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto front = storeOptions(scratch, false);
        front.provider = "memory";
        const auto id = createUnprocessed(memoryProvider(), front, 10);
        PostgresBatchStore store(scratch.conninfo());
        const auto now = DateTime::now();
        constexpr auto kLease = std::chrono::seconds(2);
        bool queued = false; // a callback: none here
        const auto first = store.claimChunk("memory", "first", 10, now, kLease, queued);
        REQUIRE(first.has_value());
        {
            auto hold = store.holdChunk(*first);
            REQUIRE(hold != nullptr);
            // Said to have ended, its claimer keeps the chunk it holds.
            CHECK(store.releaseClaimsOf([](const std::string &) { return true; }) == 0);
            std::this_thread::sleep_for(kLease + std::chrono::milliseconds(500));
            // Its lease ran out, but while held the chunk is neither taken
            // over nor waited for.
            CHECK_FALSE(store.claimChunk("memory", "second", 10, now, kLease, queued).has_value());
            CHECK(store.renewLeases({first->claim}, kLease) == 0);
        } // dropped: the chunk is let go
        const auto second = store.claimChunk("memory", "second", 10, now, std::chrono::seconds(30), queued);
        REQUIRE(second.has_value());
        CHECK(second->recover);
        CHECK(store.holdChunk(*first) == nullptr);
        CHECK(store.holdChunk(*second) != nullptr);
        std::vector<FinishedRequest> results;
        for (std::int64_t i = 0; i < 10; ++i)
            results.push_back({i, RequestState::Errored, R"({"type":"api_error","message":"second's"})"});
        CHECK_FALSE(store.finishChunk(*first, "first", results));
        CHECK(store.finishChunk(*second, "second", results));
        CHECK(store.find(id)->batch.requestCounts.errored == 10);
    }

    TEST_CASE("a worker stalled past its lease, whose chunk another worker took over, commits none of its messages: "
              "one message per request" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto provider = openStore(scratch.conninfo());
        const auto options = oneChunkOptions(scratch);
        const auto id = createUnprocessed(provider, options, 20);
        auto stalling = std::make_shared<batch_test::StallingProvider>(provider);
        std::vector<std::string> log;
        std::mutex logMutex;
        auto stalled = options;
        stalled.log = [&](const std::string &line) {
            std::lock_guard lock(logMutex);
            log.push_back(line);
        };
        {
            MessageBatchService first(stalling, stalled);
            // Its messages are made, not committed; it stalls before their
            // keys. A frozen process renews no lease: its lease runs out.
            REQUIRE(stalling->waitUntilStalled(std::chrono::seconds(20)));
            auto db = scratch.raw();
            CHECK(db.query("UPDATE osid_batch.message_batch_chunks SET lease_until = now() - interval '1 second'")
                      .changed() == 1);
            {
                MessageBatchService second(provider, options);
                CHECK(second.wait(id).requestCounts.succeeded == 20);
            }
            // The first goes on: it points the keys at its own messages,
            // then finds the chunk taken over, and commits nothing.
            stalling->release();
        }
        checkOneMessagePerRequest(scratch, provider, id, 20);
        std::lock_guard lock(logMutex);
        CHECK(std::any_of(log.begin(), log.end(), [](const std::string &line) {
            return line.find("another worker took the chunk over") != std::string::npos;
        }));
    }

    TEST_CASE("a worker that lost its hold while its commit was still being made: the taker finds the messages "
              "once their keys are committed, and makes none of its own" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto provider = openStore(scratch.conninfo());
        auto options = oneChunkOptions(scratch);
        options.lease = std::chrono::minutes(1); // renewed only after the test
        const auto id = createUnprocessed(provider, options, 20);
        auto stalling =
            std::make_shared<batch_test::StallingProvider>(provider, batch_test::StallingProvider::At::Commit);
        auto db = scratch.raw();
        {
            MessageBatchService first(stalling, options);
            // Its messages and keys are made and its chunk held; its commit
            // is on its way. Then its hold's session ends (as when its
            // process dies, while the server still finishes the commit) and
            // its lease runs out.
            REQUIRE(stalling->waitUntilStalled(std::chrono::seconds(20)));
            CHECK(db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND state LIKE 'idle in transaction%' AND query LIKE '%message_batch_chunks%'")
                      .rows() == 1);
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            CHECK(db.query("UPDATE osid_batch.message_batch_chunks SET lease_until = now() - interval '1 second'")
                      .changed() == 1);
            MessageBatchService second(provider, options);
            // The taker looks the keys up (none yet), makes its messages,
            // and waits to write the keys the first one is committing.
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
            while (db.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = "
                            "'Lock' AND query LIKE '%osid_messaging.aliases%'")
                           .rows() == 0 &&
                   std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            stalling->release();
            CHECK(second.wait(id).requestCounts.succeeded == 20);
        }
        checkOneMessagePerRequest(scratch, provider, id, 20);
    }

    TEST_CASE("the chunks of a worker process of this machine that ended are taken over at once, not when their "
              "leases run out" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto options = storeOptions(scratch);
        options.provider = "postgres";
        auto provider = openStore(scratch.conninfo());
        const auto id = createUnprocessed(provider, options, 300);
        const auto host = workerHost();
        const auto child = batch_test::endedProcess();
        PostgresBatchStore store(scratch.conninfo());
        bool queued = false; // a callback: none here
        const auto ended = fmt::format("{}:{}:0000abcd", host, child);
        const auto living = fmt::format("{}:{}:0000abcd", host, ::getpid());
        REQUIRE(store.claimChunk("postgres", ended, 100, DateTime::now(), std::chrono::hours(1), queued));
        REQUIRE(store.claimChunk("postgres", living, 100, DateTime::now(), std::chrono::hours(1), queued));
        // Only the chunk of the claimer said to have stopped is let go.
        std::vector<std::string> asked;
        CHECK(store.releaseClaimsOf([&](const std::string &worker) {
            asked.push_back(worker);
            return false;
        }) == 0);
        CHECK(std::set<std::string>(asked.begin(), asked.end()) == std::set<std::string>{ended, living});
        CHECK(asked.size() == 2);
        std::vector<std::string> log;
        std::mutex logMutex;
        options.log = [&](const std::string &line) {
            std::lock_guard lock(logMutex);
            log.push_back(line);
        };
        {
            // A worker of this process takes the ended one's chunk over now,
            // with its hour-long lease; the living one's chunk stays held.
            MessageBatchService service(provider, options);
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            while (service.retrieve(id).requestCounts.succeeded < 200 && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            CHECK(service.retrieve(id).requestCounts.succeeded == 200);
        }
        std::lock_guard lock(logMutex);
        CHECK(std::any_of(log.begin(), log.end(), [&](const std::string &line) {
            return line.find(fmt::format("1 chunk of the ended worker process {} of this machine taken over now",
                                         ended)) != std::string::npos;
        }));
    }

    TEST_CASE("a worker that stops renewing loses its chunk to a service, which finishes the batch" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto options = storeOptions(scratch);
        options.lease = std::chrono::milliseconds(500);
        options.provider = "postgres";
        auto provider = openStore(scratch.conninfo());
        const auto id = createUnprocessed(provider, options, 300);
        PostgresBatchStore store(scratch.conninfo());
        bool queued = false; // a callback: none here
        // A worker that claimed a chunk and died.
        const auto dead = store.claimChunk("postgres", "dead", 100, DateTime::now(), options.lease, queued);
        REQUIRE(dead.has_value());
        MessageBatchService service(provider, options);
        const auto ended = service.wait(id);
        CHECK(ended.requestCounts.succeeded == 300);
        CHECK_FALSE(store.finishChunk(*dead, "dead", {}));
        auto db = scratch.raw();
        CHECK(db.query("SELECT count(*) FROM osid_messaging.messages").integer(0, 0) == 300);
        CHECK(db.query("SELECT count(DISTINCT custom_id) FROM osid_batch.message_batch_requests WHERE state = 1")
                  .integer(0, 0) == 300);
    }
}
