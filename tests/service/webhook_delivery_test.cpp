// Signed job-run callbacks, end to end: a local receiver that checks each
// POST's signature as examples/webhook_receiver.cpp does, one that holds
// another secret and rejects them, and one that fails twice first.

#include "impl/memory/memory_provider.h"
#include "service/job_runs.h"
#include "service/webhook_signature.h"
#include "tests/service/webhook_receiver.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

using namespace osid;
using namespace osid::service;
using nlohmann::json;

namespace {

using VerifyingReceiver = webhook_test::Receiver;

JobRunOptions signedCallbacks(const std::string &secret)
{
    JobRunOptions options;
    options.callback.attempts = 4;
    options.callback.firstDelay = std::chrono::milliseconds(1);
    options.callback.timeout = std::chrono::milliseconds(2000);
    options.callback.secret = secret;
    return options;
}

json runBody(const std::string &callbackUrl)
{
    return {{"jobs", {{{"namespace", "messaging"}, {"action", "getMessages"}, {"params", json::object()}}}},
            {"callbackUrl", callbackUrl}};
}

} // namespace

TEST_SUITE("signed callbacks")
{
    TEST_CASE("a receiver with the secret verifies the callback and takes it")
    {
        const auto secret = newWebhookSecret();
        VerifyingReceiver receiver(secret);
        JobRunService runs(impl::memory::makeMemoryMessagingManager(), signedCallbacks(secret));
        const auto status = runs.wait(runs.run(runBody(receiver.url())));
        CHECK(status.callback == "delivered");
        CHECK(receiver.accepted() == 1);
        CHECK(receiver.rejected() == 0);
    }

    TEST_CASE("a receiver with another secret rejects every try, and the callback ends failed")
    {
        VerifyingReceiver receiver(newWebhookSecret());
        JobRunService runs(impl::memory::makeMemoryMessagingManager(), signedCallbacks(newWebhookSecret()));
        const auto status = runs.wait(runs.run(runBody(receiver.url())));
        CHECK(status.callback == "failed");
        CHECK(status.callbackAttempts == 4);
        CHECK(receiver.rejected() == 4);
        CHECK(receiver.accepted() == 0);
    }

    TEST_CASE("after a receiver fails twice, the third try is delivered, with the same webhook-id each time")
    {
        const auto secret = newWebhookSecret();
        VerifyingReceiver receiver(secret, 2);
        JobRunService runs(impl::memory::makeMemoryMessagingManager(), signedCallbacks(secret));
        const auto asyncId = runs.run(runBody(receiver.url()));
        const auto status = runs.wait(asyncId);
        CHECK(status.callback == "delivered");
        CHECK(status.callbackAttempts == 3);
        const auto ids = receiver.ids();
        REQUIRE(ids.size() == 3);
        CHECK(ids[0].rfind(asyncId, 0) == 0);
        CHECK(ids[1] == ids[0]);
        CHECK(ids[2] == ids[0]);
    }

    TEST_CASE("without a secret, callbacks carry no signature headers")
    {
        VerifyingReceiver receiver(newWebhookSecret());
        JobRunOptions options = signedCallbacks("");
        options.callback.attempts = 1;
        JobRunService runs(impl::memory::makeMemoryMessagingManager(), options);
        runs.wait(runs.run(runBody(receiver.url())));
        REQUIRE(receiver.ids().size() == 1);
        CHECK(receiver.ids()[0].empty());
    }
}
