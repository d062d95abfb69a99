// What the message batch tests share: requests, results, counting the
// provider's messages, and the options of a service on a store.
//
// The tests of a stored service (fileOptions) run on either store: SQLite
// files, or, with OSID_TEST_BATCH_STORE=postgres (the Meson test
// service-postgres), PostgreSQL databases on the server OSID_TEST_POSTGRES
// names, one per file path the test gives (skipped, 77, without a server).
// Tests of what only a SQLite file has are marked sqliteOnly().

#pragma once

#include "impl/memory/memory_provider.h"
#include "messaging/message_lookup_session.h"
#include "messaging/messaging_manager.h"
#include "service/message_batches.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include "postgres/postgres_support.h"

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string_view>
#include <map>
#include <string>
#include <vector>

namespace batch_test {

using namespace osid;
using namespace osid::service;
using nlohmann::json;

inline json messageParams(int i)
{
    return json{{"subject", fmt::format("Subject {}", i)},
                {"text", fmt::format("Text {}", i)},
                {"sender", fmt::format("resource.Resource:s{}@test", i % 3)},
                {"recipients", {"resource.Resource:r1@test", "resource.Resource:r2@test"}},
                {"sent_time", "2026-11-01T09:00:00Z"}};
}

inline std::vector<MessageBatchRequest> requests(int n, const std::string &prefix = "req")
{
    std::vector<MessageBatchRequest> out;
    for (int i = 0; i < n; ++i)
        out.push_back({fmt::format("{}-{}", prefix, i), messageParams(i)});
    return out;
}

inline std::map<std::string, MessageBatchResult> resultsOf(MessageBatchService &service, const std::string &id)
{
    std::map<std::string, MessageBatchResult> out;
    auto stream = service.results(id);
    for (MessageBatchResult r; stream.next(r);)
        out.emplace(r.customId, r);
    return out;
}

inline std::size_t messageCount(messaging::MessagingManager &manager)
{
    std::size_t n = 0;
    auto lookup = manager.getMessageLookupSession();
    auto messages = lookup->getMessages();
    for (const auto &m : *messages) {
        (void)m;
        ++n;
    }
    return n;
}

// Whether the stored services of these tests keep their batches in
// A clock the test moves by hand.
struct ManualClock {
    std::shared_ptr<std::atomic<std::int64_t>> now =
        std::make_shared<std::atomic<std::int64_t>>(DateTime::parse("2026-11-23T12:00:00Z").toMicroseconds());
    std::function<DateTime()> function() const
    {
        return [now = now] { return DateTime::fromMicroseconds(now->load()); };
    }
    void advance(std::chrono::microseconds by) { *now += by.count(); }
};

// PostgreSQL (see above).
inline bool onPostgres()
{
    const char *store = std::getenv("OSID_TEST_BATCH_STORE");
    return store != nullptr && std::string_view(store) == "postgres";
}

// Without a server the PostgreSQL run has nothing to run on: skipped.
inline const bool postgresRunSkipped = [] {
    if (onPostgres() && postgres_test::noServer())
        std::_Exit(77);
    return false;
}();

// A test of what only a SQLite file has (its bytes, its schema history):
// skipped on PostgreSQL.
inline doctest::skip sqliteOnly() { return doctest::skip(onPostgres()); }

// The PostgreSQL databases made for file paths, dropped when the test
// program ends (by the process that started it, not by forked children).
class PostgresStores {
public:
    static PostgresStores &instance()
    {
        static PostgresStores stores;
        return stores;
    }
    ~PostgresStores()
    {
        if (::getpid() != owner_)
            return;
        try {
            postgres_test::Connection admin(postgres_test::serverConninfo());
            for (const auto &name : names_)
                admin.execute(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name));
        } catch (...) {
            // Left for the cluster's removal.
        }
    }

