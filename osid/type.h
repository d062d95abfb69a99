// osid::Type (OSID osid.type.Type): names a specification, such as a record
// interface, a genus or a text format.
//
// A regular value type. Identity, equality, ordering and hashing use the
// (authority, namespace, identifier) triple only, with the same rules as
// osid::Id; the display fields are descriptive and never compared. The
// default-constructed Type is the null Type (osid::NullArgument where a
// Type is required).

#pragma once

#include "osid/detail/identity.h"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace osid {

class Type {
public:
    // Human-readable descriptions of a Type; not part of its identity.
    struct Display {
        std::string displayName;
        std::string displayLabel;
        std::string description;
        std::string domain;
    };

    // The null Type.
    Type() = default;
    Type(std::string authority, std::string identifierNamespace, std::string identifier)
        : t_(std::move(authority), std::move(identifierNamespace), std::move(identifier))
    {
    }
    Type(std::string authority, std::string identifierNamespace, std::string identifier, Display display)
        : t_(std::move(authority), std::move(identifierNamespace), std::move(identifier)),
          display_(std::make_shared<const Display>(std::move(display)))
    {
    }

    // A Type that lives as long as the process, for a built-in Type kept
    // in a function-local static: made once, never freed, and copied
    // without touching a reference count (every DisplayText holds three
    // Types, and every message snapshot hands out DisplayTexts). Each call
    // makes a new one; call it once per Type.
    static Type immortal(std::string_view authority, std::string_view identifierNamespace, std::string_view identifier)
    {
        Type t;
        t.t_ = detail::SharedTriple::immortal(authority, identifierNamespace, identifier);
        return t;
    }
    static Type immortal(std::string_view authority, std::string_view identifierNamespace, std::string_view identifier,
                         Display display)
    {
        Type t = immortal(authority, identifierNamespace, identifier);
        t.display_ = std::shared_ptr<const Display>(std::shared_ptr<const Display>(), new Display(std::move(display)));
        return t;
    }

    // Parses "namespace:identifier@authority" as osid::Id::parse() does.
    // Raises InvalidArgument for a malformed text.
    static Type parse(std::string_view text)
    {
        auto t = detail::parseTriple(text, "Type");
        return Type(std::move(t.authority), std::move(t.identifierNamespace), std::move(t.identifier));
    }

    const std::string &getAuthority() const noexcept { return t_.authority(); }
    const std::string &getIdentifierNamespace() const noexcept { return t_.identifierNamespace(); }
    const std::string &getIdentifier() const noexcept { return t_.identifier(); }

    // Display fields; empty when the Type was built without them.
    const std::string &getDisplayName() const noexcept { return display().displayName; }
    const std::string &getDisplayLabel() const noexcept { return display().displayLabel; }
    const std::string &getDescription() const noexcept { return display().description; }
    const std::string &getDomain() const noexcept { return display().domain; }

    bool isNull() const noexcept { return t_.empty(); }
    std::string toString() const { return detail::formatTriple(t_); }

    friend bool operator==(const Type &a, const Type &b) noexcept { return a.t_ == b.t_; }
    friend std::strong_ordering operator<=>(const Type &a, const Type &b) noexcept { return a.t_ <=> b.t_; }

    std::size_t hash() const noexcept { return t_.hash(); }

private:
    const Display &display() const noexcept
    {
        static const Display kEmpty;
        return display_ ? *display_ : kEmpty;
    }

    detail::SharedTriple t_;
    // Shared and immutable: copying a Type never copies its descriptions.
    std::shared_ptr<const Display> display_;
};

} // namespace osid

template <>
struct std::hash<osid::Type> {
    std::size_t operator()(const osid::Type &type) const noexcept { return type.hash(); }
};
