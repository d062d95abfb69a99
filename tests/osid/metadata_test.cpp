#include "osid/datetime.h"
#include "osid/display_text.h"
#include "osid/id.h"
#include "osid/metadata.h"
#include "osid/type.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using osid::DateTime;
using osid::Id;
using osid::Metadata;
using osid::Syntax;
using osid::Type;

namespace {

const Type kPrefixMatch("example.org", "StringMatchTypes", "PREFIX");
const Type kUnknownMatch("example.org", "StringMatchTypes", "SOUNDEX");

Metadata::Definition stringDefinition()
{
    Metadata::Definition d;
    d.elementId = Id("example.org", "messaging.Message", "subjectLine");
    d.elementLabel = osid::DisplayText("Subject line");
    d.instructions = osid::DisplayText("A short summary.");
    d.syntax = Syntax::STRING;
    d.minimumStringLength = 1;
    d.maximumStringLength = 80;
    d.stringExpressions = {{osid::types::regexStringMatch(), "[^\\n]*"}, {kPrefixMatch, "Re: "}};
    d.defaultStringValues = {"(no subject)"};
    d.existingStringValues = {"Hello"};
    return d;
}

Metadata::Definition dateTimeDefinition()
{
    Metadata::Definition d;
    d.elementId = Id("example.org", "messaging.Message", "sentTime");
    d.syntax = Syntax::DATETIME;
    d.minimumDateTime = DateTime::parse("2000-01-01T00:00:00Z");
    d.maximumDateTime = DateTime::parse("2100-01-01T00:00:00Z");
    d.defaultDateTimeValues = {DateTime::parse("2023-11-14T22:13:20Z")};
    d.existingDateTimeValues = {DateTime::parse("2024-02-29T12:00:00Z")};
    return d;
}

Metadata::Definition idDefinition()
{
    Metadata::Definition d;
    d.elementId = Id("example.org", "messaging.Message", "senderId");
    d.syntax = Syntax::ID;
    d.idSet = {Id("example.org", "resource.Resource", "alice"), Id("example.org", "resource.Resource", "bob")};
    d.defaultIdValues = {Id("example.org", "resource.Resource", "alice")};
    d.existingIdValues = {Id("example.org", "resource.Resource", "bob")};
    return d;
}

Metadata::Definition typeDefinition()
{
    Metadata::Definition d;
    d.elementId = Id("example.org", "messaging.Message", "genusType");
    d.syntax = Syntax::TYPE;
    d.typeSet = {Type("example.org", "genera", "memo"), Type("example.org", "genera", "notice")};
    d.defaultTypeValues = {Type("example.org", "genera", "memo")};
    d.existingTypeValues = {Type("example.org", "genera", "notice")};
    return d;
}

void checkNoStringAccessors(const Metadata &m)
{
    CHECK_THROWS_AS(m.getMinimumStringLength(), osid::IllegalState);
    CHECK_THROWS_AS(m.getMaximumStringLength(), osid::IllegalState);
    CHECK_THROWS_AS(m.getStringMatchTypes(), osid::IllegalState);
    CHECK_THROWS_AS(m.supportsStringMatchType(osid::types::regexStringMatch()), osid::IllegalState);
    CHECK_THROWS_AS(m.getStringExpression(osid::types::regexStringMatch()), osid::IllegalState);
    CHECK_THROWS_AS(m.getDefaultStringValues(), osid::IllegalState);
    CHECK_THROWS_AS(m.getExistingStringValues(), osid::IllegalState);
}

void checkNoDateTimeAccessors(const Metadata &m)
{
    CHECK_THROWS_AS(m.getMinimumDateTime(), osid::IllegalState);
    CHECK_THROWS_AS(m.getMaximumDateTime(), osid::IllegalState);
    CHECK_THROWS_AS(m.getDateTimeResolution(), osid::IllegalState);
    CHECK_THROWS_AS(m.getDefaultDateTimeValues(), osid::IllegalState);
    CHECK_THROWS_AS(m.getExistingDateTimeValues(), osid::IllegalState);
}

void checkNoIdAccessors(const Metadata &m)
{
    CHECK_THROWS_AS(m.getIdSet(), osid::IllegalState);
    CHECK_THROWS_AS(m.getDefaultIdValues(), osid::IllegalState);
    CHECK_THROWS_AS(m.getExistingIdValues(), osid::IllegalState);
}

void checkNoTypeAccessors(const Metadata &m)
{
    CHECK_THROWS_AS(m.getTypeSet(), osid::IllegalState);
    CHECK_THROWS_AS(m.getDefaultTypeValues(), osid::IllegalState);
    CHECK_THROWS_AS(m.getExistingTypeValues(), osid::IllegalState);
}

} // namespace

