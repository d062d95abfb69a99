#include "service/webhook_delivery.h"

#include "service/webhook_signature.h"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <cmath>

namespace osid::service {

std::chrono::milliseconds CallbackPolicy::delayAfter(int attempt) const
{
    const double factor = std::pow(backoffFactor, std::max(0, attempt - 1));
    return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(firstDelay.count()) * factor));
}

std::optional<WebhookUrl> parseWebhookUrl(std::string_view text, bool allowHttps)
{
    WebhookUrl url;
    constexpr std::string_view kHttp = "http://", kHttps = "https://";
    if (text.substr(0, kHttp.size()) == kHttp) {
        text.remove_prefix(kHttp.size());
    } else if (allowHttps && text.substr(0, kHttps.size()) == kHttps) {
        text.remove_prefix(kHttps.size());
        url.https = true;
        url.port = 443;
    } else {
        return std::nullopt;
    }
    auto rest = text.substr(0, text.find('#'));
    const auto pathStart = rest.find_first_of("/?");
    auto authority = rest.substr(0, pathStart);
    if (pathStart != std::string_view::npos)
        url.path = (rest[pathStart] == '?' ? "/" : "") + std::string(rest.substr(pathStart));
    if (const auto colon = authority.find(':'); colon != std::string_view::npos) {
        const auto port = authority.substr(colon + 1);
        if (port.empty() || port.size() > 5 ||
            !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        url.port = std::stoi(std::string(port));
        if (url.port < 1 || url.port > 65535)
            return std::nullopt;
        authority = authority.substr(0, colon);
    }
    if (authority.empty() || std::any_of(authority.begin(), authority.end(), [](char c) {
            return c == '@' || c == '[' || c == ']' || static_cast<unsigned char>(c) <= ' ';
        }))
        return std::nullopt;
    if (std::any_of(url.path.begin(), url.path.end(), [](char c) { return static_cast<unsigned char>(c) <= ' '; }))
        return std::nullopt;
    url.host = std::string(authority);
    return url;
}

WebhookOutcome postWebhook(const WebhookUrl &url, const std::string &body, const std::string &webhookId,
                           const std::string &secret, std::chrono::milliseconds timeout)
{
    httplib::Headers headers;
    if (!secret.empty()) {
        const auto now =
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
        const auto signature = signWebhook(secret, webhookId, now.count(), body);
        headers = {{"webhook-id", signature.id},
                   {"webhook-timestamp", signature.timestamp},
                   {"webhook-signature", signature.signature}};
    }
    httplib::Client client(fmt::format("{}://{}:{}", url.https ? "https" : "http", url.host, url.port));
    client.set_connection_timeout(timeout);
    client.set_read_timeout(timeout);
    client.set_write_timeout(timeout);
    const auto response = client.Post(url.path, headers, body, "application/json");
    if (!response)
        return {0, fmt::format("POST failed: {}", httplib::to_string(response.error()))};
    if (response->status < 200 || response->status >= 300)
        return {response->status, fmt::format("POST answered HTTP {}", response->status)};
    return {response->status, {}};
}

} // namespace osid::service
