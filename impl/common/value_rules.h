// Checks of single values against the limits an element's Metadata states,
// shared by every form implementation: setters check the form's rules
// directly, as building a Metadata costs far more than the check. Each
// check returns the reason a value is refused (naming the element by
// `name`, its Metadata label), or nothing when it is accepted.

#pragma once

#include "osid/datetime.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace osid::impl {

// The number of code points in `s`, or nothing when `s` is not valid UTF-8
// (overlong forms, surrogates and values past U+10FFFF are invalid).
std::optional<std::size_t> utf8Length(std::string_view s);

// STRING / DISPLAYTEXT: valid UTF-8, length in code points within the
// limits, and a full match of `pattern`, a regular expression (empty for
// none).
std::optional<std::string> checkString(std::string_view name, std::uint64_t minimumLength, std::uint64_t maximumLength,
                                       const std::string &pattern, std::string_view value);

// DATETIME: within [minimum, maximum].
std::optional<std::string> checkDateTime(std::string_view name, DateTime minimum, DateTime maximum,
                                         const DateTime &value);

// ID arrays whose Id set is empty (any Id allowed): the count within the
// element limits.
std::optional<std::string> checkIdCount(std::string_view name, std::uint64_t minimumElements,
                                        std::uint64_t maximumElements, std::size_t count);

} // namespace osid::impl
