// osid::IdList and osid::TypeList (OSID osid.id.IdList, osid.type.TypeList).

#pragma once

#include "osid/id.h"
#include "osid/osid_list.h"
#include "osid/type.h"

#include <cstdint>
#include <vector>

namespace osid {

class IdList : public OsidList<Id> {
public:
    // The next Id. Raises IllegalState when none remain; OperationFailed.
    Id getNextId() { return this->nextElement(); }
    // The next `n` Ids. Raises IllegalState when `n` exceeds available().
    std::vector<Id> getNextIds(std::uint64_t n) { return this->nextElements(n); }
};

class TypeList : public OsidList<Type> {
public:
    // The next Type. Raises IllegalState when none remain; OperationFailed.
    Type getNextType() { return this->nextElement(); }
    // The next `n` Types. Raises IllegalState when `n` exceeds available().
    std::vector<Type> getNextTypes(std::uint64_t n) { return this->nextElements(n); }
};

} // namespace osid
