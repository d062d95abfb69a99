// MessageBatchService: envelope checks, every state change, paging,
// delete, results, expiry, fairness, and resuming from the store.

#include "impl/memory/memory_provider.h"
#include "impl/sqlite/sqlite_provider.h"
#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/message_lookup_session.h"
#include "osid/vector_list.h"
#include "service/message_batches.h"
#include "service/osid_json.h"
#include "tests/service/batch_support.h"
#include "tests/service/failing_provider.h"
#include "tests/sqlite/sqlite_support.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <map>
#include <sstream>
#include <thread>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace osid;
using namespace osid::service;
using nlohmann::json;
using namespace batch_test;

namespace {

// One request the service refuses (not retryable), and two good ones.
std::vector<MessageBatchRequest> refusedAndTwo()
{
    return {{"refused", json{{"subject", 42}}}, {"a", messageParams(1)}, {"b", messageParams(2)}};
}

ListParams page(std::int64_t limit, std::string beforeId = "", std::string afterId = "")
{
    ListParams params;
    params.limit = limit;
    params.beforeId = std::move(beforeId);
    params.afterId = std::move(afterId);
    return params;
}

} // namespace

TEST_SUITE("message batches")
{

    TEST_CASE("a batch goes from in_progress to ended and every request "
              "succeeds, keyed by custom_id")
    {
        auto manager = impl::memory::makeMemoryMessagingManager();
        MessageBatchOptions options;
        options.chunkSize = 7;
        MessageBatchService service(manager, options);
        auto batch = service.create(requests(50));
        CHECK(batch.processingStatus == ProcessingStatus::InProgress);
        CHECK(batch.id.rfind("msgbatch_", 0) == 0);
        CHECK(batch.requestCounts.processing == 50);
        CHECK_FALSE(batch.endedAt.has_value());
        CHECK(batch.expiresAt.toMicroseconds() - batch.createdAt.toMicroseconds() ==
              std::chrono::microseconds(std::chrono::hours(24)).count());

        const auto ended = service.wait(batch.id);
        CHECK(ended.processingStatus == ProcessingStatus::Ended);
        CHECK(ended.requestCounts.succeeded == 50);
        CHECK(ended.requestCounts.processing == 0);
        REQUIRE(ended.endedAt.has_value());
        CHECK(service.retrieve(batch.id).toJson() == ended.toJson()); // retrieve is idempotent
        CHECK(service.retrieve(batch.id).toJson() == ended.toJson());

        const auto results = resultsOf(service, batch.id);
        REQUIRE(results.size() == 50);
        const auto &r7 = results.at("req-7");
        CHECK(r7.type == ResultType::Succeeded);
        CHECK(r7.message["subject"] == "Subject 7");
        CHECK(r7.message["text"] == "Text 7");
        CHECK(r7.message["sender"] == "resource.Resource:s1@test");
        CHECK(r7.message["recipients"].size() == 2);
        CHECK(r7.message["sent_time"] == "2026-11-01T09:00:00Z");
        const auto line = r7.toJson();
        CHECK(line["custom_id"] == "req-7");
        CHECK(line["result"]["type"] == "succeeded");
        CHECK(line["result"]["message"]["id"] == r7.message["id"]);
        CHECK(messageCount(*manager) == 50);
    }

    TEST_CASE("the batch object has the Message Batches shape")
    {
        MessageBatchService service(impl::memory::makeMemoryMessagingManager());
        const auto j = service.wait(service.create(requests(1)).id).toJson();
        CHECK(j["type"] == "message_batch");
        CHECK(j["processing_status"] == "ended");
        for (const char *key : {"processing", "succeeded", "errored", "canceled", "expired"})
            CHECK(j["request_counts"].contains(key));
        CHECK(j["cancel_initiated_at"].is_null());
        CHECK(j["archived_at"].is_null());
        CHECK(j["ended_at"].is_string());
        CHECK(DateTime::parse(j["created_at"].get<std::string>()) <= DateTime::parse(j["ended_at"].get<std::string>()));
    }

    TEST_CASE("envelope problems are reported together and nothing is saved")
    {
        MessageBatchOptions options;
        options.maxRequests = 4;
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(), options);

        auto empty = errorOf([&] { service.create({}); });
        CHECK(empty.type() == "invalid_request_error");
        REQUIRE(empty.problems().size() == 1);
        CHECK(empty.problems()[0].reason == "a batch needs at least one request");

        auto tooMany = errorOf([&] { service.create(requests(5)); });
        REQUIRE(tooMany.problems().size() == 1);
        CHECK(tooMany.problems()[0].reason == "5 requests; a batch holds at most 4");

        std::vector<MessageBatchRequest> bad = {{"ok-1", messageParams(0)},
                                                {"has space", messageParams(1)},
                                                {"ok-1", messageParams(2)},
                                                {std::string(65, 'a'), messageParams(3)}};
        auto e = errorOf([&] { service.create(bad); });
        CHECK(e.type() == "invalid_request_error");
        REQUIRE(e.problems().size() == 3);
        CHECK(e.problems()[0].index == 1);
        CHECK(e.problems()[0].reason == "custom_id \"has space\" does not match ^[a-zA-Z0-9_-]{1,64}$");
        CHECK(e.problems()[1].index == 2);
        CHECK(e.problems()[1].customId == "ok-1");
        CHECK(e.problems()[1].reason == "custom_id is not unique (also request 0)");
        CHECK(e.problems()[2].index == 3);
        CHECK(std::string(e.what()).find("3 problems") != std::string::npos);

        auto emptyId = errorOf([&] { service.create({{"", messageParams(0)}}); });
        CHECK(emptyId.problems().size() == 1);

        CHECK(service.list().data.empty());
    }

    TEST_CASE("a request whose params are bad ends errored without failing the batch")
    {
        MessageBatchService service(impl::memory::makeMemoryMessagingManager());
        auto noSender = messageParams(0);
        noSender.erase("sender");
        auto receivedEarly = messageParams(0);
        receivedEarly["received_time"] = "2026-10-01T00:00:00Z";
        std::vector<MessageBatchRequest> batch = {
            {"good", messageParams(0)},
            {"unknown-field", json{{"subject", "x"}, {"colour", "red"}}},
            {"bad-id", json{{"subject", "x"}, {"sender", "no-authority"}, {"sent_time", "2026-11-01T00:00:00Z"}}},
            {"bad-time", json{{"sender", "a:b@c"}, {"sent_time", "yesterday"}}},
            {"wrong-type", json{{"subject", 42}}},
            {"no-sender", noSender},
            {"received-early", receivedEarly},
            {"plain", json{{"subject", "a draft"}, {"text", "not sent"}}},
            {"two-missing", json{{"recipients", {"resource.Resource:r1@test"}}}},
        };
        const auto ended = service.wait(service.create(batch).id);
        CHECK(ended.requestCounts.succeeded == 2);
        CHECK(ended.requestCounts.errored == 7);
        const auto results = resultsOf(service, ended.id);
        CHECK(results.at("good").type == ResultType::Succeeded);
        CHECK(results.at("plain").type == ResultType::Succeeded);
        CHECK(results.at("plain").message["sent"] == false);
        for (const char *id : {"unknown-field", "bad-id", "bad-time", "wrong-type", "no-sender", "received-early"}) {
            CAPTURE(id);
            CHECK(results.at(id).type == ResultType::Errored);
            CHECK(results.at(id).errorType == "invalid_request_error");
            CHECK_FALSE(results.at(id).errorMessage.empty());
        }
        CHECK(results.at("unknown-field").errorMessage.find("params.colour: unknown field") == 0);
        CHECK(results.at("wrong-type").errorMessage == "params.subject: expected a string, got number");
        CHECK(results.at("bad-time").errorMessage.find("params.sent_time:") == 0);
        // Form rules: every problem, each with its field.
        CHECK(results.at("no-sender").errorMessage == "params.sender: the sender is required");
        CHECK(results.at("received-early").errorMessage ==
              "params.received_time: the received time 2026-10-01T00:00:00Z is before the sent time "
              "2026-11-01T09:00:00Z");
        CHECK(results.at("two-missing").errorMessage ==
              "params.sender: the sender is required; params.sent_time: the sent time is required");
        const auto line = results.at("bad-id").toJson();
        CHECK(line["result"]["type"] == "errored");
        CHECK(line["result"]["error"]["type"] == "error");
        CHECK(line["result"]["error"]["error"]["type"] == "invalid_request_error");
    }

    TEST_CASE("an errored result says whether it is retryable and the OSID error behind it, through JSON")
    {
        auto provider = std::make_shared<FailingProvider>();
        MessageBatchService service(provider);
        // A refused request: not retryable. A request the provider failed: retryable.
        std::vector<MessageBatchRequest> batch = {{"refused", json{{"subject", 42}}}, {"failed", messageParams(1)}};
        const auto ended = service.wait(service.create(batch).id);
        CHECK(ended.requestCounts.errored == 2);
        const auto results = resultsOf(service, ended.id);
        const auto &refused = results.at("refused");
        CHECK(refused.errorType == "invalid_request_error");
        CHECK_FALSE(refused.retryable);
        CHECK(refused.osidError == "INVALID_ARGUMENT");
        const auto &failed = results.at("failed");
        CHECK(failed.errorType == "api_error");
        CHECK(failed.retryable);
        CHECK(failed.osidError == "OPERATION_FAILED");
        CHECK(failed.errorMessage.find("the provider is down") != std::string::npos);
        // The API's fields unchanged; ours beside them in the inner error.
        const auto line = failed.toJson();
        CHECK(line["result"]["error"]["type"] == "error");
        CHECK(line["result"]["error"]["error"] == json{{"type", "api_error"},
                                                       {"message", failed.errorMessage},
                                                       {"retryable", true},
                                                       {"osid_error", "OPERATION_FAILED"}});
        CHECK(refused.toJson()["result"]["error"]["error"]["retryable"] == false);
    }

    TEST_CASE("retry makes a child batch of the leftovers: retryable errors, expired and canceled by default")
    {
        auto provider = std::make_shared<FailingProvider>();
        MessageBatchService service(provider);
        const auto first = service.wait(service.create(refusedAndTwo()).id);
        CHECK(first.requestCounts.errored == 3);
        CHECK_FALSE(first.parentBatchId);
        CHECK(first.toJson()["parent_batch_id"].is_null());
        provider->failing = false;
        const auto child = service.retry(first.id);
        CHECK(child.parentBatchId == first.id);
        CHECK(child.toJson()["parent_batch_id"] == first.id);
        CHECK(child.requestCounts.processing == 2); // not the refused one
        const auto ended = service.wait(child.id);
        CHECK(ended.requestCounts.succeeded == 2);
        CHECK(ended.parentBatchId == first.id);
        const auto results = resultsOf(service, child.id);
        REQUIRE(results.size() == 2);
        CHECK(results.at("a").message["subject"] == "Subject 1"); // the same params
        CHECK(results.at("b").message["subject"] == "Subject 2");
        CHECK(messageCount(*provider) == 2);
        // Errored asked for: every errored one, retryable or not.
        RetryOptions errored;
        errored.types = {ResultType::Errored};
        const auto again = service.wait(service.retry(first.id, errored).id);
        CHECK(again.requestCounts.errored == 1);
        CHECK(again.requestCounts.succeeded == 2);
        // Nothing of the types asked for, and a batch not ended: refused.
        CHECK(errorOf([&] { service.retry(child.id); }).type() == "invalid_request_error");
        CHECK(errorOf([&] { service.retry("msgbatch_none"); }).type() == "not_found_error");
    }

    TEST_CASE("merged results of a retried chain give, for each custom_id, the newest attempt")
    {
        auto provider = std::make_shared<FailingProvider>();
        MessageBatchService service(provider);
        const auto first = service.wait(service.create(refusedAndTwo()).id);
        const auto second = service.wait(service.retry(first.id).id); // a and b fail again
        CHECK(second.requestCounts.errored == 2);
        provider->failing = false;
        const auto third = service.wait(service.retry(second.id).id);
        CHECK(third.requestCounts.succeeded == 2);
        std::vector<MessageBatchResult> merged;
        auto stream = service.mergedResults(third.id);
        for (MessageBatchResult r; stream.next(r);)
            merged.push_back(r);
        REQUIRE(merged.size() == 3); // the first batch's requests, in its order
        CHECK(merged[0].customId == "refused");
        CHECK(merged[0].type == ResultType::Errored);
        CHECK(merged[1].customId == "a");
        CHECK(merged[1].type == ResultType::Succeeded);
        CHECK(merged[2].customId == "b");
        CHECK(merged[2].type == ResultType::Succeeded);
        // From the middle of the chain: its newest attempt is its own.
        auto middle = service.mergedResults(second.id);
        MessageBatchResult r;
        REQUIRE(middle.next(r));
        REQUIRE(middle.next(r));
        CHECK(r.customId == "a");
        CHECK(r.type == ResultType::Errored);
        // A batch with no parent: its own results.
        CHECK(service.mergedResults(first.id).next(r));
    }

    TEST_CASE("retry of a canceled batch takes its canceled requests; a batch not ended is refused")
    {
        sqlite_test::TempDir dir;
        MessageBatchService front(impl::memory::makeMemoryMessagingManager(), fileOptions(dir.file("b.db"), false));
        const auto id = front.create(requests(4)).id;
        CHECK(std::string(errorOf([&] { front.retry(id); }).what()).find("only an ended batch can be retried") !=
              std::string::npos);
        front.cancel(id);
        const auto child = front.retry(id);
        CHECK(child.requestCounts.processing == 4);
        CHECK(front.retrieve(child.id).parentBatchId == id);
    }

    TEST_CASE("messageJsonText writes what messageToJson dumps, byte for byte")
    {
        auto manager = impl::memory::makeMemoryMessagingManager();
        auto admin = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto lookup = manager->getMessageLookupSession();
        const std::vector<json> cases = {
            messageParams(1),
            {{"subject", "quotes \" and \\ backslashes"}, {"text", "tab\tnew\nline\r\b\f and \x01\x1f\x7f"}},
            {{"subject", "caf\u00e9, \u65e5\u672c, \U0001f600"}, {"text", "mixed \"\u00e9\"\n"}},
            {{"subject", ""},
             {"text", ""},
             {"sender", "resource.Resource:a%40b@test"},
             {"recipients", json::array()},
             {"sent_time", "2026-11-01T09:00:00Z"}},
            {{"subject", "unsent"}, {"text", "no sender, so not sent"}},
        };
        for (const auto &params : cases) {
            CAPTURE(params.dump());
            auto forms = admin->getMessageFormsForCreate(1, messageRecordTypes(params, "params"));
            auto form = forms->getNextMessageBatchForm();
            fillMessageForm(*form, params, "params");
            REQUIRE(form->isValid());
            std::vector<std::shared_ptr<messaging::batch::MessageBatchForm>> one{form};
            VectorList<messaging::batch::MessageBatchFormList> list(one);
            auto responses = admin->createMessages(list);
            const auto response = responses->getNextCreateResponse();
            REQUIRE(response.isSuccessful());
            const auto message = lookup->getMessage(response.getCreatedId());
            CHECK(messageJsonText(*message) == messageToJson(*message).dump());
        }
    }

    TEST_CASE("a results line prints its keys in the API's order, byte for byte")
    {
        MessageBatchResult r;
        r.customId = "a";
        r.type = ResultType::Canceled;
        CHECK(r.toJsonLine() == R"({"custom_id":"a","result":{"type":"canceled"}})");
        r.type = ResultType::Expired;
        CHECK(r.toJsonLine() == R"({"custom_id":"a","result":{"type":"expired"}})");
        r.type = ResultType::Errored;
        r.errorType = "api_error";
        r.errorMessage = "the provider failed: \"x\"";
        r.retryable = true;
        r.osidError = "OPERATION_FAILED";
        CHECK(r.toJsonLine() == R"({"custom_id":"a","result":{"type":"errored","error":{"type":"error","error":)"
                                R"({"type":"api_error","message":"the provider failed: \"x\"","retryable":true,)"
                                R"("osid_error":"OPERATION_FAILED"}}}})");
        r.type = ResultType::Succeeded;
        r.message = json{{"subject", "s"}, {"id", "m"}};
        CHECK(r.toJsonLine() ==
              R"({"custom_id":"a","result":{"type":"succeeded","message":{"id":"m","subject":"s"}}})");
        // The same values as toJson() has them.
        CHECK(json::parse(r.toJsonLine()) == r.toJson());
    }

    TEST_CASE("cancel with no process at work ends the batch at once, every request canceled, nothing run")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        auto manager = impl::memory::makeMemoryMessagingManager();
        // No workers here: the batch stays in_progress until cancelled.
        MessageBatchService front(manager, fileOptions(path, false));
        const auto id = front.create(requests(20)).id;
        CHECK(front.retrieve(id).processingStatus == ProcessingStatus::InProgress);
        const auto ended = front.cancel(id);
        CHECK(ended.processingStatus == ProcessingStatus::Ended);
        REQUIRE(ended.cancelInitiatedAt.has_value());
        CHECK(ended.requestCounts.canceled == 20);
        CHECK(ended.requestCounts.succeeded == 0);
        // Cancelling again is not an error and changes nothing.
        CHECK(front.cancel(id).toJson() == ended.toJson());
        const auto results = resultsOf(front, id);
        REQUIRE(results.size() == 20);
        CHECK(results.at("req-3").toJson()["result"] == json{{"type", "canceled"}});
        CHECK(messageCount(*manager) == 0);
    }

    TEST_CASE("cancel while another service processes leaves the batch canceling for it to end")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        auto manager = impl::memory::makeMemoryMessagingManager();
        auto options = fileOptions(path);
        options.workers = 1;
        options.chunkSize = 1;
        MessageBatchService worker(manager, options);
        REQUIRE(worker.isProcessing());
        MessageBatchService front(manager, fileOptions(path, false));
        const auto id = front.create(requests(3000)).id;
        const auto canceled = front.cancel(id);
        // Canceling, unless the worker already ended it.
        CHECK(canceled.cancelInitiatedAt.has_value());
        CHECK(canceled.processingStatus != ProcessingStatus::InProgress);
        if (canceled.processingStatus == ProcessingStatus::Canceling) {
            try {
                front.remove(id);
                // The worker ended the batch between cancel and remove, which
                // then deleted it: nothing is left to check.
                CHECK(errorOf([&] { front.retrieve(id); }).type() == "not_found_error");
                return;
            } catch (const ServiceError &e) {
                CHECK(e.type() == "invalid_request_error");
                CHECK(std::string(e.what()).find("cancel it first") != std::string::npos);
            }
        }
        const auto ended = front.wait(id);
        CHECK(ended.processingStatus == ProcessingStatus::Ended);
        CHECK(ended.requestCounts.canceled > 0);
        CHECK(ended.requestCounts.succeeded + ended.requestCounts.canceled == 3000);
        CHECK(messageCount(*manager) == ended.requestCounts.succeeded);
    }

    TEST_CASE("cancel while running keeps what finished and cancels the rest")
    {
        auto manager = impl::memory::makeMemoryMessagingManager();
        MessageBatchOptions options;
        options.workers = 1;
        options.chunkSize = 10;
        MessageBatchService service(manager, options);
        const auto id = service.create(requests(5000)).id;
        service.cancel(id);
        const auto ended = service.wait(id);
        const auto &c = ended.requestCounts;
        CHECK(ended.processingStatus == ProcessingStatus::Ended);
        CHECK(c.canceled > 0);
        CHECK(c.succeeded + c.canceled == 5000);
        CHECK(messageCount(*manager) == c.succeeded);
    }

    TEST_CASE("requests not started by expires_at end expired")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        ManualClock clock;
        auto options = fileOptions(path, false);
        options.clock = clock.function();
        options.expiresAfter = std::chrono::hours(1);
        std::string id;
        {
            MessageBatchService front(impl::memory::makeMemoryMessagingManager(), options);
            const auto batch = front.create(requests(12));
            id = batch.id;
            CHECK(batch.expiresAt == DateTime::parse("2026-11-23T13:00:00Z"));
        }
        clock.advance(std::chrono::hours(1));
        options.process = true;
        MessageBatchService worker(impl::memory::makeMemoryMessagingManager(), options);
        const auto ended = worker.wait(id);
        CHECK(ended.processingStatus == ProcessingStatus::Ended);
        CHECK(ended.requestCounts.expired == 12);
        CHECK(ended.endedAt == DateTime::parse("2026-11-23T13:00:00Z"));
        CHECK(resultsOf(worker, id).at("req-0").toJson()["result"] == json{{"type", "expired"}});
    }

    TEST_CASE("list pages newest first, forward with after_id and back with "
              "before_id")
    {
        MessageBatchOptions options;
        options.process = false;
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(), options);
        std::vector<std::string> ids; // oldest first
        for (int i = 0; i < 5; ++i)
            ids.push_back(service.create(requests(1)).id);

        const auto first = service.list(page(2, "", ""));
        REQUIRE(first.data.size() == 2);
        CHECK(first.data[0].id == ids[4]);
        CHECK(first.data[1].id == ids[3]);
        CHECK(first.hasMore);
        CHECK(first.firstId == ids[4]);
        CHECK(first.lastId == ids[3]);

        const auto second = service.list(page(2, "", *first.lastId));
        REQUIRE(second.data.size() == 2);
        CHECK(second.data[0].id == ids[2]);
        CHECK(second.data[1].id == ids[1]);
        CHECK(second.hasMore);

        const auto third = service.list(page(2, "", *second.lastId));
        REQUIRE(third.data.size() == 1);
        CHECK(third.data[0].id == ids[0]);
        CHECK_FALSE(third.hasMore);

        // Back again from the last page.
        const auto back = service.list(page(2, *third.firstId, ""));
        REQUIRE(back.data.size() == 2);
        CHECK(back.data[0].id == ids[2]);
        CHECK(back.data[1].id == ids[1]);
        CHECK(back.hasMore);
        const auto top = service.list(page(2, *back.firstId, ""));
        REQUIRE(top.data.size() == 2);
        CHECK(top.data[0].id == ids[4]);
        CHECK_FALSE(top.hasMore);
        CHECK(service.list(page(2, ids[4], "")).data.empty());

        CHECK(service.list().data.size() == 5); // default limit 20
        const auto j = first.toJson();
        CHECK(j["has_more"] == true);
        CHECK(j["first_id"] == ids[4]);
        CHECK(j["data"].size() == 2);
        CHECK(service.list(page(1000, "", "")).data.size() == 5);
    }

    TEST_CASE("list filters by processing status and created range, with the same paging")
    {
        sqlite_test::TempDir dir;
        ManualClock clock;
        // No process at work: batches stay in_progress, and cancel ends them at once.
        auto options = fileOptions(dir.file("batches.db"), false);
        options.clock = clock.function();
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(), options);
        std::vector<std::string> ids; // oldest first, one an hour from 12:00
        for (int i = 0; i < 10; ++i) {
            ids.push_back(service.create(requests(1)).id);
            if (i % 2 == 1)
                service.cancel(ids.back());
            clock.advance(std::chrono::hours(1));
        }
        const auto idsOf = [](const MessageBatchPage &p) {
            std::vector<std::string> out;
            for (const auto &b : p.data)
                out.push_back(b.id);
            return out;
        };
        auto ended = page(2);
        ended.status = ProcessingStatus::Ended;
        auto first = service.list(ended);
        CHECK(idsOf(first) == std::vector<std::string>{ids[9], ids[7]});
        CHECK(first.hasMore);
        ended.afterId = *first.lastId;
        auto second = service.list(ended);
        CHECK(idsOf(second) == std::vector<std::string>{ids[5], ids[3]});
        ended.afterId = *second.lastId;
        auto last = service.list(ended);
        CHECK(idsOf(last) == std::vector<std::string>{ids[1]});
        CHECK_FALSE(last.hasMore);
        // Back from the last page, newer ones.
        ended.afterId.clear();
        ended.beforeId = *last.firstId;
        CHECK(idsOf(service.list(ended)) == std::vector<std::string>{ids[5], ids[3]});
        CHECK(service.list(ended).hasMore);

        // Created from 14:00 to before 17:00: batches 2, 3, 4.
        auto range = page(10);
        range.createdAfter = DateTime::parse("2026-11-23T14:00:00Z");
        range.createdBefore = DateTime::parse("2026-11-23T17:00:00Z");
        CHECK(idsOf(service.list(range)) == std::vector<std::string>{ids[4], ids[3], ids[2]});
        range.status = ProcessingStatus::InProgress;
        CHECK(idsOf(service.list(range)) == std::vector<std::string>{ids[4], ids[2]});
        range.status = ProcessingStatus::Canceling;
        CHECK(service.list(range).data.empty());
        CHECK_FALSE(service.list(range).firstId);

        // From their text, as HTTP and osid-batch give them.
        ListParams parsed;
        setListFilters(parsed, "ended", "2026-11-23T14:00:00Z", "");
        CHECK(parsed.status == ProcessingStatus::Ended);
        CHECK(parsed.createdAfter == DateTime::parse("2026-11-23T14:00:00Z"));
        CHECK_FALSE(parsed.createdBefore);
        CHECK(errorOf([&] { setListFilters(parsed, "done", "", ""); }).type() == "invalid_request_error");
        CHECK(std::string(errorOf([&] { setListFilters(parsed, "", "yesterday", ""); }).what())
                  .find("created_after \"yesterday\" is not an RFC 3339 time") == 0);
        auto inverted = page(10);
        inverted.createdAfter = DateTime::parse("2026-11-23T17:00:00Z");
        inverted.createdBefore = DateTime::parse("2026-11-23T14:00:00Z");
        CHECK(errorOf([&] { service.list(inverted); }).type() == "invalid_request_error");
    }

    TEST_CASE("list refuses out-of-range limits, two cursors and unknown cursors")
    {
        MessageBatchService service(impl::memory::makeMemoryMessagingManager());
        const auto id = service.create(requests(1)).id;
        CHECK(errorOf([&] { service.list(page(0, "", "")); }).type() == "invalid_request_error");
        CHECK(std::string(errorOf([&] { service.list(page(1001, "", "")); }).what()) ==
              "limit must be between 1 and 1000, not 1001");
        CHECK(errorOf([&] { service.list(page(-5, "", "")); }).type() == "invalid_request_error");
        CHECK(errorOf([&] { service.list(page(20, id, id)); }).type() == "invalid_request_error");
        CHECK(errorOf([&] { service.list(page(20, "", "msgbatch_nope")); }).type() == "not_found_error");
        CHECK(errorOf([&] { service.list(page(20, "msgbatch_nope", "")); }).type() == "not_found_error");
    }

    TEST_CASE("delete: refused before the end, allowed after, then the batch is gone")
    {
        MessageBatchOptions options;
        options.process = false;
        auto manager = impl::memory::makeMemoryMessagingManager();
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        std::string id;
        {
            MessageBatchService front(manager, fileOptions(path, false));
            id = front.create(requests(3)).id;
            auto e = errorOf([&] { front.remove(id); });
            CHECK(e.type() == "invalid_request_error");
            CHECK(std::string(e.what()) == fmt::format("message batch {} is in_progress; only an ended batch can be "
                                                       "deleted: cancel it first and delete it once it has ended",
                                                       id));
        }
        MessageBatchService service(manager, fileOptions(path));
        service.wait(id);
        CHECK(service.remove(id) == json{{"id", id}, {"type", "message_batch_deleted"}});
        CHECK(errorOf([&] { service.retrieve(id); }).type() == "not_found_error");
        CHECK(errorOf([&] { service.remove(id); }).type() == "not_found_error");
        CHECK(errorOf([&] { service.results(id); }).type() == "not_found_error");
        CHECK(errorOf([&] { service.cancel(id); }).type() == "not_found_error");
        CHECK(errorOf([&] { service.wait(id); }).type() == "not_found_error");
        CHECK(service.list().data.empty());
        // The messages it created stay: deleting a batch deletes its record.
        CHECK(messageCount(*manager) == 3);
    }

    TEST_CASE("results of a 100,000-request batch stream in request order with a "
              "bounded buffer")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        std::string id;
        constexpr int kRequests = 100'000;
        {
            MessageBatchService front(impl::memory::makeMemoryMessagingManager(), fileOptions(path, false));
            id = front.create(requests(kRequests)).id;
            front.cancel(id);
        }
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(), fileOptions(path));
        CHECK(service.wait(id).requestCounts.canceled == kRequests);
        auto stream = service.results(id);
        int n = 0;
        std::size_t mostBuffered = 0;
        bool inOrder = true;
        for (MessageBatchResult r; stream.next(r); ++n) {
            mostBuffered = std::max(mostBuffered, stream.buffered());
            inOrder = inOrder && r.customId == fmt::format("req-{}", n);
        }
        CHECK(n == kRequests);
        CHECK(inOrder);
        CHECK(mostBuffered < ResultStream::kPageSize);
    }

    TEST_CASE("results of a batch not ended are refused unless the finished part is asked for")
    {
        sqlite_test::TempDir dir;
        MessageBatchService front(impl::memory::makeMemoryMessagingManager(), fileOptions(dir.file("b.db"), false));
        const auto id = front.create(requests(10)).id;
        const auto e = errorOf([&] { front.results(id); });
        CHECK(e.type() == "invalid_request_error");
        CHECK(std::string(e.what()) == "message batch " + id +
                                           " is in_progress: its results are not all there yet; wait for it to end, "
                                           "or ask for the requests finished so far, or read them by cursor");
        auto partial = front.results(id, {.finishedSoFar = true});
        MessageBatchResult r;
        CHECK_FALSE(partial.next(r));
    }

    TEST_CASE("a batch deleted while its results are read ends the stream with not_found_error")
    {
        MessageBatchService service(impl::memory::makeMemoryMessagingManager());
        const auto id = service.wait(service.create(requests(2500)).id).id;
        auto stream = service.results(id);
        MessageBatchResult r;
        REQUIRE(stream.next(r));
        service.remove(id);
        std::size_t read = 1;
        const auto e = errorOf([&] {
            while (stream.next(r))
                ++read;
        });
        CHECK(read == ResultStream::kPageSize);
        CHECK(e.type() == "not_found_error");
        CHECK(std::string(e.what()) ==
              "message batch " + id +
                  " was deleted (or its results archived) while its results were read; they stop after 1000 results");
    }

    TEST_CASE("several batches share one worker in turn")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        std::string big, small;
        {
            MessageBatchService front(impl::memory::makeMemoryMessagingManager(), fileOptions(path, false));
            big = front.create(requests(400, "big")).id;
            small = front.create(requests(20, "small")).id;
        }
        auto options = fileOptions(path);
        options.workers = 1;
        options.chunkSize = 10;
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(), options);
        // Taking chunks in turn, the small batch ends after two of its chunks
        // and two of the big one's, long before the big one (created first) is
        // done. First come, first served would end the big one first.
        const auto smallEnded = service.wait(small);
        CHECK(service.wait(big).endedAt > smallEnded.endedAt);
    }

    TEST_CASE("a restarted service resumes an unfinished batch and finishes each "
              "request once")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        auto manager = impl::memory::makeMemoryMessagingManager();
        std::string id;
        {
            auto options = fileOptions(path);
            options.workers = 1;
            options.chunkSize = 5;
            MessageBatchService first(manager, options);
            id = first.create(requests(3000)).id;
            // Stop it part of the way through.
            while (first.retrieve(id).requestCounts.succeeded == 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        MessageBatchService second(manager, fileOptions(path));
        const auto before = second.retrieve(id).requestCounts;
        CHECK(before.succeeded > 0);
        const auto ended = second.wait(id);
        CHECK(ended.requestCounts.succeeded == 3000);
        CHECK(resultsOf(second, id).size() == 3000);
        // Stopped between chunks, so nothing was created twice.
        CHECK(messageCount(*manager) == 3000);
    }

    TEST_CASE("a process killed mid-batch loses no reported result; the next one finishes the batch")
    {
        sqlite_test::TempDir dir;
        const auto store = dir.file("batches.db");
        impl::sqlite::SqliteProviderOptions provider;
        provider.path = dir.file("messages.db");
        constexpr int kRequests = 3000;
        constexpr std::size_t kChunk = 20;
        const auto child = forkWriting([&](int out) {
            auto options = fileOptions(store);
            options.workers = 1;
            options.chunkSize = kChunk;
            MessageBatchService service(impl::sqlite::makeSqliteMessagingManager(provider), options);
            const auto id = service.create(requests(kRequests)).id;
            if (!writeAll(out, id + "\n"))
                _exit(1);
            service.wait(id);
        });
        std::string id;
        for (char c; read(child.out, &c, 1) == 1 && c != '\n';)
            id += c;
        close(child.out);
        REQUIRE(id.rfind("msgbatch_", 0) == 0);
        {
            // Kill it once some chunks are saved, while others run.
            MessageBatchService watcher(impl::memory::makeMemoryMessagingManager(), fileOptions(store, false));
            while (watcher.retrieve(id).requestCounts.succeeded < 10 * kChunk)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            kill(child.pid, SIGKILL);
            int status = 0;
            waitpid(child.pid, &status, 0);
            REQUIRE(WIFSIGNALED(status));
        }
        auto manager = impl::sqlite::makeSqliteMessagingManager(provider);
        MessageBatchService next(manager, fileOptions(store));
        const auto reported = next.retrieve(id).requestCounts.succeeded;
        CHECK(reported >= 10 * kChunk);
        CHECK(reported < kRequests); // it was killed mid-batch
        const auto ended = next.wait(id);
        CHECK(ended.requestCounts.succeeded == kRequests);
        const auto results = resultsOf(next, id);
        REQUIRE(results.size() == kRequests);
        // Every result names a stored message, and each request made exactly
        // one: the chunk in flight at the kill was found through its
        // idempotency keys, not created again.
        auto lookup = manager->getMessageLookupSession();
        CHECK(lookup->getMessage(Id::parse(results.at("req-0").message["id"].get<std::string>()))
                  ->getSubjectLine()
                  .getText() == "Subject 0");
        CHECK(messageCount(*manager) == kRequests);
        // Each message carries its key: batch-request:<batch>/<custom_id>@<store>.
        const auto key = Id(storeAuthority(store), "batch-request", id + "/req-7");
        CHECK(lookup->getMessage(key)->getId().toString() == results.at("req-7").message["id"].get<std::string>());
    }

    // On PostgreSQL both process (postgres_batch_store_test.cpp).
    TEST_CASE("one service on a file processes; another hands it work and takes "
              "over when it goes" *
              sqliteOnly())
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        auto manager = impl::memory::makeMemoryMessagingManager();
        auto first = std::make_unique<MessageBatchService>(manager, fileOptions(path));
        MessageBatchService second(manager, fileOptions(path));
        CHECK(first->isProcessing());
        CHECK_FALSE(second.isProcessing());
        // Created through the second, processed by the first.
        const auto id = second.create(requests(10)).id;
        CHECK(second.wait(id).requestCounts.succeeded == 10);
        first.reset();
        const auto next = second.create(requests(4)).id;
        CHECK(second.wait(next).requestCounts.succeeded == 4);
        CHECK(second.isProcessing());
    }

    TEST_CASE("wait reports progress as the counts change")
    {
        MessageBatchOptions options;
        options.chunkSize = 10;
        options.workers = 1;
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(), options);
        const auto id = service.create(requests(200)).id;
        std::vector<std::uint64_t> processing;
        service.wait(id, [&](const MessageBatch &b) { processing.push_back(b.requestCounts.processing); });
        REQUIRE_FALSE(processing.empty());
        CHECK(processing.back() == 0);
        CHECK(std::is_sorted(processing.rbegin(), processing.rend()));
    }

    TEST_CASE("results on the SQLite provider hold the stored message")
    {
        sqlite_test::TempDir dir;
        impl::sqlite::SqliteProviderOptions provider;
        provider.path = dir.file("messages.db");
        auto manager = impl::sqlite::makeSqliteMessagingManager(provider);
        MessageBatchService service(manager, fileOptions(dir.file("batches.db")));
        const auto id = service.wait(service.create(requests(30)).id).id;
        const auto results = resultsOf(service, id);
        REQUIRE(results.size() == 30);
        auto lookup = manager->getMessageLookupSession();
        const auto message = lookup->getMessage(Id::parse(results.at("req-4").message["id"].get<std::string>()));
        CHECK(message->getSubjectLine().getText() == "Subject 4");
    }

    TEST_CASE("a store file from a newer build is refused" * sqliteOnly())
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        {
            MessageBatchService service(impl::memory::makeMemoryMessagingManager(), fileOptions(path, false));
        }
        execSql(path, "UPDATE message_batch_schema SET version = 99");
        auto e = errorOf(
            [&] { MessageBatchService service(impl::memory::makeMemoryMessagingManager(), fileOptions(path)); });
        CHECK(e.type() == "api_error");
        CHECK(std::string(e.what()).find("newer than this build's 8") != std::string::npos);
    }

    TEST_CASE("a batch file is read one request per line, with every bad line "
              "reported")
    {
        std::istringstream good(R"({"custom_id": "a", "params": {"subject": "x"}}

{"custom_id": "b", "params": {}}
)");
        const auto read = readRequestsJsonLines(good);
        REQUIRE(read.size() == 2);
        CHECK(read[0].customId == "a");
        CHECK(read[0].params == json{{"subject", "x"}});
        CHECK(read[1].customId == "b");

        std::istringstream bad(R"({"custom_id": "a", "params": {}}
{not json
[1, 2]
{"params": {}}
{"custom_id": 7, "params": {}}
{"custom_id": "c"}
{"custom_id": "d", "params": "text"}
{"custom_id": "e", "params": {}, "extra": 1}
)");
        auto e = errorOf([&] { readRequestsJsonLines(bad); });
        CHECK(e.type() == "invalid_request_error");
        std::vector<std::string> reasons;
        for (const auto &p : e.problems())
            reasons.push_back(fmt::format("{}: {}", p.index, p.reason));
        CHECK(reasons == std::vector<std::string>{
                             "1: line 2 is not valid JSON",
                             "2: a request must be an object, not array",
                             "3: custom_id is required",
                             "4: custom_id must be a string, not number",
                             "5: params is required",
                             "6: params must be an object, not string",
                             "7: unknown field \"extra\" (a request has custom_id and params)",
                         });

        CHECK(requestsFromJson(json{{"requests", {{{"custom_id", "x"}, {"params", json::object()}}}}}).size() == 1);
        CHECK(errorOf([&] { requestsFromJson(json::array()); }).type() == "invalid_request_error");
    }

    TEST_CASE("a batch file is saved as it is read; its problems and the envelope's come together, by line")
    {
        MessageBatchService service(impl::memory::makeMemoryMessagingManager());
        std::istringstream good("{\"custom_id\": \"a\", \"params\": {\"subject\": \"x\"}}\n\n"
                                "{\"custom_id\": \"b\", \"params\": {}}\n");
        const auto batch = service.create(good);
        CHECK(batch.requestCounts.processing == 2);
        CHECK(service.wait(batch.id).requestCounts.succeeded == 2);
        CHECK(resultsOf(service, batch.id).at("a").message["subject"] == "x");

        std::istringstream bad("{\"custom_id\": \"a\", \"params\": {}}\n\nnot json\n"
                               "{\"custom_id\": \"a\", \"params\": {}}\n{\"custom_id\": \"c d\", \"params\": {}}\n");
        auto e = errorOf([&] { service.create(bad); });
        std::vector<std::string> reasons;
        for (const auto &p : e.problems())
            reasons.push_back(fmt::format("{}: {}", p.index, p.reason));
        CHECK(reasons == std::vector<std::string>{"2: line 3 is not valid JSON",
                                                  "3: custom_id is not unique (also request 0)",
                                                  "4: custom_id \"c d\" does not match ^[a-zA-Z0-9_-]{1,64}$"});
        std::istringstream empty("\n\n");
        e = errorOf([&] { service.create(empty); });
        REQUIRE(e.problems().size() == 1);
        CHECK(e.problems()[0].index == std::numeric_limits<std::size_t>::max());
        CHECK(e.problems()[0].reason == "a batch needs at least one request");
        CHECK(service.list().data.size() == 1); // only the good one was saved
    }

    TEST_CASE("JSON nested more than 64 levels deep is refused, at any depth, without a crash")
    {
        // 70,000 levels in one line: a recursive copy or dump would overflow the stack.
        const auto deep = [](std::size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); };
        std::istringstream file(R"({"custom_id": "a", "params": {"subject": "x"}}
{"custom_id": "b", "params": {"subject": )" +
                                deep(70'000) + "}}\n" + R"({"custom_id": "c", "params": {"subject": )" + deep(62) +
                                "}}\n");
        auto e = errorOf([&] { readRequestsJsonLines(file); });
        REQUIRE(e.problems().size() == 1);
        CHECK(e.problems()[0].index == 1);
        CHECK(e.problems()[0].reason == "line 2 nests objects and arrays more than 64 levels deep");

        auto deepParams = json::parse("{\"subject\": " + deep(70'000) + "}");
        const auto body = json::parse("{\"requests\": " + deep(70'000) + "}");
        CHECK(std::string(errorOf([&] { requestsFromJson(body); }).what()) ==
              "the body nests objects and arrays more than 64 levels deep");
        MessageBatchService service(impl::memory::makeMemoryMessagingManager());
        std::vector<MessageBatchRequest> batch(1);
        batch[0].customId = "deep";
        batch[0].params = std::move(deepParams); // a move copies nothing
        e = errorOf([&] { service.create(batch); });
        REQUIRE(e.problems().size() == 1);
        CHECK(e.problems()[0].reason == "params nests objects and arrays more than 64 levels deep");
        CHECK(nestedDeeperThan(json::parse(deep(64))) == false);
        CHECK(nestedDeeperThan(json::parse(deep(65))) == true);
    }

    TEST_CASE("the service refuses a null manager and zero workers")
    {
        CHECK(errorOf([] { MessageBatchService s(nullptr); }).type() == "invalid_request_error");
        MessageBatchOptions options;
        options.workers = 0;
        CHECK(errorOf([&] { MessageBatchService s(impl::memory::makeMemoryMessagingManager(), options); }).type() ==
              "invalid_request_error");
    }

} // TEST_SUITE
