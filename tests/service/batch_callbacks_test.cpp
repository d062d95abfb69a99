// Message batches' callbacks when they end, through MessageBatchService: a
// local receiver that checks the signature with the store's secret and
// takes it, one with another secret that rejects every try, one that fails
// twice first, a slow one, one that is down until after a restart;
// redeliver; URLs refused at create.

#include "batch_support.h"

#include "impl/memory/memory_provider.h"
#include "sqlite/connection.h"
#include "tests/service/webhook_receiver.h"
#include "tests/sqlite/sqlite_support.h"

#include <doctest/doctest.h>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <sstream>

using namespace batch_test;
using webhook_test::Receiver;

namespace {

// A service on `path` whose callbacks are tried `attempts` times, the
// second `firstDelay` after the first.
MessageBatchOptions callbackOptions(const std::string &path, int attempts = 3,
                                    std::chrono::milliseconds firstDelay = std::chrono::milliseconds(1))
{
    auto options = fileOptions(path);
    options.provider = "test-provider";
    options.callback.attempts = attempts;
    options.callback.firstDelay = firstDelay;
    options.callback.timeout = std::chrono::milliseconds(2000);
    return options;
}

// `options` with batches expired at creation, on a clock that stands
// still: a worker that read a real clock before the batch was saved could
// find it not yet expired (a time before created_at) and process it.
MessageBatchOptions expiringAtCreation(MessageBatchOptions options)
{
    options.expiresAfter = std::chrono::microseconds(0);
    options.clock = ManualClock().function();
    return options;
}

CreateOptions withCallback(const std::string &url) { return {.callbackUrl = url}; }

// The tries kept in the store at `path`, of every batch: read from its
// tables, not through the service, which shows them only for a batch that
// is there.
std::int64_t storedTries(const std::string &path)
{
    if (!onPostgres())
        return sqlite::Connection(path, 1000)
            .queryInteger("SELECT count(*) FROM message_batch_delivery_attempts")
            .value_or(-1);
    postgres_test::Connection db(storeAt(path).substr(std::string_view("postgres:").size()));
    return db.query("SELECT count(*) FROM osid_batch.message_batch_delivery_attempts").integer(0, 0);
}

std::size_t batchCount(MessageBatchService &service)
{
    ListParams all;
    all.limit = 1000;
    return service.list(all).data.size();
}

} // namespace

