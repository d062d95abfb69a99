#include "osid/id_list.h"
#include "osid/osid_list.h"
#include "osid/vector_list.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <iterator>
#include <limits>
#include <memory>
#include <ranges>
#include <vector>

using osid::Id;
using osid::IdList;
using osid::VectorList;

namespace {

Id id(const char *name) { return Id("example.org", "test.Thing", name); }

const Id a = id("a");
const Id b = id("b");
const Id c = id("c");
const Id d = id("d");

// A lazy list, like a database cursor: elements remain but none is buffered,
// so available() is 0 while hasNext() is true. It keeps OsidList's close().
class CursorIdList final : public IdList {
public:
    explicit CursorIdList(std::uint64_t count) : remaining_(count) {}

    bool hasNext() const override { return remaining_ > 0; }
    std::uint64_t available() const override { return 0; }
    void skip(std::uint64_t n) override { remaining_ -= std::min(n, remaining_); }

protected:
    Id nextElement() override
    {
        if (remaining_ == 0)
            throw osid::IllegalState("cursor exhausted");
        --remaining_;
        return id("cursor");
    }

private:
    std::uint64_t remaining_;
};

} // namespace

TEST_SUITE("osid::OsidList")
{
    TEST_CASE("a fresh list has every element available")
    {
        VectorList<IdList> list({a, b, c, d});
        CHECK(list.hasNext());
        CHECK(list.available() == 4);
    }

    TEST_CASE("an empty list has nothing to read")
    {
        VectorList<IdList> list;
        CHECK_FALSE(list.hasNext());
        CHECK(list.available() == 0);
        CHECK_THROWS_AS(list.getNextId(), osid::IllegalState);
        CHECK(list.getNextIds(0).empty());
        CHECK_THROWS_AS(list.getNextIds(1), osid::IllegalState);
    }

    TEST_CASE("getNextId returns the elements in order until the list is exhausted")
    {
        VectorList<IdList> list({a, b, c});
        CHECK(list.getNextId() == a);
        CHECK(list.available() == 2);
        CHECK(list.getNextId() == b);
        CHECK(list.hasNext());
        CHECK(list.getNextId() == c);
        CHECK_FALSE(list.hasNext());
        CHECK(list.available() == 0);
    }

    TEST_CASE("getNextId on an exhausted list raises IllegalState")
    {
        VectorList<IdList> list({a});
        CHECK(list.getNextId() == a);
        CHECK_THROWS_AS(list.getNextId(), osid::IllegalState);
        CHECK_THROWS_AS(list.getNextId(), osid::IllegalState);
        CHECK_FALSE(list.hasNext());
    }

    TEST_CASE("skip passes over elements without returning them")
    {
        VectorList<IdList> list({a, b, c, d});
        list.skip(2);
        CHECK(list.available() == 2);
        CHECK(list.getNextId() == c);
        list.skip(0);
        CHECK(list.getNextId() == d);
    }

    TEST_CASE("skipping past the end empties the list")
    {
        VectorList<IdList> list({a, b, c});
        list.getNextId();
        list.skip(5);
        CHECK_FALSE(list.hasNext());
        CHECK(list.available() == 0);
        CHECK_THROWS_AS(list.getNextId(), osid::IllegalState);

        VectorList<IdList> huge({a, b});
        huge.skip(std::numeric_limits<std::uint64_t>::max());
        CHECK_FALSE(huge.hasNext());
        CHECK(huge.available() == 0);
    }

    TEST_CASE("getNextIds(n) returns the next n elements in order")
    {
        VectorList<IdList> list({a, b, c, d});
        CHECK(list.getNextIds(3) == std::vector<Id>{a, b, c});
        CHECK(list.available() == 1);
        CHECK(list.getNextIds(0).empty());
        CHECK(list.available() == 1);
        CHECK(list.getNextIds(1) == std::vector<Id>{d});
        CHECK_FALSE(list.hasNext());
    }

    TEST_CASE("getNextIds raises IllegalState and reads nothing when n exceeds available()")
    {
        VectorList<IdList> list({a, b, c});
        list.getNextId();
        CHECK_THROWS_AS(list.getNextIds(3), osid::IllegalState);
        CHECK_THROWS_AS(list.getNextIds(std::numeric_limits<std::uint64_t>::max()), osid::IllegalState);
        CHECK(list.available() == 2);
        CHECK(list.getNextIds(2) == std::vector<Id>{b, c});
    }

    TEST_CASE("range-for visits every element once, in order")
    {
        VectorList<IdList> list({a, b, c, d});
        std::vector<Id> seen;
        for (const Id &x : list)
            seen.push_back(x);
        CHECK(seen == std::vector<Id>{a, b, c, d});
        CHECK_FALSE(list.hasNext());
    }

    TEST_CASE("range-for continues from where the getters stopped")
    {
        VectorList<IdList> list({a, b, c, d});
        CHECK(list.getNextId() == a);
        list.skip(1);
        std::vector<Id> seen;
        for (const Id &x : list)
            seen.push_back(x);
        CHECK(seen == std::vector<Id>{c, d});
    }

    TEST_CASE("range-for over an empty list runs no iteration")
    {
        VectorList<IdList> list;
        int iterations = 0;
        for ([[maybe_unused]] const Id &x : list)
            ++iterations;
        CHECK(iterations == 0);
    }

    TEST_CASE("range-for works directly on the std::unique_ptr that makeList returns")
    {
        std::unique_ptr<IdList> made = osid::makeList<IdList>({a, b, c});
        CHECK(made->available() == 3);

        std::vector<Id> seen;
        for (const Id &x : osid::makeList<IdList>({a, b, c}))
            seen.push_back(x);
        CHECK(seen == std::vector<Id>{a, b, c});

        std::vector<Id> seenThroughVariable;
        for (const Id &x : made)
            seenThroughVariable.push_back(x);
        CHECK(seenThroughVariable == std::vector<Id>{a, b, c});
        CHECK_FALSE(made->hasNext());
    }

    TEST_CASE("close() empties the list and may be repeated")
    {
        VectorList<IdList> list({a, b, c});
        CHECK(list.getNextId() == a);
        list.close();
        CHECK_FALSE(list.hasNext());
        CHECK(list.available() == 0);
        CHECK_THROWS_AS(list.getNextId(), osid::IllegalState);
        CHECK_THROWS_AS(list.getNextIds(1), osid::IllegalState);
        list.close();
        CHECK_FALSE(list.hasNext());

        auto made = osid::makeList<IdList>({a, b});
        made->close();
        CHECK_FALSE(made->hasNext());
        CHECK(made->available() == 0);
    }

    TEST_CASE("the default close() empties a lazy list whose available() is 0")
    {
        CursorIdList cursor(3);
        REQUIRE(cursor.hasNext());
        REQUIRE(cursor.available() == 0);
        cursor.close();
        CHECK_FALSE(cursor.hasNext());
        CHECK_THROWS_AS(cursor.getNextId(), osid::IllegalState);
    }

    TEST_CASE("a lazy list answers getNextIds(n) only up to available()")
    {
        CursorIdList cursor(2);
        CHECK_THROWS_AS(cursor.getNextIds(1), osid::IllegalState);
        CHECK(cursor.hasNext());
        CHECK(cursor.getNextId() == id("cursor"));
        std::vector<Id> rest;
        for (const Id &x : cursor)
            rest.push_back(x);
        CHECK(rest == std::vector<Id>{id("cursor")});
    }

    TEST_CASE("a list is single-pass: a second iteration sees nothing")
    {
        VectorList<IdList> list({a, b});
        std::vector<Id> first;
        for (const Id &x : list)
            first.push_back(x);
        std::vector<Id> second;
        for (const Id &x : list)
            second.push_back(x);
        CHECK(first == std::vector<Id>{a, b});
        CHECK(second.empty());
        CHECK_THROWS_AS(list.getNextId(), osid::IllegalState);
    }

    TEST_CASE("a list is an input range for the standard range algorithms")
    {
        CHECK(std::input_iterator<IdList::iterator>);
        CHECK(std::sentinel_for<std::default_sentinel_t, IdList::iterator>);
        CHECK(std::ranges::input_range<IdList>);

        VectorList<IdList> list({a, b, c, b});
        CHECK(std::ranges::count(list, b) == 2);
        CHECK_FALSE(list.hasNext());

        VectorList<IdList> searched({a, b, c, d});
        auto found = std::ranges::find(searched, b);
        REQUIRE(found != searched.end());
        CHECK(*found == b);
        CHECK(searched.getNextId() == c);
    }

    TEST_CASE("a list of Types reads the same way")
    {
        const osid::Type t1("example.org", "records", "one");
        const osid::Type t2("example.org", "records", "two");
        const osid::Type t3("example.org", "records", "three");
        VectorList<osid::TypeList> list({t1, t2, t3});
        CHECK(list.getNextType() == t1);
        CHECK_THROWS_AS(list.getNextTypes(3), osid::IllegalState);
        CHECK(list.getNextTypes(2) == std::vector<osid::Type>{t2, t3});
        CHECK_THROWS_AS(list.getNextType(), osid::IllegalState);
    }
}

