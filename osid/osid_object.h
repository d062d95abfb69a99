// osid::OsidObject (OSID osid.OsidObject, with Identifiable and Extensible):
// what every OSID object has: an Id, a name, a description, a genus type and
// a fixed set of record types.
//
// Objects returned by sessions are snapshots; they never return null and do
// not change when the store changes. Objects are used by one thread at a
// time, but distinct objects may be used on distinct threads.

#pragma once

#include "osid/display_text.h"
#include "osid/id.h"
#include "osid/id_list.h"
#include "osid/type.h"

#include <memory>

namespace osid {

class OsidObject {
public:
    OsidObject() = default;
    OsidObject(const OsidObject &) = delete;
    OsidObject &operator=(const OsidObject &) = delete;
    virtual ~OsidObject() = default;

    // The primary Id. It may differ from the Id used to look the object up
    // (an alias); prefer this one from then on.
    virtual Id getId() const = 0;

    // Whether the data was current when the object was fetched.
    virtual bool isCurrent() const = 0;

    // The record types of this object (Extensible).
    virtual std::unique_ptr<TypeList> getRecordTypes() const = 0;

    // Whether this object carries `recordType`.
    // Errors: NullArgument (a null Type).
    virtual bool hasRecordType(const Type &recordType) const = 0;

    virtual DisplayText getDisplayName() const = 0;
    virtual DisplayText getDescription() const = 0;
    virtual Type getGenusType() const = 0;

    // Whether the genus type is `genusType`.
    // Errors: NullArgument (a null Type).
    virtual bool isOfGenusType(const Type &genusType) const = 0;
};

// OSID osid.OsidCatalog: an OsidObject that groups other objects.
class OsidCatalog : public OsidObject {};

} // namespace osid
