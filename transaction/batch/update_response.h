// osid::transaction::batch::UpdateResponse and UpdateResponseList: the
// outcome of one form in a bulk update. One response per submitted form, in
// no defined order, linked by getFormId().

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

class UpdateResponse : public detail::ItemOutcome {
public:
    static UpdateResponse success(Id formId, Id updatedId)
    {
        return UpdateResponse(std::move(formId), std::move(updatedId));
    }
    // `updatedId` is the object the form targets, known even when the
    // update failed.
    static UpdateResponse failure(Id formId, Id updatedId, ErrorCode code, std::string errorMessage)
    {
        return UpdateResponse(std::move(formId), std::move(updatedId), code, std::move(errorMessage));
    }

    // The Id of the form this response answers.
    const Id &getFormId() const noexcept { return formId_; }

    // The Id of the object the form targets; the primary Id, which may
    // differ from an alias the caller used.
    const Id &getUpdatedId() const noexcept { return updatedId_; }

private:
    UpdateResponse(Id formId, Id updatedId) : formId_(std::move(formId)), updatedId_(std::move(updatedId)) {}
    UpdateResponse(Id formId, Id updatedId, ErrorCode code, std::string message)
        : ItemOutcome(code, std::move(message)), formId_(std::move(formId)), updatedId_(std::move(updatedId))
    {
    }

    Id formId_;
    Id updatedId_;
};

class UpdateResponseList : public OsidList<UpdateResponse> {
public:
    // Errors: IllegalState (no more elements), OperationFailed.
    UpdateResponse getNextUpdateResponse() { return this->nextElement(); }
    // Errors: IllegalState (`n` exceeds available()), OperationFailed.
    std::vector<UpdateResponse> getNextUpdateResponses(std::uint64_t n) { return this->nextElements(n); }
};

} // namespace osid::transaction::batch
