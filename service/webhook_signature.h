// Signed webhooks in the Standard Webhooks layout, for the callbacks the
// batch service sends (a batch or a job run that ended) and for receivers
// that check them (examples/webhook_receiver.cpp).
//
// A callback carries three headers:
//   webhook-id         the delivery's id (the same on every retry of it)
//   webhook-timestamp  seconds since the epoch when it was signed
//   webhook-signature  "v1," + base64(HMAC-SHA256(key, id "." timestamp "." body))
// where the key is the secret's bytes: a secret is "whsec_" + base64.
//
// Example (a receiver):
//   if (!osid::service::verifyWebhook(secret, {id, timestamp, signature}, body, now))
//       return 400;

#pragma once

#include <cstdint>
#include <string>

namespace osid::service {

struct WebhookHeaders {
    std::string id;        // webhook-id
    std::string timestamp; // webhook-timestamp, decimal seconds
    std::string signature; // webhook-signature, "v1,..." (several, space-separated, on key rotation)
};

// A new secret: "whsec_" and the base64 of 32 random bytes.
std::string newWebhookSecret();

// The headers of a delivery of `body` with id `id`, signed at `timestamp`.
// Raises std::invalid_argument for a secret that is not "whsec_" + base64.
WebhookHeaders signWebhook(const std::string &secret, const std::string &id, std::int64_t timestamp,
                           const std::string &body);

// Whether `headers` sign `body` with `secret` (any of its space-separated
// "v1," signatures), at a timestamp within `toleranceSeconds` of `now`.
// The comparison takes the same time whatever the signature.
bool verifyWebhook(const std::string &secret, const WebhookHeaders &headers, const std::string &body, std::int64_t now,
                   std::int64_t toleranceSeconds = 300);

} // namespace osid::service
