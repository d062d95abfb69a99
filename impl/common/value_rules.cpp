#include "impl/common/value_rules.h"

#include <cstdint>
#include <cstring>
#include <regex>

#include <fmt/format.h>

namespace osid::impl {

namespace {

constexpr std::uint64_t kHighBits = 0x8080808080808080ull;

std::uint64_t word(const char *p)
{
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

// How many leading bytes of `s` are ASCII, counted in whole steps of 32
// bytes (one branch per step); the caller checks the rest.
std::size_t asciiPrefix(std::string_view s)
{
    std::size_t i = 0;
    for (; i + 32 <= s.size(); i += 32) {
        const char *p = s.data() + i;
        if (((word(p) | word(p + 8) | word(p + 16) | word(p + 24)) & kHighBits) != 0)
            break;
    }
    return i;
}

} // namespace

std::optional<std::size_t> utf8Length(std::string_view s)
{
    // Most text is ASCII, and each of its bytes is one character.
    std::size_t count = asciiPrefix(s);
    for (std::size_t i = count; i < s.size(); ++count) {
        // Runs of ASCII after other characters: 8 bytes at a time.
        if (i + 8 <= s.size()) {
            if ((word(s.data() + i) & kHighBits) == 0) {
                i += 8;
                count += 7; // and the loop's ++count
                continue;
            }
        }
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t extra;
        std::uint32_t cp;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            extra = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            extra = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return std::nullopt;
        }
        if (i + extra >= s.size())
            return std::nullopt;
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xc0) != 0x80)
                return std::nullopt;
            cp = (cp << 6) | (cc & 0x3f);
        }
        static constexpr std::uint32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
        if (cp < kMinimum[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return std::nullopt;
        i += extra + 1;
    }
    return count;
}

namespace {

// The length checks of a string element.
std::optional<std::string> checkStringLength(std::string_view name, std::uint64_t minimumLength,
                                             std::uint64_t maximumLength, std::string_view value)
{
    const auto length = utf8Length(value);
    if (!length)
        return fmt::format("{} is not valid UTF-8", name);
    if (*length < minimumLength)
        return fmt::format("{} must have at least {} characters, not {}", name, minimumLength, *length);
    if (*length > maximumLength)
        return fmt::format("{} may have at most {} characters, not {}", name, maximumLength, *length);
    return std::nullopt;
}

// A compiled expression; the last one is kept, as a form checks the same
// pattern over and over.
const std::regex &compiledPattern(const std::string &expression)
{
    thread_local struct {
        std::string expression;
        std::regex compiled;
        bool valid = false;
    } last;
    if (!last.valid || last.expression != expression) {
        last.valid = false;
        last.compiled.assign(expression, std::regex::ECMAScript);
        last.expression = expression;
        last.valid = true;
    }
    return last.compiled;
}

std::optional<std::string> checkPattern(std::string_view name, const std::string &expression, std::string_view value)
{
    if (!std::regex_match(value.begin(), value.end(), compiledPattern(expression)))
        return fmt::format("{} must match the pattern {}", name, expression);
    return std::nullopt;
}

} // namespace

std::optional<std::string> checkString(std::string_view name, std::uint64_t minimumLength, std::uint64_t maximumLength,
                                       const std::string &pattern, std::string_view value)
{
    if (auto problem = checkStringLength(name, minimumLength, maximumLength, value))
        return problem;
    if (!pattern.empty())
        return checkPattern(name, pattern, value);
    return std::nullopt;
}

std::optional<std::string> checkDateTime(std::string_view name, DateTime minimum, DateTime maximum,
                                         const DateTime &value)
{
    if (value < minimum || value > maximum)
        return fmt::format("{} must lie between {} and {}, not {}", name, minimum.toString(), maximum.toString(),
                           value.toString());
    return std::nullopt;
}

std::optional<std::string> checkIdCount(std::string_view name, std::uint64_t minimumElements,
                                        std::uint64_t maximumElements, std::size_t count)
{
    if (count < minimumElements || count > maximumElements)
        return fmt::format("{} takes between {} and {} Ids, not {}", name, minimumElements, maximumElements, count);
    return std::nullopt;
}

} // namespace osid::impl
