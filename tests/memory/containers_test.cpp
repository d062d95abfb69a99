// The memory store's containers against the std:: ones they replace, over
// random inserts and erases (appends, splits, merges, probe runs wrapping
// round the index, re-pointed aliases).

#include "impl/memory/alias_table.h"
#include "impl/memory/message_table.h"
#include "impl/memory/sorted_chunks.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <vector>

using osid::impl::memory::AliasTable;
using osid::impl::memory::MessageTable;
using osid::impl::memory::SortedChunks;

namespace {

struct Entry {
    std::uint32_t value;
    std::uint64_t key;
    friend auto operator<=>(const Entry &, const Entry &) = default;
};

std::vector<Entry> from(const SortedChunks<Entry> &chunks, Entry first)
{
    std::vector<Entry> out;
    chunks.visitFrom(first, [&](const Entry &e) { return out.push_back(e), true; });
    return out;
}

} // namespace

TEST_SUITE("memory store containers")
{
    TEST_CASE("SortedChunks keeps the order and contents of a std::set")
    {
        std::mt19937_64 random(7);
        SortedChunks<Entry> chunks;
        std::set<Entry> reference;
        std::uint64_t nextKey = 1;
        for (int round = 0; round < 20000; ++round) {
            // Mostly inserts with growing keys under few values (as the sender
            // index gets them), and erases of random present entries.
            if (reference.empty() || random() % 3 != 0) {
                const Entry e{static_cast<std::uint32_t>(random() % 50), nextKey++};
                chunks.insert(e);
                reference.insert(e);
            } else {
                auto it = reference.begin();
                std::advance(it, static_cast<long>(random() % reference.size()));
                CHECK(chunks.erase(*it));
                reference.erase(it);
            }
        }
        CHECK_FALSE(chunks.erase(Entry{1000, 1}));
        CHECK(chunks.size() == reference.size());
        CHECK(from(chunks, Entry{0, 0}) == std::vector<Entry>(reference.begin(), reference.end()));
        CHECK(from(chunks, Entry{25, 0}) == std::vector<Entry>(reference.lower_bound({25, 0}), reference.end()));
        for (const auto &e : std::vector<Entry>(reference.begin(), reference.end()))
            CHECK(chunks.erase(e));
        CHECK(chunks.size() == 0);
        CHECK(from(chunks, Entry{0, 0}).empty());
    }

    TEST_CASE("SortedChunks erases sorted runs, scattered values and absent ones as a std::set does")
    {
        std::mt19937_64 random(11);
        SortedChunks<Entry> chunks;
        std::set<Entry> reference;
        std::uint64_t nextKey = 1;
        auto insertSome = [&](int n) {
            for (int i = 0; i < n; ++i) {
                const Entry e{static_cast<std::uint32_t>(random() % 40), nextKey++};
                chunks.insert(e);
                reference.insert(e);
            }
        };
        auto same = [&] {
            CHECK(chunks.size() == reference.size());
            CHECK(from(chunks, Entry{0, 0}) == std::vector<Entry>(reference.begin(), reference.end()));
        };
        for (int round = 0; round < 60; ++round) {
            insertSome(round % 3 == 0 ? 3000 : 500);
            std::vector<Entry> gone;
            switch (round % 4) {
            case 0: // one value's whole run (a sender's messages)
                for (const auto &e : reference)
                    if (e.value == static_cast<std::uint32_t>(round % 40))
                        gone.push_back(e);
                break;
            case 1: // scattered entries, with absent ones between them
                for (const auto &e : reference)
                    if (random() % 5 == 0)
                        gone.push_back(e);
                for (int i = 0; i < 50; ++i)
                    gone.push_back(Entry{static_cast<std::uint32_t>(random() % 45), nextKey + random() % 100});
                break;
            case 2: // a span of values (a span of time), emptying whole chunks
                for (const auto &e : reference)
                    if (e.value >= 10 && e.value < 25)
                        gone.push_back(e);
                break;
            default: // only absent values, beyond the last chunk too
                gone = {Entry{0, 0}, Entry{39, nextKey + 1}, Entry{1000, 1}};
            }
            std::sort(gone.begin(), gone.end());
            gone.erase(std::unique(gone.begin(), gone.end()), gone.end());
            std::size_t present = 0;
            for (const auto &e : gone)
                present += reference.erase(e);
            CHECK(chunks.eraseSorted(gone.data(), gone.data() + gone.size()) == present);
            same();
        }
        // Inserts and single erases still work on what the runs left.
        insertSome(2000);
        for (int i = 0; i < 500 && !reference.empty(); ++i) {
            auto it = reference.begin();
            std::advance(it, static_cast<long>(random() % reference.size()));
            CHECK(chunks.erase(*it));
            reference.erase(it);
        }
        same();
        // Everything at once leaves it empty and usable.
        const std::vector<Entry> all(reference.begin(), reference.end());
        CHECK(chunks.eraseSorted(all.data(), all.data() + all.size()) == all.size());
        reference.clear();
        same();
        CHECK(chunks.eraseSorted(all.data(), all.data() + all.size()) == 0);
        insertSome(10);
        same();
    }

    TEST_CASE("MessageTable finds, takes and reuses as a std::map does")
    {
        std::mt19937_64 random(11);
        MessageTable<std::uint64_t> table;
        std::map<std::uint64_t, std::uint64_t> reference;
        std::uint64_t nextKey = 1;
        for (int round = 0; round < 50000; ++round) {
            if (reference.empty() || random() % 4 != 0) {
                table.insert(nextKey, nextKey * 3);
                reference[nextKey] = nextKey * 3;
                ++nextKey;
            } else {
                auto it = reference.begin();
                std::advance(it, static_cast<long>(random() % reference.size()));
                CHECK(table.take(it->first) == it->second);
                reference.erase(it);
            }
        }
        CHECK(table.size() == reference.size());
        for (std::uint64_t key = 1; key < nextKey; ++key) {
            const auto it = reference.find(key);
            const auto *found = table.find(key);
            REQUIRE((found != nullptr) == (it != reference.end()));
            if (found)
                CHECK(*found == it->second);
        }
        CHECK(table.find(0) == nullptr);
        std::map<std::uint64_t, std::uint64_t> seen;
        table.forEach([&](std::uint64_t key, std::uint64_t value) { seen[key] = value; });
        CHECK(seen == reference);
    }

    TEST_CASE("MessageTable tells keys apart on both sides of 2^31, where tags stop being the keys themselves")
    {
        std::mt19937_64 random(17);
        MessageTable<std::uint64_t> table;
        std::set<std::uint64_t> present;
        // Keys just below and above 2^31, and large ones whose hash tags
        // could equal a small key.
        std::vector<std::uint64_t> keys;
        for (std::uint64_t k = (std::uint64_t{1} << 31) - 500; k < (std::uint64_t{1} << 31) + 500; ++k)
            keys.push_back(k);
        for (int i = 0; i < 3000; ++i)
            keys.push_back((random() | 1) >> (random() % 2 == 0 ? 1 : 33));
        for (auto k : keys)
            if (present.insert(k).second)
                table.insert(k, k + 1);
        for (auto k : keys) {
            CHECK(table.contains(k));
            REQUIRE(table.find(k) != nullptr);
            CHECK(*table.find(k) == k + 1);
        }
        for (int i = 0; i < 20000; ++i) {
            const std::uint64_t probe = i % 2 == 0 ? random() >> 33 : random();
            CHECK(table.contains(probe) == (present.count(probe) == 1));
        }
    }

    TEST_CASE("AliasTable keeps the contents of a std::map, and equal Ids in other spellings find the same alias")
    {
        std::mt19937_64 random(13);
        AliasTable table;
        std::map<osid::Id, std::uint64_t> reference;
        // Few identifiers, so that re-points, erases of present and absent
        // aliases, and long probe runs all happen.
        auto alias = [&] { return osid::Id("example.org", "w1.Alias", std::to_string(random() % 3000)); };
        for (int round = 0; round < 50000; ++round) {
            const auto id = alias();
            if (random() % 3 != 0) {
                const std::uint64_t key = random() % 1000 + 1;
                const auto it = reference.find(id);
                const auto previous = table.set(id, key);
                CHECK(previous.has_value() == (it != reference.end()));
                if (previous)
                    CHECK(*previous == it->second);
                reference[id] = key;
            } else {
                table.erase(id);
                reference.erase(id);
            }
        }
        CHECK(table.size() == reference.size());
        for (int n = 0; n < 3000; ++n) {
            const osid::Id id("EXAMPLE.org", "W1.alias", std::to_string(n));
            const auto it = reference.find(id);
            const auto *found = table.find(id);
            REQUIRE((found != nullptr) == (it != reference.end()));
            if (found)
                CHECK(*found == it->second);
        }
        table.retainIf([](const osid::Id &, std::uint64_t key) { return key % 2 == 0; });
        std::erase_if(reference, [](const auto &entry) { return entry.second % 2 != 0; });
        std::map<osid::Id, std::uint64_t> seen;
        table.forEach([&](const osid::Id &id, std::uint64_t key) { seen[id] = key; });
        CHECK(seen == reference);
        CHECK(table.size() == reference.size());
    }
}
