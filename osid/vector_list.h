// osid::VectorList<List>: any typed OSID list, backed by a std::vector.
//
// Consumers build the lists that OSID methods take as input with it
// (MessageBatchFormList, AliasRequestList, IdList); providers return it for
// results they have already materialized.
//
// Example:
//   osid::VectorList<osid::IdList> ids({a, b});
//   auto forms = session->getMessageFormsForUpdate(ids);

#pragma once

#include "osid/errors.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace osid {

template <class List>
class VectorList final : public List {
public:
    using value_type = typename List::value_type;

    VectorList() = default;
    explicit VectorList(std::vector<value_type> items) : items_(std::move(items)) {}
    VectorList(std::initializer_list<value_type> items) : items_(items) {}

    bool hasNext() const override { return next_ < items_.size(); }
    std::uint64_t available() const override { return items_.size() - next_; }
    void skip(std::uint64_t n) override { next_ += static_cast<std::size_t>(std::min<std::uint64_t>(n, available())); }
    void close() override
    {
        items_.clear();
        next_ = 0;
    }

protected:
    value_type nextElement() override
    {
        if (next_ >= items_.size())
            throw IllegalState("no more elements in this list");
        // Moving out is safe: every element is read at most once.
        return std::move(items_[next_++]);
    }

private:
    std::vector<value_type> items_;
    std::size_t next_ = 0;
};

// A heap-allocated VectorList, as providers return lists.
template <class List>
std::unique_ptr<List> makeList(std::vector<typename List::value_type> items)
{
    return std::make_unique<VectorList<List>>(std::move(items));
}

} // namespace osid