TEST_SUITE("osid::SpanList")
{
    // Elements that a shared owner holds, as a stored message holds its
    // recipients.
    std::shared_ptr<const std::vector<Id>> held()
    {
        return std::make_shared<const std::vector<Id>>(std::vector{a, b, c});
    }

    TEST_CASE("reads the owner's elements in order, copying them, and leaves them in place")
    {
        const auto owner = held();
        osid::SpanList<IdList> list(owner, *owner);
        CHECK(list.available() == 3);
        CHECK(list.getNextId() == a);
        list.skip(1);
        CHECK(list.getNextIds(1) == std::vector<Id>{c});
        CHECK_FALSE(list.hasNext());
        CHECK_THROWS_AS(list.getNextId(), osid::IllegalState);
        CHECK(*owner == std::vector<Id>{a, b, c});
        // A second list over the same elements reads them all again.
        osid::SpanList<IdList> again(owner, *owner);
        std::vector<Id> read;
        for (Id id : again)
            read.push_back(id);
        CHECK(read == std::vector<Id>{a, b, c});
    }

    TEST_CASE("keeps its owner alive after everyone else lets go, until it is closed")
    {
        auto owner = held();
        const std::weak_ptr<const std::vector<Id>> watch = owner;
        osid::SpanList<IdList> list(owner, *owner);
        owner.reset();
        REQUIRE_FALSE(watch.expired());
        CHECK(list.getNextId() == a);
        CHECK(list.getNextId() == b);
        list.close();
        CHECK(watch.expired());
        CHECK_FALSE(list.hasNext());
        CHECK(list.available() == 0);
        CHECK_THROWS_AS(list.getNextId(), osid::IllegalState);
    }

    TEST_CASE("an empty span is an empty list")
    {
        osid::SpanList<IdList> list(nullptr, {});
        CHECK_FALSE(list.hasNext());
        CHECK(list.getNextIds(0).empty());
        CHECK_THROWS_AS(list.getNextIds(1), osid::IllegalState);
    }
}
