// osid::Id (OSID osid.id.Id): the identity of an OSID object.
//
// A regular value type. Two Ids are equal when authority, namespace and
// identifier are equal; authority and namespace compare case-insensitively,
// the identifier case-sensitively (as the OSID specification says). Ids can
// be built by consumers; every provider accepts Ids of any origin.
//
// The default-constructed Id, with all three parts empty, is the null Id:
// methods that take an Id raise osid::NullArgument when given it.
//
// Example:
//   osid::Id id("example.org", "messaging.Message", "42");
//   std::string s = id.toString();      // "messaging.Message:42@example.org"
//   assert(osid::Id::parse(s) == id);

#pragma once

#include "osid/detail/identity.h"

#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace osid {

class Id {
public:
    // The null Id.
    Id() = default;
    Id(std::string authority, std::string identifierNamespace, std::string identifier)
        : t_(std::move(authority), std::move(identifierNamespace), std::move(identifier))
    {
    }

    // Parses the text form "namespace:identifier@authority". The characters
    // '%', ':' and '@' inside a part, and control characters, are written as
    // %XX escapes. Raises InvalidArgument for any other shape.
    static Id parse(std::string_view text)
    {
        auto t = detail::parseTriple(text, "Id");
        return Id(std::move(t.authority), std::move(t.identifierNamespace), std::move(t.identifier));
    }

    // An Id with this Id's authority and namespace and another identifier.
    // It shares those two strings with this Id, so a provider that issues
    // many Ids in one space makes each with one small allocation.
    Id withIdentifier(std::string identifier) const { return Id(detail::SharedTriple(t_, std::move(identifier))); }

    // The issuer of this Id, usually a service name.
    const std::string &getAuthority() const noexcept { return t_.authority(); }
    // The domain in which the identifier is unique.
    const std::string &getIdentifierNamespace() const noexcept { return t_.identifierNamespace(); }
    // The key itself.
    const std::string &getIdentifier() const noexcept { return t_.identifier(); }

    // True for the default-constructed Id.
    bool isNull() const noexcept { return t_.empty(); }

    // The text form, which Id::parse() reads back to an equal Id.
    std::string toString() const { return detail::formatTriple(t_); }

    friend bool operator==(const Id &a, const Id &b) noexcept { return a.t_ == b.t_; }
    friend std::strong_ordering operator<=>(const Id &a, const Id &b) noexcept { return a.t_ <=> b.t_; }

    std::size_t hash() const noexcept { return t_.hash(); }

private:
    explicit Id(detail::SharedTriple t) : t_(std::move(t)) {}

    detail::SharedTriple t_;
};

} // namespace osid

template <>
struct std::hash<osid::Id> {
    std::size_t operator()(const osid::Id &id) const noexcept { return id.hash(); }
};