    // The connection string of the database for `path`: the same for the
    // same path, in this process and in its children, created if missing.
    std::string storeFor(const std::string &path)
    {
        std::uint64_t hash = 14695981039346656037ull;
        for (const unsigned char c : path) {
            hash ^= c;
            hash *= 1099511628211ull;
        }
        const auto name = fmt::format("osid_batches_{:016x}", hash);
        std::lock_guard lock(mutex_);
        if (names_.insert(name).second) {
            // A connection of its own each time: none is shared across
            // fork(). Two children may create it at once: one of them
            // fails, and then finds it.
            postgres_test::Connection admin(postgres_test::serverConninfo());
            for (int attempt = 0;; ++attempt) {
                if (admin.query("SELECT 1 FROM pg_database WHERE datname = $1", osid::postgres::Params().add(name))
                        .rows() > 0)
                    break;
                try {
                    admin.execute("CREATE DATABASE " + name);
                    break;
                } catch (const osid::OperationFailed &) {
                    if (attempt == 50)
                        throw;
                    ::usleep(20'000);
                }
            }
        }
        return "postgres:" + postgres_test::withDatabase(postgres_test::serverConninfo(), name);
    }

private:
    PostgresStores() = default;
    pid_t owner_ = ::getpid();
    std::mutex mutex_;
    std::set<std::string> names_;
};

// The store a test names by a file path: that file, or on PostgreSQL the
// database made for it.
inline std::string storeAt(const std::string &path)
{
    return onPostgres() ? PostgresStores::instance().storeFor(path) : path;
}

inline MessageBatchOptions fileOptions(const std::string &path, bool process = true)
{
    MessageBatchOptions options;
    options.storePath = storeAt(path);
    options.process = process;
    options.pollInterval = std::chrono::milliseconds(10);
    // On PostgreSQL, the chunk of a service killed or stopped by a failing
    // store is taken over within seconds.
    options.lease = std::chrono::seconds(5);
    return options;
}

// Makes the store file `path` hold one ended batch of `n` requests, as a
// build of an older schema would have left it before a test rolls the
// schema back; returns the batch's id.
inline std::string storeWithEndedBatch(const std::string &path, int n = 2)
{
    MessageBatchService service(impl::memory::makeMemoryMessagingManager(), fileOptions(path));
    const auto id = service.create(requests(n)).id;
    service.wait(id);
    return id;
}

// Runs `sql` on the SQLite file `path` directly, as another program would.
inline void execSql(const std::string &path, const char *sql)
{
    sqlite3 *db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
}

// The authority of a store's idempotency keys, read from the file (or the
// database).
inline std::string storeAuthority(const std::string &path)
{
    if (onPostgres()) {
        auto store = storeAt(path);
        postgres_test::Connection db(store.substr(std::string_view("postgres:").size()));
        return std::string(db.query("SELECT value FROM osid_batch.meta WHERE name = 'authority'").text(0, 0));
    }
    sqlite3 *db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt *s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT authority FROM message_batch_schema", -1, &s, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    std::string authority = reinterpret_cast<const char *>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return authority;
}

// The pid of a process that has ended and been waited for: no process has
// it (until the system gives it again, long after a test).
inline pid_t endedProcess()
{
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0)
        ::_exit(0);
    REQUIRE(::waitpid(child, nullptr, 0) == child);
    return child;
}

// A child process and the read end of its pipe.
struct Child {
    pid_t pid = -1;
    int out = -1;
};

// Forks a child that runs `body` with the write end of a pipe and exits 0,
// or 1 if it throws. The child opens everything itself: nothing SQLite may
// be open across fork().
template <typename Body>
Child forkWriting(Body &&body)
{
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    std::fflush(nullptr);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        try {
            body(fds[1]);
        } catch (const std::exception &e) {
            // Said, so that a child's failure is not a bare exit status.
            std::fprintf(stderr, "child %d: %s\n", static_cast<int>(::getpid()), e.what());
            _exit(1);
        } catch (...) {
            _exit(1);
        }
        _exit(0);
    }
    close(fds[1]);
    return Child{pid, fds[0]};
}

// Writes all of `text` to `fd`; false if it could not.
inline bool writeAll(int fd, const std::string &text)
{
    return write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

template <typename F>
ServiceError errorOf(F &&f)
{
    try {
        f();
    } catch (const ServiceError &e) {
        return e;
    }
    FAIL("no ServiceError");
    return ServiceError("", "");
}

} // namespace batch_test
