// BatchHttpServer: every route of the Message Batches API and of iVvy's
// batch actions through a real HTTP client (cpp-httplib's) on loopback,
// the error envelopes and statuses, and many clients at once.

#include "support/json_lines.h"
#include "tests/sqlite/sqlite_support.h"
#include "impl/memory/memory_provider.h"
#include "messaging/message_lookup_session.h"
#include "service/api_keys.h"
#include "service/http_server.h"
#include "sqlite/connection.h"
#include "service/status_page.h"
#include "tests/service/batch_support.h"
#include "tests/service/webhook_receiver.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <sstream>
#include <thread>

using namespace osid;
using namespace osid::service;
using nlohmann::json;
using osid::testing::jsonLines;

namespace {

json request(const std::string &customId, int i)
{
    return {{"custom_id", customId},
            {"params",
             {{"subject", fmt::format("Subject {}", i)},
              {"text", "Text"},
              {"sender", "resource.Resource:s@test"},
              {"sent_time", "2026-11-01T09:00:00Z"}}}};
}

json body(int n, const std::string &prefix = "r")
{
    json requests = json::array();
    for (int i = 0; i < n; ++i)
        requests.push_back(request(fmt::format("{}-{}", prefix, i), i));
    return {{"requests", requests}};
}

// What a test's Server differs in.
struct ServerSetup {
    std::size_t maxBodyBytes = std::size_t{256} << 20;
    std::shared_ptr<ApiKeyVerifier> apiKeys;
    MessageBatchOptions batchOptions;
};

// A server over the memory provider on a free loopback port, serving from
// a thread of its own.
struct Server {
    std::shared_ptr<messaging::MessagingManager> manager = impl::memory::makeMemoryMessagingManager();
    MessageBatchService batches;
    JobRunService runs{manager, {}};
    std::vector<std::string> log;
    std::mutex logMutex;
    std::unique_ptr<BatchHttpServer> server;
    int port = 0;
    std::thread thread;

    explicit Server(ServerSetup setup = {}) : batches(manager, setup.batchOptions)
    {
        HttpServerOptions options;
        options.port = 0;
        options.maxBodyBytes = setup.maxBodyBytes;
        options.apiKeys = std::move(setup.apiKeys);
        options.threads = 8; // fewer than the clients of the concurrency test
        options.log = [this](const std::string &line) {
            std::lock_guard lock(logMutex);
            log.push_back(line);
        };
        server = std::make_unique<BatchHttpServer>(batches, &runs, options);
        port = server->bind();
        thread = std::thread([this] { server->run(); });
    }
    ~Server()
    {
        server->stop();
        thread.join();
    }

