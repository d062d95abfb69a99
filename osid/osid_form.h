// osid::OsidForm (OSID osid.OsidForm, with OsidIdentifiableForm,
// OsidExtensibleForm and OsidBrowsableForm folded in): a container for the
// data of one create or update transaction.
//
// A form's Id names the transaction, not the object: batch responses link
// back to their form through it. A form is requested anew for every
// transaction and never moved to another object. Setters check the
// element's Metadata at once; isValid() reports what is still missing.
//
// Forms are used by one thread at a time.

#pragma once

#include "osid/display_text.h"
#include "osid/id.h"
#include "osid/id_list.h"
#include "osid/locale.h"
#include "osid/metadata.h"
#include "osid/type.h"

#include <memory>
#include <string>
#include <vector>

namespace osid {

class OsidForm {
public:
    OsidForm() = default;
    OsidForm(const OsidForm &) = delete;
    OsidForm &operator=(const OsidForm &) = delete;
    virtual ~OsidForm() = default;

    // The Id of this transaction (Identifiable).
    virtual Id getId() const = 0;

    // True for a form that updates an existing object, false for a create.
    virtual bool isForUpdate() const = 0;

    // The locale used for DisplayText values set without one.
    virtual Locale getDefaultLocale() const = 0;

    // The locales this form can take translations in.
    virtual std::vector<Locale> getLocales() const = 0;

    // Chooses the locale of the DisplayText elements set from now on.
    // Errors: NullArgument (a null Type), Unsupported (a pair not in
    //         getLocales()).
    virtual void setLocale(const Type &languageType, const Type &scriptType) = 0;

    // The rules of the journal comment.
    virtual Metadata getJournalCommentMetadata() const = 0;

    // Sets a comment recorded with the change.
    // Errors: InvalidArgument (breaks the Metadata), NoAccess (read-only).
    virtual void setJournalComment(const std::string &comment) = 0;

    // False when a known problem remains: a required element is missing or a
    // value breaks its rules.
    // Errors: OperationFailed (validation could not run).
    virtual bool isValid() const = 0;

    // One message per problem found by isValid(), for people.
    virtual std::vector<DisplayText> getValidationMessages() const = 0;

    // The Metadata of each element that is invalid now.
    virtual std::vector<Metadata> getInvalidMetadata() const = 0;

    // The record types this form must carry to be submitted
    // (OsidExtensibleForm).
    virtual std::unique_ptr<TypeList> getRequiredRecordTypes() const = 0;

    // The record types this form carries (Extensible).
    virtual std::unique_ptr<TypeList> getRecordTypes() const = 0;

    // Whether this form carries the given record type.
    // Errors: NullArgument (a null Type).
    virtual bool hasRecordType(const Type &recordType) const = 0;
};

} // namespace osid
