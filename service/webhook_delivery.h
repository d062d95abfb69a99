// Sending the batch service's callbacks: how a callback is retried
// (CallbackPolicy, for job runs and message batches alike), which URLs it
// may go to, and one signed POST (service/webhook_signature.h).
//
// Example:
//   auto url = parseWebhookUrl("http://127.0.0.1:8080/done", true);
//   auto outcome = postWebhook(*url, body, "msgbatch_...-1", secret, std::chrono::seconds(5));
//   if (!outcome.delivered()) log(outcome.error);

#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace osid::service {

// How a callback is retried: `attempts` tries in all, the second
// `firstDelay` after the first, each later one `backoffFactor` times the
// previous delay after it. `timeout` bounds connecting, sending and reading
// of one try.
struct CallbackPolicy {
    int attempts = 5;
    std::chrono::milliseconds firstDelay{200};
    double backoffFactor = 2.0;
    std::chrono::milliseconds timeout{5000};
    // When set ("whsec_..."), every callback is signed as
    // service/webhook_signature.h describes: webhook-id (the same on every
    // try of one delivery), webhook-timestamp and webhook-signature headers.
    // Message batches sign with their store's secret when this is empty.
    std::string secret;

    // The pause before try `attempt` + 1, after try `attempt` (from 1).
    std::chrono::milliseconds delayAfter(int attempt) const;
};

struct WebhookUrl {
    bool https = false;
    std::string host;
    int port = 80;
    std::string path = "/";
};

// http://HOST[:PORT][/PATH][?QUERY], and with `allowHttps` the same with
// https:// (port 443 by default): what cpp-httplib can POST to. No user
// info and no IPv6 literals; a #fragment is dropped. nullopt for another.
std::optional<WebhookUrl> parseWebhookUrl(std::string_view text, bool allowHttps);

// What one POST of a callback did.
struct WebhookOutcome {
    int httpStatus = 0; // the answer's status; 0 when there was none
    std::string error;  // empty on a 2xx answer: "POST answered HTTP 500", "POST failed: Connection", ...
    bool delivered() const noexcept { return error.empty(); }
};

// POSTs `body` (application/json) to `url`, signed with `secret` under the
// id `webhookId` at the time now, or unsigned when `secret` is empty.
// `timeout` bounds connecting, writing and reading. Never throws for what
// the receiver does; std::invalid_argument for a malformed secret.
WebhookOutcome postWebhook(const WebhookUrl &url, const std::string &body, const std::string &webhookId,
                           const std::string &secret, std::chrono::milliseconds timeout);

} // namespace osid::service
