// Shared identity rules of osid::Id and osid::Type: an (authority,
// namespace, identifier) triple compared case-insensitively on the first two
// parts and case-sensitively on the identifier, with a text form
// "namespace:identifier@authority". Not part of the public API.

#pragma once

#include "osid/errors.h"

#include <atomic>
#include <charconv>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <string>
#include <string_view>
#include <utility>

namespace osid::detail {

constexpr char asciiLower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size())
        return false;
    // The same bytes (the usual case: both spelled alike) need no folding.
    if (a == b)
        return true;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (asciiLower(a[i]) != asciiLower(b[i]))
            return false;
    return true;
}

inline std::strong_ordering compareIgnoreCase(std::string_view a, std::string_view b) noexcept
{
    const std::size_t n = a.size() < b.size() ? a.size() : b.size();
    for (std::size_t i = 0; i < n; ++i) {
        const auto ca = static_cast<unsigned char>(asciiLower(a[i]));
        const auto cb = static_cast<unsigned char>(asciiLower(b[i]));
        if (ca != cb)
            return ca <=> cb;
    }
    return a.size() <=> b.size();
}

// The 8 bytes of `word` with ASCII 'A'..'Z' lowered, all at once (bytes of
// 0x80 and above are left alone).
constexpr std::uint64_t asciiLower8(std::uint64_t word) noexcept
{
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    const std::uint64_t low7 = word & (0x7f * ones);
    // The high bit of each byte: set where the byte is >= 'A', and where > 'Z'.
    const std::uint64_t atLeastA = low7 + (0x80 - 'A') * ones;
    const std::uint64_t aboveZ = low7 + (0x80 - 'Z' - 1) * ones;
    const std::uint64_t upper = atLeastA & ~aboveZ & ~word & (0x80 * ones);
    return word | (upper >> 2);
}

// A hash of bytes, 8 at a time, lower-casing ASCII letters when asked;
// mixed into `seed`. Equal under the comparison (exact or ignoring case)
// means equal hash.
inline std::size_t hashBytes(std::size_t seed, std::string_view s, bool ignoreCase) noexcept
{
    constexpr std::uint64_t kMultiplier = 0x9E3779B97F4A7C15ull;
    std::uint64_t h = (seed ^ s.size()) * kMultiplier;
    auto mix = [&](std::uint64_t word) {
        if (ignoreCase)
            word = asciiLower8(word);
        h = (h ^ word) * kMultiplier;
        h ^= h >> 29;
    };
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, s.data() + i, sizeof word);
        mix(word);
    }
    if (i < s.size()) {
        std::uint64_t word = 0;
        for (std::size_t k = 0; i + k < s.size(); ++k)
            word |= std::uint64_t{static_cast<unsigned char>(s[i + k])} << (8 * k);
        mix(word);
    }
    // Finalizer (splitmix64's), so that every input bit reaches every output bit.
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
    return static_cast<std::size_t>(h ^ (h >> 31));
}

// The identifier's number, if it is one written as std::to_string writes
// it: digits only, no leading zero, at most 2^64 - 1.
inline std::optional<std::uint64_t> decimalNumber(std::string_view s) noexcept
{
    if (s.empty() || (s.size() > 1 && s[0] == '0'))
        return std::nullopt;
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size())
        return std::nullopt;
    return v;
}

// The hash of an identity: its space (authority and namespace, without
// regard to case) first, so that the hash of an Id made with a key can
// continue from its space's, kept with the space; then the identifier. An
// identifier that is a number in decimal is hashed as that number, so that
// an Id made with a key hashes without writing its digits, and as the
// same Id made from text.
inline std::size_t hashSpace(std::string_view identifierNamespace, std::string_view authority) noexcept
{
    return hashBytes(hashBytes(0, authority, true), identifierNamespace, true);
}
inline std::size_t hashNumber(std::size_t spaceHash, std::uint64_t number) noexcept
{
    // splitmix64's finalizer over the space's hash and the number.
    std::uint64_t h = (static_cast<std::uint64_t>(spaceHash) ^ number) * 0x9E3779B97F4A7C15ull;
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
    return static_cast<std::size_t>(h ^ (h >> 31));
}
inline std::size_t hashIdentity(std::string_view identifier, std::string_view identifierNamespace,
                                std::string_view authority) noexcept
{
    const auto space = hashSpace(identifierNamespace, authority);
    if (const auto number = decimalNumber(identifier))
        return hashNumber(space, *number);
    return hashBytes(space, identifier, false);
}

