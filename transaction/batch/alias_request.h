// osid::transaction::batch::AliasRequest and AliasRequestList: one request
// of a bulk alias, built by the consumer: give the object `referenceId` the
// additional Id `aliasId`.
//
// Example:
//   osid::VectorList<AliasRequestList> requests({AliasRequest(messageId, legacyId)});
//   auto responses = session->aliasMessages(requests);

#pragma once

#include "osid/id.h"
#include "osid/osid_list.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace osid::transaction::batch {

class AliasRequest {
public:
    AliasRequest(Id referenceId, Id aliasId) : referenceId_(std::move(referenceId)), aliasId_(std::move(aliasId)) {}

    // The Id of the existing object.
    const Id &getReferenceId() const noexcept { return referenceId_; }
    // The Id to add to it.
    const Id &getAliasId() const noexcept { return aliasId_; }

    friend bool operator==(const AliasRequest &, const AliasRequest &) = default;

private:
    Id referenceId_;
    Id aliasId_;
};

class AliasRequestList : public OsidList<AliasRequest> {
public:
    // Errors: IllegalState (no more elements), OperationFailed.
    AliasRequest getNextAliasRequest() { return this->nextElement(); }
    // Errors: IllegalState (`n` exceeds available()), OperationFailed.
    std::vector<AliasRequest> getNextAliasRequests(std::uint64_t n) { return this->nextElements(n); }
};

} // namespace osid::transaction::batch
