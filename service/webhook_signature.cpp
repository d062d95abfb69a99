#include "service/webhook_signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>
#include <vector>

namespace osid::service {

namespace {

constexpr std::string_view kSecretPrefix = "whsec_";

std::string base64(const unsigned char *data, std::size_t size)
{
    std::string out(4 * ((size + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()), data, static_cast<int>(size));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

// The key bytes of a "whsec_..." secret.
std::vector<unsigned char> secretKey(const std::string &secret)
{
    if (secret.rfind(kSecretPrefix, 0) != 0)
        throw std::invalid_argument("a webhook secret starts with \"whsec_\"");
    const std::string encoded = secret.substr(kSecretPrefix.size());
    if (encoded.empty() || encoded.size() % 4 != 0)
        throw std::invalid_argument("a webhook secret is \"whsec_\" and base64");
    std::vector<unsigned char> key(3 * encoded.size() / 4);
    const int n = EVP_DecodeBlock(key.data(), reinterpret_cast<const unsigned char *>(encoded.data()),
                                  static_cast<int>(encoded.size()));
    if (n < 0)
        throw std::invalid_argument("a webhook secret is \"whsec_\" and base64");
    // EVP_DecodeBlock counts the padding's bytes too.
    std::size_t size = static_cast<std::size_t>(n);
    for (auto it = encoded.rbegin(); it != encoded.rend() && *it == '='; ++it)
        --size;
    key.resize(size);
    return key;
}

std::string signature(const std::vector<unsigned char> &key, const std::string &id, const std::string &timestamp,
                      const std::string &body)
{
    const std::string content = id + "." + timestamp + "." + body;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char *>(content.data()), content.size(), mac, &size) == nullptr)
        throw std::runtime_error("HMAC-SHA256 failed");
    return base64(mac, size);
}

} // namespace

std::string newWebhookSecret()
{
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1)
        throw std::runtime_error("no random bytes for a webhook secret");
    return std::string(kSecretPrefix) + base64(bytes, sizeof(bytes));
}

WebhookHeaders signWebhook(const std::string &secret, const std::string &id, std::int64_t timestamp,
                           const std::string &body)
{
    const auto stamp = std::to_string(timestamp);
    return {id, stamp, "v1," + signature(secretKey(secret), id, stamp, body)};
}

bool verifyWebhook(const std::string &secret, const WebhookHeaders &headers, const std::string &body, std::int64_t now,
                   std::int64_t toleranceSeconds)
{
    std::int64_t timestamp = 0;
    const auto &t = headers.timestamp;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), timestamp);
    if (ec != std::errc() || end != t.data() + t.size() || t.empty())
        return false;
    if (timestamp < now - toleranceSeconds || timestamp > now + toleranceSeconds)
        return false;
    const auto expected = "v1," + signature(secretKey(secret), headers.id, t, body);
    bool match = false;
    // Space-separated: a sender rotating its secret signs with both.
    std::size_t start = 0;
    while (start <= headers.signature.size()) {
        auto stop = headers.signature.find(' ', start);
        if (stop == std::string::npos)
            stop = headers.signature.size();
        const auto candidate = headers.signature.substr(start, stop - start);
        if (candidate.size() == expected.size() &&
            CRYPTO_memcmp(candidate.data(), expected.data(), expected.size()) == 0)
            match = true;
        start = stop + 1;
    }
    return match;
}

} // namespace osid::service
