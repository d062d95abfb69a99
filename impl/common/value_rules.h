// Checks of single values against an element's Metadata, shared by every
// form implementation. Each check returns the reason a value is refused,
// or nothing when it is accepted.
//
// Each Metadata check has a twin over plain limits, for setters: building
// a Metadata costs far more than the check itself. `name` is what
// elementName() would give for the element; both give the same messages.

#pragma once

#include "osid/datetime.h"
#include "osid/id.h"
#include "osid/metadata.h"
#include "osid/type.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace osid::impl {

// The number of code points in `s`, or nothing when `s` is not valid UTF-8
// (overlong forms, surrogates and values past U+10FFFF are invalid).
std::optional<std::size_t> utf8Length(std::string_view s);

// STRING / DISPLAYTEXT: valid UTF-8, length in code points within the
// limits, and a full match of every expression.
std::optional<std::string> checkString(const Metadata &metadata, std::string_view value);
// The same for one element with at most one regular expression (empty for
// none).
std::optional<std::string> checkString(std::string_view name, std::uint64_t minimumLength,
                                       std::uint64_t maximumLength, const std::string &pattern,
                                       std::string_view value);

// DATETIME: within [getMinimumDateTime(), getMaximumDateTime()].
std::optional<std::string> checkDateTime(const Metadata &metadata, const DateTime &value);
std::optional<std::string> checkDateTime(std::string_view name, DateTime minimum, DateTime maximum,
                                         const DateTime &value);

// ID: not null; in getIdSet() when that set is not empty.
std::optional<std::string> checkId(const Metadata &metadata, const Id &value);

// ID arrays: each Id as checkId(), and the count within the element limits.
std::optional<std::string> checkIds(const Metadata &metadata, const std::vector<Id> &values);
// The count part of checkIds(), for an element whose Id set is empty (any
// Id allowed).
std::optional<std::string> checkIdCount(std::string_view name, std::uint64_t minimumElements,
                                        std::uint64_t maximumElements, std::size_t count);

// TYPE: not null; in getTypeSet() when that set is not empty.
std::optional<std::string> checkType(const Metadata &metadata, const Type &value);

// The name of the element for messages: its label, else its Id.
std::string elementName(const Metadata &metadata);

} // namespace osid::impl
