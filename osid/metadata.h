// osid::Metadata (OSID osid.Metadata): the rules of one form element.
//
// Forms hand out a Metadata per element (getSubjectLineMetadata(), ...) so a
// consumer can see, before it sets anything, whether the element is required
// or read-only, how long a string may be, which pattern it must match, and
// what value it holds now. Setters enforce the same rules: NoAccess for a
// read-only element, InvalidArgument for a value outside the limits.
//
// Metadata is a description, not behaviour, so it is a concrete value type
// that every provider fills in through Metadata::Definition. The typed
// accessors raise IllegalState when the element has another syntax, as the
// OSID specification says.

#pragma once

#include "osid/datetime.h"
#include "osid/display_text.h"
#include "osid/errors.h"
#include "osid/id.h"
#include "osid/type.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace osid {

// OSID osid.Syntax: the kind of value an element holds.
enum class Syntax {
    NONE,
    BOOLEAN,
    BYTE,
    CARDINAL,
    COORDINATE,
    CURRENCY,
    DATETIME,
    DECIMAL,
    DISPLAYTEXT,
    DISTANCE,
    DURATION,
    HEADING,
    ID,
    INTEGER,
    OBJECT,
    SPATIALUNIT,
    SPEED,
    STRING,
    TIME,
    TYPE,
    VERSION,
};

namespace types {

// The string match type whose expression is an ECMAScript regular
// expression that the whole value must match.
inline const Type &regexStringMatch()
{
    static const Type t = Type::immortal("okapia.net", "StringMatchTypes", "REGEX");
    return t;
}

} // namespace types

class Metadata {
public:
    // Everything a provider states about an element. Fields that do not
    // apply to the element's syntax are ignored.
    struct Definition {
        Id elementId;
        DisplayText elementLabel;
        DisplayText instructions;
        Syntax syntax = Syntax::NONE;
        bool array = false;
        bool required = false;
        bool readOnly = false;
        bool linked = false;
        bool valueKnown = true;
        bool suppliedValue = false;
        DisplayText units;
        std::uint64_t minimumElements = 0;
        std::uint64_t maximumElements = 1;

        // STRING and DISPLAYTEXT.
        std::uint64_t minimumStringLength = 0;
        std::uint64_t maximumStringLength = std::numeric_limits<std::uint64_t>::max();
        // Match type and expression pairs; a value must match every one.
        std::vector<std::pair<Type, std::string>> stringExpressions;
        std::vector<std::string> defaultStringValues;
        std::vector<std::string> existingStringValues;

        // DATETIME.
        DateTime minimumDateTime = DateTime::min();
        DateTime maximumDateTime = DateTime::max();
        std::vector<DateTime> defaultDateTimeValues;
        std::vector<DateTime> existingDateTimeValues;

        // ID.
        std::vector<Id> idSet;
        std::vector<Id> defaultIdValues;
        std::vector<Id> existingIdValues;

        // TYPE.
        std::vector<Type> typeSet;
        std::vector<Type> defaultTypeValues;
        std::vector<Type> existingTypeValues;
    };

    explicit Metadata(Definition d) : d_(std::move(d)) {}

    // General accessors.
    const Id &getElementId() const noexcept { return d_.elementId; }
    const DisplayText &getElementLabel() const noexcept { return d_.elementLabel; }
    const DisplayText &getInstructions() const noexcept { return d_.instructions; }
    Syntax getSyntax() const noexcept { return d_.syntax; }
    bool isArray() const noexcept { return d_.array; }
    // Required for a create to succeed; a required element cannot be cleared.
    bool isRequired() const noexcept { return d_.required; }
    // Cannot be set; a hint, since authorization is decided on submit.
    bool isReadOnly() const noexcept { return d_.readOnly; }
    // Changing it changes other elements' Metadata.
    bool isLinked() const noexcept { return d_.linked; }
    bool isValueKnown() const noexcept { return d_.valueKnown; }
    // Whether a value was set on the form. Raises IllegalState when
    // isValueKnown() is false.
    bool hasSuppliedValue() const
    {
        if (!d_.valueKnown)
            throw IllegalState("the value of " + label() + " is not known");
        return d_.suppliedValue;
    }
    const DisplayText &getUnits() const noexcept { return d_.units; }
    std::uint64_t getMinimumElements() const noexcept { return d_.minimumElements; }
    std::uint64_t getMaximumElements() const noexcept { return d_.maximumElements; }

