// The W1 workload's data (../shared/bench/W1.md in the project notes;
// docs/performance.md here): the seeded generator and the messages, drawn
// exactly as W1 defines them so every backend sees the same input.

#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace w1 {

constexpr std::uint64_t kSenders = 1000;
constexpr std::uint64_t kRecipients = 10'000;
constexpr std::int64_t kT0 = 1'700'000'000'000'000; // µs since the epoch
constexpr std::int64_t kSpan = 2'592'000'000'000;   // 30 days in µs

class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) : s_(seed) {}
    std::uint64_t next()
    {
        s_ += 0x9E3779B97F4A7C15ULL;
        return mix(s_);
    }
    static std::uint64_t mix(std::uint64_t z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    // An ASCII string of `length` characters (a multiple of 8).
    std::string text(std::size_t length)
    {
        static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .";
        std::string out(length, ' ');
        for (std::size_t i = 0; i < length; i += 8) {
            const auto v = next();
            for (std::size_t k = 0; k < 8; ++k)
                out[i + k] = kAlphabet[(v >> (8 * k)) & 63];
        }
        return out;
    }

private:
    std::uint64_t s_;
};

struct Message {
    std::uint64_t id;
    std::uint64_t sender;
    std::int64_t sentMicroseconds;
    std::vector<std::uint64_t> recipients;
    std::string subject;
    std::string text;
};

// shuffle_k: the first k entries of a partial Fisher-Yates shuffle of
// 0..n-1, drawn from `o`; every call starts from the identity.
inline std::vector<std::uint64_t> shuffleK(SplitMix64 &o, std::uint64_t n, std::uint64_t k)
{
    std::vector<std::uint64_t> perm(n);
    for (std::uint64_t i = 0; i < n; ++i)
        perm[i] = i;
    for (std::uint64_t j = 0; j < k; ++j)
        std::swap(perm[j], perm[j + o.next() % (n - j)]);
    perm.resize(k);
    return perm;
}

// W1's digest of a looked-up message.
inline std::uint64_t digest(std::uint64_t id, std::int64_t sentMicroseconds, std::uint64_t sender,
                            const std::vector<std::uint64_t> &recipients, const std::string &subject,
                            const std::string &text)
{
    auto load8 = [](const std::string &s, std::size_t at) {
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < 8 && at + i < s.size(); ++i)
            v |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
        return v;
    };
    auto h = SplitMix64::mix(id);
    h = SplitMix64::mix(h ^ static_cast<std::uint64_t>(sentMicroseconds));
    h = SplitMix64::mix(h ^ (sender << 8) ^ recipients.size());
    for (auto r : recipients)
        h = SplitMix64::mix(h ^ r);
    return SplitMix64::mix(h ^ load8(subject, 0)) + 3 * SplitMix64::mix(load8(text, 0)) +
           5 * SplitMix64::mix(load8(text, text.size() >= 8 ? text.size() - 8 : 0));
}

// Draws the next message of stream M (seeded 42), as W1 orders the draws.
inline Message nextMessage(SplitMix64 &m)
{
    Message msg;
    msg.id = m.next() >> 1;
    msg.sender = m.next() % kSenders;
    msg.sentMicroseconds = kT0 + static_cast<std::int64_t>(m.next() % static_cast<std::uint64_t>(kSpan));
    const auto count = 1 + m.next() % 3;
    for (std::uint64_t i = 0; i < count; ++i)
        msg.recipients.push_back(m.next() % kRecipients);
    msg.subject = m.text(32);
    msg.text = m.text(256);
    return msg;
}

} // namespace w1
