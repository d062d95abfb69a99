// MessageBatchService under faults: store writes that fail (every Nth, or
// all of them from some point on), idempotency keys that keep a re-run chunk
// from creating its messages twice, batches bound to their provider, and a
// store file that belongs to someone else.

#include "adapter/forwarding_messaging_managers.h"
#include "adapter/forwarding_messaging_sessions.h"
#include "impl/memory/memory_provider.h"
#include "impl/sqlite/sqlite_provider.h"
#include "service/batch_workers.h"
#include "service/message_batches.h"
#include "tests/service/batch_support.h"
#include "tests/sqlite/sqlite_support.h"

#include <doctest/doctest.h>

#include <memory>
#include <mutex>
#include <fmt/format.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <unistd.h>

using namespace osid;
using namespace osid::service;
using namespace batch_test;

namespace {

std::shared_ptr<messaging::MessagingManager> sqliteProvider(const sqlite_test::TempDir &dir)
{
    impl::sqlite::SqliteProviderOptions provider;
    provider.path = dir.file("messages.db");
    return impl::sqlite::makeSqliteMessagingManager(provider);
}

// Options whose store writes fail as `fails(n)` says, n counting every
// write from 1.
MessageBatchOptions faultyOptions(const std::string &path, std::function<bool(std::uint64_t)> fails)
{
    auto options = fileOptions(path);
    options.storeRetryDelay = std::chrono::milliseconds(1);
    options.storeWriteHook = [count = std::make_shared<std::atomic<std::uint64_t>>(0),
                              fails = std::move(fails)](std::string_view what) {
        if (fails(++*count))
            throw std::runtime_error(fmt::format("injected: {} failed", what));
    };
    return options;
}

// A provider whose transactions' commits fail as a lost connection does:
// after the commit (`committed`: the server had the COMMIT, the answer was
// lost) or instead of it.
class CutOffCommits final : public adapter::ForwardingMessagingManager {
public:
    CutOffCommits(std::shared_ptr<messaging::MessagingManager> inner, bool committed)
        : ForwardingMessagingManager(std::move(inner)),
          batch_(std::make_shared<BatchManager>(this->inner().getMessagingBatchManager(), committed))
    {
    }
    std::shared_ptr<messaging::batch::MessagingBatchManager> getMessagingBatchManager() override { return batch_; }

private:
    struct CutOff final : transaction::Transaction {
        CutOff(std::unique_ptr<transaction::Transaction> wrapped, bool reachesServer)
            : inner(std::move(wrapped)), committed(reachesServer)
        {
        }
        void prepare() override { inner->prepare(); }
        void commit() override
        {
            if (committed)
                inner->commit();
            else
                inner->abort();
            throw OperationFailed("server closed the connection unexpectedly");
        }
        void abort() override { inner->abort(); }
        transaction::TransactionState getState() const override { return inner->getState(); }
        std::unique_ptr<transaction::Transaction> inner;
        bool committed;
    };
    struct Session final : adapter::ForwardingMessageBatchAdminSession {
        Session(std::unique_ptr<messaging::batch::MessageBatchAdminSession> wrapped, bool reachesServer)
            : ForwardingMessageBatchAdminSession(std::move(wrapped)), committed(reachesServer)
        {
        }
        std::unique_ptr<transaction::Transaction> startTransaction() override
        {
            return std::make_unique<CutOff>(ForwardingMessageBatchAdminSession::startTransaction(), committed);
        }
        bool committed;
    };
    struct BatchManager final : adapter::ForwardingMessagingBatchManager {
        BatchManager(std::shared_ptr<messaging::batch::MessagingBatchManager> wrapped, bool reachesServer)
            : ForwardingMessagingBatchManager(std::move(wrapped)), committed(reachesServer)
        {
        }
        std::unique_ptr<messaging::batch::MessageBatchAdminSession> getMessageBatchAdminSession() override
        {
            return std::make_unique<Session>(inner().getMessageBatchAdminSession(), committed);
        }
        bool committed;
    };
    std::shared_ptr<BatchManager> batch_;
};

std::string fileBytes(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

} // namespace

TEST_SUITE("message batches under faults")
{
    TEST_CASE("a store failing every Nth write: 20,000 requests end succeeded, or stopped and resumed; one "
              "message each")
    {
        for (const std::uint64_t n : {2u, 3u, 7u}) {
            CAPTURE(n);
            sqlite_test::TempDir dir;
            const auto path = dir.file("batches.db");
            auto manager = sqliteProvider(dir);
            std::string id;
            {
                auto options = faultyOptions(path, [n](std::uint64_t i) { return i % n == 0; });
                options.chunkSize = 200;
                MessageBatchService service(manager, options);
                // create() is not retried: the caller sees the failure and may try again.
                for (int attempt = 0; attempt < 3 && id.empty(); ++attempt) {
                    try {
                        id = service.create(requests(20'000)).id;
                    } catch (const ServiceError &e) {
                        CHECK(e.type() == "api_error");
                    }
                }
                REQUIRE_FALSE(id.empty());
                // Two workers share the failing writes, so one of them may
                // meet storeWriteAttempts failures in a row: then the batch
                // stops, in_progress, with an error.
                try {
                    const auto ended = service.wait(id);
                    CHECK(ended.processingStatus == ProcessingStatus::Ended);
                    CHECK(ended.requestCounts.succeeded == 20'000);
                } catch (const ServiceError &e) {
                    CHECK(e.type() == "api_error");
                    CHECK(std::string(e.what()).find("stopped: the batch store failed 6 times") != std::string::npos);
                    CHECK(service.retrieve(id).processingStatus == ProcessingStatus::InProgress);
                }
            }
            MessageBatchService next(manager, fileOptions(path));
            CHECK(next.wait(id).requestCounts.succeeded == 20'000);
            CHECK(messageCount(*manager) == 20'000);
        }
    }

    TEST_CASE("a store failing every second write, one worker: every failed write succeeds when tried again")
    {
        sqlite_test::TempDir dir;
        auto manager = sqliteProvider(dir);
        // Write 1 (the batch) goes through; then every second one fails.
        auto options = faultyOptions(dir.file("batches.db"), [](std::uint64_t i) { return i % 2 == 0; });
        options.workers = 1;
        options.chunkSize = 200;
        MessageBatchService service(manager, options);
        const auto ended = service.wait(service.create(requests(20'000)).id);
        CHECK(ended.requestCounts.succeeded == 20'000);
        CHECK(messageCount(*manager) == 20'000);
    }

    TEST_CASE("a store that stops taking writes stops the batch with an error; the next service finishes it with "
              "no duplicate")
    {
        for (const bool sqlite : {true, false}) {
            CAPTURE(sqlite);
            sqlite_test::TempDir dir;
            const auto path = dir.file("batches.db");
            auto manager = sqlite ? sqliteProvider(dir) : impl::memory::makeMemoryMessagingManager();
            std::string id;
            {
                // Writes 1 (the batch) to 40 go through; every one after fails.
                auto options = faultyOptions(path, [](std::uint64_t i) { return i > 40; });
                options.chunkSize = 100;
                options.storeWriteAttempts = 4;
                // One worker: the writes come in one order (the batch, then
                // per chunk its mark and its results), so the write that
                // starts failing is the same on every run.
                options.workers = 1;
                // The workers say why they stopped through the log hook.
                auto logged = std::make_shared<std::vector<std::string>>();
                auto logMutex = std::make_shared<std::mutex>();
                options.log = [logged, logMutex](const std::string &line) {
                    std::lock_guard lock(*logMutex);
                    logged->push_back(line);
                };
                MessageBatchService service(manager, options);
                CHECK_FALSE(service.processingFailure().has_value());
                id = service.create(requests(20'000)).id;
                const auto e = errorOf([&] { service.wait(id); });
                CHECK(service.processingFailure().value_or("").find("the batch store failed 4 times in a row") !=
                      std::string::npos);
                {
                    std::lock_guard lock(*logMutex);
                    REQUIRE(logged->size() == 1);
                    CHECK(logged->front().rfind("message batch workers stopped at batch " + id + ", requests ", 0) ==
                          0);
                    CHECK(logged->front().find("the batch store failed 4 times in a row") != std::string::npos);
                }
                CHECK(e.type() == "api_error");
                const std::string message = e.what();
                CHECK(message.find("stopped: the batch store failed 4 times in a row") != std::string::npos);
                CHECK(message.find("injected") != std::string::npos);
                CHECK(message.find("resumes with the next process") != std::string::npos);
                const auto stopped = service.retrieve(id);
                CHECK(stopped.processingStatus == ProcessingStatus::InProgress);
                CHECK(stopped.requestCounts.succeeded < 20'000);
                // Chunks whose results were not saved made their messages,
                // with their keys: more messages than results so far.
                CHECK(messageCount(*manager) > stopped.requestCounts.succeeded);
            }
            MessageBatchService next(manager, fileOptions(path));
            const auto ended = next.wait(id);
            CHECK(ended.requestCounts.succeeded == 20'000);
            CHECK(messageCount(*manager) == 20'000);
            CHECK(resultsOf(next, id).size() == 20'000);
        }
    }

    TEST_CASE("a provider commit cut off: the keys are looked up; requests whose messages the server committed "
              "succeed, one message each, the others end errored and retryable")
    {
        for (const bool committed : {true, false}) {
            CAPTURE(committed);
            sqlite_test::TempDir dir;
            auto provider = sqliteProvider(dir);
            MessageBatchService service(std::make_shared<CutOffCommits>(provider, committed),
                                        fileOptions(dir.file("batches.db")));
            const auto batch = service.wait(service.create(requests(30)).id);
            CHECK(batch.requestCounts.succeeded == (committed ? 30 : 0));
            CHECK(batch.requestCounts.errored == (committed ? 0 : 30));
            CHECK(messageCount(*provider) == (committed ? 30 : 0));
            auto results = service.results(batch.id);
            for (MessageBatchResult r; results.next(r);) {
                if (committed) {
                    CHECK(provider->getMessageLookupSession()
                              ->getMessage(Id::parse(r.message.at("id").get<std::string>()))
                              ->getSubjectLine()
                              .getText() == r.message.at("subject").get<std::string>());
                } else {
                    CHECK(r.retryable);
                    CHECK(r.errorMessage.find("server closed the connection unexpectedly") != std::string::npos);
                }
            }
        }
    }

    TEST_CASE("a worker's name tells whether it was of a process of this machine that has ended")
    {
        const auto host = workerHost();
        const auto child = endedProcess();
        CHECK(workerProcessEnded(fmt::format("{}:{}:0000abcd", host, child)));
        CHECK_FALSE(workerProcessEnded(fmt::format("{}:{}:0000abcd", host, ::getpid()))); // this one
        CHECK_FALSE(workerProcessEnded(fmt::format("{}:{}:0000abcd", host, 1)));          // exists
        CHECK_FALSE(workerProcessEnded(fmt::format("{}.elsewhere:{}:0000abcd", host, child)));
        // The same host name in another pid namespace (another container).
        CHECK_FALSE(workerProcessEnded(fmt::format("{}/1:{}:0000abcd", host.substr(0, host.find('/')), child)));
        CHECK_FALSE(workerProcessEnded(fmt::format("{}:{}x:0000abcd", host, child)));
        CHECK_FALSE(workerProcessEnded(fmt::format(":{}:0000abcd", child)));
        CHECK_FALSE(workerProcessEnded(fmt::format("{}", child)));
        CHECK_FALSE(workerProcessEnded(""));
    }

    TEST_CASE("a batch is processed only by a service of the provider it was created for")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        auto mine = sqliteProvider(dir);
        std::string id;
        {
            auto options = fileOptions(path, false);
            options.provider = "sqlite:mine";
            id = MessageBatchService(mine, options).create(requests(50)).id;
        }
        auto other = impl::memory::makeMemoryMessagingManager();
        auto otherOptions = fileOptions(path);
        otherOptions.provider = "memory";
        MessageBatchService stranger(other, otherOptions);
        CHECK(stranger.isProcessing());
        const auto e = errorOf([&] { stranger.wait(id); });
        CHECK(e.type() == "invalid_request_error");
        CHECK(std::string(e.what()).find("created for the provider \"sqlite:mine\"") != std::string::npos);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        CHECK(stranger.retrieve(id).requestCounts.processing == 50);
        CHECK(messageCount(*other) == 0);
        // Its own provider's service works beside the stranger, on the same store.
        auto options = fileOptions(path);
        options.provider = "sqlite:mine";
        MessageBatchService owner(mine, options);
        CHECK(owner.isProcessing());
        CHECK(owner.wait(id).requestCounts.succeeded == 50);
        CHECK(messageCount(*mine) == 50);
        CHECK(messageCount(*other) == 0);
    }

    TEST_CASE("another application's SQLite file is refused, unchanged" * sqliteOnly())
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("theirs.db");
        execSql(path, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')");
        const auto before = fileBytes(path);
        for (const bool readOnly : {false, true}) {
            auto options = fileOptions(path);
            options.readOnly = readOnly;
            const auto e = errorOf([&] { MessageBatchService(impl::memory::makeMemoryMessagingManager(), options); });
            CHECK(e.type() == "api_error");
            CHECK(std::string(e.what()).find("is not an osid-batch store") != std::string::npos);
        }
        execSql(path, "PRAGMA application_id = 1234");
        const auto marked = fileBytes(path);
        const auto e =
            errorOf([&] { MessageBatchService(impl::memory::makeMemoryMessagingManager(), fileOptions(path)); });
        CHECK(std::string(e.what()).find("application_id is 1234") != std::string::npos);
        CHECK(fileBytes(path) == marked);
        CHECK(before.size() == marked.size());
        CHECK_FALSE(std::filesystem::exists(path + "-wal"));
    }

    TEST_CASE("a read-only service reads an existing store and creates nothing" * sqliteOnly())
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        auto options = fileOptions(path);
        options.readOnly = true;
        const auto missing = errorOf([&] { MessageBatchService(impl::memory::makeMemoryMessagingManager(), options); });
        CHECK(missing.type() == "api_error");
        CHECK(std::string(missing.what()).find("does not exist") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(path));
        std::string id;
        {
            MessageBatchService writer(impl::memory::makeMemoryMessagingManager(), fileOptions(path));
            id = writer.wait(writer.create(requests(5)).id).id;
        }
        MessageBatchService reader(impl::memory::makeMemoryMessagingManager(), options);
        CHECK_FALSE(reader.isProcessing());
        CHECK(reader.retrieve(id).requestCounts.succeeded == 5);
        CHECK(resultsOf(reader, id).size() == 5);
        CHECK(errorOf([&] { reader.create(requests(1)); }).type() == "api_error");
    }
}
