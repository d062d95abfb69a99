// osid::VectorList<List>: any typed OSID list, backed by a std::vector.
// osid::SpanList<List>: any typed OSID list over elements another object
// holds, kept alive by a shared owner for as long as the list lives.
//
// Consumers build the lists that OSID methods take as input with VectorList
// (MessageBatchFormList, AliasRequestList, IdList); providers return it for
// results they have already materialized, and return a SpanList for elements
// that stay where they are (a stored message's recipients, say).
//
// Example:
//   osid::VectorList<osid::IdList> ids({a, b});
//   auto forms = session->getMessageFormsForUpdate(ids);

#pragma once

#include "osid/errors.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace osid {

namespace detail {

// The read position both lists keep over `Self::size()` elements (a
// private member the list befriends this base to reach): the OsidList
// counting methods, and the end check every read makes.
template <class List, class Self>
class IndexedList : public List {
public:
    bool hasNext() const override { return next_ < self().size(); }
    std::uint64_t available() const override { return self().size() - next_; }
    void skip(std::uint64_t n) override { next_ += static_cast<std::size_t>(std::min<std::uint64_t>(n, available())); }

protected:
    // The index of the element to read next, stepping past it.
    std::size_t advance()
    {
        if (next_ >= self().size())
            throw IllegalState("no more elements in this list");
        return next_++;
    }
    void rewind() { next_ = 0; }

private:
    const Self &self() const { return static_cast<const Self &>(*this); }

    std::size_t next_ = 0;
};

} // namespace detail

template <class List>
class VectorList final : public detail::IndexedList<List, VectorList<List>> {
public:
    using value_type = typename List::value_type;

    VectorList() = default;
    explicit VectorList(std::vector<value_type> items) : items_(std::move(items)) {}
    VectorList(std::initializer_list<value_type> items) : items_(items) {}

    void close() override
    {
        items_.clear();
        this->rewind();
    }

protected:
    // Moving out is safe: every element is read at most once.
    value_type nextElement() override { return std::move(items_[this->advance()]); }

private:
    friend detail::IndexedList<List, VectorList>;
    // The elements held, read or not, for the read position.
    std::size_t size() const { return items_.size(); }

    std::vector<value_type> items_;
};

template <class List>
class SpanList final : public detail::IndexedList<List, SpanList<List>> {
public:
    using value_type = typename List::value_type;

    // `items` must stay valid for as long as `owner` is held.
    SpanList(std::shared_ptr<const void> owner, std::span<const value_type> items)
        : owner_(std::move(owner)), items_(items)
    {
    }

    // Releases the owner: the elements may go before the list does.
    void close() override
    {
        items_ = {};
        owner_.reset();
        this->rewind();
    }

protected:
    // Copied out: the elements are the owner's, and others may read them.
    value_type nextElement() override { return items_[this->advance()]; }

private:
    friend detail::IndexedList<List, SpanList>;
    // The elements held, read or not, for the read position.
    std::size_t size() const { return items_.size(); }

    std::shared_ptr<const void> owner_;
    std::span<const value_type> items_;
};

// A heap-allocated VectorList, as providers return lists.
template <class List>
std::unique_ptr<List> makeList(std::vector<typename List::value_type> items)
{
    return std::make_unique<VectorList<List>>(std::move(items));
}

} // namespace osid
