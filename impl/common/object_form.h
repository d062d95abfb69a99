// ObjectFormBase<Interface>: the OsidForm and OsidObjectForm parts of every
// form (Id, kind, locale, journal comment, display name, description, genus
// type, record types, validation), written once for all form interfaces.
//
// A derived form adds its own elements and reports their problems through
// addProblems(). Setters follow one rule everywhere: NoAccess when the
// element is read-only, InvalidArgument when the value breaks its Metadata;
// clearers raise NoAccess when the element is required or read-only.

#pragma once

#include "impl/common/form_rules.h"
#include "impl/common/value_rules.h"
#include "osid/errors.h"
#include "osid/id_list.h"
#include "osid/locale.h"
#include "osid/metadata.h"
#include "osid/vector_list.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace osid::impl {

// One form element: its value, and whether the consumer set or cleared it.
template <class T>
struct Element {
    std::optional<T> value;
    bool supplied = false;
};

// A string element. Until the consumer sets or clears it, an update form's
// value is the stored one, read where the store keeps it (`existing`, which
// the form keeps alive) rather than copied into the form.
struct TextElement {
    std::optional<std::string> value; // what the consumer set
    bool supplied = false;
    std::optional<std::string_view> existing;

    // The element's value now: what was set, nothing once cleared, or else
    // the stored value.
    std::optional<std::string_view> current() const
    {
        if (!supplied)
            return existing;
        return value ? std::optional<std::string_view>(*value) : std::nullopt;
    }
};

// Who issued a form, and for what.
// The outcome of an OSID transaction, as the forms spent inside it see it:
// the session sets `aborted` when the transaction ends without its changes.
struct TransactionOutcome {
    bool aborted = false;
};

struct FormOrigin {
    Id formId;
    // The serial of the issuing session; forms work only there.
    std::uint64_t sessionSerial = 0;
    bool forUpdate = false;
    std::shared_ptr<const FormRules> rules;
};

// A process-wide unique serial, for sessions and form Ids.
std::uint64_t nextSerial();

// Issues fresh form Ids of one authority. The Ids share their authority and
// namespace, so a batch of forms costs one small block per Id.
class FormIds {
public:
    explicit FormIds(const std::string &authority);
    Id next() const;

private:
    Id space_;
};

// A new FormOrigin with a fresh form Id.
FormOrigin newFormOrigin(std::shared_ptr<const FormRules> rules, std::uint64_t sessionSerial, bool forUpdate);

// The record types of a form. Forms issued together share one vector.
using RecordTypes = std::shared_ptr<const std::vector<Type>>;

// The Metadata of an element, with its current value filled in.
Metadata::Definition elementDefinition(const FormRules &rules, const char *name, const char *label, Syntax syntax);

template <class Interface>
class ObjectFormBase : public Interface {
public:
    // A problem found by validation: the element and what is wrong.
    struct Problem {
        Metadata metadata;
        std::string message;
    };

    Id getId() const override { return origin_.formId; }
    bool isForUpdate() const override { return origin_.forUpdate; }
    Locale getDefaultLocale() const override { return Locale{}; }
    std::vector<Locale> getLocales() const override { return {Locale{}}; }
    void setLocale(const Type &languageType, const Type &scriptType) override
    {
        if (languageType.isNull() || scriptType.isNull())
            throw NullArgument("languageType and scriptType must not be null");
        const Locale locale;
        if (languageType != locale.languageType || scriptType != locale.scriptType)
            throw Unsupported("this form offers only the locale " + locale.languageType.toString() + " / " +
                              locale.scriptType.toString());
    }

    Metadata getJournalCommentMetadata() const override
    {
        return stringMetadata("journalComment", "journal comment", rules().maximumJournalCommentLength,
                              journalComment_);
    }
    void setJournalComment(const std::string &comment) override
    {
        setString(journalComment_, "journal comment", rules().maximumJournalCommentLength, comment);
    }

    bool isValid() const override { return problems().empty(); }
    std::vector<DisplayText> getValidationMessages() const override
    {
        std::vector<DisplayText> out;
        for (auto &p : problems())
            out.emplace_back(p.message);
        return out;
    }
    std::vector<Metadata> getInvalidMetadata() const override
    {
        std::vector<Metadata> out;
        for (auto &p : problems())
            out.push_back(std::move(p.metadata));
        return out;
    }

    std::unique_ptr<TypeList> getRequiredRecordTypes() const override
    {
        // Record types are fixed once an object exists: an update must keep
        // them all. A create needs none.
        return makeList<TypeList>(origin_.forUpdate ? *recordTypes_ : std::vector<Type>{});
    }
    std::unique_ptr<TypeList> getRecordTypes() const override { return makeList<TypeList>(*recordTypes_); }
    bool hasRecordType(const Type &recordType) const override
    {
        if (recordType.isNull())
            throw NullArgument("recordType is null");
        return std::find(recordTypes_->begin(), recordTypes_->end(), recordType) != recordTypes_->end();
    }

