// The memory store's containers against the std:: ones they replace, over
// random inserts and erases (appends, splits, merges, probe runs wrapping
// round the index).

#include "impl/memory/message_table.h"
#include "impl/memory/sorted_chunks.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <vector>

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
}