struct IdentityTriple {
    std::string authority;
    std::string identifierNamespace;
    std::string identifier;

    bool empty() const noexcept { return authority.empty() && identifierNamespace.empty() && identifier.empty(); }

    friend bool operator==(const IdentityTriple &a, const IdentityTriple &b) noexcept
    {
        return a.identifier == b.identifier && equalsIgnoreCase(a.identifierNamespace, b.identifierNamespace) &&
               equalsIgnoreCase(a.authority, b.authority);
    }

    friend std::strong_ordering operator<=>(const IdentityTriple &a, const IdentityTriple &b) noexcept
    {
        if (auto c = compareIgnoreCase(a.authority, b.authority); c != 0)
            return c;
        if (auto c = compareIgnoreCase(a.identifierNamespace, b.identifierNamespace); c != 0)
            return c;
        return a.identifier.compare(b.identifier) <=> 0;
    }

    std::size_t hash() const noexcept { return hashIdentity(identifier, identifierNamespace, authority); }
};

// An IdentityTriple shared, immutable, between copies: Ids and Types are
// copied far more often than built (into forms, stores, responses), and a
// copy is then one reference count rather than three strings. The hash is
// computed on first use and kept. The null triple holds nothing.
//
// A triple may also borrow its authority and namespace from another one
// (a "space"): a provider issues many Ids that differ only in their
// identifier, and each then costs one small block instead of a block plus
// copies of the two strings.
class SharedTriple {
public:
    SharedTriple() = default;
    SharedTriple(std::string authority, std::string identifierNamespace, std::string identifier)
    {
        // The null triple is always unallocated, so a held triple is never
        // empty and equality can tell null from non-null by the pointer.
        if (!authority.empty() || !identifierNamespace.empty() || !identifier.empty())
            rep_ = std::make_shared<const OwnRep>(std::move(authority), std::move(identifierNamespace),
                                                  std::move(identifier));
    }
    // `space`'s authority and namespace (shared with it), and `identifier`
    // (moved into place once: an Id per stored object is made often).
    SharedTriple(const SharedTriple &space, std::string &&identifier)
    {
        if (space.authority().empty() && space.identifierNamespace().empty()) {
            *this = SharedTriple({}, {}, std::move(identifier));
            return;
        }
        // Borrow from the triple that owns the strings, so chains stay short.
        rep_ = std::make_shared<const BorrowingRep>(space.rep_->owner ? space.rep_->owner : space.rep_,
                                                    std::move(identifier));
    }

    const std::string &authority() const noexcept { return rep_ ? *rep_->authority : null().authority; }
    const std::string &identifierNamespace() const noexcept
    {
        return rep_ ? *rep_->identifierNamespace : null().identifierNamespace;
    }
    const std::string &identifier() const noexcept { return rep_ ? rep_->identifier : null().identifier; }
    bool empty() const noexcept { return rep_ == nullptr; }

    // The triple with this authority and namespace and an empty identifier,
    // made once per pair and kept for the life of the process. Triples that
    // refer to it hold no reference count, so copying them touches nothing
    // but themselves. For the few spaces a process issues Ids in (a store's
    // kinds of objects), not for values from outside.
    static SharedTriple interned(std::string_view authority, std::string_view identifierNamespace)
    {
        // A thread asks for the same space again and again (form Ids are
        // made per call): the last one it got needs no lock.
        thread_local const InternedRep *last = nullptr;
        if (last == nullptr || last->ownAuthority != authority || last->ownNamespace != identifierNamespace)
            last = intern(authority, identifierNamespace);
        SharedTriple out;
        // No owner: the aliasing constructor makes a pointer that counts
        // nothing, which is also how isInterned() knows it.
        out.rep_ = std::shared_ptr<const Rep>(std::shared_ptr<const Rep>(), last);
        return out;
    }
    // A triple for the life of the process (a built-in Type, kept in a
    // function-local static): never freed, and, like an interned one,
    // copied without a reference count. Not shared between calls.
    static SharedTriple immortal(std::string_view authority, std::string_view identifierNamespace,
                                 std::string_view identifier)
    {
        SharedTriple out;
        if (!authority.empty() || !identifierNamespace.empty() || !identifier.empty())
            out.rep_ = std::shared_ptr<const Rep>(std::shared_ptr<const Rep>(),
                                                  new InternedRep(authority, identifierNamespace, identifier, false));
        return out;
    }
    // Made by interned() (a space, not an immortal() triple).
    bool isInterned() const noexcept
    {
        return rep_ != nullptr && rep_.use_count() == 0 && static_cast<const InternedRep *>(rep_.get())->space;
    }
    // hashSpace() of an interned triple's authority and namespace, kept.
    std::size_t spaceHash() const noexcept { return static_cast<const InternedRep *>(rep_.get())->spaceHash; }

