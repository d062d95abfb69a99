// osid::OsidObjectForm (OSID osid.OsidObjectForm): the form elements every
// OsidObject has: display name, description and genus type.
//
// Setters follow one rule: NoAccess when the element is read-only,
// InvalidArgument when the value breaks the element's Metadata, NullArgument
// for a null Type. Clearers raise NoAccess when the element is required or
// read-only.

#pragma once

#include "osid/metadata.h"
#include "osid/osid_form.h"
#include "osid/type.h"

#include <string>

namespace osid {

class OsidObjectForm : public OsidForm {
public:
    virtual Metadata getDisplayNameMetadata() const = 0;
    // Errors: InvalidArgument, NoAccess.
    virtual void setDisplayName(const std::string &displayName) = 0;
    // Errors: NoAccess.
    virtual void clearDisplayName() = 0;

    virtual Metadata getDescriptionMetadata() const = 0;
    // Errors: InvalidArgument, NoAccess.
    virtual void setDescription(const std::string &description) = 0;
    // Errors: NoAccess.
    virtual void clearDescription() = 0;

    virtual Metadata getGenusTypeMetadata() const = 0;
    // Errors: InvalidArgument, NoAccess, NullArgument.
    virtual void setGenusType(const Type &genusType) = 0;
    // Errors: NoAccess.
    virtual void clearGenusType() = 0;
};

} // namespace osid
