// JobRunService (seed 002): the envelope checks and their codes, what each
// action does to the store, per-job failures, results, persistence across
// two services on one file, restart, and the completion callback against a
// local HTTP server.

#include "service/job_run_store.h"
#include "service/job_runs.h"

#include "runtime/provider_runtime.h"
#include "tests/service/batch_support.h"
#include "tests/service/webhook_receiver.h"
#include "tests/sqlite/sqlite_support.h"

#include <doctest/doctest.h>
#include <httplib.h>
#include <sqlite3.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

using namespace osid;
using namespace osid::service;
using nlohmann::json;

namespace {

std::shared_ptr<messaging::MessagingManager> memoryManager()
{
    return runtime::getMessagingManager(*runtime::makeProviderRuntime(), "memory");
}

json job(const std::string &ns, const std::string &action, json params = json::object())
{
    return {{"namespace", ns}, {"action", action}, {"params", std::move(params)}};
}

json batchJob(const std::string &action, json params = json::object())
{
    return job("messaging.batch", action, std::move(params));
}

json lookupJob(const std::string &action, json params = json::object())
{
    return job("messaging", action, std::move(params));
}

std::string resource(const std::string &name) { return "resource.Resource:" + name + "@test.example.org"; }

json sentMessage(const std::string &subject, const std::string &sender, const std::string &time)
{
    return {
        {"subject", subject}, {"sender", resource(sender)}, {"sent_time", time}, {"recipients", {resource("reader")}}};
}

// The ServiceError `call` raises; fails the test when it raises none.
ServiceError refusal(const std::function<void()> &call)
{
    try {
        call();
    } catch (const ServiceError &e) {
        return e;
    }
    FAIL("expected a ServiceError");
    throw std::logic_error("unreachable");
}

void checkRefused(const std::function<void()> &call, int code)
{
    const auto e = refusal(call);
    CHECK(e.specificCode() == code);
    const bool notFound = code == 24105 || code == 24115;
    CHECK(e.type() == (notFound ? "not_found_error" : "invalid_request_error"));
    CHECK(std::string(e.what()).size() > 10);
}

// The response of job `index` of a completed run.
json response(JobRunService &runs, const std::string &asyncId, std::size_t index)
{
    return runs.results(asyncId).at("results").at(index).at("response");
}

using CallbackServer = webhook_test::Receiver;
using webhook_test::deadUrl;

JobRunOptions quickCallbacks(int attempts)
{
    JobRunOptions options;
    options.callback.attempts = attempts;
    options.callback.firstDelay = std::chrono::milliseconds(1);
    options.callback.timeout = std::chrono::milliseconds(2000);
    return options;
}

} // namespace

