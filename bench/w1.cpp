// w1: the W1 workload's create phase (P1) through the OSID interfaces, side
// by side with a plain SQLite schema keyed by W1's random ids, measured in
// the same run. Each backend runs in a fresh child process.
//
// Usage: w1 [--messages N] [--batch N] [--dir DIR] [BACKEND...]
//
// BACKEND is an implementation string for the provider runtime ("memory",
// "sqlite:FILE", "sqlite::memory:") or one of the baselines
// "plain-sqlite::memory:" and "plain-sqlite:FILE". By default: memory,
// sqlite (WAL file), and both baselines. FILE names are made inside --dir.
//
// P1 as W1 defines it: messages 0..N-1 in order, in calls of `batch`
// consecutive messages, one transaction per call. Through the OSID that is
// getMessageFormsForCreate + setters + createMessages; W1's sender and time
// become the delivery record's sender and sent/received time. Drawing the
// messages is not timed.

#include "bench/w1_data.h"
#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/records/delivery_record.h"
#include "osid/vector_list.h"
#include "runtime/provider_runtime.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace osid;

namespace {

struct Settings {
    std::uint64_t messages = 1'000'000;
    std::uint64_t batch = 10'000;
};

// One backend's P1: called once per batch with the batch's messages;
// returns how many it created.
using CreateBatch = std::function<std::uint64_t(const std::vector<w1::Message> &)>;

// Runs P1, timing only the backend's calls. Returns items per second.
double runP1(const Settings &settings, const CreateBatch &create)
{
    w1::SplitMix64 m(42);
    std::uint64_t created = 0;
    std::chrono::steady_clock::duration spent{};
    std::vector<w1::Message> batch;
    for (std::uint64_t first = 0; first < settings.messages; first += settings.batch) {
        batch.clear();
        for (std::uint64_t i = first; i < std::min(settings.messages, first + settings.batch); ++i)
            batch.push_back(w1::nextMessage(m));
        const auto start = std::chrono::steady_clock::now();
        created += create(batch);
        spent += std::chrono::steady_clock::now() - start;
    }
    if (created != settings.messages)
        throw std::runtime_error(fmt::format("check failed: {} messages created, expected {}", created,
                                             settings.messages));
    return static_cast<double>(created) / std::chrono::duration<double>(spent).count();
}

// --- Through the OSID interfaces ----------------------------------------

Id w1Resource(std::uint64_t n) { return Id("w1.example.org", "resource.Resource", std::to_string(n)); }

double osidP1(const Settings &settings, const std::string &implementation)
{
    auto runtime = runtime::makeProviderRuntime();
    auto manager = runtime::getMessagingManager(*runtime, implementation);
    auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
    const std::vector<Type> delivery{messaging::records::deliveryRecordType()};
    // Ids are values the caller builds; build them outside the timing, as
    // W1 excludes input generation.
    std::vector<Id> senders, recipients;
    for (std::uint64_t i = 0; i < w1::kSenders; ++i)
        senders.push_back(w1Resource(i));
    for (std::uint64_t i = 0; i < w1::kRecipients; ++i)
        recipients.push_back(w1Resource(i));
    std::vector<Id> providerIds;
    providerIds.reserve(settings.messages);
    std::vector<Id> to;
    return runP1(settings, [&](const std::vector<w1::Message> &batch) {
        auto forms = session->getMessageFormsForCreate(batch.size(), delivery);
        std::vector<std::shared_ptr<messaging::batch::MessageBatchForm>> filled;
        filled.reserve(batch.size());
        for (const auto &msg : batch) {
            auto form = forms->getNextMessageBatchForm();
            form->setSubjectLine(msg.subject);
            form->setText(msg.text);
            auto &record = messaging::records::deliveryFormRecord(*form);
            record.setSender(senders[msg.sender]);
            const auto at = DateTime::fromMicroseconds(msg.sentMicroseconds);
            record.setSentTime(at);
            record.setReceivedTime(at);
            to.clear();
            for (auto r : msg.recipients)
                to.push_back(recipients[r]);
            record.setRecipients(to);
            filled.push_back(std::move(form));
        }
        VectorList<messaging::batch::MessageBatchFormList> list(std::move(filled));
        std::uint64_t ok = 0;
        auto responses = session->createMessages(list);
        for (const auto &response : *responses) {
            if (!response.isSuccessful())
                throw std::runtime_error("create failed: " + response.getErrorMessage().getText());
            providerIds.push_back(response.getCreatedId());
            ++ok;
        }
        return ok;
    });
}

// --- Plain SQLite baseline ----------------------------------------------

void check(int rc, sqlite3 *db, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        throw std::runtime_error(fmt::format("{}: {}", what, sqlite3_errmsg(db)));
}

double plainSqliteP1(const Settings &settings, const std::string &path)
{
    sqlite3 *db = nullptr;
    check(sqlite3_open(path.c_str(), &db), db, "open");
    check(sqlite3_exec(db,
                       "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                       "CREATE TABLE msg (id INTEGER PRIMARY KEY, sender INTEGER NOT NULL, sent_us INTEGER NOT NULL,"
                       " recipients TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL);"
                       "CREATE INDEX msg_sender ON msg (sender); CREATE INDEX msg_sent ON msg (sent_us);"
                       "CREATE TABLE alias (alias INTEGER PRIMARY KEY, id INTEGER NOT NULL);",
                       nullptr, nullptr, nullptr),
          db, "schema");
    sqlite3_stmt *insert = nullptr;
    check(sqlite3_prepare_v2(db, "INSERT INTO msg VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &insert, nullptr), db,
          "prepare");
    std::string recipients;
    const double rate = runP1(settings, [&](const std::vector<w1::Message> &batch) {
        check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db, "begin");
        for (const auto &msg : batch) {
            recipients.clear();
            for (auto r : msg.recipients)
                recipients += fmt::format("{} ", r);
            sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(msg.id));
            sqlite3_bind_int64(insert, 2, static_cast<sqlite3_int64>(msg.sender));
            sqlite3_bind_int64(insert, 3, msg.sentMicroseconds);
            sqlite3_bind_text(insert, 4, recipients.data(), static_cast<int>(recipients.size()), SQLITE_STATIC);
            sqlite3_bind_text(insert, 5, msg.subject.data(), static_cast<int>(msg.subject.size()), SQLITE_STATIC);
            sqlite3_bind_text(insert, 6, msg.text.data(), static_cast<int>(msg.text.size()), SQLITE_STATIC);
            check(sqlite3_step(insert), db, "insert");
            sqlite3_reset(insert);
        }
        check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
        return static_cast<std::uint64_t>(batch.size());
    });
    sqlite3_finalize(insert);
    sqlite3_close(db);
    return rate;
}

// Runs one backend in a child process; its rate comes back through a pipe.
std::optional<double> inChild(const std::function<double()> &run, std::string &error)
{
    int fds[2];
    if (pipe(fds) != 0)
        throw std::runtime_error("pipe failed");
    const pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        std::string out;
        try {
            out = fmt::format("ok {}", run());
        } catch (const std::exception &e) {
            out = fmt::format("error {}", e.what());
        }
        [[maybe_unused]] auto written = write(fds[1], out.data(), out.size());
        _exit(0);
    }
    close(fds[1]);
    std::string reply;
    char buffer[512];
    for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;)
        reply.append(buffer, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    if (reply.rfind("ok ", 0) == 0)
        return std::stod(reply.substr(3));
    error = reply.empty() ? "the child process died" : reply.substr(reply.find(' ') + 1);
    return std::nullopt;
}

} // namespace