TEST_SUITE("osid::Metadata")
{
    TEST_CASE("the general accessors return the definition's values")
    {
        Metadata::Definition d = stringDefinition();
        d.array = true;
        d.required = true;
        d.readOnly = true;
        d.linked = true;
        d.suppliedValue = true;
        d.units = osid::DisplayText("characters");
        d.minimumElements = 2;
        d.maximumElements = 7;
        const Metadata m(d);

        CHECK(m.getElementId() == Id("example.org", "messaging.Message", "subjectLine"));
        CHECK(m.getElementLabel().getText() == "Subject line");
        CHECK(m.getInstructions().getText() == "A short summary.");
        CHECK(m.getSyntax() == Syntax::STRING);
        CHECK(m.isArray());
        CHECK(m.isRequired());
        CHECK(m.isReadOnly());
        CHECK(m.isLinked());
        CHECK(m.isValueKnown());
        CHECK(m.hasSuppliedValue());
        CHECK(m.getUnits().getText() == "characters");
        CHECK(m.getMinimumElements() == 2);
        CHECK(m.getMaximumElements() == 7);
        CHECK(m.definition().maximumStringLength == 80);
    }

    TEST_CASE("the general accessors report false flags as false")
    {
        Metadata::Definition d = idDefinition();
        d.array = false;
        d.required = false;
        d.readOnly = false;
        d.linked = false;
        d.suppliedValue = false;
        const Metadata m(d);
        CHECK(m.getSyntax() == Syntax::ID);
        CHECK_FALSE(m.isArray());
        CHECK_FALSE(m.isRequired());
        CHECK_FALSE(m.isReadOnly());
        CHECK_FALSE(m.isLinked());
        CHECK(m.isValueKnown());
        CHECK_FALSE(m.hasSuppliedValue());
    }

    TEST_CASE("the string accessors return the definition's values for STRING and DISPLAYTEXT elements")
    {
        for (const Syntax syntax : {Syntax::STRING, Syntax::DISPLAYTEXT}) {
            CAPTURE(static_cast<int>(syntax));
            Metadata::Definition d = stringDefinition();
            d.syntax = syntax;
            const Metadata m(d);
            CHECK(m.getMinimumStringLength() == 1);
            CHECK(m.getMaximumStringLength() == 80);
            CHECK(m.getStringMatchTypes() == std::vector<Type>{osid::types::regexStringMatch(), kPrefixMatch});
            CHECK(m.supportsStringMatchType(osid::types::regexStringMatch()));
            CHECK(m.supportsStringMatchType(kPrefixMatch));
            CHECK(m.getStringExpression(osid::types::regexStringMatch()) == "[^\\n]*");
            CHECK(m.getStringExpression(kPrefixMatch) == "Re: ");
            CHECK(m.getDefaultStringValues() == std::vector<std::string>{"(no subject)"});
            CHECK(m.getExistingStringValues() == std::vector<std::string>{"Hello"});
        }
    }

    TEST_CASE("string match types are looked up by Type identity")
    {
        const Metadata m(stringDefinition());
        CHECK(m.supportsStringMatchType(Type("Example.ORG", "stringmatchtypes", "PREFIX")));
        CHECK(m.getStringExpression(Type("EXAMPLE.org", "StringMatchTypes", "PREFIX")) == "Re: ");
        CHECK_FALSE(m.supportsStringMatchType(Type("example.org", "StringMatchTypes", "prefix")));
    }

    TEST_CASE("an unknown string match type is unsupported")
    {
        const Metadata m(stringDefinition());
        CHECK_FALSE(m.supportsStringMatchType(kUnknownMatch));
        CHECK_THROWS_AS(m.getStringExpression(kUnknownMatch), osid::Unsupported);

        Metadata::Definition none = stringDefinition();
        none.stringExpressions.clear();
        const Metadata unconstrained(none);
        CHECK(unconstrained.getStringMatchTypes().empty());
        CHECK_FALSE(unconstrained.supportsStringMatchType(osid::types::regexStringMatch()));
        CHECK_THROWS_AS(unconstrained.getStringExpression(osid::types::regexStringMatch()), osid::Unsupported);
    }

    TEST_CASE("a null string match type raises NullArgument")
    {
        const Metadata m(stringDefinition());
        CHECK_THROWS_AS(m.supportsStringMatchType(Type()), osid::NullArgument);
        CHECK_THROWS_AS(m.getStringExpression(Type()), osid::NullArgument);
    }

    TEST_CASE("the DATETIME accessors return the definition's values")
    {
        const Metadata m(dateTimeDefinition());
        CHECK(m.getMinimumDateTime() == DateTime::parse("2000-01-01T00:00:00Z"));
        CHECK(m.getMaximumDateTime() == DateTime::parse("2100-01-01T00:00:00Z"));
        CHECK(m.getDateTimeResolution() == osid::DateTimeResolution::Microsecond);
        CHECK(m.getDefaultDateTimeValues() == std::vector<DateTime>{DateTime::parse("2023-11-14T22:13:20Z")});
        CHECK(m.getExistingDateTimeValues() == std::vector<DateTime>{DateTime::parse("2024-02-29T12:00:00Z")});
    }

    TEST_CASE("the ID accessors return the definition's values")
    {
        const Metadata m(idDefinition());
        CHECK(m.getIdSet() == std::vector<Id>{Id("example.org", "resource.Resource", "alice"),
                                              Id("example.org", "resource.Resource", "bob")});
        CHECK(m.getDefaultIdValues() == std::vector<Id>{Id("example.org", "resource.Resource", "alice")});
        CHECK(m.getExistingIdValues() == std::vector<Id>{Id("example.org", "resource.Resource", "bob")});
    }

    TEST_CASE("the TYPE accessors return the definition's values")
    {
        const Metadata m(typeDefinition());
        CHECK(m.getTypeSet() ==
              std::vector<Type>{Type("example.org", "genera", "memo"), Type("example.org", "genera", "notice")});
        CHECK(m.getDefaultTypeValues() == std::vector<Type>{Type("example.org", "genera", "memo")});
        CHECK(m.getExistingTypeValues() == std::vector<Type>{Type("example.org", "genera", "notice")});
    }

    TEST_CASE("a STRING element raises IllegalState from the accessors of other syntaxes")
    {
        const Metadata m(stringDefinition());
        checkNoDateTimeAccessors(m);
        checkNoIdAccessors(m);
        checkNoTypeAccessors(m);
    }

    TEST_CASE("a DATETIME element raises IllegalState from the accessors of other syntaxes")
    {
        const Metadata m(dateTimeDefinition());
        checkNoStringAccessors(m);
        checkNoIdAccessors(m);
        checkNoTypeAccessors(m);
    }

    TEST_CASE("an ID element raises IllegalState from the accessors of other syntaxes")
    {
        const Metadata m(idDefinition());
        checkNoStringAccessors(m);
        checkNoDateTimeAccessors(m);
        checkNoTypeAccessors(m);
    }

    TEST_CASE("a TYPE element raises IllegalState from the accessors of other syntaxes")
    {
        const Metadata m(typeDefinition());
        checkNoStringAccessors(m);
        checkNoDateTimeAccessors(m);
        checkNoIdAccessors(m);
    }

    TEST_CASE("an element of another syntax raises IllegalState from every typed accessor")
    {
        for (const Syntax syntax : {Syntax::NONE, Syntax::BOOLEAN, Syntax::INTEGER, Syntax::OBJECT, Syntax::TIME}) {
            CAPTURE(static_cast<int>(syntax));
            Metadata::Definition d = stringDefinition();
            d.syntax = syntax;
            const Metadata m(d);
            checkNoStringAccessors(m);
            checkNoDateTimeAccessors(m);
            checkNoIdAccessors(m);
            checkNoTypeAccessors(m);
        }
    }

    TEST_CASE("a required element has no default values")
    {
        Metadata::Definition s = stringDefinition();
        s.required = true;
        CHECK_THROWS_AS(Metadata(s).getDefaultStringValues(), osid::IllegalState);
        CHECK(Metadata(s).getExistingStringValues() == std::vector<std::string>{"Hello"});

        Metadata::Definition t = dateTimeDefinition();
        t.required = true;
        CHECK_THROWS_AS(Metadata(t).getDefaultDateTimeValues(), osid::IllegalState);
        CHECK(Metadata(t).getExistingDateTimeValues().size() == 1);

        Metadata::Definition i = idDefinition();
        i.required = true;
        CHECK_THROWS_AS(Metadata(i).getDefaultIdValues(), osid::IllegalState);
        CHECK(Metadata(i).getExistingIdValues().size() == 1);

        Metadata::Definition y = typeDefinition();
        y.required = true;
        CHECK_THROWS_AS(Metadata(y).getDefaultTypeValues(), osid::IllegalState);
        CHECK(Metadata(y).getExistingTypeValues().size() == 1);
    }

    TEST_CASE("an element whose value is not known has no existing values and no supplied-value answer")
    {
        Metadata::Definition s = stringDefinition();
        s.valueKnown = false;
        s.suppliedValue = true;
        const Metadata ms(s);
        CHECK_FALSE(ms.isValueKnown());
        CHECK_THROWS_AS(ms.hasSuppliedValue(), osid::IllegalState);
        CHECK_THROWS_AS(ms.getExistingStringValues(), osid::IllegalState);
        CHECK(ms.getDefaultStringValues() == std::vector<std::string>{"(no subject)"});

        Metadata::Definition t = dateTimeDefinition();
        t.valueKnown = false;
        CHECK_THROWS_AS(Metadata(t).getExistingDateTimeValues(), osid::IllegalState);
        CHECK_THROWS_AS(Metadata(t).hasSuppliedValue(), osid::IllegalState);
        CHECK(Metadata(t).getDefaultDateTimeValues().size() == 1);

        Metadata::Definition i = idDefinition();
        i.valueKnown = false;
        CHECK_THROWS_AS(Metadata(i).getExistingIdValues(), osid::IllegalState);
        CHECK_THROWS_AS(Metadata(i).hasSuppliedValue(), osid::IllegalState);
        CHECK(Metadata(i).getDefaultIdValues().size() == 1);

        Metadata::Definition y = typeDefinition();
        y.valueKnown = false;
        CHECK_THROWS_AS(Metadata(y).getExistingTypeValues(), osid::IllegalState);
        CHECK_THROWS_AS(Metadata(y).hasSuppliedValue(), osid::IllegalState);
        CHECK(Metadata(y).getDefaultTypeValues().size() == 1);
    }

    TEST_CASE("a default Definition describes an optional, unbounded, single-valued element")
    {
        Metadata::Definition d;
        d.syntax = Syntax::STRING;
        const Metadata m(d);
        CHECK_FALSE(m.isRequired());
        CHECK_FALSE(m.isReadOnly());
        CHECK(m.isValueKnown());
        CHECK_FALSE(m.hasSuppliedValue());
        CHECK(m.getMinimumElements() == 0);
        CHECK(m.getMaximumElements() == 1);
        CHECK(m.getMinimumStringLength() == 0);
        CHECK(m.getMaximumStringLength() == std::numeric_limits<std::uint64_t>::max());

        Metadata::Definition t;
        t.syntax = Syntax::DATETIME;
        CHECK(Metadata(t).getMinimumDateTime() == DateTime::min());
        CHECK(Metadata(t).getMaximumDateTime() == DateTime::max());
    }
}