    std::size_t hash() const noexcept
    {
        if (!rep_)
            return nullHash();
        auto h = rep_->hash.load(std::memory_order_relaxed);
        if (h == kUnknown) {
            // Racing threads compute the same value, so either store wins.
            h = hashIdentity(rep_->identifier, *rep_->identifierNamespace, *rep_->authority);
            if (h == kUnknown)
                h = kUnknown + 1;
            rep_->hash.store(h, std::memory_order_relaxed);
        }
        return h;
    }

    friend bool operator==(const SharedTriple &a, const SharedTriple &b) noexcept
    {
        if (a.rep_ == b.rep_)
            return true;
        if (!a.rep_ || !b.rep_)
            return false;
        // Ids of one space share its strings: then only identifiers differ.
        if (a.rep_->authority == b.rep_->authority && a.rep_->identifierNamespace == b.rep_->identifierNamespace)
            return a.rep_->identifier == b.rep_->identifier;
        // Known, different hashes settle it without reading the strings.
        const auto ha = a.rep_->hash.load(std::memory_order_relaxed);
        const auto hb = b.rep_->hash.load(std::memory_order_relaxed);
        if (ha != kUnknown && hb != kUnknown && ha != hb)
            return false;
        return a.identifier() == b.identifier() && equalsIgnoreCase(a.identifierNamespace(), b.identifierNamespace()) &&
               equalsIgnoreCase(a.authority(), b.authority());
    }

    friend std::strong_ordering operator<=>(const SharedTriple &a, const SharedTriple &b) noexcept
    {
        if (a.rep_ == b.rep_)
            return std::strong_ordering::equal;
        if (auto c = compareIgnoreCase(a.authority(), b.authority()); c != 0)
            return c;
        if (auto c = compareIgnoreCase(a.identifierNamespace(), b.identifierNamespace()); c != 0)
            return c;
        return a.identifier().compare(b.identifier()) <=> 0;
    }

private:
    static constexpr std::size_t kUnknown = 0;

    // The parts, wherever they are kept. Built in place by make_shared and
    // never moved, so the pointers stay valid.
    struct Rep {
        Rep(const std::string *a, const std::string *ns, std::shared_ptr<const Rep> o, std::string &&id)
            : authority(a), identifierNamespace(ns), owner(std::move(o)), identifier(std::move(id))
        {
        }
        Rep(const Rep &) = delete;
        Rep &operator=(const Rep &) = delete;

