// Results read by cursor (ResultsOptions::after): in the order the requests
// finished, each with its position, also of a batch not ended, resumed from
// any position without a gap or a repeat; and results of chosen types. On
// either store (the Meson test service-postgres runs this file on
// PostgreSQL).

#include "batch_support.h"

#include "service/batch_store.h"
#include "tests/sqlite/sqlite_support.h"

#include <doctest/doctest.h>

#include <set>
#include <thread>

using namespace batch_test;

namespace {

// Every result `options` reads of batch `id`, in the stream's order.
std::vector<MessageBatchResult> readAll(MessageBatchService &service, const std::string &id,
                                        const ResultsOptions &options)
{
    auto stream = service.results(id, options);
    std::vector<MessageBatchResult> out;
    for (MessageBatchResult r; stream.next(r);)
        out.push_back(std::move(r));
    return out;
}

FinishedRequest succeededAt(std::int64_t index) { return {index, RequestState::Succeeded, R"({"subject":"s"})"}; }

} // namespace

TEST_SUITE("message batch results by cursor")
{
    TEST_CASE("positions follow the order requests finished, not request order, and count from 1 without gaps")
    {
        sqlite_test::TempDir dir;
        auto store = openBatchStore(storeAt(dir.file("batches.db")), false, std::chrono::seconds(10));
        MessageBatch batch;
        batch.id = "msgbatch_cursor";
        batch.createdAt = DateTime::fromMicroseconds(1);
        batch.expiresAt = DateTime::fromMicroseconds(2);
        const auto key = store->insert(batch, requests(10), "p").key;
        // The second half finishes first; a request saved twice (a chunk
        // run again) takes no second position.
        store->finish(key, {succeededAt(5), succeededAt(6), succeededAt(7), succeededAt(8), succeededAt(9)});
        store->finish(key, {succeededAt(0), succeededAt(1), succeededAt(7)});
        CHECK(store->closePending(key, 2, RequestState::Canceled) == 3);

        const auto all = store->finishedSince(key, 0, 100);
        REQUIRE(all.size() == 10);
        const std::vector<std::string> order{"req-5", "req-6", "req-7", "req-8", "req-9",
                                             "req-0", "req-1", "req-2", "req-3", "req-4"};
        for (std::size_t i = 0; i < all.size(); ++i) {
            CHECK(all[i].first == static_cast<std::int64_t>(i + 1));
            CHECK(all[i].second.position == i + 1);
            CHECK(all[i].second.customId == order[i]);
        }
        CHECK(all[7].second.type == ResultType::Canceled);
        // From a position: the rest, and a page at a time.
        const auto rest = store->finishedSince(key, 6, 2);
        REQUIRE(rest.size() == 2);
        CHECK(rest[0].second.customId == "req-1");
        CHECK(rest[1].second.customId == "req-2");
        CHECK(store->finishedSince(key, 10, 100).empty());
        // Request order is unchanged for the plain read.
        CHECK(store->results(key, -1, 100).front().second.customId == "req-0");
        CHECK(store->results(key, -1, 100).front().second.position == 0);
    }

    TEST_CASE("a running batch is read by cursor as it goes: every result once, positions in order, none missed")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        MessageBatchService front(impl::memory::makeMemoryMessagingManager(), fileOptions(path, false));
        constexpr int kRequests = 3000;
        const auto id = front.create(requests(kRequests)).id;
        // Not ended: refused without a cursor, empty with one.
        CHECK(errorOf([&] { front.results(id); }).type() == error_type::kInvalidRequest);
        CHECK(readAll(front, id, {.after = 0}).empty());

        auto options = fileOptions(path);
        options.workers = 3;
        options.chunkSize = 50;
        MessageBatchService worker(impl::memory::makeMemoryMessagingManager(), options);
        std::uint64_t cursor = 0;
        std::set<std::string> seen;
        std::size_t reads = 0, duplicates = 0;
        bool ordered = true;
        for (bool ended = false; !ended; ++reads) {
            ended = front.retrieve(id).processingStatus == ProcessingStatus::Ended;
            for (const auto &r : readAll(front, id, {.after = cursor})) {
                ordered = ordered && r.position == cursor + 1;
                cursor = r.position;
                duplicates += seen.insert(r.customId).second ? 0 : 1;
            }
            if (!ended)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        CHECK(ordered);
        CHECK(duplicates == 0);
        CHECK(seen.size() == kRequests);
        CHECK(cursor == kRequests);
        CHECK(reads > 1); // read while it ran, not only at the end
        // The line carries its position, after the API's keys.
        const auto line = readAll(front, id, {.after = kRequests - 1}).at(0).toJsonLine();
        CHECK(line.find(R"(,"position":3000})") == line.size() - std::string(R"(,"position":3000})").size());
        // Read whole, the lines have no position.
        CHECK(resultsOf(front, id).begin()->second.position == 0);
    }

    TEST_CASE("results of chosen types only, in request order and by cursor")
    {
        sqlite_test::TempDir dir;
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(), fileOptions(dir.file("b.db")));
        auto mixed = requests(6);
        mixed[1].params["subject"] = 7; // errored
        mixed[4].params["subject"] = 7;
        const auto id = service.create(mixed).id;
        service.wait(id);
        const auto errored = readAll(service, id, {.types = {ResultType::Errored}});
        REQUIRE(errored.size() == 2);
        CHECK(errored[0].customId == "req-1");
        CHECK(errored[1].customId == "req-4");
        const auto both = readAll(service, id, {.types = {ResultType::Errored, ResultType::Succeeded}});
        CHECK(both.size() == 6);
        const auto byCursor = readAll(service, id, {.after = 0, .types = {ResultType::Succeeded}});
        CHECK(byCursor.size() == 4);
        for (const auto &r : byCursor)
            CHECK(r.position > 0);
        CHECK(readAll(service, id, {.types = {ResultType::Expired}}).empty());
    }

    TEST_CASE("a version 7 store is upgraded: finished requests get positions in request order" * sqliteOnly())
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        const auto id = storeWithEndedBatch(path, 4);
        // Back to version 7, as the previous build left it.
        execSql(path, "DROP INDEX message_batch_requests_by_position; "
                      "ALTER TABLE message_batch_requests DROP COLUMN position; "
                      "UPDATE message_batch_schema SET version = 7");
        {
            // Read-only, it stays version 7: plain results, no cursor.
            auto options = fileOptions(path, false);
            options.readOnly = true;
            MessageBatchService reader(impl::memory::makeMemoryMessagingManager(), options);
            CHECK(resultsOf(reader, id).size() == 4);
            const auto e = errorOf([&] { readAll(reader, id, {.after = 0}); });
            CHECK(e.type() == error_type::kInvalidRequest);
            CHECK(std::string(e.what()).find("a store of an older version, opened read-only") != std::string::npos);
        }
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(), fileOptions(path));
        const auto all = readAll(service, id, {.after = 0});
        REQUIRE(all.size() == 4);
        for (std::size_t i = 0; i < all.size(); ++i) {
            CHECK(all[i].customId == fmt::format("req-{}", i));
            CHECK(all[i].position == i + 1);
        }
        // A new batch counts from 1 too.
        const auto next = service.wait(service.create(requests(2)).id).id;
        CHECK(readAll(service, next, {.after = 0}).back().position == 2);
    }
}
