// osid::transaction::batch::AliasResponse and AliasResponseList: the outcome
// of one AliasRequest. One response per request, in no defined order,
// linked by the reference and alias Ids it echoes.

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

class AliasResponse : public detail::ItemOutcome {
public:
    static AliasResponse success(Id referenceId, Id aliasId)
    {
        return AliasResponse(std::move(referenceId), std::move(aliasId));
    }
    static AliasResponse failure(Id referenceId, Id aliasId, ErrorCode code, std::string errorMessage)
    {
        return AliasResponse(std::move(referenceId), std::move(aliasId), code, std::move(errorMessage));
    }

    // The reference Id of the request.
    const Id &getReferenceId() const noexcept { return referenceId_; }
    // The alias Id of the request.
    const Id &getAliasId() const noexcept { return aliasId_; }

private:
    AliasResponse(Id referenceId, Id aliasId) : referenceId_(std::move(referenceId)), aliasId_(std::move(aliasId)) {}
    AliasResponse(Id referenceId, Id aliasId, ErrorCode code, std::string message)
        : ItemOutcome(code, std::move(message)), referenceId_(std::move(referenceId)), aliasId_(std::move(aliasId))
    {
    }

    Id referenceId_;
    Id aliasId_;
};

class AliasResponseList : public OsidList<AliasResponse> {
public:
    // Errors: IllegalState (no more elements), OperationFailed.
    AliasResponse getNextAliasResponse() { return this->nextElement(); }
    // Errors: IllegalState (`n` exceeds available()), OperationFailed.
    std::vector<AliasResponse> getNextAliasResponses(std::uint64_t n) { return this->nextElements(n); }
};

} // namespace osid::transaction::batch