    Metadata getDisplayNameMetadata() const override
    {
        return stringMetadata("displayName", "display name", rules().maximumDisplayNameLength, displayName_);
    }
    void setDisplayName(const std::string &displayName) override
    {
        setString(displayName_, "display name", rules().maximumDisplayNameLength, displayName);
    }
    void clearDisplayName() override { clear(displayName_, "display name"); }

    Metadata getDescriptionMetadata() const override
    {
        return stringMetadata("description", "description", rules().maximumDescriptionLength, description_);
    }
    void setDescription(const std::string &description) override
    {
        setString(description_, "description", rules().maximumDescriptionLength, description);
    }
    void clearDescription() override { clear(description_, "description"); }

    Metadata getGenusTypeMetadata() const override
    {
        auto d = elementDefinition(rules(), "genusType", "genus type", Syntax::TYPE);
        d.suppliedValue = genusType_.supplied;
        if (genusType_.value && !genusType_.value->isNull())
            d.existingTypeValues = {*genusType_.value};
        return Metadata(std::move(d));
    }
    void setGenusType(const Type &genusType) override
    {
        if (genusType.isNull())
            throw NullArgument("genusType is null");
        // Any Type is allowed: the Metadata's Type set is empty.
        assign(genusType_, genusType);
    }
    void clearGenusType() override { clear(genusType_, "genus type"); }

    // Provider side.
    const FormOrigin &origin() const noexcept { return origin_; }
    const std::vector<Type> &recordTypeVector() const noexcept { return *recordTypes_; }
    bool isSpent() const noexcept { return spent_ && !(spentIn_ && spentIn_->aborted); }
    // Records that the form succeeded; it cannot be submitted again. A form
    // that succeeded inside an OSID transaction (`transaction`, null
    // outside one) that is later aborted did not take effect, and is
    // usable again.
    void markSpent(std::shared_ptr<const TransactionOutcome> transaction = nullptr) noexcept
    {
        spent_ = true;
        spentIn_ = std::move(transaction);
    }
    // The first problem, for a failed submission's message.
    std::optional<std::string> firstProblem() const
    {
        auto p = problems();
        if (p.empty())
            return std::nullopt;
        std::string message = p.front().message;
        if (p.size() > 1)
            message += " (and " + std::to_string(p.size() - 1) + " more problems)";
        return message;
    }

protected:
    ObjectFormBase(FormOrigin origin, RecordTypes recordTypes)
        : origin_(std::move(origin)), recordTypes_(std::move(recordTypes))
    {
    }

    const FormRules &rules() const noexcept { return *origin_.rules; }

    // Adds the problems of the derived form's own elements.
    virtual void addProblems(std::vector<Problem> &) const {}

    std::vector<Problem> problems() const
    {
        std::vector<Problem> out;
        addProblems(out);
        return out;
    }

    Metadata stringMetadata(const char *name, const char *label, std::uint64_t maximumLength, const TextElement &e,
                            bool required = false, bool readOnly = false, const std::string &pattern = {}) const
    {
        auto d = elementDefinition(rules(), name, label, Syntax::STRING);
        d.maximumStringLength = maximumLength;
        d.required = required;
        d.readOnly = readOnly;
        d.suppliedValue = e.supplied;
        if (!pattern.empty())
            d.stringExpressions.emplace_back(types::regexStringMatch(), pattern);
        if (const auto value = e.current())
            d.existingStringValues = {std::string(*value)};
        return Metadata(std::move(d));
    }

    // Setters and clearers enforce what the element's Metadata states, but
    // from the rules directly: a Metadata is built only when asked for.
    // `label` is the element label of the Metadata, which names it in
    // messages.

    static void requireWritable(const char *label, bool readOnly)
    {
        if (readOnly)
            throw NoAccess(std::string(label) + " is read-only");
    }

    // Stores an accepted value.
    template <class T>
    static void assign(Element<T> &e, const T &value)
    {
        e.value = value;
        e.supplied = true;
    }

    // A string element that is neither required nor read-only.
    static void setString(TextElement &e, const char *label, std::uint64_t maximumLength, const std::string &value,
                          const std::string &pattern = {})
    {
        if (auto problem = checkString(label, 0, maximumLength, pattern, value))
            throw InvalidArgument(*problem);
        e.value = value;
        e.supplied = true;
    }

    // Clears an Element or a TextElement.
    template <class E>
    static void clear(E &e, const char *label, bool required = false, bool readOnly = false)
    {
        requireWritable(label, readOnly);
        if (required)
            throw NoAccess(std::string(label) + " is required, so it cannot be cleared");
        e.value.reset();
        e.supplied = true;
    }

    TextElement displayName_;
    TextElement description_;
    Element<Type> genusType_;
    TextElement journalComment_;

private:
    FormOrigin origin_;
    RecordTypes recordTypes_;
    bool spent_ = false;
    std::shared_ptr<const TransactionOutcome> spentIn_;
};

} // namespace osid::impl
