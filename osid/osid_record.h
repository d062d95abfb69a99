// osid::OsidRecord (OSID osid.OsidRecord): the base of every record, the
// typed extension an object or form carries for one record Type.
//
// Records are reached through getXRecord(Type)/getXFormRecord(Type) and
// cast to the record interface that Type names. They live as long as the
// object or form that returned them.

#pragma once

#include "osid/type.h"

namespace osid {

class OsidRecord {
public:
    OsidRecord() = default;
    OsidRecord(const OsidRecord &) = delete;
    OsidRecord &operator=(const OsidRecord &) = delete;
    virtual ~OsidRecord() = default;

    // Whether this record implements the interface `recordType` names.
    virtual bool implementsRecordType(const Type &recordType) const = 0;
};

} // namespace osid
