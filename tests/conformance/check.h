// The expectations a conformance check is written with.
//
// Each one stops the check at the first broken rule and records why, with
// the values involved and where:
//
//   EXPECT(responses.size() == forms.size());
//   EXPECT_EQ(message->getSenderId(), resource("alice"));
//   EXPECT_THROWS(NotFound, lookup->getMessage(unknownId));
//
// An exception a check does not expect fails the check too, so a provider
// that throws where the rules say it must not is caught without an
// expectation for it.

#pragma once

#include "osid/errors.h"

#include <fmt/format.h>

#include <concepts>
#include <string>
#include <utility>
#include <string_view>
#include <type_traits>

namespace osid::conformance {

// Thrown by the expectations; the runner turns it into a failed check.
// Deliberately not a std::exception, so that a provider's or a check's
// catch (const std::exception &) cannot swallow it.
struct CheckFailure {
    std::string reason;
};

// A readable form of a value in a failure reason.
template <class T>
std::string describe(const T &value)
{
    if constexpr (std::is_same_v<T, bool>) {
        return value ? "true" : "false";
    } else if constexpr (std::is_same_v<T, ErrorCode>) {
        return std::string(errorName(value));
    } else if constexpr (std::is_arithmetic_v<T>) {
        return fmt::format("{}", value);
    } else if constexpr (std::is_convertible_v<T, std::string_view>) {
        const std::string_view text(value);
        return text.size() > 80 ? fmt::format("\"{}...\" ({} bytes)", text.substr(0, 77), text.size())
                                : fmt::format("\"{}\"", text);
    } else if constexpr (requires { value.toString(); }) {
        return value.toString();
    } else if constexpr (requires { value.getText(); }) {
        return describe(value.getText());
    } else if constexpr (requires {
                             value.size();
                             value.begin();
                         }) {
        std::string out = "[";
        std::size_t shown = 0;
        for (const auto &item : value) {
            if (shown == 5) {
                out += fmt::format(", ... ({} in all)", value.size());
                break;
            }
            out += (shown++ ? ", " : "") + describe(item);
        }
        return out + "]";
    } else {
        return "(a value)";
    }
}

namespace detail {

inline std::string_view baseName(std::string_view file)
{
    const auto slash = file.find_last_of('/');
    return slash == std::string_view::npos ? file : file.substr(slash + 1);
}

[[noreturn]] inline void fail(const std::string &what, const char *file, int line)
{
    throw CheckFailure{fmt::format("{} ({}:{})", what, baseName(file), line)};
}

// a == b, comparing integers by value whatever their signedness.
template <class A, class B>
bool equal(const A &a, const B &b)
{
    if constexpr (std::is_integral_v<A> && std::is_integral_v<B> && !std::is_same_v<A, bool> &&
                  !std::is_same_v<B, bool>)
        return std::cmp_equal(a, b);
    else
        return a == b;
}

template <class Error, class Call>
void expectThrows(Call &&call, const char *errorText, const char *expressionText, const char *file, int line)
{
    try {
        call();
    } catch (const Error &) {
        return;
    } catch (const OsidException &e) {
        fail(fmt::format("expected {} to raise {}, but it raised {}", expressionText, errorText, e.what()), file, line);
    } catch (const std::exception &e) {
        fail(fmt::format("expected {} to raise {}, but it threw a non-OSID exception: {}", expressionText, errorText,
                         e.what()),
             file, line);
    }
    fail(fmt::format("expected {} to raise {}, but it returned normally", expressionText, errorText), file, line);
}

} // namespace detail
} // namespace osid::conformance

// The condition may hold commas (a braced list): the macros take it whole.
#define EXPECT(...)                                                                                                    \
    do {                                                                                                               \
        if (!(__VA_ARGS__))                                                                                            \
            ::osid::conformance::detail::fail("expected " #__VA_ARGS__, __FILE__, __LINE__);                           \
    } while (false)

#define EXPECT_FALSE(...)                                                                                              \
    do {                                                                                                               \
        if (__VA_ARGS__)                                                                                               \
            ::osid::conformance::detail::fail("expected not " #__VA_ARGS__, __FILE__, __LINE__);                       \
    } while (false)

// Like EXPECT, with a message (any fmt::format arguments) saying what the
// rule is.
#define EXPECT_MSG(condition, ...)                                                                                     \
    do {                                                                                                               \
        if (!(condition))                                                                                              \
            ::osid::conformance::detail::fail(fmt::format(__VA_ARGS__), __FILE__, __LINE__);                           \
    } while (false)

#define EXPECT_EQ(actual, expected)                                                                                    \
    do {                                                                                                               \
        /* copies: a reference could point into a temporary (x.getText().getText()) */                                 \
        const auto actual_ = (actual);                                                                                 \
        const auto expected_ = (expected);                                                                             \
        if (!::osid::conformance::detail::equal(actual_, expected_))                                                   \
            ::osid::conformance::detail::fail(fmt::format("expected {} == {}, but it is {}, not {}", #actual,          \
                                                          #expected, ::osid::conformance::describe(actual_),           \
                                                          ::osid::conformance::describe(expected_)),                   \
                                              __FILE__, __LINE__);                                                     \
    } while (false)

// `expression` must raise the OSID error `Error` (NotFound, ...).
#define EXPECT_THROWS(Error, ...)                                                                                      \
    ::osid::conformance::detail::expectThrows<Error>([&] { (void)(__VA_ARGS__); }, #Error, #__VA_ARGS__, __FILE__,     \
                                                     __LINE__)