    httplib::Client client() const
    {
        httplib::Client c("127.0.0.1", port);
        c.set_read_timeout(std::chrono::seconds(30));
        return c;
    }
};

json parse(const httplib::Result &r)
{
    REQUIRE(r);
    return json::parse(r->body);
}

// The API's error envelope, with the request id of the header.
void expectError(const httplib::Result &r, int status, const std::string &type)
{
    REQUIRE(r);
    CHECK(r->status == status);
    const auto j = json::parse(r->body);
    CHECK(j["type"] == "error");
    CHECK(j["error"]["type"] == type);
    CHECK(j["error"]["message"].is_string());
    CHECK(j["request_id"] == r->get_header_value("request-id"));
    CHECK(r->get_header_value("request-id").rfind("req_", 0) == 0);
}

// Creates a batch from `text` sent chunked (no Content-Length), `piece`
// bytes at a time.
httplib::Result postChunked(httplib::Client &c, const std::string &text, std::size_t piece)
{
    return c.Post(
        "/v1/messages/batches",
        [&](std::size_t offset, httplib::DataSink &sink) {
            sink.write(text.data() + offset, std::min(piece, text.size() - offset));
            if (offset + piece >= text.size())
                sink.done();
            return true;
        },
        "application/json");
}

json waitEnded(httplib::Client &c, const std::string &id)
{
    for (int i = 0; i < 2000; ++i) {
        auto batch = parse(c.Get(("/v1/messages/batches/" + id).c_str()));
        if (batch["processing_status"] == "ended")
            return batch;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    FAIL("the batch did not end");
    return {};
}

} // namespace

TEST_SUITE("http server")
{
    TEST_CASE("create, retrieve, results: the batch object and the result lines as the API writes them")
    {
        Server s;
        auto c = s.client();
        auto b = body(3);
        b["requests"][1]["params"]["subject"] = 7; // errored, not refused
        auto created = c.Post("/v1/messages/batches", b.dump(), "application/json");
        REQUIRE(created);
        CHECK(created->status == 200);
        CHECK(!created->get_header_value("request-id").empty());
        const auto batch = json::parse(created->body);
        CHECK(batch["type"] == "message_batch");
        CHECK(batch["processing_status"] == "in_progress");
        CHECK(batch["results_url"].is_null());
        for (const char *field : {"ended_at", "cancel_initiated_at", "archived_at"})
            CHECK(batch.contains(field));
        CHECK(batch["request_counts"]["processing"] == 3);

        const auto ended = waitEnded(c, batch["id"]);
        CHECK(ended["request_counts"]["succeeded"] == 2);
        CHECK(ended["request_counts"]["errored"] == 1);
        const std::string url = ended["results_url"];
        const auto prefix = fmt::format("http://127.0.0.1:{}/v1/messages/batches/", s.port);
        CHECK(url == prefix + batch["id"].get<std::string>() + "/results");

        // The SDKs send Accept: application/binary (TypeScript) or
        // application/x-jsonl (Java): both get JSON Lines.
        for (const char *accept : {"application/binary", "application/x-jsonl"}) {
            auto results = c.Get(url.substr(url.find("/v1/")).c_str(), {{"Accept", accept}});
            REQUIRE(results);
            CHECK(results->status == 200);
            CHECK(results->get_header_value("Content-Type") == "application/x-jsonl");
            const auto lines = jsonLines(results->body);
            REQUIRE(lines.size() == 3);
            // Keys in the API's order, byte for byte.
            CHECK(results->body.find(R"({"custom_id":"r-1","result":{"type":"errored","error":{"type":"error",)"
                                     R"("error":{"type":"invalid_request_error","message":"params.subject:)") !=
                  std::string::npos);
            CHECK(results->body.find(R"({"custom_id":"r-0","result":{"type":"succeeded","message":{)") !=
                  std::string::npos);
            std::set<std::string> ids;
            for (const auto &line : lines) {
                ids.insert(line["custom_id"]);
                if (line["custom_id"] == "r-1") {
                    CHECK(line["result"]["type"] == "errored");
                    CHECK(line["result"]["error"]["type"] == "error");
                    CHECK(line["result"]["error"]["error"]["type"] == "invalid_request_error");
                    CHECK(line["result"]["error"]["error"]["message"].get<std::string>().find("params.subject") !=
                          std::string::npos);
                    CHECK(line["result"]["error"]["error"]["retryable"] == false);
                    CHECK(line["result"]["error"]["error"]["osid_error"] == "INVALID_ARGUMENT");
                } else {
                    CHECK(line["result"]["type"] == "succeeded");
                    CHECK(line["result"]["message"]["subject"].is_string());
                }
            }
            CHECK(ids == std::set<std::string>{"r-0", "r-1", "r-2"});
        }
    }

    TEST_CASE("results by cursor: ?after=POSITION reads in finish order with positions, also of a running batch")
    {
        {
            ServerSetup idle;
            idle.batchOptions.process = false;
            Server s(idle);
            auto c = s.client();
            const std::string id = parse(c.Post("/v1/messages/batches", body(2).dump(), "application/json"))["id"];
            const auto path = "/v1/messages/batches/" + id + "/results";
            expectError(c.Get(path.c_str()), 400, "invalid_request_error");
            auto running = c.Get((path + "?after=0").c_str());
            REQUIRE(running);
            CHECK(running->status == 200);
            CHECK(running->body.empty()); // nothing finished yet
        }
        Server s;
        auto c = s.client();
        const std::string id = parse(c.Post("/v1/messages/batches", body(3).dump(), "application/json"))["id"];
        waitEnded(c, id);
        const auto path = "/v1/messages/batches/" + id + "/results";
        const auto all = jsonLines(c.Get((path + "?after=0").c_str())->body);
        REQUIRE(all.size() == 3);
        std::set<std::string> ids;
        for (std::size_t i = 0; i < all.size(); ++i) {
            CHECK(all[i]["position"] == i + 1);
            ids.insert(all[i]["custom_id"]);
        }
        CHECK(ids.size() == 3);
        const auto rest = jsonLines(c.Get((path + "?after=1").c_str())->body);
        REQUIRE(rest.size() == 2);
        CHECK(rest[0] == all[1]);
        CHECK(jsonLines(c.Get(path.c_str())->body)[0].contains("position") == false);
        expectError(c.Get((path + "?after=-1").c_str()), 400, "invalid_request_error");
        expectError(c.Get((path + "?after=x").c_str()), 400, "invalid_request_error");
        expectError(c.Get((path + "?after=0&merged=true").c_str()), 400, "invalid_request_error");
    }

    TEST_CASE("expires_after beside requests sets the batch's expiry; end_reason on the batch object")
    {
        Server s;
        auto c = s.client();
        auto b = body(1);
        b["expires_after"] = 120;
        const auto created = parse(c.Post("/v1/messages/batches", b.dump(), "application/json"));
        CHECK(DateTime::parse(created["expires_at"].get<std::string>()).toMicroseconds() -
                  DateTime::parse(created["created_at"].get<std::string>()).toMicroseconds() ==
              120'000'000);
        CHECK(created["end_reason"].is_null());
        CHECK(waitEnded(c, created["id"])["end_reason"] == "completed");
        for (const auto &bad : {json(0), json("1h"), json(1.5), json(999999999)}) {
            b["expires_after"] = bad;
            expectError(c.Post("/v1/messages/batches", b.dump(), "application/json"), 400, "invalid_request_error");
        }
    }

    TEST_CASE("the beta variant, anthropic-version and anthropic-beta are accepted and answered alike")
    {
        Server s;
        auto c = s.client();
        httplib::Headers headers{{"anthropic-version", "2023-06-01"},
                                 {"anthropic-beta", "message-batches-2024-09-24"},
                                 {"x-api-key", "ignored"}};
        auto created = c.Post("/v1/messages/batches?beta=true", headers, body(1).dump(), "application/json");
        REQUIRE(created);
        CHECK(created->status == 200);
        const std::string id = json::parse(created->body)["id"];
        auto got = c.Get(("/v1/messages/batches/" + id + "?beta=true").c_str(), headers);
        REQUIRE(got);
        CHECK(json::parse(got->body)["id"] == id);
    }

    TEST_CASE("list pages newest first both ways, with has_more, first_id and last_id")
    {
        Server s;
        auto c = s.client();
        std::vector<std::string> ids;
        for (int i = 0; i < 5; ++i)
            ids.push_back(
                parse(c.Post("/v1/messages/batches", body(1, fmt::format("b{}", i)).dump(), "application/json"))["id"]);
        auto first = parse(c.Get("/v1/messages/batches?limit=2"));
        REQUIRE(first["data"].size() == 2);
        CHECK(first["data"][0]["id"] == ids[4]);
        CHECK(first["data"][1]["id"] == ids[3]);
        CHECK(first["has_more"] == true);
        CHECK(first["first_id"] == ids[4]);
        CHECK(first["last_id"] == ids[3]);
        CHECK(first["data"][0].contains("results_url"));
        auto next = parse(c.Get(fmt::format("/v1/messages/batches?limit=2&after_id={}", ids[3]).c_str()));
        CHECK(next["data"][0]["id"] == ids[2]);
        CHECK(next["data"][1]["id"] == ids[1]);
        auto back = parse(c.Get(fmt::format("/v1/messages/batches?limit=3&before_id={}", ids[1]).c_str()));
        CHECK(back["data"].size() == 3);
        CHECK(back["data"][0]["id"] == ids[4]);
        CHECK(back["has_more"] == false);
        expectError(c.Get("/v1/messages/batches?limit=0"), 400, "invalid_request_error");
        expectError(c.Get("/v1/messages/batches?limit=ten"), 400, "invalid_request_error");
        expectError(c.Get("/v1/messages/batches?after_id=msgbatch_nope"), 404, "not_found_error");
    }

    TEST_CASE("list filters: processing_status, created_after, created_before, with the same paging")
    {
        Server s;
        auto c = s.client();
        const auto running = parse(c.Post("/v1/messages/batches", body(1).dump(), "application/json"));
        const auto done = parse(c.Post("/v1/messages/batches", body(1).dump(), "application/json"));
        waitEnded(c, running["id"]);
        waitEnded(c, done["id"]);
        const auto ended = parse(c.Get("/v1/messages/batches?processing_status=ended&limit=1"));
        REQUIRE(ended["data"].size() == 1);
        CHECK(ended["data"][0]["id"] == done["id"]);
        CHECK(ended["has_more"] == true);
        const auto next = parse(
            c.Get(("/v1/messages/batches?processing_status=ended&limit=1&after_id=" + done["id"].get<std::string>())
                      .c_str()));
        CHECK(next["data"][0]["id"] == running["id"]);
        CHECK(next["has_more"] == false);
        CHECK(parse(c.Get("/v1/messages/batches?processing_status=canceling"))["data"].empty());
        const auto created = done["created_at"].get<std::string>();
        const auto since = parse(c.Get(("/v1/messages/batches?created_after=" + created).c_str()));
        REQUIRE(since["data"].size() == 1);
        CHECK(since["data"][0]["id"] == done["id"]);
        const auto before = parse(c.Get(("/v1/messages/batches?created_before=" + created).c_str()));
        REQUIRE(before["data"].size() == 1);
        CHECK(before["data"][0]["id"] == running["id"]);
        expectError(c.Get("/v1/messages/batches?processing_status=done"), 400, "invalid_request_error");
        expectError(c.Get("/v1/messages/batches?created_after=soon"), 400, "invalid_request_error");
    }

    TEST_CASE("callback_url beside requests: the batch is POSTed there, signed, when it ends; a bad one is 400")
    {
        Server s;
        auto c = s.client();
        webhook_test::Receiver receiver(s.batches.webhookSecret());
        auto b = body(2);
        b["callback_url"] = receiver.url();
        const auto created = parse(c.Post("/v1/messages/batches", b.dump(), "application/json"));
        CHECK(created["callback_url"] == receiver.url());
        const auto ended = waitEnded(c, created["id"]);
        CHECK(ended["callback_url"] == receiver.url());
        CHECK(s.batches.waitDelivery(created["id"]).state == DeliveryState::Delivered);
        CHECK(receiver.accepted() == 1);
        REQUIRE(receiver.jsonBodies().size() == 1);
        CHECK(receiver.jsonBodies()[0]["id"] == created["id"]);
        CHECK(receiver.jsonBodies()[0]["processing_status"] == "ended");
        // Without one, callback_url is null.
        CHECK(parse(c.Post("/v1/messages/batches", body(1).dump(), "application/json"))["callback_url"].is_null());

        const auto before = parse(c.Get("/v1/messages/batches?limit=100"))["data"].size();
        for (const json &bad : {json("ftp://example.org/hook"), json("localhost:80/hook"), json(7), json({"x"})}) {
            CAPTURE(bad);
            b["callback_url"] = bad;
            const auto r = c.Post("/v1/messages/batches", b.dump(), "application/json");
            expectError(r, 400, "invalid_request_error");
            CHECK(json::parse(r->body)["error"]["message"].get<std::string>().find("callback_url") !=
                  std::string::npos);
        }
        CHECK(parse(c.Get("/v1/messages/batches?limit=100"))["data"].size() == before);
    }

    TEST_CASE("POST /retry makes a child batch with parent_batch_id; refusals")
    {
        Server s;
        auto c = s.client();
        auto b = body(3);
        b["requests"][1]["params"]["subject"] = 7; // errored, not retryable
        const auto first = parse(c.Post("/v1/messages/batches", b.dump(), "application/json"));
        CHECK(first["parent_batch_id"].is_null());
        const auto path = "/v1/messages/batches/" + first["id"].get<std::string>() + "/retry";
        waitEnded(c, first["id"]);
        // Nothing retryable by default.
        expectError(c.Post(path.c_str(), "", "application/json"), 400, "invalid_request_error");
        const auto child = parse(c.Post(path.c_str(), R"({"types": ["errored"]})", "application/json"));
        CHECK(child["parent_batch_id"] == first["id"]);
        CHECK(child["request_counts"]["processing"] == 1);
        CHECK(waitEnded(c, child["id"])["parent_batch_id"] == first["id"]);
        const auto merged =
            c.Get(("/v1/messages/batches/" + child["id"].get<std::string>() + "/results?merged=true").c_str());
        REQUIRE(merged);
        CHECK(jsonLines(merged->body).size() == 3); // the first batch's requests
        const auto own = c.Get(("/v1/messages/batches/" + child["id"].get<std::string>() + "/results").c_str());
        REQUIRE(own);
        CHECK(jsonLines(own->body).size() == 1);
        expectError(c.Post(path.c_str(), R"({"types": ["lost"]})", "application/json"), 400, "invalid_request_error");
        expectError(c.Post("/v1/messages/batches/msgbatch_none/retry", "", "application/json"), 404, "not_found_error");
        const auto refused = c.Get(path.c_str());
        REQUIRE(refused);
        CHECK(refused->status == 405);
    }

    TEST_CASE("cancel, delete: states as the API's, and the refusals")
    {
        Server s;
        auto c = s.client();
        const std::string id = parse(c.Post("/v1/messages/batches", body(2).dump(), "application/json"))["id"];
        waitEnded(c, id);
        // An ended batch cannot be canceled; a deleted one is gone.
        expectError(c.Post(("/v1/messages/batches/" + id + "/cancel").c_str(), "", "application/json"), 400,
                    "invalid_request_error");
        auto deleted = parse(c.Delete(("/v1/messages/batches/" + id).c_str()));
        CHECK(deleted == json{{"id", id}, {"type", "message_batch_deleted"}});
        expectError(c.Get(("/v1/messages/batches/" + id).c_str()), 404, "not_found_error");
        expectError(c.Delete(("/v1/messages/batches/" + id).c_str()), 404, "not_found_error");
        expectError(c.Post("/v1/messages/batches/msgbatch_nope/cancel", "", "application/json"), 404,
                    "not_found_error");
        expectError(c.Get("/v1/messages/batches/msgbatch_nope/results"), 404, "not_found_error");
    }

    TEST_CASE("a running batch: cancel answers canceling or ended, delete and results are refused")
    {
        // No workers: the batch stays in progress until canceled.
        auto manager = impl::memory::makeMemoryMessagingManager();
        MessageBatchOptions options;
        options.process = false;
        MessageBatchService batches(manager, options);
        HttpServerOptions serverOptions;
        serverOptions.port = 0;
        BatchHttpServer server(batches, nullptr, serverOptions);
        const int port = server.bind();
        std::thread thread([&] { server.run(); });
        httplib::Client c("127.0.0.1", port);
        const std::string id = parse(c.Post("/v1/messages/batches", body(2).dump(), "application/json"))["id"];
        expectError(c.Delete(("/v1/messages/batches/" + id).c_str()), 400, "invalid_request_error");
        expectError(c.Get(("/v1/messages/batches/" + id + "/results").c_str()), 400, "invalid_request_error");
        auto canceled = parse(c.Post(("/v1/messages/batches/" + id + "/cancel").c_str(), "", "application/json"));
        CHECK(canceled["id"] == id);
        CHECK(canceled["cancel_initiated_at"].is_string());
        CHECK((canceled["processing_status"] == "canceling" || canceled["processing_status"] == "ended"));
        // Without job runs, the iVvy route is not there.
        auto r = c.Post("/api/1.0/batch?action=run", "{}", "application/json");
        REQUIRE(r);
        CHECK(r->status == 404);
        server.stop();
        thread.join();
    }

    TEST_CASE("bad bodies are refused with 400 and every envelope problem, and nothing is saved")
    {
        Server s;
        auto c = s.client();
        expectError(c.Post("/v1/messages/batches", "{\"requests\": [", "application/json"), 400,
                    "invalid_request_error");
        expectError(c.Post("/v1/messages/batches", "[1, 2]", "application/json"), 400, "invalid_request_error");
        expectError(c.Post("/v1/messages/batches", R"({"requests": []})", "application/json"), 400,
                    "invalid_request_error");
        // Nesting deeper than 64 is refused before it is parsed.
        const std::string deep = R"({"requests": [{"custom_id": "a", "params": )" + std::string(100'000, '[') +
                                 std::string(100'000, ']') + "}]}";
        expectError(c.Post("/v1/messages/batches", deep, "application/json"), 400, "invalid_request_error");

        auto b = body(4);
        b["requests"][1]["custom_id"] = "r-0";                // not unique
        b["requests"][3]["custom_id"] = std::string(65, 'x'); // too long
        auto r = c.Post("/v1/messages/batches", b.dump(), "application/json");
        expectError(r, 400, "invalid_request_error");
        const auto error = json::parse(r->body)["error"];
        REQUIRE(error["problems"].size() == 2);
        CHECK(error["problems"][0]["index"] == 1);
        CHECK(error["problems"][1]["index"] == 3);
        CHECK(error["message"].get<std::string>().find("requests.1:") != std::string::npos);
        CHECK(error["message"].get<std::string>().find("requests.3:") != std::string::npos);
        CHECK(parse(c.Get("/v1/messages/batches"))["data"].empty());
    }

    TEST_CASE("a create body is read as it arrives: chunked pieces work, an oversize chunked body is 413, and a "
              "refused body leaves the connection usable")
    {
        ServerSetup setup;
        setup.maxBodyBytes = 4000;
        Server s(setup);
        auto c = s.client();
        // Chunked, in pieces of 7 bytes: no Content-Length.
        const auto text = body(3).dump();
        auto chunked = postChunked(c, text, 7);
        REQUIRE(chunked);
        CHECK(chunked->status == 200);
        CHECK(json::parse(chunked->body)["request_counts"]["processing"] == 3);

        // Over the limit without a Content-Length: counted as it arrives.
        const auto large = body(60).dump();
        REQUIRE(large.size() > 4000);
        auto oversize = postChunked(c, large, 512);
        expectError(oversize, 413, "request_too_large");

        // A bad body is read to its end: the same connection answers the next
        // request, and nothing was saved by the refused ones.
        httplib::Client keepAlive("127.0.0.1", s.port);
        keepAlive.set_keep_alive(true);
        expectError(
            keepAlive.Post("/v1/messages/batches", "[1, 2, 3] and more bytes after the refusal", "application/json"),
            400, "invalid_request_error");
        auto next = keepAlive.Get("/v1/messages/batches");
        REQUIRE(next);
        CHECK(next->status == 200);
        CHECK(json::parse(next->body)["data"].size() == 1);
    }

    TEST_CASE("Idempotency-Key: the same body gives the earlier batch, another body 409 conflict_error")
    {
        Server s;
        auto c = s.client();
        const httplib::Headers key{{"Idempotency-Key", "order-41"}};
        const auto first = parse(c.Post("/v1/messages/batches", key, body(3).dump(), "application/json"));
        waitEnded(c, first["id"]);
        const auto again = c.Post("/v1/messages/batches", key, body(3).dump(), "application/json");
        REQUIRE(again);
        CHECK(again->status == 200);
        const auto batch = json::parse(again->body);
        CHECK(batch["id"] == first["id"]);
        CHECK(batch["processing_status"] == "ended");
        expectError(c.Post("/v1/messages/batches", key, body(4).dump(), "application/json"), 409, "conflict_error");
        expectError(c.Post("/v1/messages/batches", {{"Idempotency-Key", std::string(256, 'k')}}, body(3).dump(),
                           "application/json"),
                    400, "invalid_request_error");
        CHECK(parse(c.Get("/v1/messages/batches"))["data"].size() == 1);
        CHECK(batch_test::messageCount(*s.manager) == 3);
        // Clients retrying at once with one key: one batch.
        std::vector<std::thread> clients;
        std::vector<std::string> ids(8);
        for (std::size_t i = 0; i < ids.size(); ++i)
            clients.emplace_back([&, i] {
                auto own = s.client();
                ids[i] = parse(own.Post("/v1/messages/batches", {{"Idempotency-Key", "at-once"}}, body(5).dump(),
                                        "application/json"))["id"];
            });
        for (auto &t : clients)
            t.join();
        CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == 1);
        CHECK(parse(c.Get("/v1/messages/batches"))["data"].size() == 2);
    }

    TEST_CASE("unknown routes are 404, a known path with another method 405 with Allow, an oversize body 413")
    {
        ServerSetup setup;
        setup.maxBodyBytes = 1000;
        Server s(setup);
        auto c = s.client();
        expectError(c.Get("/v1/nothing"), 404, "not_found_error");
        auto put = c.Put("/v1/messages/batches", "{}", "application/json");
        expectError(put, 405, "invalid_request_error");
        CHECK(put->get_header_value("Allow") == "GET, POST");
        auto post = c.Post("/v1/messages/batches/msgbatch_x", "{}", "application/json");
        expectError(post, 405, "invalid_request_error");
        CHECK(post->get_header_value("Allow") == "GET, DELETE");
        expectError(c.Post("/v1/messages/batches", body(20).dump(), "application/json"), 413, "request_too_large");
        CHECK(parse(c.Get("/v1/messages/batches"))["data"].empty());
        // One log line per request, with its status and request id. The line
        // is written once the answer is sent, and each request comes on a
        // connection of its own, so lines may lag and need not be in order.
        for (int i = 0; i < 500; ++i) {
            {
                std::lock_guard lock(s.logMutex);
                if (s.log.size() >= 5)
                    break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        std::lock_guard lock(s.logMutex);
        REQUIRE(s.log.size() >= 5);
        const auto notFound = std::find_if(s.log.begin(), s.log.end(), [](const std::string &line) {
            return line.rfind("GET /v1/nothing 404 ", 0) == 0;
        });
        REQUIRE(notFound != s.log.end());
        CHECK(notFound->find("req_") != std::string::npos);
        CHECK(std::count_if(s.log.begin(), s.log.end(), [](const std::string &line) {
                  return line.rfind("PUT /v1/messages/batches 405 ", 0) == 0;
              }) == 1);
    }

    TEST_CASE("iVvy's batch actions: run, progress, status, results, restart, repost, and their error envelope")
    {
        Server s;
        auto c = s.client();
        const json run{{"jobs",
                        {{{"namespace", "messaging.batch"},
                          {"action", "createMessages"},
                          {"params", {{"messages", {request("x", 0)["params"]}}}}}}}};
        auto started = parse(c.Post("/api/1.0/batch?action=run", run.dump(), "application/json"));
        const std::string asyncId = started["asyncId"];
        CHECK(asyncId.size() == 32);
        s.runs.wait(asyncId);
        CHECK(parse(c.Post("/api/1.0/batch?action=progress", json{{"async", asyncId}}.dump(), "application/json")) ==
              json{{"progress", 100}});
        auto runStatus =
            parse(c.Post("/api/1.0/batch?action=status", json{{"asyncId", asyncId}}.dump(), "application/json"));
        CHECK(runStatus["completed"] == true);
        auto results =
            parse(c.Post("/api/1.0/batch?action=results", json{{"async", asyncId}}.dump(), "application/json"));
        CHECK(results["asyncId"] == asyncId);
        CHECK(results["results"].size() == 1);
        CHECK(parse(c.Post("/api/1.0/batch?action=restart", json{{"async", asyncId}}.dump(), "application/json"))
                  .contains("restarted"));
        s.runs.wait(asyncId);
        CHECK(parse(c.Post("/api/1.0/batch?action=repost", json{{"async", asyncId}}.dump(), "application/json")) ==
              json{{"reposted", false}});

        auto refused = [&](const std::string &action, const json &payload, int status, int specificCode) {
            auto r = c.Post(("/api/1.0/batch?action=" + action).c_str(), payload.dump(), "application/json");
            REQUIRE(r);
            CHECK(r->status == status);
            const auto j = json::parse(r->body);
            CHECK(j["errorCode"] == status);
            CHECK(j["specificCode"] == specificCode);
            CHECK(j["message"].is_string());
        };
        refused("run", json{{"jobs", json::array()}}, 400, 24093);
        refused("run", json{{"jobs", {{{"namespace", "x"}}}}}, 400, 24092);
        refused("progress", json{{"async", "0123"}}, 404, 24105);
        refused("results", json{{"async", "0123"}}, 404, 24115);
        refused("frobnicate", json::object(), 400, 0);
        auto get = c.Get("/api/1.0/batch?action=run");
        REQUIRE(get);
        CHECK(get->status == 405);
        CHECK(json::parse(get->body)["errorCode"] == 405);
    }

    TEST_CASE("32 clients create, poll and download results at once over 8 server threads; every request ends once")
    {
        Server s;
        constexpr int kClients = 32;
        constexpr int kRequests = 20;
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kClients; ++t) {
            threads.emplace_back([&, t] {
                try {
                    auto c = s.client();
                    auto created = c.Post("/v1/messages/batches", body(kRequests, fmt::format("c{}", t)).dump(),
                                          "application/json");
                    if (!created || created->status != 200) {
                        MESSAGE("create failed: ", created ? created->body : httplib::to_string(created.error()));
                        ++failures;
                        return;
                    }
                    const std::string id = json::parse(created->body)["id"];
                    for (;;) {
                        auto got = c.Get(("/v1/messages/batches/" + id).c_str());
                        if (!got || got->status != 200) {
                            ++failures;
                            return;
                        }
                        if (json::parse(got->body)["processing_status"] == "ended")
                            break;
                        std::this_thread::sleep_for(std::chrono::milliseconds(2));
                    }
                    auto results = c.Get(("/v1/messages/batches/" + id + "/results").c_str());
                    std::set<std::string> ids;
                    for (const auto &line : jsonLines(results ? results->body : ""))
                        if (line["result"]["type"] == "succeeded")
                            ids.insert(line["custom_id"]);
                    if (ids.size() != kRequests)
                        ++failures;
                } catch (const std::exception &) {
                    ++failures;
                }
            });
        }
        for (auto &t : threads)
            t.join();
        CHECK(failures == 0);
        // Exactly one message per request.
        CHECK(batch_test::messageCount(*s.manager) == kClients * kRequests);
    }
}

TEST_CASE("with API keys every route needs a key of the file, in x-api-key or as a bearer token; 401 otherwise")
{
    sqlite_test::TempDir dir;
    const auto path = dir.file("server.keys");
    ApiKeyFile keys(path);
    const auto key = keys.add("alice");
    ServerSetup setup;
    setup.apiKeys = std::make_shared<ApiKeyVerifier>(path);
    Server s(setup);
    auto c = s.client();

    expectError(c.Get("/v1/messages/batches"), 401, "authentication_error");
    expectError(c.Get("/v1/messages/batches", {{"x-api-key", "osk_wrong"}}), 401, "authentication_error");
    expectError(c.Get("/v1/messages/batches", {{"Authorization", "Basic " + key}}), 401, "authentication_error");
    expectError(c.Post("/v1/messages/batches", body(2).dump(), "application/json"), 401, "authentication_error");
    expectError(c.Get("/"), 401, "authentication_error");
    // iVvy's route answers in its own envelope.
    auto ivvy = c.Post("/api/1.0/batch?action=status", "{}", "application/json");
    REQUIRE(ivvy);
    CHECK(ivvy->status == 401);
    CHECK(json::parse(ivvy->body)["errorCode"] == 401);
    // Nothing was created by the refused requests.
    CHECK(s.batches.list({}).data.empty());

    auto created = c.Post("/v1/messages/batches", {{"x-api-key", key}}, body(2).dump(), "application/json");
    REQUIRE(created);
    CHECK(created->status == 200);
    const auto id = json::parse(created->body)["id"].get<std::string>();
    auto viaBearer = c.Get(("/v1/messages/batches/" + id).c_str(), {{"Authorization", "Bearer " + key}});
    REQUIRE(viaBearer);
    CHECK(viaBearer->status == 200);

    // A revoked key stops working at once, without a restart.
    keys.revoke("alice");
    expectError(c.Get(("/v1/messages/batches/" + id).c_str(), {{"x-api-key", key}}), 401, "authentication_error");
}

// A new mailbox of the server's provider: a workspace.
Id newMailbox(messaging::MessagingManager &manager, const std::string &name)
{
    auto admin = manager.getMailboxAdminSession();
    auto form = admin->getMailboxFormForCreate({});
    form->setDisplayName(name);
    return admin->createMailbox(*form)->getId();
}

TEST_CASE("each key works in its workspace: batches made in its mailbox, others' batches 404 and not listed")
{
    sqlite_test::TempDir dir;
    const auto path = dir.file("server.keys");
    ApiKeyFile keys(path);
    const auto keyDefault = keys.add("carol");
    ServerSetup setup;
    setup.apiKeys = std::make_shared<ApiKeyVerifier>(path);
    Server s(setup);
    const auto teamA = newMailbox(*s.manager, "team-a");
    const auto teamB = newMailbox(*s.manager, "team-b");
    // Keys added while the server runs are taken at once.
    const auto keyA = keys.add("alice", teamA);
    const auto keyB = keys.add("bob", teamB);
    auto c = s.client();
    const httplib::Headers asA{{"x-api-key", keyA}}, asB{{"x-api-key", keyB}}, asDefault{{"x-api-key", keyDefault}};

    auto createdA = c.Post("/v1/messages/batches", asA, body(3, "a").dump(), "application/json");
    REQUIRE(createdA);
    REQUIRE(createdA->status == 200);
    const auto batchA = json::parse(createdA->body);
    CHECK(batchA["workspace"] == teamA.toString());
    const auto idA = batchA["id"].get<std::string>();
    CHECK(s.batches.wait(idA).requestCounts.succeeded == 3);
    // Its messages are in team-a's mailbox.
    auto results = s.batches.results(idA);
    auto lookupA = s.manager->getMessageLookupSessionForMailbox(teamA);
    int found = 0;
    for (MessageBatchResult r; results.next(r);) {
        REQUIRE(r.type == ResultType::Succeeded);
        const auto message = lookupA->getMessage(Id::parse(r.message["id"].get<std::string>()));
        CHECK(message->getSubjectLine().getText() == r.message["subject"]);
        ++found;
    }
    CHECK(found == 3);
    const auto inDefault = parse(c.Post("/v1/messages/batches", asDefault, body(1, "d").dump(), "application/json"));
    CHECK(inDefault["workspace"].is_null());

    // Bob's key and the default workspace's see nothing of alice's batch.
    const auto one = "/v1/messages/batches/" + idA;
    for (const auto *who : {&asB, &asDefault}) {
        expectError(c.Get(one.c_str(), *who), 404, "not_found_error");
        expectError(c.Get((one + "/results").c_str(), *who), 404, "not_found_error");
        expectError(c.Post((one + "/cancel").c_str(), *who, "", "application/json"), 404, "not_found_error");
        expectError(c.Post((one + "/retry").c_str(), *who, "", "application/json"), 404, "not_found_error");
        expectError(c.Delete(one.c_str(), *who), 404, "not_found_error");
        expectError(c.Get(("/v1/messages/batches?after_id=" + idA).c_str(), *who), 404, "not_found_error");
        const auto page = parse(c.Get("/v1/messages/batches", *who));
        for (const auto &listed : page["data"])
            CHECK(listed["id"] != idA);
        auto html = c.Get(("/batches/" + idA).c_str(), *who);
        REQUIRE(html);
        CHECK(html->status == 404);
    }
    // Alice's key sees it, and lists only it.
    CHECK(parse(c.Get(one.c_str(), asA))["id"] == idA);
    const auto listedA = parse(c.Get("/v1/messages/batches", asA));
    REQUIRE(listedA["data"].size() == 1);
    CHECK(listedA["data"][0]["id"] == idA);

    // One idempotency key in two workspaces makes two batches.
    auto keyedA = asA, keyedB = asB;
    keyedA.emplace("Idempotency-Key", "same-key");
    keyedB.emplace("Idempotency-Key", "same-key");
    const auto onceA = parse(c.Post("/v1/messages/batches", keyedA, body(1, "i").dump(), "application/json"));
    const auto onceB = parse(c.Post("/v1/messages/batches", keyedB, body(1, "i").dump(), "application/json"));
    CHECK(onceA["id"] != onceB["id"]);
    CHECK(onceB["workspace"] == teamB.toString());
    CHECK(parse(c.Post("/v1/messages/batches", keyedA, body(1, "i").dump(), "application/json"))["id"] == onceA["id"]);
    // The service's own calls see every workspace.
    CHECK(s.batches.list({}).data.size() == 4);
}

TEST_CASE("without keys the server serves the default workspace")
{
    Server s;
    const auto team = newMailbox(*s.manager, "team");
    const auto elsewhere = s.batches.workspace(team).create(batch_test::requests(1));
    auto c = s.client();
    const auto here = parse(c.Post("/v1/messages/batches", body(1).dump(), "application/json"));
    const auto listed = parse(c.Get("/v1/messages/batches"));
    REQUIRE(listed["data"].size() == 1);
    CHECK(listed["data"][0]["id"] == here["id"]);
    expectError(c.Get(("/v1/messages/batches/" + elsewhere.id).c_str()), 404, "not_found_error");
}

TEST_CASE("a key whose workspace is not a mailbox of the provider: its creates are refused, nothing saved")
{
    sqlite_test::TempDir dir;
    const auto path = dir.file("server.keys");
    ApiKeyFile keys(path);
    const auto key = keys.add("stray", Id::parse("messaging.Mailbox:404@nowhere"));
    ServerSetup setup;
    setup.apiKeys = std::make_shared<ApiKeyVerifier>(path);
    Server s(setup);
    auto c = s.client();
    expectError(c.Post("/v1/messages/batches", {{"x-api-key", key}}, body(2).dump(), "application/json"), 400,
                "invalid_request_error");
    CHECK(s.batches.list({}).data.empty());
}

TEST_CASE("a store another process holds locked past the busy timeout: 529 overloaded_error, nothing saved")
{
    sqlite_test::TempDir dir;
    const auto path = dir.file("batches.db");
    ServerSetup setup;
    setup.batchOptions.storePath = path;
    setup.batchOptions.busyTimeout = std::chrono::milliseconds(100);
    Server s(setup);
    auto c = s.client();

    {
        // Another writer holds the store's write lock. It waits for the
        // server's own brief writes to end before taking it (with no wait,
        // BEGIN IMMEDIATE failed when one was under way: CI saw it under ASan).
        osid::sqlite::Connection other(path, 30'000);
        other.execute("BEGIN IMMEDIATE");
        expectError(c.Post("/v1/messages/batches", body(2).dump(), "application/json"), 529, "overloaded_error");
        auto refused = c.Post("/v1/messages/batches", body(2).dump(), "application/json");
        REQUIRE(refused);
        CHECK(json::parse(refused->body)["error"]["message"].get<std::string>().find("database is locked") !=
              std::string::npos);
        // Reads go on: WAL readers do not wait for the writer.
        auto listed = c.Get("/v1/messages/batches");
        REQUIRE(listed);
        CHECK(listed->status == 200);
        other.execute("ROLLBACK");
    }
    CHECK(s.batches.list({}).data.empty());
    auto created = c.Post("/v1/messages/batches", body(2).dump(), "application/json");
    REQUIRE(created);
    CHECK(created->status == 200);
}

TEST_CASE("isLoopbackHost accepts loopback addresses only")
{
    CHECK(isLoopbackHost("127.0.0.1"));
    CHECK(isLoopbackHost("127.1.2.3"));
    CHECK(isLoopbackHost("::1"));
    CHECK(isLoopbackHost("localhost"));
    CHECK_FALSE(isLoopbackHost("0.0.0.0"));
    CHECK_FALSE(isLoopbackHost("::"));
    CHECK_FALSE(isLoopbackHost("10.0.0.1"));
    CHECK_FALSE(isLoopbackHost("example.org"));
}

TEST_CASE("the status page escapes what it shows, and serves HTML at / and /batches/{id}")
{
    CHECK(escapeHtml("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    Server s;
    auto c = s.client();
    const std::string id = parse(c.Post("/v1/messages/batches", body(1).dump(), "application/json"))["id"];
    auto page = c.Get("/");
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->get_header_value("Content-Type") == "text/html; charset=utf-8");
    CHECK(page->body.find("<tr id=\"batch-" + id + "\">") != std::string::npos);
    auto one = c.Get(("/batches/" + id).c_str());
    REQUIRE(one);
    CHECK(one->body.find("<code>" + id + "</code>") != std::string::npos);
    expectError(c.Get("/batches/msgbatch_nope"), 404, "not_found_error");
}

TEST_CASE("the status page's paging links keep the list's filters")
{
    Server s;
    auto c = s.client();
    for (int i = 0; i < 3; ++i)
        waitEnded(c, parse(c.Post("/v1/messages/batches", body(1).dump(), "application/json"))["id"]);
    auto first = c.Get("/?processing_status=ended&created_after=2000-01-01T00:00:00Z&limit=1");
    REQUIRE(first);
    CHECK(first->status == 200);
    const auto older = first->body.find(">older</a>");
    REQUIRE(older != std::string::npos);
    const auto link =
        first->body.substr(first->body.rfind("<a href=\"", older), older - first->body.rfind("<a href=\"", older));
    CHECK(link.find("&amp;limit=1&amp;processing_status=ended&amp;created_after=2000-01-01T00:00:00") !=
          std::string::npos);
    // Followed, the next page keeps them too, and links back.
    auto href = link.substr(std::string("<a href=\"").size());
    href = href.substr(0, href.find('"'));
    for (std::size_t at; (at = href.find("&amp;")) != std::string::npos;)
        href.replace(at, 5, "&");
    auto second = c.Get(href.c_str());
    REQUIRE(second);
    CHECK(second->status == 200);
    CHECK(second->body.find("&amp;processing_status=ended") != std::string::npos);
    CHECK(second->body.find(">newer</a>") != std::string::npos);
    CHECK(second->body.find(">older</a>") != std::string::npos);
}
