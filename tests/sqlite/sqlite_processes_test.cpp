// The SQLite provider across processes: durability when a writer is killed
// with SIGKILL in the middle of its calls, two writers on one file, readers
// that see committed calls only, and a writer that waits for another.
//
// Work runs in forked children that open the file themselves. The parent
// never has the file open while it forks: SQLite's locks must not be
// carried across fork().

#include "tests/sqlite/sqlite_support.h"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <functional>
#include <map>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace osid;
using namespace sqlite_test;

namespace {

// Runs `work` in a child process; the child exits 0 if it returns and 1
// (after printing why) if it throws.
pid_t spawn(const std::function<void()> &work)
{
    std::fflush(nullptr);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        int code = 0;
        try {
            work();
        } catch (const std::exception &e) {
            std::fprintf(stderr, "child %d: %s\n", static_cast<int>(getpid()), e.what());
            code = 1;
        }
        std::fflush(nullptr);
        _exit(code);
    }
    return pid;
}

int exitCode(pid_t pid)
{
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void writeLine(int fd, const std::string &line)
{
    // One write of under PIPE_BUF bytes: the reader gets whole lines.
    const std::string text = line + "\n";
    if (write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        throw std::runtime_error("write to the pipe failed");
}

// Reads whole lines from a pipe until `enough` lines have come or it closes.
class LineReader {
public:
    explicit LineReader(int fd) : fd_(fd) {}

    bool next(std::string &line)
    {
        for (;;) {
            if (auto end = buffer_.find('\n'); end != std::string::npos) {
                line = buffer_.substr(0, end);
                buffer_.erase(0, end + 1);
                return true;
            }
            char chunk[4096];
            const ssize_t n = read(fd_, chunk, sizeof chunk);
            if (n <= 0)
                return false;
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }

private:
    int fd_;
    std::string buffer_;
};

// Subject prefix ("b17" of "b17-3") -> how many messages carry it.
std::map<std::string, int> batchesInStore(const std::string &path)
{
    std::map<std::string, int> out;
    auto manager = openStore(path);
    auto messages = manager->getMessageLookupSession()->getMessages();
    for (const auto &m : *messages) {
        const auto subject = m->getSubjectLine().getText();
        ++out[subject.substr(0, subject.find('-'))];
    }
    return out;
}

} // namespace

TEST_SUITE("sqlite provider across processes")
{
    TEST_CASE("a writer killed with SIGKILL mid-stream loses nothing it reported, half-writes nothing, and leaves a "
              "sound file")
    {
        TempDir dir;
        const auto path = dir.file("killed.db");
        constexpr int kBatch = 50;
        std::map<std::string, std::vector<std::string>> reported; // batch -> the Ids the child was told
        int batchNumber = 0;
        for (int killAfter : {5, 17, 31}) {
            int fds[2];
            REQUIRE(pipe(fds) == 0);
            const int firstBatch = batchNumber;
            const pid_t child = spawn([&] {
                close(fds[0]);
                auto manager = openStore(path);
                auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
                for (int b = firstBatch;; ++b) {
                    auto ids = createBatch(*session, person("writer"), "b" + std::to_string(b), kBatch);
                    std::string line = "b" + std::to_string(b);
                    for (const auto &id : ids)
                        line += " " + id.toString();
                    writeLine(fds[1], line);
                }
            });
            close(fds[1]);
            LineReader lines(fds[0]);
            std::string line;
            int seen = 0;
            while (seen < killAfter && lines.next(line)) {
                ++seen;
                std::istringstream in(line);
                std::string batch, id;
                in >> batch;
                while (in >> id)
                    reported[batch].push_back(id);
            }
            // Kill it at some point inside its next calls.
            std::this_thread::sleep_for(std::chrono::microseconds(300 * killAfter));
            kill(child, SIGKILL);
            CHECK(exitCode(child) == 128 + SIGKILL);
            // Whatever it reported before dying counts too.
            while (lines.next(line)) {
                std::istringstream in(line);
                std::string batch, id;
                in >> batch;
                while (in >> id)
                    reported[batch].push_back(id);
            }
            close(fds[0]);
            batchNumber = firstBatch + 1000;
            REQUIRE(seen == killAfter);
        }

        // The file is sound before the provider touches it again.
        CHECK(RawFile(path).text("PRAGMA integrity_check") == "ok");

        // Every reported success is there, with its content.
        auto manager = openStore(path);
        auto lookup = manager->getMessageLookupSession();
        std::size_t checked = 0;
        for (const auto &[batch, ids] : reported) {
            REQUIRE(ids.size() == kBatch);
            for (std::size_t i = 0; i < ids.size(); ++i) {
                auto message = lookup->getMessage(Id::parse(ids[i]));
                CHECK(message->getSubjectLine().getText() == batch + "-" + std::to_string(i));
                ++checked;
            }
        }
        CHECK(checked == reported.size() * kBatch);

        // Nothing half-written: every batch in the store is whole, and at
        // most one per kill got in without being reported.
        const auto inStore = batchesInStore(path);
        for (const auto &entry : inStore)
            CHECK_MESSAGE(entry.second == kBatch, entry.first);
        CHECK(inStore.size() >= reported.size());
        CHECK(inStore.size() <= reported.size() + 3);
    }

    TEST_CASE("two processes write to one file at once: neither fails, nothing is lost, and a reader sees only "
              "whole calls")
    {
        TempDir dir;
        const auto path = dir.file("shared.db");
        openStore(path); // create the schema; closed again before forking
        constexpr int kBatch = 25, kBatches = 20;
        auto writer = [&](const std::string &name) {
            return spawn([&path, name] {
                auto manager = openStore(path);
                auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
                for (int b = 0; b < kBatches; ++b)
                    createBatch(*session, person(name), name + std::to_string(b), kBatch);
            });
        };
        const pid_t reader = spawn([&path] {
            auto manager = openStore(path);
            auto lookup = manager->getMessageLookupSession();
            for (std::uint64_t count = 0; count < 2 * kBatch * kBatches;) {
                count = lookup->getMessages()->available();
                if (count % kBatch != 0)
                    throw std::runtime_error("saw " + std::to_string(count) + " messages: part of a call");
            }
        });
        const pid_t first = writer("ann"), second = writer("bob");
        CHECK(exitCode(first) == 0);
        CHECK(exitCode(second) == 0);
        CHECK(exitCode(reader) == 0);

        auto manager = openStore(path);
        auto lookup = manager->getMessageLookupSession();
        CHECK(lookup->getMessagesFromSender(person("ann"))->available() == kBatch * kBatches);
        CHECK(lookup->getMessagesFromSender(person("bob"))->available() == kBatch * kBatches);
        CHECK(RawFile(path).text("PRAGMA integrity_check") == "ok");
    }

    TEST_CASE("a second writer waits for the first to commit instead of failing; with no busy timeout it fails "
              "clearly and changes nothing")
    {
        TempDir dir;
        const auto path = dir.file("busy.db");
        openStore(path);
        int fds[2];
        REQUIRE(pipe(fds) == 0);
        // The first writer holds an open transaction for a second.
        const pid_t holder = spawn([&] {
            close(fds[0]);
            auto manager = openStore(path);
            auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
            auto tx = session->startTransaction();
            createBatch(*session, person("first"), "first", 5);
            writeLine(fds[1], "locked");
            std::this_thread::sleep_for(std::chrono::seconds(1));
            tx->commit();
        });
        close(fds[1]);
        std::string line;
        LineReader lines(fds[0]);
        REQUIRE(lines.next(line));
        CHECK(line == "locked");

        const pid_t impatient = spawn([&path] {
            auto manager = openStore(path, 0);
            auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
            try {
                createBatch(*session, person("impatient"), "impatient", 5);
            } catch (const OperationFailed &e) {
                if (std::string(e.what()).find("locked") == std::string::npos)
                    throw;
                return;
            }
            throw std::runtime_error("the write succeeded while another transaction held the lock");
        });
        const pid_t patient = spawn([&path] {
            auto manager = openStore(path, 30'000);
            auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
            createBatch(*session, person("patient"), "patient", 5);
        });
        CHECK(exitCode(impatient) == 0);
        CHECK(exitCode(patient) == 0);
        CHECK(exitCode(holder) == 0);
        close(fds[0]);

        const auto inStore = batchesInStore(path);
        CHECK(inStore == std::map<std::string, int>{{"first", 5}, {"patient", 5}});
    }
}
