// A local receiver of the service's callbacks (job runs and message
// batches), for the tests: on 127.0.0.1, it records every POST and answers
// as the test asks. With a secret it checks each signature as
// examples/webhook_receiver.cpp does, and refuses (400) one that does not
// hold; `failFirst` answers 503 to that many good ones first; then it
// answers `status`, after `delay`.

#pragma once

#include "service/webhook_signature.h"

#include <doctest/doctest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace webhook_test {

class Receiver {
public:
    // On a free port, or on `port` (one that deadUrl() reserved, say).
    explicit Receiver(std::string secret = {}, int failFirst = 0, int port = 0)
        : secret_(std::move(secret)), failFirst_(failFirst)
    {
        server_.Post("/hook", [this](const httplib::Request &req, httplib::Response &res) {
            const osid::service::WebhookHeaders headers{req.get_header_value("webhook-id"),
                                                        req.get_header_value("webhook-timestamp"),
                                                        req.get_header_value("webhook-signature")};
            const auto now =
                std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                    .count();
            std::this_thread::sleep_for(std::chrono::milliseconds(delayMs.load()));
            std::lock_guard lock(mutex_);
            bodies_.push_back(req.body);
            contentTypes_.push_back(req.get_header_value("Content-Type"));
            ids_.push_back(headers.id);
            if (!secret_.empty() && !osid::service::verifyWebhook(secret_, headers, req.body, now)) {
                ++rejected_;
                res.status = 400;
            } else if (failFirst_ > 0) {
                --failFirst_;
                res.status = 503;
            } else {
                ++accepted_;
                res.status = status.load();
            }
        });
        if (port == 0) {
            port_ = server_.bind_to_any_port("127.0.0.1");
        } else {
            REQUIRE(server_.bind_to_port("127.0.0.1", port));
            port_ = port;
        }
        REQUIRE(port_ > 0);
        thread_ = std::thread([this] { server_.listen_after_bind(); });
    }
    ~Receiver()
    {
        // stop() before the loop has started would leave it listening.
        while (!server_.is_running())
            std::this_thread::yield();
        server_.stop();
        thread_.join();
    }
    Receiver(const Receiver &) = delete;
    Receiver &operator=(const Receiver &) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

    // What it answers to a POST it takes; how long it takes first.
    std::atomic<int> status{200};
    std::atomic<int> delayMs{0};

    std::vector<std::string> bodies() { return locked(bodies_); }
    std::vector<nlohmann::json> jsonBodies()
    {
        std::vector<nlohmann::json> out;
        for (const auto &body : bodies())
            out.push_back(nlohmann::json::parse(body));
        return out;
    }
    std::vector<std::string> contentTypes() { return locked(contentTypes_); }
    // The webhook-id of each POST ("" when unsigned).
    std::vector<std::string> ids() { return locked(ids_); }
    int accepted() { return locked(accepted_); }
    int rejected() { return locked(rejected_); }

private:
    template <typename T>
    T locked(const T &value)
    {
        std::lock_guard lock(mutex_);
        return value;
    }

    std::string secret_;
    int failFirst_;
    httplib::Server server_;
    int port_ = 0;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<std::string> bodies_, contentTypes_, ids_;
    int accepted_ = 0, rejected_ = 0;
};

// The port of deadUrl().
inline int deadPort()
{
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(bind(fd, reinterpret_cast<sockaddr *>(&address), length) == 0);
    REQUIRE(getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == 0);
    close(fd);
    return ntohs(address.sin_port);
}

// A URL nothing listens on: its port was bound without listening, then
// closed, so a connection is refused at once.
inline std::string deadUrl(int port = deadPort()) { return "http://127.0.0.1:" + std::to_string(port) + "/hook"; }

} // namespace webhook_test
