// The Ids a built-in store issues: "<key>@<authority>" in one namespace per
// kind of object, the key in canonical decimal so that each key has exactly
// one Id. Shared by the stores so that they agree on what is theirs.

#pragma once

#include "osid/id.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace osid::impl {

inline constexpr std::string_view kMessageNamespace = "messaging.Message";
inline constexpr std::string_view kMailboxNamespace = "messaging.Mailbox";

// The key a canonical decimal names: no sign, no leading zero, at most
// INT64_MAX (the largest key SQL databases store as an integer).
std::optional<std::uint64_t> parseKey(std::string_view text);

// One kind of object's Ids in a store. The Ids it makes share its
// authority and namespace strings, so that telling them apart from others
// usually costs two pointer comparisons instead of two text comparisons.
class IdSpace {
public:
    IdSpace(const std::string &authority, std::string_view idNamespace);

    // Made with Id::withKey(): no allocation, and key() reads it back
    // without parsing.
    Id id(std::uint64_t key) const { return space_.withKey(key); }

    // Whether `id` has this space's authority and namespace (compared as
    // Id equality compares them: without regard to case).
    bool contains(const Id &id) const;

    // The key `id` names in this space, if it lies in it and its
    // identifier is a canonical key.
    std::optional<std::uint64_t> key(const Id &id) const;

private:
    Id space_;
};

} // namespace osid::impl
