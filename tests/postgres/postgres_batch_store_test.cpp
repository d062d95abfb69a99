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
#include "service/message_batches.h"
#include "service/postgres_batch_store.h"
#include "tests/postgres/postgres_support.h"
#include "tests/service/batch_support.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

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

std::shared_ptr<messaging::MessagingManager> memoryProvider()
{
    return runtime::getMessagingManager(*runtime::makeProviderRuntime(), "memory");
}

std::string metaValue(Connection &db, const char *name)
{
    return std::string(db.query("SELECT value FROM osid_batch.meta WHERE name = $1", Params().add(name)).text(0, 0));
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

    TEST_CASE("the processing lock: one holder per provider; released at once when its holder goes" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        PostgresBatchStore store(scratch.conninfo());
        auto otherProvider = store.processingLock("memory-2");
        CHECK(otherProvider->tryLock());
        for (int round = 0; round < 20; ++round) {
            auto holder = store.processingLock("memory");
            REQUIRE(holder->tryLock()); // the last round's holder is gone
            CHECK(holder->tryLock());   // still held
            auto second = store.processingLock("memory");
            CHECK_FALSE(second->tryLock());
        }
    }
}
