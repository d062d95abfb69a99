// osid-batch worker processes, as a user runs them: the built binary, a
// batch submitted by the CLI, workers started and one killed with SIGKILL
// while it processes, over one PostgreSQL database (skipped without
// OSID_TEST_POSTGRES); and a worker whose SQLite store stays locked, which
// exits 3.

#include "sqlite/connection.h"
#include "support/json_lines.h"
#include "tests/postgres/postgres_support.h"
#include "tests/sqlite/sqlite_support.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <thread>

namespace {

using nlohmann::json;

// Starts `osid-batch ARGS...` with stdout and stderr to `log`; returns its pid.
pid_t startOsidBatch(const std::vector<std::string> &args, const std::string &log)
{
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        std::vector<char *> argv{const_cast<char *>(OSID_BATCH)};
        for (const auto &a : args)
            argv.push_back(const_cast<char *>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(OSID_BATCH, argv.data());
        _exit(127);
    }
    return pid;
}

// Runs `osid-batch ARGS...` to the end; its stdout.
std::string runOsidBatch(const std::vector<std::string> &args, const std::string &log)
{
    const pid_t pid = startOsidBatch(args, log);
    int status = 0;
    waitpid(pid, &status, 0);
    std::ifstream in(log);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::int64_t succeeded(postgres_test::Connection &db, const std::string &id)
{
    return db.query("SELECT succeeded FROM osid_batch.message_batches WHERE id = $1", osid::postgres::Params().add(id))
        .integer(0, 0);
}

} // namespace

TEST_SUITE("osid-batch worker")
{
    TEST_CASE("three workers on one database share one batch's chunks; one killed mid-run loses its chunks to the "
              "others, which finish them; every custom_id has one result and one message" *
              doctest::skip(postgres_test::noServer()))
    {
        constexpr int kRequests = 30'000;
        sqlite_test::TempDir dir;
        postgres_test::ScratchDatabase scratch;
        const auto store = "postgres:" + scratch.conninfo();
        {
            std::ofstream out(dir.file("requests.jsonl"));
            for (int i = 0; i < kRequests; ++i)
                out << json{{"custom_id", fmt::format("r-{}", i)},
                            {"params", {{"subject", fmt::format("Subject {}", i)}, {"text", "Text"}}}}
                           .dump()
                    << '\n';
        }
        const auto created = json::parse(runOsidBatch(
            {"--store", store, "--json", "submit", "--detach", dir.file("requests.jsonl")}, dir.file("submit.log")));
        const auto id = created["id"].get<std::string>();
        auto db = scratch.raw();

        // The first worker starts alone; the other two join it. A short
        // lease: the killed worker's chunks are taken over within seconds.
        const std::vector<std::string> workerArgs{"--store", store, "worker", "--chunk-size", "100", "--lease", "5"};
        std::array<pid_t, 3> workers{};
        workers[0] = startOsidBatch(workerArgs, dir.file("worker-0.log"));
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
        while (succeeded(db, id) == 0 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        for (int w = 1; w < 3; ++w)
            workers[static_cast<std::size_t>(w)] =
                startOsidBatch(workerArgs, dir.file(fmt::format("worker-{}.log", w)));
        // Who holds the chunks in flight, up to the kill: every worker, and
        // at one moment several.
        std::set<std::string> claimers;
        std::size_t mostAtOnce = 0;
        while (succeeded(db, id) < kRequests / 4 && std::chrono::steady_clock::now() < deadline) {
            auto r = db.query("SELECT DISTINCT split_part(claimed_by, ':', 2) FROM osid_batch.message_batch_chunks");
            mostAtOnce = std::max(mostAtOnce, static_cast<std::size_t>(r.rows()));
            for (int row = 0; row < r.rows(); ++row)
                claimers.insert(std::string(r.text(row, 0)));
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        CHECK(claimers.size() == 3);
        CHECK(mostAtOnce >= 2);
        REQUIRE(kill(workers[0], SIGKILL) == 0);
        int status = 0;
        waitpid(workers[0], &status, 0);
        const auto atKill = succeeded(db, id);
        CHECK(atKill < kRequests); // killed mid-run
        // Chunks it held when killed: taken over once their leases run
        // out, by a worker that looks their keys up instead of creating
        // the messages again.
        const auto heldAtKill =
            db.query("SELECT count(*) FROM osid_batch.message_batch_chunks WHERE split_part(claimed_by, ':', 2) = $1",
                     osid::postgres::Params().add(std::to_string(workers[0])))
                .integer(0, 0);

        while (db.query("SELECT status FROM osid_batch.message_batches WHERE id = $1", osid::postgres::Params().add(id))
                       .integer(0, 0) != 2 &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        for (int w = 1; w < 3; ++w) {
            const auto pid = workers[static_cast<std::size_t>(w)];
            REQUIRE(kill(pid, SIGTERM) == 0);
            waitpid(pid, &status, 0);
            CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
        }

        // Each said what it was at its start.
        const auto logOf = [&](int w) {
            std::ifstream in(dir.file(fmt::format("worker-{}.log", w)));
            return std::string(std::istreambuf_iterator<char>(in), {});
        };
        for (int w = 0; w < 3; ++w)
            CHECK(logOf(w).find("standing by") == std::string::npos);
        CHECK(logOf(1).find("SIGTERM: finishing the chunks in flight") != std::string::npos);
        // The killed one's chunks were taken over by a worker of this
        // machine as soon as it saw the process gone, not after the lease.
        if (heldAtKill > 0)
            CHECK((logOf(1) + logOf(2)).find(fmt::format(":{}:", workers[0])) != std::string::npos);

        const auto lines =
            osid::testing::jsonLines(runOsidBatch({"--store", store, "results", id}, dir.file("results.log")));
        CHECK(lines.size() == kRequests);
        std::set<std::string> customIds;
        std::size_t ok = 0;
        for (const auto &line : lines) {
            customIds.insert(line["custom_id"].get<std::string>());
            ok += line["result"]["type"] == "succeeded" ? 1 : 0;
        }
        CHECK(customIds.size() == kRequests);
        CHECK(ok == kRequests);
        // The provider is the same database: one message per succeeded
        // request, each carrying its request's key.
        CHECK(db.query("SELECT count(*) FROM osid_messaging.messages").integer(0, 0) == kRequests);
        CHECK(db.query("SELECT count(DISTINCT message) FROM osid_messaging.aliases WHERE alias LIKE $1",
                       osid::postgres::Params().add(fmt::format("batch-request:{}/%", id)))
                  .integer(0, 0) == kRequests);
        MESSAGE(fmt::format("{} of {} requests done when a worker was killed, holding {} chunks", atKill, kRequests,
                            heldAtKill));
    }

    TEST_CASE("a worker whose store stays locked stops its workers and exits 3; the next worker finishes the batch "
              "with every custom_id once")
    {
        sqlite_test::TempDir dir;
        {
            std::ofstream out(dir.file("requests.jsonl"));
            for (int i = 0; i < 5'000; ++i)
                out << json{{"custom_id", "r" + std::to_string(i)}, {"params", {{"subject", "s"}}}}.dump() << '\n';
        }
        const auto store = dir.file("batches.db");
        const auto provider = "sqlite:" + dir.file("messages.db");
        const std::string id = json::parse(runOsidBatch(
            {"--store", store, "--provider", provider, "--json", "submit", "--detach", dir.file("requests.jsonl")},
            dir.file("submit.log")))["id"];
        // Small chunks, one thread: the batch takes long enough to be
        // caught mid-run. A write waits 50 ms for the lock.
        const auto pid = startOsidBatch({"--store", store, "--provider", provider, "--busy-timeout", "50", "worker",
                                         "--workers", "1", "--chunk-size", "5"},
                                        dir.file("worker.log"));
        std::string log;
        for (int i = 0; i < 500 && log.find("osid-batch: worker of provider") == std::string::npos; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            std::ifstream in(dir.file("worker.log"));
            log.assign(std::istreambuf_iterator<char>(in), {});
        }
        REQUIRE(log.find("osid-batch: worker of provider") != std::string::npos);
        // Another program takes the store's write lock and keeps it.
        osid::sqlite::Connection locker(store, 1000);
        locker.execute("BEGIN EXCLUSIVE");
        int status = 0;
        bool exited = false;
        for (int i = 0; i < 3000 && !exited; ++i) { // 30 s at most
            exited = ::waitpid(pid, &status, WNOHANG) == pid;
            if (!exited)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (!exited)
            ::kill(pid, SIGKILL);
        REQUIRE(exited);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 3);
        {
            std::ifstream in(dir.file("worker.log"));
            log.assign(std::istreambuf_iterator<char>(in), {});
        }
        CHECK(log.find("osid-batch: the workers stopped: the batch store failed 6 times in a row") !=
              std::string::npos);
        CHECK(log.find("the batches stay in the store for the next worker") != std::string::npos);
        locker.execute("ROLLBACK");
        // Nothing was lost or done twice: the next process finishes it.
        runOsidBatch({"--store", store, "--provider", provider, "wait", id}, dir.file("wait.log"));
        const auto results = osid::testing::jsonLines(
            runOsidBatch({"--store", store, "--provider", provider, "results", id}, dir.file("results.log")));
        std::set<std::string> ids;
        for (const auto &line : results)
            ids.insert(line["custom_id"].get<std::string>());
        CHECK(results.size() == 5'000);
        CHECK(ids.size() == 5'000);
    }
}
