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

#include <atomic>
#include <charconv>
#include <compare>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
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

    Id(const Id &other) noexcept : t_(other.t_), key_(other.key_) {}
    // Copies and moves are plain: only getIdentifier() makes the text, and
    // no other thread may use an Id while it is assigned to or moved from.
    Id(Id &&other) noexcept
        : t_(std::move(other.t_)), key_(std::exchange(other.key_, kText)), text_(std::exchange(other.text_, nullptr))
    {
    }
    Id &operator=(const Id &other) noexcept
    {
        if (this != &other) {
            t_ = other.t_;
            key_ = other.key_;
            dropText(std::exchange(text_, nullptr));
        }
        return *this;
    }
    Id &operator=(Id &&other) noexcept
    {
        if (this != &other) {
            t_ = std::move(other.t_);
            key_ = std::exchange(other.key_, kText);
            dropText(std::exchange(text_, std::exchange(other.text_, nullptr)));
        }
        return *this;
    }
    ~Id() { dropText(text_); }

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

    // withIdentifier(std::to_string(key)), for a provider that numbers what
    // it stores: the Id holds the number and the space (kept once per
    // process for each authority and namespace), and makes the identifier's
    // text only when getIdentifier() asks for it. So making, copying,
    // comparing and hashing it allocate nothing and touch no shared count.
    // The result is an Id like any other: equal to, ordered and hashed as
    // the Id withIdentifier() would make.
    //
    // Each authority and namespace it is used with is kept until the
    // process ends: use it for the few spaces a provider issues Ids in, not
    // for values from outside.
    Id withKey(std::uint64_t key) const
    {
        if (key != kText && t_.isInterned())
            return Id(t_, key);
        return ofKey(getAuthority(), getIdentifierNamespace(), key);
    }
    // Id(authority, identifierNamespace, std::to_string(key)), made as
    // withKey() makes it.
    static Id ofKey(std::string_view authority, std::string_view identifierNamespace, std::uint64_t key)
    {
        if (key == kText)
            return Id(std::string(authority), std::string(identifierNamespace), std::to_string(key));
        return Id(detail::SharedTriple::interned(authority, identifierNamespace), key);
    }

    // The key of an Id made by withKey(), or nothing for any other Id
    // (whatever its identifier says): a provider that issued the Id can
    // read its key back without parsing the text.
    std::optional<std::uint64_t> madeWithKey() const noexcept
    {
        return key_ == kText ? std::nullopt : std::optional<std::uint64_t>(key_);
    }

    // The issuer of this Id, usually a service name.
    const std::string &getAuthority() const noexcept { return t_.authority(); }
    // The domain in which the identifier is unique.
    const std::string &getIdentifierNamespace() const noexcept { return t_.identifierNamespace(); }
    // The key itself. Like any accessor's reference, it is valid while this
    // Id object lives and is not assigned to: an Id made by withKey() makes
    // its text for itself, so a reference into a temporary Id (for example
    // `message->getId().getIdentifier()` kept past the statement) dangles.
    // Copy the string to keep it.
    const std::string &getIdentifier() const { return key_ == kText ? t_.identifier() : keyText(); }

    // True for the default-constructed Id.
    bool isNull() const noexcept { return key_ == kText && t_.empty(); }

    // The text form, which Id::parse() reads back to an equal Id.
    std::string toString() const
    {
        const Digits d(*this);
        return detail::formatTriple(getAuthority(), getIdentifierNamespace(), d.view());
    }

    friend bool operator==(const Id &a, const Id &b) noexcept
    {
        if (a.key_ == kText && b.key_ == kText)
            return a.t_ == b.t_;
        // A key's text is canonical decimal: equal keys, equal text; the
        // spaces (empty identifiers) compare as triples do.
        if (a.key_ != kText && b.key_ != kText)
            return a.key_ == b.key_ && a.t_ == b.t_;
        return Digits(a).view() == Digits(b).view() && sameSpace(a, b);
    }

    friend std::strong_ordering operator<=>(const Id &a, const Id &b) noexcept
    {
        if (a.key_ == kText && b.key_ == kText)
            return a.t_ <=> b.t_;
        if (auto c = detail::compareIgnoreCase(a.getAuthority(), b.getAuthority()); c != 0)
            return c;
        if (auto c = detail::compareIgnoreCase(a.getIdentifierNamespace(), b.getIdentifierNamespace()); c != 0)
            return c;
        return Digits(a).view().compare(Digits(b).view()) <=> 0;
    }

    std::size_t hash() const noexcept
    {
        if (key_ == kText)
            return t_.hash();
        // The space's part of the hash is kept with the space; the
        // identifier is a number, hashed as one (detail::hashIdentity).
        return detail::hashNumber(t_.spaceHash(), key_);
    }

private:
    // key_ of an Id whose identifier is text (not made by withKey()).
    static constexpr std::uint64_t kText = std::numeric_limits<std::uint64_t>::max();

    explicit Id(detail::SharedTriple t) : t_(std::move(t)) {}
    Id(detail::SharedTriple space, std::uint64_t key) : t_(std::move(space)), key_(key) {}

    // The identifier as a view: a key written into the buffer, or the text.
    class Digits {
    public:
        explicit Digits(const Id &id) noexcept
        {
            if (id.key_ == kText) {
                view_ = id.t_.identifier();
            } else {
                const auto end = std::to_chars(buffer_, buffer_ + sizeof buffer_, id.key_).ptr;
                view_ = std::string_view(buffer_, static_cast<std::size_t>(end - buffer_));
            }
        }
        std::string_view view() const noexcept { return view_; }

    private:
        char buffer_[20];
        std::string_view view_;
    };

    static bool sameSpace(const Id &a, const Id &b) noexcept
    {
        return detail::equalsIgnoreCase(a.getIdentifierNamespace(), b.getIdentifierNamespace()) &&
               detail::equalsIgnoreCase(a.getAuthority(), b.getAuthority());
    }

    // The text of the key, made on first use; threads that race each make
    // one and keep the first (so every access that may race is atomic).
    const std::string &keyText() const
    {
        std::atomic_ref<std::string *> shared(text_);
        auto *text = shared.load(std::memory_order_acquire);
        if (text == nullptr) {
            auto *made = new std::string(Digits(*this).view());
            if (shared.compare_exchange_strong(text, made, std::memory_order_acq_rel, std::memory_order_acquire))
                text = made;
            else
                delete made;
        }
        return *text;
    }
    // Kept out of line, so that destroying an Id without text (nearly all)
    // is a test and the shared pointer's release.
    static void dropText(std::string *text) noexcept
    {
        if (text != nullptr) [[unlikely]]
            deleteText(text);
    }
    [[gnu::noinline]] static void deleteText(std::string *text) noexcept { delete text; }

    // The authority and namespace, and (when key_ is kText) the identifier.
    detail::SharedTriple t_;
    // The identifier, for an Id made by withKey().
    std::uint64_t key_ = kText;
    // The identifier's text, once asked for (withKey() Ids only).
    mutable std::string *text_ = nullptr;
};

} // namespace osid

template <>
struct std::hash<osid::Id> {
    std::size_t operator()(const osid::Id &id) const noexcept { return id.hash(); }
};
