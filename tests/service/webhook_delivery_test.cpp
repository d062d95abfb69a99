// Signed job-run callbacks, end to end: a local receiver that checks each
// POST's signature as examples/webhook_receiver.cpp does, one that holds
// another secret and rejects them, and one that fails twice first.

#include "impl/memory/memory_provider.h"
#include "service/job_runs.h"
#include "service/webhook_signature.h"

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

// A receiver on a free loopback port that verifies the signature with
// `secret`: 204 when it holds (after `failFirst` answers of 503), 400 when
// it does not.
class VerifyingReceiver {
public:
    VerifyingReceiver(std::string secret, int failFirst = 0) : secret_(std::move(secret)), failFirst_(failFirst)
    {
        server_.Post("/hook", [this](const httplib::Request &req, httplib::Response &res) {
            const WebhookHeaders headers{req.get_header_value("webhook-id"), req.get_header_value("webhook-timestamp"),
                                         req.get_header_value("webhook-signature")};
            const auto now =
                std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                    .count();
            std::lock_guard lock(mutex_);
            ids_.push_back(headers.id);
            if (!verifyWebhook(secret_, headers, req.body, now)) {
                ++rejected_;
                res.status = 400;
            } else if (failFirst_ > 0) {
                --failFirst_;
                res.status = 503;
            } else {
                ++accepted_;
                res.status = 204;
            }
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        REQUIRE(port_ > 0);
        thread_ = std::thread([this] { server_.listen_after_bind(); });
    }
    ~VerifyingReceiver()
    {
        while (!server_.is_running())
            std::this_thread::yield();
        server_.stop();
        thread_.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
    int accepted()
    {
        std::lock_guard lock(mutex_);
        return accepted_;
    }
    int rejected()
    {
        std::lock_guard lock(mutex_);
        return rejected_;
    }
    std::vector<std::string> ids()
    {
        std::lock_guard lock(mutex_);
        return ids_;
    }

private:
    std::string secret_;
    int failFirst_;
    httplib::Server server_;
    int port_ = 0;
    std::thread thread_;
    std::mutex mutex_;
    int accepted_ = 0, rejected_ = 0;
    std::vector<std::string> ids_;
};

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
