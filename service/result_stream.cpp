#include "service/batch_store.h"

#include <fmt/format.h>

namespace osid::service {

ResultStream::ResultStream(std::shared_ptr<BatchStore> store, std::int64_t batchKey, std::string batchId)
    : store_(std::move(store)), batchKey_(batchKey), batchId_(std::move(batchId))
{
}
ResultStream::ResultStream(std::shared_ptr<BatchStore> store, std::vector<std::int64_t> chain, std::string batchId)
    : store_(std::move(store)), batchKey_(chain.front()), chain_(std::move(chain)), batchId_(std::move(batchId))
{
}
ResultStream::ResultStream(ResultStream &&) noexcept = default;
ResultStream &ResultStream::operator=(ResultStream &&) noexcept = default;
ResultStream::~ResultStream() = default;

bool ResultStream::next(MessageBatchResult &result)
{
    if (position_ == page_.size()) {
        if (exhausted_)
            return false;
        auto rows = guarded([&] {
            return chain_.empty() ? store_->results(batchKey_, afterIndex_, kPageSize)
                                  : store_->mergedResults(chain_, afterIndex_, kPageSize);
        });
        // Checked after the page was read: a delete (one transaction) that
        // came before the read is seen here.
        if (!guarded([&] { return store_->exists(batchKey_); }))
            throw ServiceError(error_type::kNotFound,
                               fmt::format("message batch {} was deleted while its results were read; they stop "
                                           "after {} result{}",
                                           batchId_, read_, read_ == 1 ? "" : "s"));
        page_.clear();
        position_ = 0;
        for (auto &row : rows)
            page_.push_back(std::move(row.second));
        if (!rows.empty())
            afterIndex_ = rows.back().first;
        exhausted_ = rows.size() < kPageSize;
        if (page_.empty())
            return false;
    }
    result = std::move(page_[position_++]);
    ++read_;
    return true;
}

} // namespace osid::service