int main(int argc, char **argv)
{
    Settings settings;
    std::string dir = ".";
    std::vector<std::string> backends;
    CLI::App app("W1 create phase (P1) through the OSID interfaces and against plain SQLite, in one run.");
    app.add_option("--messages", settings.messages, "messages to create (W1: 1000000)")->check(CLI::PositiveNumber);
    app.add_option("--batch", settings.batch, "messages per call (W1: 10000)")->check(CLI::PositiveNumber);
    app.add_option("--dir", dir, "where database files are made (removed afterwards)")->check(CLI::ExistingDirectory);
    app.add_option("backends", backends, "implementation strings, plain-sqlite::memory: or plain-sqlite:FILE");
    CLI11_PARSE(app, argc, argv);
    if (backends.empty())
        backends = {"memory", "sqlite:w1-provider.db", "plain-sqlite::memory:", "plain-sqlite:w1-plain.db"};

    std::optional<double> baseline;
    struct Row {
        std::string backend;
        std::optional<double> rate;
        std::string error;
    };
    std::vector<Row> rows;
    for (const auto &backend : backends) {
        // File names are made inside --dir and removed afterwards.
        std::string name = backend;
        std::vector<std::filesystem::path> files;
        const auto colon = backend.find(':');
        const std::string kind = backend.substr(0, colon);
        std::string target = colon == std::string::npos ? "" : backend.substr(colon + 1);
        if ((kind == "sqlite" || kind == "plain-sqlite") && target != ":memory:" && !target.empty()) {
            const auto path = std::filesystem::path(dir) / target;
            for (const char *suffix : {"", "-wal", "-shm"})
                files.emplace_back(path.string() + suffix);
            for (const auto &f : files)
                std::filesystem::remove(f);
            target = path.string();
        }
        Row row{name, std::nullopt, {}};
        row.rate = inChild(
            [&]() -> double {
                if (kind == "plain-sqlite")
                    return plainSqliteP1(settings, target);
                return osidP1(settings, kind == "sqlite" ? "sqlite:" + target : backend);
            },
            row.error);
        for (const auto &f : files)
            std::filesystem::remove(f);
        if (kind == "plain-sqlite" && target != ":memory:" && row.rate)
            baseline = row.rate;
        rows.push_back(row);
    }

    fmt::print("W1 P1 create: {} messages in calls of {}\n\n", settings.messages, settings.batch);
    fmt::print("{:<32} {:>14} {:>22}\n", "backend", "messages/s", "× plain SQLite (file)");
    bool failed = false;
    for (const auto &row : rows) {
        if (!row.rate) {
            failed = true;
            fmt::print("{:<32} FAILED: {}\n", row.backend, row.error);
            continue;
        }
        fmt::print("{:<32} {:>14.0f} {:>22}\n", row.backend, *row.rate,
                   baseline ? fmt::format("{:.2f}", *row.rate / *baseline) : "-");
    }
    return failed ? 1 : 0;
}
