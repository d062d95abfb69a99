// Expiry and retention: a batch's own expires_after, end_reason, and the
// reaper that archives an ended batch's results once the retention after its
// creation has passed (purge, and the processing service on its own). On
// either store (the Meson test service-postgres runs this file on
// PostgreSQL).

#include "batch_support.h"

#include "tests/sqlite/sqlite_support.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace batch_test;

namespace {

MessageBatchOptions clocked(const std::string &path, const ManualClock &clock, bool process)
{
    auto options = fileOptions(path, process);
    options.clock = clock.function();
    return options;
}

} // namespace

TEST_SUITE("message batch expiry and retention")
{
    TEST_CASE("expires_after per batch: its unstarted requests expire then, and end_reason says expired")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        ManualClock clock;
        std::string shortId, defaultId;
        {
            MessageBatchService front(impl::memory::makeMemoryMessagingManager(), clocked(path, clock, false));
            const auto shortLived = front.create(requests(5), {.expiresAfter = std::chrono::seconds(60)});
            CHECK(shortLived.expiresAt == DateTime::parse("2026-11-23T12:01:00Z"));
            CHECK(shortLived.endReason() == nullptr);
            CHECK(shortLived.toJson()["end_reason"].is_null());
            shortId = shortLived.id;
            const auto byDefault = front.create(requests(5));
            CHECK(byDefault.expiresAt == DateTime::parse("2026-11-24T12:00:00Z"));
            defaultId = byDefault.id;
        }
        clock.advance(std::chrono::seconds(61));
        MessageBatchService worker(impl::memory::makeMemoryMessagingManager(), clocked(path, clock, true));
        const auto expired = worker.wait(shortId);
        CHECK(expired.requestCounts.expired == 5);
        CHECK(std::string(expired.endReason()) == "expired");
        CHECK(expired.toJson()["end_reason"] == "expired");
        const auto completed = worker.wait(defaultId);
        CHECK(completed.requestCounts.succeeded == 5);
        CHECK(completed.toJson()["end_reason"] == "completed");
    }

    TEST_CASE("end_reason canceled; expires_after out of range is refused and nothing is saved")
    {
        sqlite_test::TempDir dir;
        MessageBatchService front(impl::memory::makeMemoryMessagingManager(), fileOptions(dir.file("b.db"), false));
        const auto canceled = front.cancel(front.create(requests(3)).id);
        CHECK(canceled.processingStatus == ProcessingStatus::Ended);
        CHECK(canceled.toJson()["end_reason"] == "canceled");
        for (const auto seconds : {0, -5, 7 * 24 * 3600 + 1}) {
            const auto e = errorOf([&] { front.create(requests(1), {.expiresAfter = std::chrono::seconds(seconds)}); });
            CHECK(e.type() == error_type::kInvalidRequest);
            CHECK(std::string(e.what()).find("it must be 1 to 604800 (7 days); nothing was created") !=
                  std::string::npos);
        }
        ListParams all;
        all.limit = 100;
        CHECK(front.list(all).data.size() == 1);
        // The longest is allowed.
        CHECK(front.create(requests(1), {.expiresAfter = std::chrono::hours(24 * 7)}).processingStatus ==
              ProcessingStatus::InProgress);
    }

    TEST_CASE("purge archives ended batches past the retention: results refused clearly, the batch kept")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        ManualClock clock;
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(), clocked(path, clock, true));
        const auto old = service.wait(service.create(requests(4)).id);
        clock.advance(std::chrono::hours(24 * 10));
        const auto recent = service.wait(service.create(requests(2)).id);
        CHECK(service.purge() == 0); // nothing is 29 days old yet
        clock.advance(std::chrono::hours(24 * 19) + std::chrono::seconds(1));
        CHECK(service.purge() == 1); // the old one only: the recent one has 10 days left
        CHECK(service.purge() == 0); // once

        const auto archived = service.retrieve(old.id);
        REQUIRE(archived.archivedAt.has_value());
        CHECK(*archived.archivedAt == clock.function()());
        CHECK(archived.requestCounts.succeeded == 4); // counts stay
        CHECK(archived.toJson()["archived_at"] == archived.archivedAt->toString());
        ListParams all;
        all.limit = 100;
        CHECK(service.list(all).data.size() == 2); // still listed
        for (const auto &call : std::vector<std::function<void()>>{[&] { service.results(old.id); },
                                                                   [&] { service.results(old.id, {.after = 0}); },
                                                                   [&] { service.mergedResults(old.id); }}) {
            const auto e = errorOf(call);
            CHECK(e.type() == error_type::kNotFound);
            CHECK(std::string(e.what()).find("was archived at") != std::string::npos);
            CHECK(std::string(e.what()).find("its results were deleted") != std::string::npos);
        }
        const auto e = errorOf([&] { service.retry(old.id); });
        CHECK(e.type() == error_type::kNotFound);
        CHECK(std::string(e.what()).find("its requests were deleted") != std::string::npos);
        // The recent one is untouched.
        CHECK_FALSE(service.retrieve(recent.id).archivedAt.has_value());
        CHECK(resultsOf(service, recent.id).size() == 2);
        // A batch still running is never archived, however old: of a
        // provider no service here processes, so that it stays running
        // (the service's workers would otherwise end it, expired, at once).
        auto frontOptions = clocked(path, clock, false);
        frontOptions.provider = "nobody";
        MessageBatchService front(impl::memory::makeMemoryMessagingManager(), frontOptions);
        const auto running = front.create(requests(1), {.expiresAfter = std::chrono::hours(24 * 7)}).id;
        clock.advance(std::chrono::hours(24 * 40));
        CHECK(front.purge() == 1); // the recent one, now old
        CHECK_FALSE(front.retrieve(running).archivedAt.has_value());
        // Read-only: refused.
        auto readOnly = clocked(path, clock, false);
        readOnly.readOnly = true;
        MessageBatchService reader(impl::memory::makeMemoryMessagingManager(), readOnly);
        CHECK(errorOf([&] { reader.purge(); }).type() == error_type::kInvalidRequest);
    }

    TEST_CASE("the processing service archives on its own, at its start and every reapInterval")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        ManualClock clock;
        std::string id;
        {
            MessageBatchService first(impl::memory::makeMemoryMessagingManager(), clocked(path, clock, true));
            id = first.wait(first.create(requests(3)).id).id;
        }
        clock.advance(std::chrono::hours(24 * 29) + std::chrono::seconds(1));
        auto options = clocked(path, clock, true);
        options.reapInterval = std::chrono::milliseconds(20);
        std::vector<std::string> log;
        std::mutex logMutex;
        options.log = [&](const std::string &line) {
            std::lock_guard lock(logMutex);
            log.push_back(line);
        };
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(), options);
        for (int i = 0; i < 500 && !service.retrieve(id).archivedAt; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        CHECK(service.retrieve(id).archivedAt.has_value());
        // A batch that ends later is archived at a later round.
        const auto later = service.wait(service.create(requests(1)).id).id;
        clock.advance(std::chrono::hours(24 * 29) + std::chrono::seconds(1));
        for (int i = 0; i < 500 && !service.retrieve(later).archivedAt; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        CHECK(service.retrieve(later).archivedAt.has_value());
        std::lock_guard lock(logMutex);
        CHECK(std::count_if(log.begin(), log.end(), [](const std::string &line) {
                  return line == "message batches: archived 1 batch past the results' retention";
              }) == 2);
    }
}
