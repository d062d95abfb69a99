// MessageBatchService::create with an idempotency key (issue 20, item 1):
// the same key with the same requests gives the earlier batch, with other
// requests a conflict_error; concurrent creates, in threads and in two
// processes on one store, make one batch.

#include "impl/memory/memory_provider.h"
#include "impl/sqlite/sqlite_provider.h"
#include "tests/service/batch_support.h"
#include "tests/sqlite/sqlite_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <sstream>
#include <thread>

using namespace batch_test;

namespace {

CreateOptions withKey(std::string key)
{
    CreateOptions options;
    options.idempotencyKey = std::move(key);
    return options;
}

std::string jsonLinesOf(const std::vector<MessageBatchRequest> &requests)
{
    std::string out;
    for (const auto &r : requests)
        out += json{{"custom_id", r.customId}, {"params", r.params}}.dump() + "\n";
    return out;
}

std::vector<MessageBatch> allBatches(MessageBatchService &service)
{
    ListParams all;
    all.limit = 1000;
    return service.list(all).data;
}

std::size_t batchCount(MessageBatchService &service) { return allBatches(service).size(); }

} // namespace

TEST_SUITE("idempotent create")
{
    TEST_CASE("the same key with the same requests gives the earlier batch, and makes no second message")
    {
        auto manager = impl::memory::makeMemoryMessagingManager();
        MessageBatchService service(manager);
        const auto first = service.create(requests(5), withKey("order-7"));
        service.wait(first.id);
        const auto again = service.create(requests(5), withKey("order-7"));
        CHECK(again.id == first.id);
        CHECK(again.processingStatus == ProcessingStatus::Ended); // as it is now
        CHECK(again.requestCounts.succeeded == 5);
        // A batch file with the same requests is the same create.
        std::istringstream file(jsonLinesOf(requests(5)));
        CHECK(service.create(file, withKey("order-7")).id == first.id);
        CHECK(batchCount(service) == 1);
        CHECK(messageCount(*manager) == 5);
        // Without a key, or with another, a create makes a batch.
        CHECK(service.create(requests(5)).id != first.id);
        CHECK(service.create(requests(5), withKey("order-8")).id != first.id);
        CHECK(batchCount(service) == 3);
    }

    TEST_CASE("the same key with other requests is refused with conflict_error, and nothing is saved")
    {
        MessageBatchService service(impl::memory::makeMemoryMessagingManager());
        const auto first = service.create(requests(3), withKey("k"));
        auto other = requests(3);
        other[2].params["subject"] = "changed";
        for (const auto &different : {requests(2), requests(4), requests(3, "other"), other}) {
            const auto e = errorOf([&] { service.create(different, withKey("k")); });
            CHECK(e.type() == error_type::kConflict);
            CHECK(std::string(e.what()).find("\"k\" was used for message batch " + first.id) != std::string::npos);
        }
        std::istringstream file(jsonLinesOf(other));
        CHECK(errorOf([&] { service.create(file, withKey("k")); }).type() == error_type::kConflict);
        CHECK(batchCount(service) == 1);
    }

    TEST_CASE("a key lives as long as its batch")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        std::string id;
        {
            MessageBatchService service(impl::memory::makeMemoryMessagingManager(), fileOptions(path));
            id = service.create(requests(2), withKey("kept")).id;
            service.wait(id);
        }
        // Kept in the store: another service on it knows the key.
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(), fileOptions(path));
        CHECK(service.create(requests(2), withKey("kept")).id == id);
        service.remove(id);
        // Deleted with its batch: the key is free for a new one.
        const auto next = service.create(requests(3), withKey("kept"));
        CHECK(next.id != id);
        CHECK(next.requestCounts.processing == 3);
    }

    TEST_CASE("a version 2 store is upgraded step by step, its batches kept" * sqliteOnly())
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        const auto id = storeWithEndedBatch(path);
        // Back to version 2, as an older build left it.
        execSql(path, "DROP INDEX message_batches_by_idempotency_key; DROP INDEX message_batch_requests_by_custom_id; "
                      "DROP INDEX message_batches_by_workspace; ALTER TABLE message_batches DROP COLUMN workspace; "
                      "ALTER TABLE message_batches DROP COLUMN idempotency_key; "
                      "ALTER TABLE message_batches DROP COLUMN request_digest; "
                      "ALTER TABLE message_batches DROP COLUMN parent_id; "
                      "DROP INDEX message_batch_requests_by_position; "
                      "ALTER TABLE message_batch_requests DROP COLUMN position; "
                      "DROP TABLE message_batch_deliveries; DROP TABLE message_batch_delivery_attempts; "
                      "ALTER TABLE message_batches DROP COLUMN callback_url; "
                      "ALTER TABLE message_batch_schema DROP COLUMN webhook_secret; "
                      "UPDATE message_batch_schema SET version = 2");
        {
            // Reading upgrades nothing.
            auto options = fileOptions(path, false);
            options.readOnly = true;
            MessageBatchService reader(impl::memory::makeMemoryMessagingManager(), options);
            CHECK(reader.retrieve(id).requestCounts.succeeded == 2);
        }
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(), fileOptions(path));
        CHECK(service.retrieve(id).requestCounts.succeeded == 2);
        const auto keyed = service.create(requests(2), withKey("after-upgrade"));
        CHECK(service.create(requests(2), withKey("after-upgrade")).id == keyed.id);
    }

    TEST_CASE("a malformed key is refused")
    {
        MessageBatchService service(impl::memory::makeMemoryMessagingManager());
        CHECK(errorOf([&] { service.create(requests(1), withKey(std::string(256, 'k'))); }).type() ==
              error_type::kInvalidRequest);
        CHECK(errorOf([&] { service.create(requests(1), withKey("tab\there")); }).type() ==
              error_type::kInvalidRequest);
        CHECK(service.create(requests(1), withKey(std::string(255, 'k'))).requestCounts.processing == 1);
        CHECK(batchCount(service) == 1);
    }

    TEST_CASE("concurrent creates with one key, from threads, make one batch")
    {
        sqlite_test::TempDir dir;
        for (const bool onFile : {false, true}) {
            CAPTURE(onFile);
            auto manager = impl::memory::makeMemoryMessagingManager();
            auto options = onFile ? fileOptions(dir.file(fmt::format("threads-{}.db", onFile))) : MessageBatchOptions{};
            MessageBatchService service(manager, options);
            constexpr int kThreads = 8;
            std::vector<std::string> ids(kThreads);
            std::vector<std::thread> threads;
            for (int t = 0; t < kThreads; ++t)
                threads.emplace_back([&, t] { ids[t] = service.create(requests(50), withKey("same")).id; });
            for (auto &t : threads)
                t.join();
            CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == 1);
            CHECK(batchCount(service) == 1);
            service.wait(ids[0]);
            CHECK(messageCount(*manager) == 50);
        }
    }

    TEST_CASE("concurrent creates with one key, from two processes on one store, make one batch")
    {
        sqlite_test::TempDir dir;
        const auto store = dir.file("batches.db");
        impl::sqlite::SqliteProviderOptions provider;
        provider.path = dir.file("messages.db");
        constexpr int kProcesses = 2;
        constexpr int kRounds = 5;
        for (int round = 0; round < kRounds; ++round) {
            const auto key = fmt::format("round-{}", round);
            std::vector<Child> children;
            for (int p = 0; p < kProcesses; ++p)
                children.push_back(forkWriting([&](int out) {
                    MessageBatchService service(impl::sqlite::makeSqliteMessagingManager(provider),
                                                fileOptions(store, false));
                    if (!writeAll(out, service.create(requests(200), withKey(key)).id))
                        _exit(1);
                }));
            std::set<std::string> ids;
            for (const auto &child : children) {
                std::string id;
                for (char c; read(child.out, &c, 1) == 1;)
                    id += c;
                close(child.out);
                int status = 0;
                waitpid(child.pid, &status, 0);
                CHECK(WIFEXITED(status));
                CHECK(WEXITSTATUS(status) == 0);
                CHECK(id.rfind("msgbatch_", 0) == 0);
                ids.insert(id);
            }
            CHECK(ids.size() == 1);
        }
        auto manager = impl::sqlite::makeSqliteMessagingManager(provider);
        MessageBatchService service(manager, fileOptions(store));
        const auto batches = allBatches(service);
        CHECK(batches.size() == kRounds);
        for (const auto &batch : batches)
            service.wait(batch.id);
        CHECK(messageCount(*manager) == kRounds * 200);
    }
}
