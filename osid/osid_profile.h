// osid::OsidProfile (OSID osid.OsidProfile): what a service implementation
// is and which optional parts of the OSID it supports.

#pragma once

#include "osid/datetime.h"
#include "osid/display_text.h"
#include "osid/id.h"
#include "osid/id_list.h"
#include "osid/locale.h"
#include "osid/version.h"

#include <memory>
#include <vector>

namespace osid {

class OsidProfile {
public:
    OsidProfile() = default;
    OsidProfile(const OsidProfile &) = delete;
    OsidProfile &operator=(const OsidProfile &) = delete;
    virtual ~OsidProfile() = default;

    // The Id of the implementation; the same for every instance of it.
    virtual Id getId() const = 0;
    virtual DisplayText getDisplayName() const = 0;
    virtual DisplayText getDescription() const = 0;
    virtual Version getVersion() const = 0;
    virtual DateTime getReleaseDate() const = 0;

    // Whether this implementation supports OSID specification `version`.
    virtual bool supportsOSIDVersion(const Version &version) const = 0;

    // The locales this implementation can work in.
    virtual std::vector<Locale> getLocales() const = 0;

    virtual bool supportsJournalRollback() const = 0;
    virtual bool supportsJournalBranching() const = 0;

    // The Id of the current journal branch.
    // Errors: Unimplemented (supportsJournalBranching() is false).
    virtual Id getBranchId() const = 0;

    // The proxy record types this implementation accepts.
    virtual std::unique_ptr<TypeList> getProxyRecordTypes() const = 0;

    // Errors: NullArgument (a null Type).
    virtual bool supportsProxyRecordType(const Type &proxyRecordType) const = 0;
};

} // namespace osid