TEST_SUITE("message batch callbacks")
{
    TEST_CASE("an ended batch is POSTed to its callback URL, signed with the store's secret, and the try recorded")
    {
        sqlite_test::TempDir dir;
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(),
                                    callbackOptions(dir.file("batches.db")));
        const auto secret = service.webhookSecret();
        CHECK(secret.rfind("whsec_", 0) == 0);
        CHECK(service.webhookSecret() == secret); // kept, not made again
        Receiver receiver(secret);
        const auto created = service.create(requests(3), withCallback(receiver.url()));
        CHECK(created.callbackUrl == receiver.url());
        CHECK(created.toJson()["callback_url"] == receiver.url());
        const auto ended = service.wait(created.id);
        const auto delivery = service.waitDelivery(created.id);
        CHECK(delivery.state == DeliveryState::Delivered);
        CHECK(delivery.url == receiver.url());
        CHECK(delivery.webhookId == created.id + "-1");
        REQUIRE(delivery.attempts.size() == 1);
        CHECK(delivery.attempts[0].httpStatus == 200);
        CHECK(delivery.attempts[0].error.empty());
        CHECK(receiver.accepted() == 1);
        CHECK(receiver.rejected() == 0);
        REQUIRE(receiver.jsonBodies().size() == 1);
        CHECK(receiver.jsonBodies()[0] == ended.toJson());
        CHECK(receiver.jsonBodies()[0]["processing_status"] == "ended");
        CHECK(receiver.contentTypes()[0] == "application/json");
        CHECK(receiver.ids()[0] == created.id + "-1");
        CHECK(delivery.toJson()["attempts"][0]["http_status"] == 200);
        CHECK(delivery.toJson()["attempts"][0]["error"].is_null());
    }

    TEST_CASE("canceled and expired batches are called back too")
    {
        sqlite_test::TempDir dir;
        const auto options = expiringAtCreation(callbackOptions(dir.file("batches.db")));
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(), options);
        Receiver receiver(service.webhookSecret());
        const auto expired = service.create(requests(2), withCallback(receiver.url()));
        CHECK(service.wait(expired.id).requestCounts.expired == 2);
        CHECK(service.waitDelivery(expired.id).state == DeliveryState::Delivered);
        REQUIRE(receiver.jsonBodies().size() == 1);
        CHECK(receiver.jsonBodies()[0]["request_counts"]["expired"] == 2);

        // Canceled where no process works on the batches: ended at once,
        // its callback sent by the next service that processes them.
        const auto path = dir.file("canceled.db");
        auto idle = callbackOptions(path);
        idle.process = false;
        std::string id;
        auto changer = std::make_unique<MessageBatchService>(impl::memory::makeMemoryMessagingManager(), idle);
        Receiver later(changer->webhookSecret());
        id = changer->create(requests(2), withCallback(later.url())).id;
        CHECK(changer->cancel(id).processingStatus == ProcessingStatus::Ended);
        CHECK(changer->delivery(id)->state == DeliveryState::Pending);
        CHECK(changer->delivery(id)->attempts.empty());
        changer.reset();
        CHECK(later.bodies().empty());
        MessageBatchService worker(impl::memory::makeMemoryMessagingManager(), callbackOptions(path));
        CHECK(worker.waitDelivery(id).state == DeliveryState::Delivered);
        REQUIRE(later.jsonBodies().size() == 1);
        CHECK(later.jsonBodies()[0]["request_counts"]["canceled"] == 2);
    }

    TEST_CASE("a receiver with another secret rejects every try: retried, each try recorded, then failed")
    {
        sqlite_test::TempDir dir;
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(),
                                    callbackOptions(dir.file("batches.db"), 3));
        Receiver receiver(newWebhookSecret());
        const auto id = service.create(requests(1), withCallback(receiver.url())).id;
        service.wait(id);
        const auto delivery = service.waitDelivery(id);
        CHECK(delivery.state == DeliveryState::Failed);
        REQUIRE(delivery.attempts.size() == 3);
        for (const auto &attempt : delivery.attempts) {
            CHECK(attempt.httpStatus == 400);
            CHECK(attempt.error == "POST answered HTTP 400");
            CHECK(attempt.round == 1);
        }
        CHECK(receiver.rejected() == 3);
        CHECK(receiver.accepted() == 0);
        // Failed stays failed: no fourth try.
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        CHECK(receiver.rejected() == 3);
        CHECK(service.delivery(id)->attempts.size() == 3);
    }

    TEST_CASE("after a receiver fails twice, the third try is delivered, with one webhook-id")
    {
        sqlite_test::TempDir dir;
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(),
                                    callbackOptions(dir.file("batches.db"), 5));
        Receiver receiver(service.webhookSecret(), 2);
        const auto id = service.create(requests(2), withCallback(receiver.url())).id;
        service.wait(id);
        const auto delivery = service.waitDelivery(id);
        CHECK(delivery.state == DeliveryState::Delivered);
        REQUIRE(delivery.attempts.size() == 3);
        CHECK(delivery.attempts[0].httpStatus == 503);
        CHECK(delivery.attempts[1].httpStatus == 503);
        CHECK(delivery.attempts[1].error == "POST answered HTTP 503");
        CHECK(delivery.attempts[2].httpStatus == 200);
        CHECK(delivery.attempts[2].error.empty());
        CHECK(receiver.ids() == std::vector<std::string>(3, id + "-1"));
        CHECK(receiver.accepted() == 1);
    }

    TEST_CASE("the pause between tries grows by backoffFactor")
    {
        sqlite_test::TempDir dir;
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(),
                                    callbackOptions(dir.file("batches.db"), 3, std::chrono::milliseconds(150)));
        const auto id = service.create(requests(1), withCallback(webhook_test::deadUrl())).id;
        service.wait(id);
        const auto delivery = service.waitDelivery(id);
        CHECK(delivery.state == DeliveryState::Failed);
        REQUIRE(delivery.attempts.size() == 3);
        for (const auto &attempt : delivery.attempts) {
            CHECK(attempt.httpStatus == 0);
            CHECK(attempt.error.rfind("POST failed: ", 0) == 0);
        }
        const auto gap = [&](std::size_t i) {
            return delivery.attempts[i + 1].at.toMicroseconds() - delivery.attempts[i].at.toMicroseconds();
        };
        CHECK(gap(0) >= 150'000);
        CHECK(gap(1) >= 300'000);
    }

    TEST_CASE("a slow receiver is given up on after the timeout; the try is recorded as failed")
    {
        sqlite_test::TempDir dir;
        auto options = callbackOptions(dir.file("batches.db"), 2);
        options.callback.timeout = std::chrono::milliseconds(200);
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(), options);
        Receiver receiver(service.webhookSecret());
        receiver.delayMs = 1500;
        const auto id = service.create(requests(1), withCallback(receiver.url())).id;
        service.wait(id);
        const auto started = std::chrono::steady_clock::now();
        const auto delivery = service.waitDelivery(id);
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
        CHECK(delivery.state == DeliveryState::Failed);
        REQUIRE(delivery.attempts.size() == 2);
        CHECK(delivery.attempts[0].httpStatus == 0);
        CHECK(delivery.attempts[0].error == "POST failed: Read");
    }

    TEST_CASE("a callback pending when the service stops is delivered by the next one, after the receiver is back")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        const int port = webhook_test::deadPort();
        const auto url = webhook_test::deadUrl(port);
        std::string id;
        {
            // The receiver is down: the first try fails; the next is due
            // after the service has gone.
            MessageBatchService first(impl::memory::makeMemoryMessagingManager(),
                                      callbackOptions(path, 5, std::chrono::milliseconds(300)));
            id = first.create(requests(2), withCallback(url)).id;
            first.wait(id);
            for (int i = 0; i < 500 && first.delivery(id)->attempts.empty(); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            const auto delivery = first.delivery(id);
            CHECK(delivery->state == DeliveryState::Pending);
            REQUIRE_FALSE(delivery->attempts.empty());
            CHECK(delivery->attempts[0].error.rfind("POST failed: ", 0) == 0);
        }
        std::string secret;
        {
            auto idle = callbackOptions(path);
            idle.process = false;
            secret = MessageBatchService(impl::memory::makeMemoryMessagingManager(), idle).webhookSecret();
        }
        Receiver receiver(secret, 0, port);
        MessageBatchService second(impl::memory::makeMemoryMessagingManager(),
                                   callbackOptions(path, 5, std::chrono::milliseconds(300)));
        const auto delivery = second.waitDelivery(id);
        CHECK(delivery.state == DeliveryState::Delivered);
        CHECK(delivery.attempts.back().httpStatus == 200);
        CHECK(delivery.attempts.front().httpStatus == 0);
        CHECK(receiver.accepted() == 1);
        CHECK(receiver.ids() == std::vector<std::string>{id + "-1"});
    }

    TEST_CASE("a store that cannot record the tries stops the courier after storeWriteAttempts; the next service "
              "delivers")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        std::string secret;
        {
            auto idle = callbackOptions(path);
            idle.process = false;
            secret = MessageBatchService(impl::memory::makeMemoryMessagingManager(), idle).webhookSecret();
        }
        Receiver receiver(secret);
        std::string id;
        {
            auto options = callbackOptions(path);
            options.storeWriteAttempts = 3;
            options.storeRetryDelay = std::chrono::milliseconds(1);
            options.storeWriteHook = [](std::string_view what) {
                if (what == "recording the callback's try")
                    throw std::runtime_error("injected: the disk is full");
            };
            std::vector<std::string> log;
            std::mutex logMutex;
            options.log = [&](const std::string &line) {
                std::lock_guard lock(logMutex);
                log.push_back(line);
            };
            MessageBatchService broken(impl::memory::makeMemoryMessagingManager(), options);
            id = broken.create(requests(1), withCallback(receiver.url())).id;
            CHECK(broken.wait(id).processingStatus == ProcessingStatus::Ended);
            const auto e = errorOf([&] { broken.waitDelivery(id); });
            CHECK(e.type() == error_type::kApi);
            CHECK(std::string(e.what()).find("failed 3 times in a row sending callbacks: injected: the disk is full") !=
                  std::string::npos);
            CHECK(broken.delivery(id)->state == DeliveryState::Pending);
            CHECK(broken.delivery(id)->attempts.empty());
            // Each try reached the receiver (same webhook-id), none was recorded.
            CHECK(receiver.ids() == std::vector<std::string>(3, id + "-1"));
            std::lock_guard lock(logMutex);
            REQUIRE_FALSE(log.empty());
            CHECK(log.back().find("message batch callbacks stopped") == 0);
        }
        MessageBatchService next(impl::memory::makeMemoryMessagingManager(), callbackOptions(path));
        const auto delivery = next.waitDelivery(id);
        CHECK(delivery.state == DeliveryState::Delivered);
        CHECK(delivery.attempts.size() == 1);
        CHECK(receiver.ids().size() == 4);
    }

    TEST_CASE("a batch deleted while its callback is in flight leaves no try behind")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(), callbackOptions(path, 1));
        Receiver receiver(service.webhookSecret());
        receiver.delayMs = 600;
        const auto id = service.create(requests(1), withCallback(receiver.url())).id;
        service.wait(id);
        std::this_thread::sleep_for(std::chrono::milliseconds(200)); // the POST is at the receiver
        service.remove(id);
        for (int i = 0; i < 300 && receiver.bodies().empty(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        CHECK(receiver.bodies().size() == 1);
        CHECK(storedTries(path) == 0);
    }

    TEST_CASE("an https:// callback is sent over TLS: a receiver that speaks plain HTTP fails the handshake")
    {
        sqlite_test::TempDir dir;
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(),
                                    callbackOptions(dir.file("batches.db"), 1));
        Receiver receiver(service.webhookSecret());
        auto url = receiver.url();
        url.replace(0, 4, "https");
        const auto id = service.create(requests(1), withCallback(url)).id;
        service.wait(id);
        const auto delivery = service.waitDelivery(id);
        CHECK(delivery.state == DeliveryState::Failed);
        REQUIRE(delivery.attempts.size() == 1);
        CHECK(delivery.attempts[0].error.rfind("POST failed: SSL", 0) == 0);
        CHECK(receiver.bodies().empty());
    }

    TEST_CASE("redeliver sends the callback again now, as a new round with a new webhook-id")
    {
        sqlite_test::TempDir dir;
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(),
                                    callbackOptions(dir.file("batches.db"), 2));
        Receiver receiver(service.webhookSecret());
        receiver.status = 500;
        const auto id = service.create(requests(1), withCallback(receiver.url())).id;
        service.wait(id);
        CHECK(service.waitDelivery(id).state == DeliveryState::Failed);
        receiver.status = 204;
        const auto queued = service.redeliver(id);
        CHECK(queued.state == DeliveryState::Pending);
        CHECK(queued.round == 2);
        CHECK(queued.webhookId == id + "-2");
        const auto delivery = service.waitDelivery(id);
        CHECK(delivery.state == DeliveryState::Delivered);
        REQUIRE(delivery.attempts.size() == 3);
        CHECK(delivery.attempts[1].round == 1);
        CHECK(delivery.attempts[2].round == 2);
        CHECK(delivery.attempts[2].httpStatus == 204);
        CHECK(receiver.ids() == std::vector<std::string>{id + "-1", id + "-1", id + "-2"});
        // Also once delivered.
        service.redeliver(id);
        CHECK(service.waitDelivery(id).round == 3);
        CHECK(receiver.ids().back() == id + "-3");

        // Refusals.
        const auto plain = service.create(requests(1)).id;
        service.wait(plain);
        CHECK(errorOf([&] { service.redeliver(plain); }).type() == error_type::kInvalidRequest);
        CHECK_FALSE(service.delivery(plain));
        CHECK(errorOf([&] { service.redeliver("msgbatch_none"); }).type() == error_type::kNotFound);
        auto idle = callbackOptions(dir.file("idle.db"));
        idle.process = false;
        MessageBatchService notProcessing(impl::memory::makeMemoryMessagingManager(), idle);
        const auto running = notProcessing.create(requests(1), withCallback(receiver.url())).id;
        CHECK(errorOf([&] { notProcessing.redeliver(running); }).type() == error_type::kInvalidRequest);
        CHECK_FALSE(notProcessing.delivery(running)); // not ended yet: nothing to send
    }

    TEST_CASE("a callback URL that is not http:// or https:// is refused, and nothing is saved")
    {
        MessageBatchService service(impl::memory::makeMemoryMessagingManager());
        for (const std::string url : {"ftp://example.org/hook", "http://", "example.org/hook", "http://user@host/hook",
                                      "http://host:99999/hook", "http://host/a path", "https//host"}) {
            CAPTURE(url);
            const auto e = errorOf([&] { service.create(requests(1), withCallback(url)); });
            CHECK(e.type() == error_type::kInvalidRequest);
            CHECK(std::string(e.what()).find("callback_url") != std::string::npos);
            std::istringstream file(R"({"custom_id": "a", "params": {"subject": "x"}})");
            CHECK(errorOf([&] { service.create(file, withCallback(url)); }).type() == error_type::kInvalidRequest);
        }
        CHECK(batchCount(service) == 0);
        for (const std::string url : {"https://example.org/hook", "http://127.0.0.1:8080/a?b=c", "http://host"}) {
            CAPTURE(url);
            CHECK(service.create(requests(1), withCallback(url)).callbackUrl == url);
        }
    }

    TEST_CASE("a retry's child batch has its parent's callback URL; deleting a batch deletes its delivery")
    {
        sqlite_test::TempDir dir;
        const auto options = expiringAtCreation(callbackOptions(dir.file("batches.db")));
        MessageBatchService service(impl::memory::makeMemoryMessagingManager(), options);
        Receiver receiver(service.webhookSecret());
        const auto id = service.create(requests(1), withCallback(receiver.url())).id;
        service.wait(id);
        service.waitDelivery(id);
        const auto child = service.retry(id);
        CHECK(child.callbackUrl == receiver.url());
        service.wait(child.id);
        CHECK(service.waitDelivery(child.id).webhookId == child.id + "-1");
        service.remove(id);
        CHECK(errorOf([&] { service.delivery(id); }).type() == error_type::kNotFound);
        CHECK(service.delivery(child.id)->state == DeliveryState::Delivered);
    }
}