    // STRING / DISPLAYTEXT. Each raises IllegalState for another syntax.
    std::uint64_t getMinimumStringLength() const { return requireString(), d_.minimumStringLength; }
    std::uint64_t getMaximumStringLength() const { return requireString(), d_.maximumStringLength; }
    std::vector<Type> getStringMatchTypes() const
    {
        requireString();
        std::vector<Type> out;
        for (const auto &[type, expression] : d_.stringExpressions)
            out.push_back(type);
        return out;
    }
    // Raises NullArgument for a null Type.
    bool supportsStringMatchType(const Type &stringMatchType) const
    {
        requireString();
        if (stringMatchType.isNull())
            throw NullArgument("stringMatchType is null");
        for (const auto &[type, expression] : d_.stringExpressions)
            if (type == stringMatchType)
                return true;
        return false;
    }
    // The expression for a match type. Raises NullArgument for a null Type,
    // Unsupported for a match type this element does not use.
    const std::string &getStringExpression(const Type &stringMatchType) const
    {
        requireString();
        if (stringMatchType.isNull())
            throw NullArgument("stringMatchType is null");
        for (const auto &[type, expression] : d_.stringExpressions)
            if (type == stringMatchType)
                return expression;
        throw Unsupported(label() + " has no expression of type " + stringMatchType.toString());
    }
    const std::vector<std::string> &getDefaultStringValues() const
    {
        return requireString(), requireNotRequired(), d_.defaultStringValues;
    }
    const std::vector<std::string> &getExistingStringValues() const
    {
        return requireString(), requireKnown(), d_.existingStringValues;
    }

    // DATETIME. Each raises IllegalState for another syntax.
    DateTime getMinimumDateTime() const { return require(Syntax::DATETIME), d_.minimumDateTime; }
    DateTime getMaximumDateTime() const { return require(Syntax::DATETIME), d_.maximumDateTime; }
    DateTimeResolution getDateTimeResolution() const
    {
        return require(Syntax::DATETIME), DateTimeResolution::Microsecond;
    }
    const std::vector<DateTime> &getDefaultDateTimeValues() const
    {
        return require(Syntax::DATETIME), requireNotRequired(), d_.defaultDateTimeValues;
    }
    const std::vector<DateTime> &getExistingDateTimeValues() const
    {
        return require(Syntax::DATETIME), requireKnown(), d_.existingDateTimeValues;
    }

    // ID. Each raises IllegalState for another syntax. An empty set allows
    // any Id.
    const std::vector<Id> &getIdSet() const { return require(Syntax::ID), d_.idSet; }
    const std::vector<Id> &getDefaultIdValues() const
    {
        return require(Syntax::ID), requireNotRequired(), d_.defaultIdValues;
    }
    const std::vector<Id> &getExistingIdValues() const
    {
        return require(Syntax::ID), requireKnown(), d_.existingIdValues;
    }

    // TYPE. Each raises IllegalState for another syntax. An empty set allows
    // any Type.
    const std::vector<Type> &getTypeSet() const { return require(Syntax::TYPE), d_.typeSet; }
    const std::vector<Type> &getDefaultTypeValues() const
    {
        return require(Syntax::TYPE), requireNotRequired(), d_.defaultTypeValues;
    }
    const std::vector<Type> &getExistingTypeValues() const
    {
        return require(Syntax::TYPE), requireKnown(), d_.existingTypeValues;
    }

    // The provider's full definition, for code that validates against it.
    const Definition &definition() const noexcept { return d_; }

private:
    std::string label() const
    {
        return d_.elementLabel.getText().empty() ? d_.elementId.toString() : d_.elementLabel.getText();
    }
    void require(Syntax s) const
    {
        if (d_.syntax != s)
            throw IllegalState(label() + " does not have this syntax");
    }
    void requireString() const
    {
        if (d_.syntax != Syntax::STRING && d_.syntax != Syntax::DISPLAYTEXT)
            throw IllegalState(label() + " is not a string element");
    }
    void requireNotRequired() const
    {
        if (d_.required)
            throw IllegalState(label() + " is required and so has no default");
    }
    void requireKnown() const
    {
        if (!d_.valueKnown)
            throw IllegalState("the value of " + label() + " is not known");
    }

    Definition d_;
};

} // namespace osid
