// A receiver of the batch service's signed callbacks (a message batch that
// ended, a job run that completed): it checks each POST's signature
// (service/webhook_signature.h, the Standard Webhooks layout) before it
// trusts the body, and prints what it accepted.
//
// Usage: webhook-receiver PORT SECRET
//   SECRET is the "whsec_..." the sender signs with: `osid-batch
//   webhook-secret` prints the store's. Answers 204 to a good callback, 400
//   to any other, and stops on Ctrl-C. Then, e.g.:
//     osid-batch submit --callback-url http://127.0.0.1:PORT/done batch.jsonl

#include "service/webhook_signature.h"

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <string>

int main(int argc, char **argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: webhook-receiver PORT SECRET\n");
        return 2;
    }
    const int port = std::atoi(argv[1]);
    const std::string secret = argv[2];

    httplib::Server server;
    server.Post(".*", [&](const httplib::Request &req, httplib::Response &res) {
        const osid::service::WebhookHeaders headers{req.get_header_value("webhook-id"),
                                                    req.get_header_value("webhook-timestamp"),
                                                    req.get_header_value("webhook-signature")};
        const auto now =
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
        // Verify against the raw body, before parsing it: a body that was
        // changed on the way, an old replayed one, or one signed with
        // another secret is refused.
        if (!osid::service::verifyWebhook(secret, headers, req.body, now.count())) {
            std::fprintf(stderr, "refused a callback with a bad signature (webhook-id %s)\n", headers.id.c_str());
            res.status = 400;
            return;
        }
        // A sender retries until it gets a 2xx: the same webhook-id may
        // arrive more than once, so a receiver keeps the ids it handled.
        std::printf("callback %s: %s\n", headers.id.c_str(), req.body.c_str());
        std::fflush(stdout);
        res.status = 204;
    });
    std::fprintf(stderr, "listening on http://127.0.0.1:%d\n", port);
    return server.listen("127.0.0.1", port) ? 0 : 1;
}
