// Signed webhooks: the Standard Webhooks layout, checked against the
// specification's own example, and what a receiver must refuse.

#include "service/webhook_signature.h"

#include <doctest/doctest.h>

#include <set>
#include <stdexcept>

using namespace osid::service;

namespace {
// The example of the Standard Webhooks specification.
const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string kId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t kTimestamp = 1614265330;
const std::string kBody = R"({"test": 2432232314})";
} // namespace

TEST_SUITE("webhook signatures")
{
    TEST_CASE("the signature of the specification's example")
    {
        const auto headers = signWebhook(kSecret, kId, kTimestamp, kBody);
        CHECK(headers.id == kId);
        CHECK(headers.timestamp == "1614265330");
        CHECK(headers.signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        CHECK(verifyWebhook(kSecret, headers, kBody, kTimestamp));
    }

    TEST_CASE("a receiver refuses another secret, another body, another id, and a stale or future timestamp")
    {
        const auto headers = signWebhook(kSecret, kId, kTimestamp, kBody);
        CHECK_FALSE(verifyWebhook(newWebhookSecret(), headers, kBody, kTimestamp));
        CHECK_FALSE(verifyWebhook(kSecret, headers, kBody + " ", kTimestamp));
        auto otherId = headers;
        otherId.id = "msg_other";
        CHECK_FALSE(verifyWebhook(kSecret, otherId, kBody, kTimestamp));
        CHECK(verifyWebhook(kSecret, headers, kBody, kTimestamp + 300));
        CHECK_FALSE(verifyWebhook(kSecret, headers, kBody, kTimestamp + 301));
        CHECK_FALSE(verifyWebhook(kSecret, headers, kBody, kTimestamp - 301));
        auto badStamp = headers;
        badStamp.timestamp = "16142653x0";
        CHECK_FALSE(verifyWebhook(kSecret, badStamp, kBody, kTimestamp));
        auto empty = headers;
        empty.signature = "";
        CHECK_FALSE(verifyWebhook(kSecret, empty, kBody, kTimestamp));
    }

    TEST_CASE("any of several space-separated signatures may match (a secret being rotated)")
    {
        auto headers = signWebhook(kSecret, kId, kTimestamp, kBody);
        const auto other = signWebhook(newWebhookSecret(), kId, kTimestamp, kBody);
        headers.signature = other.signature + " " + headers.signature;
        CHECK(verifyWebhook(kSecret, headers, kBody, kTimestamp));
    }

    TEST_CASE("new secrets are whsec_ and 32 random bytes, never the same twice; bad secrets are refused")
    {
        std::set<std::string> secrets;
        for (int i = 0; i < 100; ++i) {
            const auto secret = newWebhookSecret();
            CHECK(secret.rfind("whsec_", 0) == 0);
            CHECK(secret.size() == 6 + 44);
            secrets.insert(secret);
            CHECK(verifyWebhook(secret, signWebhook(secret, "id", 1, "{}"), "{}", 1));
        }
        CHECK(secrets.size() == 100);
        CHECK_THROWS_AS(signWebhook("secret", kId, kTimestamp, kBody), std::invalid_argument);
        CHECK_THROWS_AS(signWebhook("whsec_", kId, kTimestamp, kBody), std::invalid_argument);
        CHECK_THROWS_AS(signWebhook("whsec_abc", kId, kTimestamp, kBody), std::invalid_argument);
    }
}
