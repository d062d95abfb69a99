#include "service/batch_store.h"

#include <fmt/format.h>

#include <algorithm>

namespace osid::service {

ResultStream::ResultStream(std::shared_ptr<BatchStore> store, std::int64_t batchKey, std::string batchId,
                           const ResultsOptions &options)
    : store_(std::move(store)), batchKey_(batchKey), batchId_(std::move(batchId)),
      byPosition_(options.after.has_value()), types_(options.types),
      afterIndex_(options.after ? static_cast<std::int64_t>(*options.after) : -1)
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
    // Results of other types than asked for are read and skipped here: a
    // page moves the cursor by what it read, whatever it keeps.
    do {
        if (!readPage())
            return false;
        result = std::move(page_[position_++]);
    } while (!types_.empty() && std::find(types_.begin(), types_.end(), result.type) == types_.end());
    ++read_;
    return true;
}

bool ResultStream::readPage()
{
    if (position_ == page_.size()) {
        if (exhausted_)
            return false;
        auto rows = guarded([&] {
            if (byPosition_)
                return store_->finishedSince(batchKey_, afterIndex_, kPageSize);
            return chain_.empty() ? store_->results(batchKey_, afterIndex_, kPageSize)
                                  : store_->mergedResults(chain_, afterIndex_, kPageSize);
        });
        // Checked after the page was read: a delete or an archive (one
        // transaction each) that came before the read is seen here.
        if (!guarded([&] { return store_->resultsKept(batchKey_); }))
            throw ServiceError(error_type::kNotFound,
                               fmt::format("message batch {} was deleted (or its results archived) while its results "
                                           "were read; they stop after {} result{}",
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
    return true;
}

} // namespace osid::service
