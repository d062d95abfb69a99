// What the message batch tests share: requests, results, counting the
// provider's messages, and the options of a service on a file.

#pragma once

#include "impl/memory/memory_provider.h"
#include "messaging/message_lookup_session.h"
#include "messaging/messaging_manager.h"
#include "service/message_batches.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <sys/types.h>
#include <unistd.h>

#include <cstdio>
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

inline MessageBatchOptions fileOptions(const std::string &path, bool process = true)
{
    MessageBatchOptions options;
    options.storePath = path;
    options.process = process;
    options.pollInterval = std::chrono::milliseconds(10);
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

// The authority of a store's idempotency keys, read from the file.
inline std::string storeAuthority(const std::string &path)
{
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
