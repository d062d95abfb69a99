// osid::transaction::batch::CreateResponse and CreateResponseList (OSID
// osid.transaction.batch): the outcome of one form in a bulk create.
//
// A bulk create returns exactly one response per submitted form, in no
// defined order; getFormId() links a response to its form. Responses are
// plain values (OSID capsules): providers build them with success() and
// failure().

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

class CreateResponse : public detail::ItemOutcome {
public:
    static CreateResponse success(Id formId, Id createdId)
    {
        return CreateResponse(std::move(formId), std::move(createdId));
    }
    static CreateResponse failure(Id formId, ErrorCode code, std::string errorMessage)
    {
        return CreateResponse(std::move(formId), code, std::move(errorMessage));
    }

    // The Id of the form this response answers.
    const Id &getFormId() const noexcept { return formId_; }

    // The Id of the created object.
    // Errors: IllegalState (isSuccessful() is false).
    const Id &getCreatedId() const
    {
        if (!isSuccessful())
            throw IllegalState("the create failed, so nothing was created");
        return createdId_;
    }

private:
    CreateResponse(Id formId, Id createdId) : formId_(std::move(formId)), createdId_(std::move(createdId)) {}
    CreateResponse(Id formId, ErrorCode code, std::string message)
        : ItemOutcome(code, std::move(message)), formId_(std::move(formId))
    {
    }

    Id formId_;
    Id createdId_;
};

class CreateResponseList : public OsidList<CreateResponse> {
public:
    // Errors: IllegalState (no more elements), OperationFailed.
    CreateResponse getNextCreateResponse() { return this->nextElement(); }
    // Errors: IllegalState (`n` exceeds available()), OperationFailed.
    std::vector<CreateResponse> getNextCreateResponses(std::uint64_t n) { return this->nextElements(n); }
};

} // namespace osid::transaction::batch