        const std::string *authority;
        const std::string *identifierNamespace;
        // The triple whose strings these are, if not this one.
        std::shared_ptr<const Rep> owner;
        std::string identifier;
        mutable std::atomic<std::size_t> hash{kUnknown};
    };
    struct OwnRep : Rep {
        OwnRep(std::string a, std::string ns, std::string &&id)
            : Rep(&ownAuthority, &ownNamespace, nullptr, std::move(id)), ownAuthority(std::move(a)),
              ownNamespace(std::move(ns))
        {
        }
        std::string ownAuthority;
        std::string ownNamespace;
    };
    // A space made by interned(), or a triple made by immortal(): never
    // freed, referred to without a count.
    struct InternedRep : OwnRep {
        InternedRep(std::string_view a, std::string_view ns, std::string_view id, bool isSpace)
            : OwnRep(std::string(a), std::string(ns), std::string(id)), spaceHash(hashSpace(ns, a)), space(isSpace)
        {
        }
        const std::size_t spaceHash;
        // Made by interned(): a space, whose identifier is empty.
        const bool space;
    };
    static const InternedRep *intern(std::string_view authority, std::string_view identifierNamespace)
    {
        // Never destroyed: interned triples may be used during static destruction.
        static auto *const mutex = new std::mutex();
        static auto *const table = new std::unordered_map<std::string, const InternedRep *>();
        std::string name = std::to_string(authority.size());
        name += ':';
        name += authority;
        name += identifierNamespace;
        const std::lock_guard lock(*mutex);
        auto &rep = (*table)[std::move(name)];
        if (rep == nullptr)
            rep = new InternedRep(authority, identifierNamespace, {}, true);
        return rep;
    }
    struct BorrowingRep : Rep {
        // `space` by reference: the one copy of it is Rep's owner.
        BorrowingRep(const std::shared_ptr<const Rep> &space, std::string &&id)
            : Rep(space->authority, space->identifierNamespace, space, std::move(id))
        {
        }
    };

    static const IdentityTriple &null() noexcept
    {
        // Never destroyed: null Ids may be read during static destruction.
        static const IdentityTriple *const kNull = new IdentityTriple();
        return *kNull;
    }
    static std::size_t nullHash() noexcept
    {
        static const std::size_t kNullHash = IdentityTriple{}.hash();
        return kNullHash;
    }

    std::shared_ptr<const Rep> rep_;
};

// Percent-encodes the characters that delimit the text form ('%', ':', '@')
// and control characters, so any triple survives a round trip.
inline void appendEscaped(std::string &out, std::string_view part)
{
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (char c : part) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '%' || c == ':' || c == '@' || u < 0x20 || u == 0x7f) {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 0xf];
        } else {
            out += c;
        }
    }
}

inline std::string formatTriple(std::string_view authority, std::string_view identifierNamespace,
                                std::string_view identifier)
{
    std::string out;
    out.reserve(identifierNamespace.size() + identifier.size() + authority.size() + 2);
    appendEscaped(out, identifierNamespace);
    out += ':';
    appendEscaped(out, identifier);
    out += '@';
    appendEscaped(out, authority);
    return out;
}

inline std::string formatTriple(const SharedTriple &t)
{
    return formatTriple(t.authority(), t.identifierNamespace(), t.identifier());
}

inline int hexValue(char c) noexcept
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

inline std::string unescape(std::string_view part, std::string_view what, std::string_view text)
{
    std::string out;
    out.reserve(part.size());
    for (std::size_t i = 0; i < part.size(); ++i) {
        const char c = part[i];
        if (c == ':' || c == '@')
            throw InvalidArgument(std::string(what) + " text \"" + std::string(text) + "\" has an unescaped '" + c +
                                  "' (write it as %" + (c == ':' ? "3A" : "40") + ")");
        if (c != '%') {
            out += c;
            continue;
        }
        if (i + 2 >= part.size())
            throw InvalidArgument(std::string(what) + " text \"" + std::string(text) + "\" ends inside a %-escape");
        const int h = hexValue(part[i + 1]);
        const int l = hexValue(part[i + 2]);
        if (h < 0 || l < 0)
            throw InvalidArgument(std::string(what) + " text \"" + std::string(text) + "\" has a malformed %-escape");
        out += static_cast<char>(h * 16 + l);
        i += 2;
    }
    return out;
}

// Parses "namespace:identifier@authority": the namespace ends at the first
// ':', the authority starts after the last '@'.
inline IdentityTriple parseTriple(std::string_view text, std::string_view what)
{
    const auto colon = text.find(':');
    const auto at = text.rfind('@');
    if (colon == std::string_view::npos || at == std::string_view::npos || at < colon)
        throw InvalidArgument(std::string(what) + " text \"" + std::string(text) +
                              "\" is not of the form namespace:identifier@authority");
    return IdentityTriple{unescape(text.substr(at + 1), what, text), unescape(text.substr(0, colon), what, text),
                          unescape(text.substr(colon + 1, at - colon - 1), what, text)};
}

} // namespace osid::detail
