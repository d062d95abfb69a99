#include "osid/display_text.h"
#include "osid/id.h"
#include "osid/type.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

using namespace std::string_literals;

TEST_SUITE("osid::Id and osid::Type")
{
    TEST_CASE_TEMPLATE("a value keeps the three parts it was built with", T, osid::Id, osid::Type)
    {
        const T v("example.org", "messaging.Message", "42");
        CHECK(v.getAuthority() == "example.org");
        CHECK(v.getIdentifierNamespace() == "messaging.Message");
        CHECK(v.getIdentifier() == "42");
        CHECK_FALSE(v.isNull());
    }

    TEST_CASE("withIdentifier keeps authority and namespace and behaves as a freshly built Id")
    {
        const osid::Id space("Example.org", "messaging.Message", "0");
        const osid::Id id = space.withIdentifier("42");
        CHECK(id.getAuthority() == "Example.org");
        CHECK(id.getIdentifierNamespace() == "messaging.Message");
        CHECK(id.getIdentifier() == "42");
        CHECK(id == osid::Id("example.org", "messaging.Message", "42"));
        CHECK(id.hash() == osid::Id("example.org", "messaging.Message", "42").hash());
        CHECK(id != space);
        CHECK(id.toString() == "messaging.Message:42@Example.org");
        // Built from a borrowed one, and outliving the Id it borrowed from.
        osid::Id later;
        {
            const osid::Id owner("a.org", "ns", "1");
            later = owner.withIdentifier("2").withIdentifier("3");
        }
        CHECK(later == osid::Id("a.org", "ns", "3"));
        // An empty space and an empty identifier give the null Id.
        CHECK(osid::Id().withIdentifier("").isNull());
        CHECK(osid::Id().withIdentifier("x") == osid::Id("", "", "x"));
    }

    TEST_CASE("withKey makes the Id withIdentifier makes, in every respect")
    {
        const osid::Id space("Example.org", "messaging.Message", "0");
        const std::vector<std::uint64_t> keys = {0,
                                                 7,
                                                 42,
                                                 1234567890123456789ull,
                                                 std::numeric_limits<std::uint64_t>::max() - 1,
                                                 std::numeric_limits<std::uint64_t>::max()};
        for (auto key : keys) {
            CAPTURE(key);
            const osid::Id keyed = space.withKey(key);
            const osid::Id text = space.withIdentifier(std::to_string(key));
            const osid::Id built("example.ORG", "MESSAGING.message", std::to_string(key));
            CHECK(keyed.getAuthority() == "Example.org");
            CHECK(keyed.getIdentifierNamespace() == "messaging.Message");
            CHECK(keyed.getIdentifier() == std::to_string(key));
            CHECK_FALSE(keyed.isNull());
            CHECK(keyed.toString() == text.toString());
            CHECK(osid::Id::parse(keyed.toString()) == keyed);
            for (const auto &other : {text, built}) {
                CHECK(keyed == other);
                CHECK(other == keyed);
                CHECK((keyed <=> other) == 0);
                CHECK(keyed.hash() == other.hash());
            }
            // Copies, moves and Ids made from it behave alike.
            osid::Id copy = keyed;
            CHECK(copy == text);
            CHECK(copy.getIdentifier() == std::to_string(key));
            osid::Id moved = std::move(copy);
            CHECK(moved == text);
            CHECK(copy.isNull()); // NOLINT(bugprone-use-after-move): moved-from is the null Id
            CHECK(keyed.withKey(5) == osid::Id("example.org", "messaging.message", "5"));
            CHECK(keyed.withIdentifier("x") == osid::Id("example.org", "messaging.message", "x"));
        }
        // Id::ofKey makes the same Ids without a space Id to start from.
        CHECK(osid::Id::ofKey("Example.org", "messaging.Message", 42) == space.withKey(42));
        CHECK(osid::Id::ofKey("a.org", "ns", 7).toString() == "ns:7@a.org");
        CHECK(osid::Id::ofKey("", "", 3) == osid::Id("", "", "3"));
        // The largest key falls back to text, also from a keyed Id's space.
        const auto largest = std::numeric_limits<std::uint64_t>::max();
        CHECK(space.withKey(1).withKey(largest) == space.withIdentifier(std::to_string(largest)));
        CHECK(space.withKey(1).withKey(largest).getIdentifier() == std::to_string(largest));
        CHECK_FALSE(space.withKey(1).withKey(largest).madeWithKey());
        // Copies are as cheap as they promise: they cannot throw.
        static_assert(std::is_nothrow_copy_constructible_v<osid::Id>);
        static_assert(std::is_nothrow_copy_assignable_v<osid::Id>);
        static_assert(std::is_nothrow_move_constructible_v<osid::Id>);
        // Only Ids made with a key say so.
        CHECK(space.withKey(42).madeWithKey() == 42u);
        CHECK_FALSE(space.withIdentifier("42").madeWithKey());
        CHECK_FALSE(osid::Id().madeWithKey());
        // Keys of two spaces, and a key against text that is not its decimal.
        CHECK(space.withKey(1) != osid::Id("example.org", "other", "0").withKey(1));
        CHECK(space.withKey(1) != space.withKey(2));
        CHECK(space.withKey(1) != space.withIdentifier("01"));
        CHECK(space.withKey(10) < space.withKey(9)); // as text: "10" < "9"
        CHECK(space.withKey(9) < space.withIdentifier("9a"));
        CHECK(osid::Id().withKey(3) == osid::Id("", "", "3"));
        std::unordered_set<osid::Id> set = {space.withKey(1), space.withIdentifier("1"), space.withKey(2)};
        CHECK(set.size() == 2);
        std::set<osid::Id> ordered = {space.withKey(1), space.withIdentifier("1"), space.withKey(2)};
        CHECK(ordered.size() == 2);
    }

    TEST_CASE("identifiers that are numbers hash as numbers, other texts as text, equal Ids always alike")
    {
        const osid::Id space("example.org", "n", "");
        // A number written as std::to_string writes it hashes as the keyed Id.
        for (std::uint64_t key : {0ull, 9ull, 10ull, 18446744073709551614ull}) {
            CAPTURE(key);
            CHECK(space.withIdentifier(std::to_string(key)).hash() == space.withKey(key).hash());
            CHECK(osid::Id("EXAMPLE.org", "N", std::to_string(key)).hash() ==
                  osid::Id::ofKey("example.org", "n", key).hash());
        }
        // The largest number has no keyed Id (withKey falls back to text),
        // and still hashes as its text.
        CHECK(space.withKey(UINT64_MAX).hash() == space.withIdentifier("18446744073709551615").hash());
        // Texts that are not numbers so written: leading zeros, signs,
        // overflow, other characters. Each is its own Id, unequal to the
        // number, and hashes the same whichever way it is built.
        for (const char *text : {"007", "+7", "-7", "7 ", "18446744073709551616", "99999999999999999999999", "", "x"}) {
            CAPTURE(text);
            const osid::Id a = space.withIdentifier(text);
            const osid::Id b("Example.ORG", "n", text);
            CHECK(a == b);
            CHECK(a.hash() == b.hash());
            CHECK(a != space.withKey(7));
        }
        // Numbers spread: ten thousand keys of one space, ten thousand hashes.
        std::unordered_set<std::size_t> hashes;
        for (std::uint64_t key = 0; key < 10000; ++key)
            hashes.insert(space.withKey(key).hash());
        CHECK(hashes.size() == 10000);
        // And a space's numbers do not hash as another space's.
        CHECK(osid::Id::ofKey("example.org", "n", 5).hash() != osid::Id::ofKey("example.org", "m", 5).hash());
    }

    TEST_CASE("an Id made with a key gives its text to threads that ask for it at once")
    {
        const osid::Id keyed = osid::Id("example.org", "ns", "0").withKey(123456789);
        std::vector<const std::string *> seen(4);
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < seen.size(); ++i)
            threads.emplace_back([&, i] { seen[i] = &keyed.getIdentifier(); });
        for (auto &t : threads)
            t.join();
        for (const auto *text : seen) {
            CHECK(text == seen[0]);
            CHECK(*text == "123456789");
        }
    }

    TEST_CASE_TEMPLATE("authority and namespace compare case-insensitively, the identifier case-sensitively", T,
                       osid::Id, osid::Type)
    {
        const T v("example.org", "messaging.Message", "Key");
        CHECK(v == T("Example.ORG", "messaging.Message", "Key"));
        CHECK(v == T("example.org", "MESSAGING.message", "Key"));
        CHECK(v == T("EXAMPLE.ORG", "Messaging.MESSAGE", "Key"));
        CHECK(v != T("example.org", "messaging.Message", "key"));
        CHECK(v != T("example.org", "messaging.Message", "KEY"));
    }

    TEST_CASE_TEMPLATE("values differing in any one part are unequal", T, osid::Id, osid::Type)
    {
        const T v("example.org", "ns", "id");
        CHECK(v != T("example.com", "ns", "id"));
        CHECK(v != T("example.org", "ns2", "id"));
        CHECK(v != T("example.org", "ns", "id2"));
        CHECK(v == T("example.org", "ns", "id"));
        // The parts are not concatenated before comparing.
        CHECK(T("a", "bc", "d") != T("ab", "c", "d"));
        CHECK(T("a", "b", "cd") != T("a", "bc", "d"));
    }

    TEST_CASE_TEMPLATE("ordering agrees with equality", T, osid::Id, osid::Type)
    {
        const std::vector<T> values = {
            T("example.org", "ns", "id"),
            T("Example.ORG", "NS", "id"),
            T("example.org", "ns", "ID"),
            T("example.org", "ns", "id2"),
            T("example.com", "ns", "id"),
            T("example.org", "other", "id"),
            T("a", "bc", "d"),
            T("ab", "c", "d"),
            T(),
            T("\xc3\xa9", "ns", "id"),
            T("z", "ns", "id"),
        };
        for (const auto &a : values) {
            for (const auto &b : values) {
                CAPTURE(a.toString());
                CAPTURE(b.toString());
                CHECK((a == b) == ((a <=> b) == 0));
                CHECK((a < b) == (b > a));
                CHECK((a <=> b) == (0 <=> (b <=> a)));
            }
        }
    }

    TEST_CASE_TEMPLATE("ordering is by authority, then namespace, then identifier", T, osid::Id, osid::Type)
    {
        CHECK(T("a.org", "z", "z") < T("b.org", "a", "a"));
        CHECK(T("a.org", "a", "z") < T("a.org", "b", "a"));
        CHECK(T("a.org", "a", "a") < T("a.org", "a", "b"));
        CHECK(T("A.org", "z", "z") < T("b.org", "a", "a"));
        CHECK(T("a.org", "Z", "a") > T("a.org", "b", "a"));
        // Case is ignored in the authority and namespace only.
        CHECK(T("a.org", "a", "B") < T("a.org", "a", "a"));
    }

    TEST_CASE_TEMPLATE("a std::set holds one element per equal value", T, osid::Id, osid::Type)
    {
        std::set<T> s = {T("example.org", "ns", "id"), T("Example.ORG", "NS", "id"), T("EXAMPLE.org", "Ns", "id"),
                         T("example.org", "ns", "ID")};
        CHECK(s.size() == 2);
        CHECK(s.count(T("example.ORG", "nS", "id")) == 1);
        CHECK(s.count(T("example.org", "ns", "Id")) == 0);
    }

    TEST_CASE_TEMPLATE("equal values hash equal", T, osid::Id, osid::Type)
    {
        const std::hash<T> h;
        CHECK(h(T("Example.ORG", "ns", "id")) == h(T("example.org", "ns", "id")));
        CHECK(h(T("example.org", "Messaging.MESSAGE", "id")) == h(T("example.org", "messaging.message", "id")));
        CHECK(h(T("EXAMPLE.ORG", "NS", "id")) == h(T("example.org", "ns", "id")));
        CHECK(h(T()) == h(T("", "", "")));
        CHECK(T("Example.ORG", "ns", "id").hash() == h(T("example.org", "ns", "id")));

        std::unordered_set<T> s = {T("example.org", "ns", "id"), T("Example.ORG", "NS", "id"),
                                   T("EXAMPLE.org", "Ns", "id"), T("example.org", "ns", "ID")};
        CHECK(s.size() == 2);
        CHECK(s.count(T("eXample.org", "nS", "id")) == 1);
    }

    TEST_CASE_TEMPLATE("the text form is namespace:identifier@authority", T, osid::Id, osid::Type)
    {
        CHECK(T("example.org", "messaging.Message", "42").toString() == "messaging.Message:42@example.org");
        CHECK(T().toString() == ":@");
    }

    TEST_CASE_TEMPLATE("a value parses back from its text form", T, osid::Id, osid::Type)
    {
        const T v("example.org", "messaging.Message", "42");
        const T parsed = T::parse(v.toString());
        CHECK(parsed == v);
        CHECK(parsed.getAuthority() == "example.org");
        CHECK(parsed.getIdentifierNamespace() == "messaging.Message");
        CHECK(parsed.getIdentifier() == "42");

        const T p = T::parse("ns:Id-1@Example.ORG");
        CHECK(p.getAuthority() == "Example.ORG");
        CHECK(p.getIdentifierNamespace() == "ns");
        CHECK(p.getIdentifier() == "Id-1");
    }

    TEST_CASE_TEMPLATE("parts with delimiters, control characters and UTF-8 survive a round trip", T, osid::Id,
                       osid::Type)
    {
        const std::vector<std::string> parts = {
            "a:b",
            "a@b",
            "100%",
            "%3A",
            ":@%",
            "tab\there",
            "line\nbreak\r",
            "\x01\x1f\x7f",
            "nul\0inside"s,
            "\xc3\xa9t\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x93\xa8",
            "spaces and / slashes ?#",
            "",
        };
        for (const auto &part : parts) {
            CAPTURE(part);
            const std::vector<T> values = {T(part, "ns", "id"), T("auth", part, "id"), T("auth", "ns", part),
                                           T(part, part, part)};
            for (const auto &v : values) {
                const std::string text = v.toString();
                CAPTURE(text);
                CHECK(std::count(text.begin(), text.end(), ':') == 1);
                CHECK(std::count(text.begin(), text.end(), '@') == 1);
                CHECK(std::none_of(text.begin(), text.end(), [](char c) {
                    const auto u = static_cast<unsigned char>(c);
                    return u < 0x20 || u == 0x7f;
                }));
                const T parsed = T::parse(text);
                CHECK(parsed == v);
                CHECK(parsed.getAuthority() == v.getAuthority());
                CHECK(parsed.getIdentifierNamespace() == v.getIdentifierNamespace());
                CHECK(parsed.getIdentifier() == v.getIdentifier());
            }
        }
    }

    TEST_CASE_TEMPLATE("delimiters are written as upper-case %-escapes", T, osid::Id, osid::Type)
    {
        CHECK(T("a@b", "n:s", "5%\n").toString() == "n%3As:5%25%0A@a%40b");
    }

    TEST_CASE_TEMPLATE("parse decodes %-escapes in either case", T, osid::Id, osid::Type)
    {
        const T v = T::parse("n%3as:%41%3A%3a%40%25@a%2eb");
        CHECK(v.getIdentifierNamespace() == "n:s");
        CHECK(v.getIdentifier() == "A::@%");
        CHECK(v.getAuthority() == "a.b");
    }

    TEST_CASE_TEMPLATE("parse raises InvalidArgument for malformed text", T, osid::Id, osid::Type)
    {
        const std::vector<std::string> malformed = {
            "",
            "no delimiters",
            "ns-id@auth",
            "ns:id-auth",
            "auth@ns:id",
            "@:",
            "ns:id%zz@auth",
            "ns:id%G1@auth",
            "ns:id%4@auth",
            "ns:id%@auth",
            "ns%:id@auth",
            "ns:id@auth%",
            "ns:id@auth%4",
            "ns:a:b@auth",
            "ns:a@b@auth",
            "n@s:id@auth",
            "ns:id@au:th",
        };
        for (const auto &text : malformed) {
            CAPTURE(text);
            CHECK_THROWS_AS(T::parse(text), osid::InvalidArgument);
        }
    }

    TEST_CASE_TEMPLATE("parse's InvalidArgument says what is wrong with the text", T, osid::Id, osid::Type)
    {
        const std::string kind = std::is_same_v<T, osid::Id> ? "Id" : "Type";
        const std::vector<std::pair<std::string, std::string>> cases = {
            {"no delimiters", "is not of the form namespace:identifier@authority"},
            {"auth@ns:id", "is not of the form namespace:identifier@authority"},
            {"ns:a:b@auth", "has an unescaped ':' (write it as %3A)"},
            {"n@s:id@auth", "has an unescaped '@' (write it as %40)"},
            {"ns:id%zz@auth", "has a malformed %-escape"},
            {"ns:id%4@auth", "ends inside a %-escape"},
        };
        for (const auto &[text, why] : cases) {
            const std::string expected = "INVALID_ARGUMENT: " + kind + " text \"" + text + "\" " + why;
            CHECK_THROWS_WITH_AS(T::parse(text), expected.c_str(), osid::InvalidArgument);
        }
    }

    TEST_CASE_TEMPLATE("the default-constructed value is the null value", T, osid::Id, osid::Type)
    {
        const T null;
        CHECK(null.isNull());
        CHECK(null.getAuthority().empty());
        CHECK(null.getIdentifierNamespace().empty());
        CHECK(null.getIdentifier().empty());
        CHECK(null == T("", "", ""));
        CHECK(T::parse(null.toString()).isNull());
        CHECK_FALSE(T("a", "", "").isNull());
        CHECK_FALSE(T("", "n", "").isNull());
        CHECK_FALSE(T("", "", "i").isNull());
        CHECK(null != T("", "", "i"));
    }

    TEST_CASE("Type display fields are kept but take no part in identity")
    {
        const osid::Type plain("example.org", "records", "delivery");
        const osid::Type described("Example.ORG", "RECORDS", "delivery",
                                   {"Delivery record", "delivery", "Where a message went", "messaging"});
        CHECK(described.getDisplayName() == "Delivery record");
        CHECK(described.getDisplayLabel() == "delivery");
        CHECK(described.getDescription() == "Where a message went");
        CHECK(described.getDomain() == "messaging");

        CHECK(plain.getDisplayName().empty());
        CHECK(plain.getDisplayLabel().empty());
        CHECK(plain.getDescription().empty());
        CHECK(plain.getDomain().empty());

        CHECK(plain == described);
        CHECK_FALSE(plain < described);
        CHECK_FALSE(described < plain);
        CHECK(std::hash<osid::Type>{}(plain) == std::hash<osid::Type>{}(described));

        const osid::Type other("example.org", "records", "other", {"Delivery record", "delivery", "", ""});
        CHECK(other != described);
    }

    TEST_CASE("copies of a Type share its display fields")
    {
        const osid::Type original("example.org", "records", "delivery", {"Name", "Label", "Description", "Domain"});
        const osid::Type copy = original;
        osid::Type assigned;
        assigned = original;

        CHECK(copy.getDisplayName() == "Name");
        CHECK(assigned.getDomain() == "Domain");
        CHECK(&copy.getDisplayName() == &original.getDisplayName());
        CHECK(&copy.getDescription() == &original.getDescription());
        CHECK(&assigned.getDisplayLabel() == &original.getDisplayLabel());
    }

    TEST_CASE("an immortal Type is the Type built from the same parts, and its copies share it")
    {
        // Immortal Types are never freed: kept in statics, as their users
        // keep them, so that LeakSanitizer sees them held.
        static const osid::Type immortal = osid::Type::immortal("iso", "639-2", "ENG");
        static const osid::Type french = osid::Type::immortal("ISO", "639-2", "FRA");
        static const osid::Type described =
            osid::Type::immortal("example.org", "records", "delivery", {"Name", "Label", "Description", "Domain"});
        static const osid::Type empty = osid::Type::immortal("", "", "");

        const osid::Type built("ISO", "639-2", "ENG");
        CHECK(immortal == built);
        CHECK(built == immortal);
        CHECK_FALSE(immortal < built);
        CHECK_FALSE(built < immortal);
        CHECK(immortal.hash() == built.hash());
        CHECK(immortal.toString() == "639-2:ENG@iso");
        CHECK_FALSE(immortal.isNull());
        CHECK(immortal != french);
        CHECK(immortal.getDisplayName().empty());

        osid::Type copy = immortal;
        osid::Type assigned;
        assigned = copy;
        CHECK(&assigned.getIdentifier() == &immortal.getIdentifier());
        CHECK(assigned == built);

        const osid::Type describedCopy = described;
        CHECK(describedCopy.getDisplayName() == "Name");
        CHECK(describedCopy.getDomain() == "Domain");
        CHECK(&describedCopy.getDescription() == &described.getDescription());
        CHECK(described == osid::Type("example.org", "records", "delivery"));

        CHECK(empty.isNull());
        CHECK(empty == osid::Type());
    }

    TEST_CASE("the built-in Types are immortal Types with the same identity as before")
    {
        CHECK(osid::types::englishLanguage() == osid::Type("ISO", "639-2", "ENG"));
        CHECK(osid::types::latinScript() == osid::Type("ISO", "15924", "LATN"));
        CHECK(osid::types::plainTextFormat() == osid::Type("okapia.net", "TextFormats", "PLAIN"));
        const osid::DisplayText text("hello");
        CHECK(text.getLanguageType() == osid::Type("ISO", "639-2", "ENG"));
        CHECK(&text.getFormatType().getIdentifier() == &osid::types::plainTextFormat().getIdentifier());
        const osid::DisplayText copy = text;
        CHECK(copy == text);
    }

    TEST_CASE("a parsed Type has no display fields")
    {
        const osid::Type t = osid::Type::parse("records:delivery@example.org");
        CHECK(t == osid::Type("example.org", "records", "delivery"));
        CHECK(t.getDisplayName().empty());
        CHECK(t.getDisplayLabel().empty());
        CHECK(t.getDescription().empty());
        CHECK(t.getDomain().empty());
    }
}
