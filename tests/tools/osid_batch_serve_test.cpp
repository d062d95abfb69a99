// `osid-batch serve` as a user runs it: the built binary in a scratch
// directory, driven over HTTP; stopped with SIGTERM, killed with SIGKILL
// mid-batch and started again.

#include "tests/postgres/postgres_support.h"
#include "tests/sqlite/sqlite_support.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <httplib.h>
#include <libpq-fe.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>

namespace {

using nlohmann::json;

// A running `osid-batch serve` child, with the port it reports.
struct ServeProcess {
    pid_t pid = -1;
    int port = 0;

    // Starts it in `dir` with `arguments` after `serve`, on `store`; waits
    // for its "serving on" line. stderr goes to dir/serve.log.
    ServeProcess(const std::string &dir, const std::vector<std::string> &arguments,
                 const std::string &store = "batches.db", const std::string &command = "serve")
    {
        int out[2];
        REQUIRE(::pipe(out) == 0);
        pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::dup2(out[1], 1);
            const int log = ::open((dir + "/serve.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            ::dup2(log, 2);
            ::close(out[0]);
            if (::chdir(dir.c_str()) != 0)
                ::_exit(127);
            std::vector<std::string> all = {OSID_BATCH, "--store", store, command};
            all.insert(all.end(), arguments.begin(), arguments.end());
            std::vector<char *> argv;
            for (auto &a : all)
                argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(OSID_BATCH, argv.data());
            ::_exit(127);
        }
        ::close(out[1]);
        std::string line;
        char c;
        while (::read(out[0], &c, 1) == 1 && c != '\n')
            line += c;
        ::close(out[0]);
        INFO("osid-batch said: ", line);
        if (command != "serve") {
            REQUIRE(line.find("osid-batch: worker") == 0);
            return;
        }
        REQUIRE(line.find("serving on http://") != std::string::npos);
        // The address ends at the first space ("(not processing: ...)" may
        // follow).
        const auto address = line.substr(0, line.find(' ', line.find("http://")));
        port = std::stoi(address.substr(address.rfind(':') + 1));
    }

    // Sends `signal` and returns the exit status (-signal if killed).
    int stop(int signal)
    {
        ::kill(pid, signal);
        int status = 0;
        ::waitpid(pid, &status, 0);
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }

    ~ServeProcess()
    {
        if (pid > 0)
            stop(SIGKILL);
    }
};

int runStatus(const std::string &command)
{
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string contents(const std::string &path)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

json requestsBody(int n)
{
    json requests = json::array();
    for (int i = 0; i < n; ++i)
        requests.push_back({{"custom_id", fmt::format("r{}", i)},
                            {"params",
                             {{"subject", fmt::format("Subject {}", i)},
                              {"text", std::string(200, 'x')},
                              {"sender", "resource.Resource:s@test"},
                              {"sent_time", "2026-11-01T09:00:00Z"}}}});
    return {{"requests", requests}};
}

// A client that waits up to a minute for an answer. Storing thousands of
// requests takes seconds under the sanitizers on a busy machine: more than
// httplib's default read timeout of 5 s.
httplib::Client patientClient(int port)
{
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(std::chrono::seconds(60));
    return c;
}

} // namespace

TEST_SUITE("osid-batch serve")
{
    TEST_CASE("serve refuses a non-loopback address with exit 1 and a reason")
    {
        sqlite_test::TempDir dir;
        const auto command =
            fmt::format("cd '{}' && {} --store batches.db serve --listen 0.0.0.0:0 2>err", dir.file("."), OSID_BATCH);
        CHECK(runStatus(command) == 1);
        std::ifstream err(dir.file("err"));
        std::stringstream text;
        text << err.rdbuf();
        CHECK(text.str().find("loopback") != std::string::npos);
        CHECK(runStatus(fmt::format("cd '{}' && {} serve --listen nonsense 2>/dev/null", dir.file("."), OSID_BATCH)) ==
              1);
    }

    TEST_CASE("SIGTERM stops serve with exit 0, after answering; the batch is still there afterwards")
    {
        sqlite_test::TempDir dir;
        std::string id;
        {
            ServeProcess serve(dir.file("."), {"--listen", "127.0.0.1:0"});
            httplib::Client c("127.0.0.1", serve.port);
            auto created = c.Post("/v1/messages/batches", requestsBody(3).dump(), "application/json");
            REQUIRE(created);
            CHECK(created->status == 200);
            id = json::parse(created->body)["id"];
            CHECK(serve.stop(SIGTERM) == 0);
        }
        ServeProcess again(dir.file("."), {"--listen", "127.0.0.1:0"});
        httplib::Client c("127.0.0.1", again.port);
        auto got = c.Get(("/v1/messages/batches/" + id).c_str());
        REQUIRE(got);
        CHECK(got->status == 200);
        CHECK(again.stop(SIGINT) == 0);
        // One log line per request on stderr.
        std::ifstream log(dir.file("serve.log"));
        std::stringstream text;
        text << log.rdbuf();
        CHECK(text.str().find("POST /v1/messages/batches 200") != std::string::npos);
        CHECK(text.str().find("GET /v1/messages/batches/" + id + " 200") != std::string::npos);
    }

    TEST_CASE("a batch created over HTTP is bound to the same provider as the other commands: wait processes it")
    {
        sqlite_test::TempDir dir;
        std::string id;
        {
            ServeProcess serve(dir.file("."), {"--listen", "127.0.0.1:0"});
            auto c = patientClient(serve.port);
            auto created = c.Post("/v1/messages/batches", requestsBody(20'000).dump(), "application/json");
            REQUIRE(created);
            REQUIRE(created->status == 200);
            id = json::parse(created->body)["id"];
            serve.stop(SIGKILL); // mid-batch
        }
        // Refused with "created for the provider ..." if the strings differed.
        CHECK(runStatus("cd '" + dir.file(".") + "' && " + OSID_BATCH + " --store batches.db wait " + id +
                        " >/dev/null 2>&1") == 0);
    }

    TEST_CASE("serve killed with SIGKILL mid-batch: the next serve finishes it, every custom_id once")
    {
        sqlite_test::TempDir dir;
        constexpr int kRequests = 20'000;
        std::string id;
        {
            // Small chunks, so that the kill lands between chunks' saves.
            ServeProcess serve(dir.file("."), {"--listen", "127.0.0.1:0", "--chunk-size", "50"});
            auto c = patientClient(serve.port);
            auto created = c.Post("/v1/messages/batches", requestsBody(kRequests).dump(), "application/json");
            REQUIRE(created);
            REQUIRE(created->status == 200);
            id = json::parse(created->body)["id"];
            // Kill it once some, not all, requests are done.
            for (int i = 0; i < 6000; ++i) {
                auto got = c.Get(("/v1/messages/batches/" + id).c_str());
                REQUIRE(got);
                if (json::parse(got->body)["request_counts"]["succeeded"].get<int>() > 0)
                    break;
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            CHECK(serve.stop(SIGKILL) == -SIGKILL);
        }
        ServeProcess again(dir.file("."), {"--listen", "127.0.0.1:0"});
        auto c = patientClient(again.port);
        json batch;
        for (int i = 0; i < 12000; ++i) {
            batch = json::parse(c.Get(("/v1/messages/batches/" + id).c_str())->body);
            if (batch["processing_status"] == "ended")
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        REQUIRE(batch["processing_status"] == "ended");
        CHECK(batch["request_counts"]["succeeded"] == kRequests);
        auto results = c.Get(("/v1/messages/batches/" + id + "/results").c_str());
        REQUIRE(results);
        std::map<std::string, int> seen;
        std::istringstream lines(results->body);
        for (std::string line; std::getline(lines, line);)
            ++seen[json::parse(line)["custom_id"].get<std::string>()];
        CHECK(seen.size() == kRequests);
        bool once = true;
        for (const auto &[customId, count] : seen)
            once = once && count == 1;
        CHECK(once);
        CHECK(again.stop(SIGTERM) == 0);
    }

    TEST_CASE("keys: add prints a key once, list names them, revoke stops a running server taking it")
    {
        sqlite_test::TempDir dir;
        const auto in = [&](const std::string &command) {
            return runStatus(fmt::format("cd '{}' && {} {}", dir.file("."), OSID_BATCH, command));
        };
        REQUIRE(in("keys add alice --file server.keys >alice.key 2>add.err") == 0);
        const auto aliceText = contents(dir.file("alice.key"));
        const auto alice = aliceText.substr(0, aliceText.find('\n'));
        CHECK(alice.rfind("osk_", 0) == 0);
        CHECK(contents(dir.file("add.err")).find("only its hash is stored") != std::string::npos);
        CHECK(contents(dir.file("server.keys")).find(alice) == std::string::npos);
        CHECK(in("keys add alice --file server.keys >/dev/null 2>&1") == 1);
        CHECK(in("keys add bob --file server.keys >/dev/null 2>&1") == 0);
        CHECK(in("keys list --file server.keys >names") == 0);
        CHECK(contents(dir.file("names")) == "alice\nbob\n");
        CHECK(in("keys revoke nobody --file server.keys 2>/dev/null") == 1);
        CHECK(in("keys add 2>/dev/null") == 2);

        // Keys allow listening beyond loopback; every request needs one.
        ServeProcess serve(dir.file("."), {"--listen", "0.0.0.0:0", "--api-keys", "server.keys"});
        httplib::Client c("127.0.0.1", serve.port);
        auto refused = c.Get("/v1/messages/batches");
        REQUIRE(refused);
        CHECK(refused->status == 401);
        auto taken = c.Get("/v1/messages/batches", {{"x-api-key", alice}});
        REQUIRE(taken);
        CHECK(taken->status == 200);
        CHECK(in("keys revoke alice --file server.keys 2>/dev/null") == 0);
        auto revoked = c.Get("/v1/messages/batches", {{"x-api-key", alice}});
        REQUIRE(revoked);
        CHECK(revoked->status == 401);
        CHECK(serve.stop(SIGTERM) == 0);
    }

    TEST_CASE("serve refuses a key file it cannot use: missing, or without a key (exit 3, nothing served)")
    {
        sqlite_test::TempDir dir;
        CHECK(runStatus(fmt::format("cd '{}' && {} serve --listen 127.0.0.1:0 --api-keys none.keys 2>err",
                                    dir.file("."), OSID_BATCH)) == 3);
        CHECK(contents(dir.file("err")).find("none.keys") != std::string::npos);
        std::ofstream(dir.file("empty.keys")) << "# none yet\n";
        CHECK(runStatus(fmt::format("cd '{}' && {} serve --listen 127.0.0.1:0 --api-keys empty.keys 2>err",
                                    dir.file("."), OSID_BATCH)) == 3);
        CHECK(contents(dir.file("err")).find("holds no key") != std::string::npos);
    }

    TEST_CASE("two serve --no-process front ends and two workers on one PostgreSQL database: batches created on "
              "either are processed and seen on both" *
              doctest::skip(postgres_test::noServer()))
    {
        sqlite_test::TempDir dir;
        postgres_test::ScratchDatabase scratch;
        const auto store = "postgres:" + scratch.conninfo();
        ServeProcess a(dir.file("."), {"--listen", "127.0.0.1:0", "--no-process"}, store);
        ServeProcess b(dir.file("."), {"--listen", "127.0.0.1:0", "--no-process"}, store);
        ServeProcess worker1(dir.file("."), {"--chunk-size", "50"}, store, "worker");
        ServeProcess worker2(dir.file("."), {"--chunk-size", "50"}, store, "worker");
        auto onA = patientClient(a.port);
        auto onB = patientClient(b.port);
        std::vector<std::string> ids;
        for (auto *client : {&onA, &onB, &onA, &onB}) {
            auto created = client->Post("/v1/messages/batches", requestsBody(300).dump(), "application/json");
            REQUIRE(created);
            REQUIRE(created->status == 200);
            ids.push_back(json::parse(created->body)["id"].get<std::string>());
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
        for (const auto &id : ids) {
            for (auto *client : {&onA, &onB}) {
                json batch;
                do {
                    auto got = client->Get(("/v1/messages/batches/" + id).c_str());
                    REQUIRE(got);
                    REQUIRE(got->status == 200);
                    batch = json::parse(got->body);
                    if (batch["processing_status"] != "ended")
                        std::this_thread::sleep_for(std::chrono::milliseconds(50));
                } while (batch["processing_status"] != "ended" && std::chrono::steady_clock::now() < deadline);
                CHECK(batch["processing_status"] == "ended");
                CHECK(batch["request_counts"]["succeeded"] == 300);
                auto results = client->Get(("/v1/messages/batches/" + id + "/results").c_str());
                REQUIRE(results);
                CHECK(std::count(results->body.begin(), results->body.end(), '\n') == 300);
            }
        }
        for (auto *client : {&onA, &onB}) {
            auto listed = client->Get("/v1/messages/batches?limit=10");
            REQUIRE(listed);
            CHECK(json::parse(listed->body)["data"].size() == ids.size());
        }
        auto db = scratch.raw();
        CHECK(db.query("SELECT count(*) FROM osid_messaging.messages").integer(0, 0) == 300 * 4);
        CHECK(worker1.stop(SIGTERM) == 0);
        CHECK(worker2.stop(SIGTERM) == 0);
        CHECK(a.stop(SIGTERM) == 0);
        CHECK(b.stop(SIGTERM) == 0);
    }

    TEST_CASE("the database restarted under a 20,000-request batch: two workers reconnect and finish it, every "
              "custom_id once and one message per succeeded request; the front end and the CLI answer with an "
              "error meanwhile and normally after" *
              doctest::skip(postgres_test::noServer()))
    {
        sqlite_test::TempDir dir;
        postgres_test::OwnCluster cluster;
        const auto store = "postgres:" + cluster.conninfo();
        ServeProcess front(dir.file("."), {"--listen", "127.0.0.1:0", "--no-process"}, store);
        // Two workers, sharing the batch's chunks across the restart.
        ServeProcess worker(dir.file("."), {"--chunk-size", "100"}, store, "worker");
        ServeProcess otherWorker(dir.file("."), {"--chunk-size", "100"}, store, "worker");
        auto http = patientClient(front.port);
        constexpr int kRequests = 20'000;
        auto created = http.Post("/v1/messages/batches", requestsBody(kRequests).dump(), "application/json");
        REQUIRE(created);
        REQUIRE(created->status == 200);
        const auto id = json::parse(created->body)["id"].get<std::string>();
        // The batch, or the HTTP status of a failed GET (0: no answer).
        auto get = [&]() -> std::pair<int, json> {
            auto got = http.Get(("/v1/messages/batches/" + id).c_str());
            if (!got)
                return {0, {}};
            return {got->status, json::parse(got->body, nullptr, false)};
        };
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
        auto succeeded = [&] {
            const auto [status, batch] = get();
            return status == 200 ? batch["request_counts"]["succeeded"].get<int>() : 0;
        };
        while (succeeded() < kRequests / 10 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));

        const auto atRestart = succeeded();
        // Calls in flight while the server is away: over HTTP and with the
        // CLI, each answers, normally or with a store failure.
        std::atomic<bool> restarted{false};
        std::map<int, int> httpStatuses, cliStatuses;
        std::vector<std::string> badAnswers;
        std::thread httpProbe([&] {
            while (!restarted) {
                const auto [status, batch] = get();
                ++httpStatuses[status];
                if (status != 200 && !(status >= 500 && batch.is_object() && batch["error"]["type"] == "api_error"))
                    badAnswers.push_back(fmt::format("HTTP {}: {}", status, batch.dump()));
            }
        });
        std::thread cliProbe([&] {
            const auto cli = fmt::format("'{}' --store '{}' status {} >/dev/null 2>>'{}'", OSID_BATCH, store, id,
                                         dir.file("cli.err"));
            // Commands started while the server is away: one started just
            // before waits for it to come back (as a call of the front end
            // does) and answers normally, so it would say nothing here.
            while (!restarted) {
                if (PQping(cluster.conninfo().c_str()) == PQPING_NO_RESPONSE)
                    ++cliStatuses[runStatus(cli)];
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        });
        // Down for longer than a worker's retries of a store write last.
        const auto endProbes = [&] {
            restarted = true;
            httpProbe.join();
            cliProbe.join();
        };
        try {
            cluster.restart(2);
        } catch (...) {
            endProbes();
            throw;
        }
        endProbes();

        json batch;
        do {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            batch = get().second;
        } while ((!batch.is_object() || batch["processing_status"] != "ended") &&
                 std::chrono::steady_clock::now() < deadline);
        REQUIRE(batch["processing_status"] == "ended");
        for (const auto &[status, count] : httpStatuses)
            MESSAGE(fmt::format("during the restart: HTTP {} {} times", status, count));
        for (const auto &[status, count] : cliStatuses)
            MESSAGE(fmt::format("during the restart: osid-batch status exited {} {} times", status, count));
        CHECK(badAnswers.empty());
        // The front end never stopped answering (a call made while the
        // server is away waits for it); the CLI commands started then failed.
        CHECK(httpStatuses.count(0) == 0);
        CHECK(cliStatuses.count(3) == 1);
        // Each failure said why, on one line.
        std::istringstream cliErrors(contents(dir.file("cli.err")));
        int cliLines = 0;
        for (std::string line; std::getline(cliErrors, line); ++cliLines) {
            CHECK(line.find("osid-batch: ") == 0);
            CHECK(line.find("PostgreSQL") != std::string::npos);
            if (cliLines == 0)
                MESSAGE("osid-batch status said: ", line);
        }
        CHECK(cliLines == cliStatuses[3]);
        for (const auto &[status, count] : cliStatuses)
            CHECK((status == 0 || status == 3));

        auto results = http.Get(("/v1/messages/batches/" + id + "/results").c_str());
        REQUIRE(results);
        REQUIRE(results->status == 200);
        std::set<std::string> customIds, messageIds;
        int lines = 0, ok = 0;
        std::istringstream in(results->body);
        for (std::string line; std::getline(in, line); ++lines) {
            const auto r = json::parse(line);
            customIds.insert(r["custom_id"].get<std::string>());
            if (r["result"]["type"] == "succeeded") {
                ++ok;
                messageIds.insert(r["result"]["message"]["id"].get<std::string>());
            } else {
                // The provider failed while the server was away: retryable.
                CHECK(r["result"]["type"] == "errored");
                CHECK(r["result"]["error"]["error"]["retryable"] == true);
            }
        }
        CHECK(lines == kRequests);
        CHECK(customIds.size() == kRequests);
        CHECK(batch["request_counts"]["succeeded"] == ok);
        CHECK(messageIds.size() == static_cast<std::size_t>(ok));
        postgres_test::Connection db(cluster.conninfo());
        CHECK(db.query("SELECT count(*) FROM osid_messaging.messages").integer(0, 0) == ok);
        MESSAGE(fmt::format("{} of {} requests succeeded at the restart; in the end {} succeeded, {} errored",
                            atRestart, kRequests, ok, kRequests - ok));

        // The worker went on after the restart, neither stopped nor gone.
        CHECK(contents(dir.file("serve.log")).find("workers stopped") == std::string::npos);
        CHECK(worker.stop(SIGTERM) == 0);
        CHECK(front.stop(SIGTERM) == 0);
    }
}