TEST_SUITE("job runs")
{
    TEST_CASE("job runs: a body of the wrong shape is 24092, with every problem and its job index")
    {
        auto manager = memoryManager();
        JobRunService runs(manager);
        const json good = batchJob("createMessages", {{"messages", {{{"subject", "kept out"}}}}});

        checkRefused([&] { runs.run(json::array()); }, 24092);
        checkRefused([&] { runs.run({{"jobs", "all of them"}}); }, 24092);
        checkRefused([&] { runs.run({{"jobs", {good}}, {"callbackUrl", "ftp://example.org/x"}}); }, 24092);
        checkRefused([&] { runs.run({{"jobs", {good}}, {"callbackUrl", 42}}); }, 24092);
        checkRefused([&] { runs.run({{"jobs", {good}}, {"callbackUrl", "http://"}}); }, 24092);
        // A callbackUrl nested 70,000 levels deep: refused before anything copies or writes it.
        const auto deep =
            json::parse(R"({"jobs": [], "callbackUrl": )" + std::string(70'000, '[') + std::string(70'000, ']') + "}");
        checkRefused([&] { runs.run(deep); }, 24092);
        CHECK(std::string(refusal([&] { runs.run(deep); }).what())
                  .find("body: nests objects and arrays more than 64 "
                        "levels deep") != std::string::npos);
        checkRefused([&] { runs.run({{"jobs", {good}}, {"callbackUrl", "http://h:99999/"}}); }, 24092);
        checkRefused([&] { runs.run({{"jobs", {good}}, {"jobz", 1}}); }, 24092);

        const json body = {
            {"jobs",
             {good,
              "not a job",
              {{"action", "getMessages"}},
              {{"namespace", "messaging"}, {"action", 7}},
              job("event", "inviteContacts"),
              {{"namespace", "messaging"}, {"action", "getMessages"}, {"params", json::array()}},
              batchJob("deleteMessagesBySender", {{"resourceId", "no colon"}, {"extra", 1}}),
              batchJob("createMessages", {{"messages", {{{"subject", 1}, {"colour", "red"}}}}}),
              batchJob("deleteMessagesByDate", {{"from", "yesterday"}, {"to", "2026-01-01T00:00:00Z"}}),
              batchJob("updateMessages", {{"messages", {{{"messageId", resource("m")}, {"sender", "x"}}}}}),
              {{"namespace", "messaging"}, {"action", "getMessages"}, {"when", "now"}}}}};
        const auto e = refusal([&] { runs.run(body); });
        CHECK(e.specificCode() == 24092);
        CHECK(e.type() == "invalid_request_error");
        std::vector<std::size_t> indexes;
        for (const auto &p : e.problems())
            indexes.push_back(p.index);
        CHECK(indexes == std::vector<std::size_t>{1, 2, 3, 4, 5, 6, 6, 7, 7, 8, 9, 10});
        CHECK(e.problems()[0].reason.find("jobs[1]") == 0);
        CHECK(e.problems()[3].reason.find("unknown action event.inviteContacts") != std::string::npos);
        CHECK(e.problems()[7].reason.find("jobs[7].params.messages[0]") == 0);
        // Nothing ran: the good first job did not create its message.
        CHECK(messageCount(*manager) == 0);
    }

    TEST_CASE("job runs: an empty jobs array or a missing or empty required param is 24093")
    {
        auto manager = memoryManager();
        JobRunService runs(manager);
        checkRefused([&] { runs.run({{"jobs", json::array()}}); }, 24093);
        checkRefused([&] { runs.run(json::object()); }, 24093);
        checkRefused([&] { runs.run({{"jobs", {job("messaging.batch", "createMessages")}}}); }, 24093);
        checkRefused([&] { runs.run({{"jobs", {batchJob("createMessages", {{"messages", json::array()}})}}}); }, 24093);
        checkRefused([&] { runs.run({{"jobs", {batchJob("deleteMessagesBySender", {{"resourceId", ""}})}}}); }, 24093);
        checkRefused(
            [&] {
                runs.run({{"jobs", {lookupJob("getMessagesByIds", {{"messageIds", json::array()}})}}});
            },
            24093);
        checkRefused(
            [&] {
                runs.run({{"jobs", {batchJob("updateMessages", {{"messages", {{{"subject", "no id"}}}}})}}});
            },
            24093);
        checkRefused(
            [&] {
                runs.run({{"jobs", {batchJob("aliasMessages", {{"aliases", {{{"messageId", resource("m")}}}}})}}});
            },
            24093);

        // A job without params is fine when its action needs none.
        CHECK(runs.run({{"jobs", {{{"namespace", "messaging"}, {"action", "getMessages"}}}}}).size() == 32);

        // With a format problem too, the code is 24092 and both are listed.
        const auto e = refusal([&] {
            runs.run({{"jobs", {batchJob("deleteMessagesBySender"), batchJob("deleteAllMessages", {{"x", 1}})}}});
        });
        CHECK(e.specificCode() == 24092);
        REQUIRE(e.problems().size() == 2);
        CHECK(e.problems()[0].index == 0);
        CHECK(e.problems()[1].index == 1);
    }

    TEST_CASE("job runs: more jobs than maxJobs is 24448")
    {
        auto manager = memoryManager();
        JobRunService runs(manager);
        const json many(201, lookupJob("getMessages"));
        checkRefused([&] { runs.run({{"jobs", many}}); }, 24448);
        CHECK_NOTHROW(runs.run({{"jobs", json(200, lookupJob("getMessages"))}}));

        JobRunOptions options;
        options.maxJobs = 2;
        JobRunService small(manager, options);
        const auto e = refusal([&] { small.run({{"jobs", json(3, lookupJob("getMessages"))}}); });
        CHECK(e.specificCode() == 24448);
        CHECK(std::string(e.what()).find("maximum number of jobs in one run is 2") != std::string::npos);
        CHECK_NOTHROW(small.run({{"jobs", json(2, lookupJob("getMessages"))}}));
    }

    TEST_CASE("job runs: a store that cannot be written is 24091 and the run is not queued")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("jobs.db");
        JobRunOptions options;
        options.storePath = path;
        options.busyTimeout = std::chrono::milliseconds(20);
        auto manager = memoryManager();
        JobRunService runs(manager, options);

        // Another connection holds the write lock past the busy timeout.
        sqlite3 *other = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
        REQUIRE(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
        const json body = {{"jobs", {batchJob("createMessages", {{"messages", {{{"subject", "s"}}}}})}}};
        const auto e = refusal([&] { runs.run(body); });
        CHECK(e.specificCode() == 24091);
        CHECK(e.type() == "invalid_request_error");
        CHECK(std::string(e.what()).find("not saved") != std::string::npos);
        sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(other);

        CHECK(messageCount(*manager) == 0);
        const auto id = runs.run(body);
        CHECK(runs.wait(id).completed);
        CHECK(messageCount(*manager) == 1);
    }

    TEST_CASE("job runs: an unknown asyncId is 24105, or 24115 for results")
    {
        JobRunService runs(memoryManager());
        const std::string unknown(32, 'a');
        checkRefused([&] { runs.progress(unknown); }, 24105);
        checkRefused([&] { runs.status(unknown); }, 24105);
        checkRefused([&] { runs.restart(unknown); }, 24105);
        checkRefused([&] { runs.repost(unknown); }, 24105);
        checkRefused([&] { runs.wait(unknown); }, 24105);
        checkRefused([&] { runs.results(unknown); }, 24115);
    }

    TEST_CASE("job runs: each batch action changes the store as its OSID call does")
    {
        auto manager = memoryManager();
        JobRunService runs(manager);
        const json create = batchJob("createMessages", {{"messages",
                                                         {sentMessage("from ann", "ann", "2026-11-01T09:00:00Z"),
                                                          sentMessage("from bob", "bob", "2026-11-02T09:00:00Z"),
                                                          sentMessage("from bob later", "bob", "2026-11-05T09:00:00Z"),
                                                          {{"subject", "draft"}, {"text", "t"}}}}});
        const auto first = runs.run({{"jobs", {create}}});
        CHECK(runs.wait(first).completed);
        const auto created = response(runs, first, 0).at("responses");
        REQUIRE(created.size() == 4);
        std::vector<std::string> ids;
        for (std::size_t i = 0; i < created.size(); ++i) {
            CHECK(created[i]["index"] == i);
            CHECK(created[i]["success"] == true);
            CHECK(created[i]["formId"].is_string());
            ids.push_back(created[i]["createdId"].get<std::string>());
        }
        CHECK(messageCount(*manager) == 4);

        const auto alias = "mail:legacy-1@legacy.example.org";
        const auto second = runs.run(
            {{"jobs",
              {batchJob("updateMessages", {{"messages", {{{"messageId", ids[0]}, {"subject", "edited"}}}}}),
               batchJob("aliasMessages", {{"aliases", {{{"messageId", ids[1]}, {"aliasId", alias}}}}}),
               lookupJob("getMessage", {{"messageId", alias}}),
               lookupJob("getMessagesByIds", {{"messageIds", {ids[0], ids[3]}}}),
               lookupJob("getMessagesFromSender", {{"resourceId", resource("bob")}}),
               lookupJob("getMessagesBySentTime", {{"start", "2026-11-01T00:00:00Z"}, {"end", "2026-11-01T23:59:59Z"}}),
               lookupJob("getMessagesForRecipient", {{"resourceId", resource("reader")}}), lookupJob("getMessages")}}});
        CHECK(runs.wait(second).completed);
        const auto update = response(runs, second, 0).at("responses").at(0);
        CHECK(update["success"] == true);
        CHECK(update["updatedId"] == ids[0]);
        CHECK(manager->getMessageLookupSession()->getMessage(Id::parse(ids[0]))->getSubjectLine().getText() ==
              "edited");
        const auto aliased = response(runs, second, 1).at("responses").at(0);
        CHECK(aliased == json{{"index", 0}, {"messageId", ids[1]}, {"aliasId", alias}, {"success", true}});
        CHECK(response(runs, second, 2)["message"]["id"] == ids[1]);
        CHECK(response(runs, second, 2)["message"]["subject"] == "from bob");
        CHECK(response(runs, second, 3)["messages"].size() == 2);
        CHECK(response(runs, second, 4)["messages"].size() == 2);
        CHECK(response(runs, second, 5)["messages"].size() == 1);
        CHECK(response(runs, second, 6)["messages"].size() == 3);
        CHECK(response(runs, second, 7)["messages"].size() == 4);

        const auto third = runs.run(
            {{"jobs",
              {batchJob("deleteMessagesBySender", {{"resourceId", resource("ann")}}),
               batchJob("deleteMessagesByDate", {{"from", "2026-11-02T00:00:00Z"}, {"to", "2026-11-02T23:59:59Z"}})}}});
        CHECK(runs.wait(third).completed);
        CHECK(response(runs, third, 0)["deleted"] == 1);
        CHECK(response(runs, third, 0)["responses"][0] == json{{"deletedId", ids[0]}, {"success", true}});
        CHECK(response(runs, third, 1)["deleted"] == 1);
        CHECK(messageCount(*manager) == 2);

        const auto fourth = runs.run({{"jobs", {batchJob("deleteAllMessages")}}});
        CHECK(runs.wait(fourth).completed);
        CHECK(response(runs, fourth, 0)["deleted"] == 2);
        CHECK(messageCount(*manager) == 0);
    }

    TEST_CASE("job runs: a failing job or item fails alone and the run goes on")
    {
        auto manager = memoryManager();
        JobRunService runs(manager);
        const auto id = runs.run(
            {{"jobs",
              {lookupJob("getMessage", {{"messageId", resource("nothing")}}),
               batchJob(
                   "createMessages",
                   {{"messages", {{{"subject", "fine"}}, {{"subject", "no sent time"}, {"sender", resource("x")}}}}}),
               batchJob("deleteMessagesByDate", {{"from", "2026-02-01T00:00:00Z"}, {"to", "2026-01-01T00:00:00Z"}}),
               batchJob("updateMessages", {{"messages", {{{"messageId", resource("gone")}, {"subject", "s"}}}}}),
               lookupJob("getMessages")}}});
        const auto done = runs.wait(id);
        CHECK(done.completed);
        CHECK(done.progress == 100);
        CHECK(done.callback == "none");

        CHECK(response(runs, id, 0)["error"]["type"] == "NOT_FOUND");
        CHECK(response(runs, id, 0)["error"]["message"].is_string());
        const auto items = response(runs, id, 1)["responses"];
        CHECK(items[0]["success"] == true);
        CHECK(items[1]["success"] == false);
        CHECK(items[1]["error"]["type"] == "INVALID_ARGUMENT");
        CHECK_FALSE(items[1].contains("createdId"));
        CHECK(response(runs, id, 2)["error"]["type"] == "INVALID_ARGUMENT");
        const auto update = response(runs, id, 3)["responses"][0];
        CHECK(update["success"] == false);
        CHECK(update["error"]["type"] == "NOT_FOUND");
        CHECK(response(runs, id, 4)["messages"].size() == 1);
    }

    TEST_CASE("job runs: results echo each job's namespace, action and params in order")
    {
        JobRunService runs(memoryManager());
        const json params = {{"resourceId", resource("ann")}};
        const auto id = runs.run(
            {{"jobs",
              {lookupJob("getMessagesFromSender", params), {{"namespace", "messaging"}, {"action", "getMessages"}}}}});
        CHECK(id.size() == 32);
        CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
        runs.wait(id);
        CHECK(runs.progress(id) == 100);
        const auto results = runs.results(id);
        CHECK(results["asyncId"] == id);
        REQUIRE(results["results"].size() == 2);
        CHECK(results["results"][0] == json{{"namespace", "messaging"},
                                            {"action", "getMessagesFromSender"},
                                            {"request", params},
                                            {"response", {{"messages", json::array()}}}});
        CHECK(results["results"][1]["request"] == json::object());
    }

    TEST_CASE("job runs: an interrupted run keeps its saved results, is not completed (24114), and restart "
              "runs only the rest")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("jobs.db");
        const std::string id(32, 'c');
        {
            // What a process leaves when it exits after the first of two jobs.
            jobs::JobRunStore store(path, std::chrono::milliseconds(1000));
            store.insertRun(id, "",
                            {batchJob("createMessages", {{"messages", {{{"subject", "first"}}}}}),
                             batchJob("createMessages", {{"messages", {{{"subject", "second"}}}}})});
            CHECK_FALSE(store.saveResult(id, 0, {{"ran", "before the exit"}}));
        }
        auto manager = memoryManager();
        JobRunOptions options;
        options.storePath = path;
        JobRunService runs(manager, options);
        CHECK(runs.progress(id) == 50);
        CHECK_FALSE(runs.status(id).completed);
        checkRefused([&] { runs.results(id); }, 24114);
        checkRefused([&] { runs.repost(id); }, 24114);
        CHECK_FALSE(runs.waitFor(id, std::chrono::milliseconds(1)).has_value());

        CHECK(runs.restart(id));
        CHECK(runs.wait(id).progress == 100);
        CHECK(response(runs, id, 0) == json{{"ran", "before the exit"}});
        CHECK(response(runs, id, 1)["responses"][0]["success"] == true);
        CHECK(messageCount(*manager) == 1);
    }

    TEST_CASE("job runs: progress is live while a job waits, and the run cannot be read or restarted until done")
    {
        // The provider's file is write-locked by another connection: the
        // read job runs, the create job waits in the provider's busy timeout.
        sqlite_test::TempDir dir;
        const auto mail = dir.file("mail.db");
        auto manager =
            runtime::getMessagingManager(*runtime::makeProviderRuntime(), "sqlite:busy_timeout=30000,path=" + mail);
        JobRunService runs(manager);
        sqlite3 *other = nullptr;
        REQUIRE(sqlite3_open(mail.c_str(), &other) == SQLITE_OK);
        REQUIRE(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);

        const auto id = runs.run(
            {{"jobs",
              {lookupJob("getMessages"), batchJob("createMessages", {{"messages", {{{"subject", "late"}}}}})}}});
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (runs.progress(id) < 50 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::yield();
        CHECK(runs.progress(id) == 50);
        CHECK_FALSE(runs.status(id).completed);
        checkRefused([&] { runs.results(id); }, 24114);
        CHECK_FALSE(runs.restart(id));

        sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(other);
        CHECK(runs.wait(id).progress == 100);
        CHECK(response(runs, id, 1)["responses"][0]["success"] == true);
        CHECK(messageCount(*manager) == 1);
    }

    TEST_CASE("job runs: a service destroyed mid-run leaves the run to a restart by the next one")
    {
        sqlite_test::TempDir dir;
        JobRunOptions options;
        options.storePath = dir.file("jobs.db");
        auto manager = memoryManager();
        std::string id;
        {
            JobRunService runs(manager, options);
            id = runs.run({{"jobs", json(60, batchJob("createMessages", {{"messages", {{{"subject", "s"}}}}}))}});
        }
        JobRunService runs(manager, options);
        if (!runs.status(id).completed)
            CHECK(runs.restart(id));
        CHECK(runs.wait(id).completed);
        const auto results = runs.results(id)["results"];
        CHECK(results.size() == 60);
        for (const auto &r : results)
            CHECK(r["response"]["responses"][0]["success"] == true);
        // Each job ran once: none lost, none repeated.
        CHECK(messageCount(*manager) == 60);
    }

    TEST_CASE("job runs: a second service on the same file sees earlier runs, beside other tables")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("shared.db");
        {
            // The message batches' tables may share the file.
            sqlite3 *db = nullptr;
            REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
            REQUIRE(sqlite3_exec(db, "CREATE TABLE message_batch (id TEXT); INSERT INTO message_batch VALUES ('b');",
                                 nullptr, nullptr, nullptr) == SQLITE_OK);
            sqlite3_close(db);
        }
        JobRunOptions options;
        options.storePath = path;
        auto manager = memoryManager();
        CallbackServer server;
        std::string id;
        json results;
        {
            JobRunService first(manager, options);
            id = first.run({{"jobs", {lookupJob("getMessages")}}, {"callbackUrl", server.url()}});
            CHECK(first.wait(id).callback == "delivered");
            results = first.results(id);
        }
        JobRunService second(manager, options);
        CHECK(second.progress(id) == 100);
        CHECK(second.results(id) == results);
        const auto status = second.status(id);
        CHECK(status.callback == "delivered");
        CHECK(status.callbackAttempts == 1);
        CHECK(second.repost(id));
        CHECK(second.wait(id).callback == "delivered");
        CHECK(server.jsonBodies().size() == 2);

        sqlite::Connection raw(path, 1000);
        CHECK(raw.queryInteger("SELECT count(*) FROM message_batch") == 1);
        CHECK(raw.queryInteger("SELECT version FROM job_run_schema") == jobs::kJobRunSchemaVersion);
        raw.execute("UPDATE job_run_schema SET version = 99");
        const auto e = refusal([&] { JobRunService newer(manager, options); });
        CHECK(e.type() == "api_error");
        CHECK(std::string(e.what()).find("schema version 99") != std::string::npos);
    }

    TEST_CASE("job runs: the callback POSTs {asyncId, results} as JSON once the run completes")
    {
        CallbackServer server;
        JobRunService runs(memoryManager());
        const auto id = runs.run(
            {{"jobs", {batchJob("createMessages", {{"messages", {{{"subject", "hi"}}}}}), lookupJob("getMessages")}},
             {"callbackUrl", server.url()}});
        const auto done = runs.wait(id);
        CHECK(done.callback == "delivered");
        CHECK(done.callbackAttempts == 1);
        CHECK(done.callbackError.empty());
        REQUIRE(server.jsonBodies().size() == 1);
        CHECK(server.jsonBodies()[0] == runs.results(id));
        CHECK(server.contentTypes()[0] == "application/json");
    }

    TEST_CASE("job runs: a callback that keeps failing is retried, recorded as failed, and repost delivers it")
    {
        CallbackServer server;
        server.status = 500;
        JobRunService runs(memoryManager(), quickCallbacks(3));
        const auto id = runs.run({{"jobs", {lookupJob("getMessages")}}, {"callbackUrl", server.url()}});
        auto done = runs.wait(id);
        CHECK(done.callback == "failed");
        CHECK(done.callbackAttempts == 3);
        CHECK(done.callbackError == "POST answered HTTP 500");
        CHECK(server.jsonBodies().size() == 3);

        server.status = 204;
        CHECK(runs.repost(id));
        done = runs.wait(id);
        CHECK(done.callback == "delivered");
        CHECK(done.callbackAttempts == 1);
        CHECK(done.callbackError.empty());
        CHECK(server.jsonBodies().size() == 4);
    }

    TEST_CASE("job runs: a callback URL nobody listens on fails after its attempts")
    {
        JobRunService runs(memoryManager(), quickCallbacks(2));
        const auto id = runs.run({{"jobs", {lookupJob("getMessages")}}, {"callbackUrl", deadUrl()}});
        const auto done = runs.wait(id);
        CHECK(done.callback == "failed");
        CHECK(done.callbackAttempts == 2);
        CHECK(done.callbackError.find("POST failed") == 0);
    }

    TEST_CASE("job runs: restart of a completed run runs every job again and calls back again")
    {
        CallbackServer server;
        auto manager = memoryManager();
        JobRunService runs(manager);
        const auto id = runs.run({{"jobs", {batchJob("createMessages", {{"messages", {{{"subject", "again"}}}}})}},
                                  {"callbackUrl", server.url()}});
        runs.wait(id);
        const auto before = response(runs, id, 0)["responses"][0]["createdId"];
        CHECK(runs.restart(id));
        const auto done = runs.wait(id);
        CHECK(done.callback == "delivered");
        CHECK(done.callbackAttempts == 1);
        CHECK(messageCount(*manager) == 2);
        const auto after = response(runs, id, 0)["responses"][0]["createdId"];
        CHECK(after != before);
        REQUIRE(server.jsonBodies().size() == 2);
        CHECK(server.jsonBodies()[1] == runs.results(id));
    }

    TEST_CASE("job runs: text that is not UTF-8 is saved and sent with U+FFFD in place of the bad bytes")
    {
        CallbackServer server;
        auto manager = memoryManager();
        JobRunService runs(manager);
        const auto id = runs.run(
            {{"jobs",
              {batchJob("createMessages", {{"messages", {{{"subject", "bad \xff"}}}}}), lookupJob("getMessages")}},
             {"callbackUrl", server.url()}});
        CHECK(runs.wait(id).callback == "delivered");
        const auto results = runs.results(id)["results"];
        CHECK(results[0]["request"]["messages"][0]["subject"] == "bad \xef\xbf\xbd");
        CHECK(results[1]["response"]["messages"][0]["subject"] == "bad \xef\xbf\xbd");
        CHECK(server.jsonBodies().at(0)["results"] == results);
    }

    TEST_CASE("job runs: repost of a run without a callbackUrl has nothing to send")
    {
        JobRunService runs(memoryManager());
        const auto id = runs.run({{"jobs", {lookupJob("getMessages")}}, {"callbackUrl", nullptr}});
        CHECK(runs.wait(id).callback == "none");
        CHECK_FALSE(runs.repost(id));
    }
}
