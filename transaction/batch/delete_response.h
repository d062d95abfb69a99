// osid::transaction::batch::DeleteResponse and DeleteResponseList: the
// outcome of deleting one object. A delete by criteria (all, by sender, by
// date) returns one response per object that matched, in no defined order.

#pragma once

#include "osid/errors.h"
#include "osid/id.h"
#include "osid/osid_list.h"
#include "transaction/batch/detail/item_outcome.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace osid::transaction::batch {

class DeleteResponse : public detail::ItemOutcome {
public:
    static DeleteResponse success(Id deletedId) { return DeleteResponse(std::move(deletedId)); }
    static DeleteResponse failure(Id deletedId, ErrorCode code, std::string errorMessage)
    {
        return DeleteResponse(std::move(deletedId), code, std::move(errorMessage));
    }

    // The (primary) Id of the object this item worked on.
    const Id &getDeletedId() const noexcept { return deletedId_; }

private:
    explicit DeleteResponse(Id deletedId) : deletedId_(std::move(deletedId)) {}
    DeleteResponse(Id deletedId, ErrorCode code, std::string message)
        : ItemOutcome(code, std::move(message)), deletedId_(std::move(deletedId))
    {
    }

    Id deletedId_;
};

class DeleteResponseList : public OsidList<DeleteResponse> {
public:
    // Errors: IllegalState (no more elements), OperationFailed.
    DeleteResponse getNextDeleteResponse() { return this->nextElement(); }
    // Errors: IllegalState (`n` exceeds available()), OperationFailed.
    std::vector<DeleteResponse> getNextDeleteResponses(std::uint64_t n) { return this->nextElements(n); }
};

} // namespace osid::transaction::batch
