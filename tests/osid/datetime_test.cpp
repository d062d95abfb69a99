#include "osid/datetime.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

using osid::DateTime;

namespace {

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kReference = 1'700'000'000'000'000; // 2023-11-14T22:13:20Z

} // namespace

TEST_SUITE("osid::DateTime")
{
    TEST_CASE("parse gives the exact microseconds since the epoch")
    {
        CHECK(DateTime::parse("2023-11-14T22:13:20Z").toMicroseconds() == kReference);
        CHECK(DateTime::parse("1970-01-01T00:00:00Z").toMicroseconds() == 0);
        CHECK(DateTime::parse("1970-01-01T00:00:00.000001Z").toMicroseconds() == 1);
        CHECK(DateTime::parse("1969-12-31T23:59:59.999999Z").toMicroseconds() == -1);
        CHECK(DateTime::parse("1901-03-04T05:06:07.008009Z").toMicroseconds() == -2'172'077'632'991'991);
        CHECK(DateTime::parse("2024-02-29T00:00:00Z").toMicroseconds() == 1'709'164'800'000'000);
        CHECK(DateTime::parse("2000-02-29T12:00:00Z").toMicroseconds() == 951'825'600'000'000);
        CHECK(DateTime::parse("0001-01-01T00:00:00Z").toMicroseconds() == -62'135'596'800'000'000);
    }

    TEST_CASE("the default DateTime is the epoch")
    {
        CHECK(DateTime().toMicroseconds() == 0);
        CHECK(DateTime() == DateTime::parse("1970-01-01T00:00:00Z"));
        CHECK(DateTime().toString() == "1970-01-01T00:00:00Z");
    }

    TEST_CASE("parse accepts lower-case t and z")
    {
        CHECK(DateTime::parse("2023-11-14t22:13:20Z").toMicroseconds() == kReference);
        CHECK(DateTime::parse("2023-11-14T22:13:20z").toMicroseconds() == kReference);
        CHECK(DateTime::parse("2023-11-14t22:13:20.5z").toMicroseconds() == kReference + 500'000);
    }

    TEST_CASE("parse converts +HH:MM and -HH:MM offsets to UTC")
    {
        CHECK(DateTime::parse("2023-11-14T23:13:20+01:00").toMicroseconds() == kReference);
        CHECK(DateTime::parse("2023-11-15T03:43:20+05:30").toMicroseconds() == kReference);
        CHECK(DateTime::parse("2023-11-14T17:13:20-05:00").toMicroseconds() == kReference);
        CHECK(DateTime::parse("2023-11-14T12:28:20-09:45").toMicroseconds() == kReference);
        CHECK(DateTime::parse("2023-11-14T22:13:20+00:00").toMicroseconds() == kReference);
        CHECK(DateTime::parse("2023-11-14T22:13:20-00:00").toMicroseconds() == kReference);
        CHECK(DateTime::parse("2023-11-15T22:12:20+23:59").toMicroseconds() == kReference);
        CHECK(DateTime::parse("1970-01-01T00:00:00+00:01").toMicroseconds() == -kMinute);
        CHECK(DateTime::parse("1969-12-31T23:00:00-01:00").toMicroseconds() == 0);
        CHECK(DateTime::parse("2023-11-14T23:13:20.25+01:00").toMicroseconds() == kReference + 250'000);
    }

    TEST_CASE("parse reads fractions of one to six digits as decimal seconds")
    {
        const std::vector<std::pair<std::string, std::int64_t>> cases = {
            {".5", 500'000},     {".12", 120'000},     {".123", 123'000}, {".1234", 123'400},
            {".12345", 123'450}, {".123456", 123'456}, {".000001", 1},    {".000010", 10},
            {".0", 0},           {".999999", 999'999}, {".05", 50'000},   {".000000", 0},
        };
        for (const auto &[fraction, micros] : cases) {
            const std::string text = "2023-11-14T22:13:20" + fraction + "Z";
            CAPTURE(text);
            CHECK(DateTime::parse(text).toMicroseconds() == kReference + micros);
        }
    }

    TEST_CASE("toString writes UTC with a six-digit fraction only when there is one")
    {
        CHECK(DateTime::fromMicroseconds(kReference).toString() == "2023-11-14T22:13:20Z");
        CHECK(DateTime::fromMicroseconds(kReference + 1).toString() == "2023-11-14T22:13:20.000001Z");
        CHECK(DateTime::fromMicroseconds(kReference + 500'000).toString() == "2023-11-14T22:13:20.500000Z");
        CHECK(DateTime::fromMicroseconds(kReference + 123'456).toString() == "2023-11-14T22:13:20.123456Z");
        CHECK(DateTime::parse("2023-11-14T23:13:20+01:00").toString() == "2023-11-14T22:13:20Z");
        CHECK(DateTime::fromMicroseconds(-1).toString() == "1969-12-31T23:59:59.999999Z");
        CHECK(DateTime::fromMicroseconds(-kSecond).toString() == "1969-12-31T23:59:59Z");
        CHECK(DateTime::fromMicroseconds(-24 * kHour).toString() == "1969-12-31T00:00:00Z");
        CHECK(DateTime::fromMicroseconds(-24 * kHour - 1).toString() == "1969-12-30T23:59:59.999999Z");
        CHECK(DateTime::fromMicroseconds(-2'172'077'632'991'991).toString() == "1901-03-04T05:06:07.008009Z");
    }

    TEST_CASE("toString and parse round-trip, before and after 1970")
    {
        const std::vector<std::int64_t> values = {
            0,
            1,
            -1,
            kReference,
            kReference + 123'456,
            kReference + 10,
            -kSecond,
            -24 * kHour,
            -24 * kHour - 1,
            -24 * kHour + 1,
            -2'172'077'632'991'991,
            -62'135'596'800'000'001,
            951'825'600'000'000,
            DateTime::min().toMicroseconds(),
            DateTime::max().toMicroseconds(),
        };
        for (const auto us : values) {
            const DateTime t = DateTime::fromMicroseconds(us);
            CAPTURE(t.toString());
            CHECK(DateTime::parse(t.toString()) == t);
        }
    }

    TEST_CASE("min() and max() are the ends of the four-digit years and round-trip")
    {
        CHECK(DateTime::min().toString() == "0000-01-01T00:00:00Z");
        CHECK(DateTime::max().toString() == "9999-12-31T23:59:59.999999Z");
        CHECK(DateTime::parse("0000-01-01T00:00:00Z") == DateTime::min());
        CHECK(DateTime::parse("9999-12-31T23:59:59.999999Z") == DateTime::max());
        CHECK(DateTime::min() < DateTime());
        CHECK(DateTime() < DateTime::max());
    }

    TEST_CASE("toString writes a time outside min()..max() as microseconds, which parse refuses")
    {
        // Found by fuzz/form_setters_fuzz: the smallest value overflowed.
        const auto first = DateTime::fromMicroseconds(std::numeric_limits<std::int64_t>::min());
        CHECK(first.toString() == "-9223372036854775808 microseconds from the epoch");
        CHECK(DateTime::fromMicroseconds(std::numeric_limits<std::int64_t>::max()).toString() ==
              "9223372036854775807 microseconds from the epoch");
        const auto justAfter = DateTime::fromMicroseconds(DateTime::max().toMicroseconds() + 1);
        CHECK(justAfter.toString() == "253402300800000000 microseconds from the epoch");
        CHECK_THROWS_AS(DateTime::parse(first.toString()), osid::InvalidArgument);
    }

    TEST_CASE("the OSID accessors give the UTC calendar fields")
    {
        const DateTime t = DateTime::parse("2023-11-14T22:13:20.123456Z");
        CHECK(t.getYear() == 2023);
        CHECK(t.getMonth() == 11);
        CHECK(t.getDay() == 14);
        CHECK(t.getHour() == 22);
        CHECK(t.getMinute() == 13);
        CHECK(t.getSecond() == 20);
        CHECK(t.getMilliseconds() == 123);
        CHECK(t.getMicroseconds() == 456);

        const DateTime shifted = DateTime::parse("2024-01-01T01:02:03.004005+05:00");
        CHECK(shifted.getYear() == 2023);
        CHECK(shifted.getMonth() == 12);
        CHECK(shifted.getDay() == 31);
        CHECK(shifted.getHour() == 20);
        CHECK(shifted.getMinute() == 2);
        CHECK(shifted.getSecond() == 3);
        CHECK(shifted.getMilliseconds() == 4);
        CHECK(shifted.getMicroseconds() == 5);
    }

    TEST_CASE("the OSID accessors count forward from midnight for times before 1970")
    {
        const DateTime justBefore = DateTime::fromMicroseconds(-1);
        CHECK(justBefore.getYear() == 1969);
        CHECK(justBefore.getMonth() == 12);
        CHECK(justBefore.getDay() == 31);
        CHECK(justBefore.getHour() == 23);
        CHECK(justBefore.getMinute() == 59);
        CHECK(justBefore.getSecond() == 59);
        CHECK(justBefore.getMilliseconds() == 999);
        CHECK(justBefore.getMicroseconds() == 999);

        const DateTime old = DateTime::fromMicroseconds(-2'172'077'632'991'991);
        CHECK(old.getYear() == 1901);
        CHECK(old.getMonth() == 3);
        CHECK(old.getDay() == 4);
        CHECK(old.getHour() == 5);
        CHECK(old.getMinute() == 6);
        CHECK(old.getSecond() == 7);
        CHECK(old.getMilliseconds() == 8);
        CHECK(old.getMicroseconds() == 9);

        const DateTime midnight = DateTime::fromMicroseconds(-24 * kHour);
        CHECK(midnight.getYear() == 1969);
        CHECK(midnight.getDay() == 31);
        CHECK(midnight.getHour() == 0);
        CHECK(midnight.getMinute() == 0);
        CHECK(midnight.getSecond() == 0);
        CHECK(midnight.getMicroseconds() == 0);

        const DateTime first = DateTime::min();
        CHECK(first.getYear() == 0);
        CHECK(first.getMonth() == 1);
        CHECK(first.getDay() == 1);
        CHECK(first.getHour() == 0);
    }

    TEST_CASE("the OSID accessors at the end of the range")
    {
        const DateTime last = DateTime::max();
        CHECK(last.getYear() == 9999);
        CHECK(last.getMonth() == 12);
        CHECK(last.getDay() == 31);
        CHECK(last.getHour() == 23);
        CHECK(last.getMinute() == 59);
        CHECK(last.getSecond() == 59);
        CHECK(last.getMilliseconds() == 999);
        CHECK(last.getMicroseconds() == 999);
    }

    TEST_CASE("a DateTime states microsecond granularity in the Gregorian UTC calendar")
    {
        const DateTime t = DateTime::fromMicroseconds(kReference);
        CHECK(t.getGranularity() == osid::DateTimeResolution::Microsecond);
        CHECK(t.getGranularityMultiplier() == 1);
        CHECK_FALSE(t.definesUncertainty());
        CHECK(DateTime::getCalendarType() == osid::Type("okapia.net", "calendar", "gregorian"));
        CHECK(DateTime::getTimeType() == osid::Type("okapia.net", "time", "UTC"));
    }

    TEST_CASE("DateTimes are ordered by the instant they name")
    {
        const DateTime a = DateTime::parse("2023-11-14T22:13:20Z");
        const DateTime b = DateTime::parse("2023-11-14T22:13:20.000001Z");
        const DateTime before1970 = DateTime::parse("1969-07-20T20:17:40Z");
        CHECK(a < b);
        CHECK(b > a);
        CHECK(a != b);
        CHECK(before1970 < a);
        CHECK(before1970 < DateTime());
        CHECK(DateTime::fromMicroseconds(-2) < DateTime::fromMicroseconds(-1));
        // Local times that read later can be earlier instants.
        CHECK(DateTime::parse("2023-01-01T00:30:00+01:00") < DateTime::parse("2023-01-01T00:00:00Z"));
        CHECK(DateTime::parse("2023-01-01T00:00:00+01:00") == DateTime::parse("2022-12-31T23:00:00Z"));
        CHECK((a <=> DateTime::fromMicroseconds(kReference)) == 0);
    }

    TEST_CASE("DateTime converts to and from std::chrono::sys_time")
    {
        const DateTime t = DateTime::fromMicroseconds(kReference + 7);
        CHECK(t.toSysTime().time_since_epoch().count() == kReference + 7);
        CHECK(DateTime(t.toSysTime()) == t);
        const DateTime::Microseconds negative{std::chrono::microseconds{-5}};
        CHECK(DateTime(negative).toMicroseconds() == -5);
    }

    TEST_CASE("parse raises InvalidArgument for anything but a valid RFC 3339 instant")
    {
        const std::vector<std::string> invalid = {
            "",
            "2023-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2023-04-31T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-00-10T00:00:00Z",
            "2023-01-00T00:00:00Z",
            "2023-11-14T24:00:00Z",
            "2023-11-14T23:60:00Z",
            "2023-11-14T23:59:60Z",
            "2016-12-31T23:59:60Z",
            "2023-11-14T22:13:20.1234567Z",
            "2023-11-14T22:13:20.Z",
            "2023-11-14T22:13:20",
            "2023-11-14T22:13:20.5",
            "2023-11-14T22:13:20+24:00",
            "2023-11-14T22:13:20+01:60",
            "2023-11-14T22:13:20+0100",
            "2023-11-14T22:13:20+01",
            "2023-11-14T22:13:20 +01:00",
            "2023-11-14T22:13:20Zx",
            "2023-11-14T22:13:20Z ",
            "2023-11-14T22:13:20+01:00Z",
            " 2023-11-14T22:13:20Z",
            "2023-11-14 22:13:20Z",
            "2023-11-14",
            "2023-11-14T22:13Z",
            "23-11-14T22:13:20Z",
            "2023-1-14T22:13:20Z",
            "2023/11/14T22:13:20Z",
            "+2023-11-14T22:13:20Z",
            "2023-11-14T22:13:2aZ",
            "2023-11-14T22:13:20,5Z",
        };
        for (const auto &text : invalid) {
            CAPTURE(text);
            CHECK_THROWS_AS(DateTime::parse(text), osid::InvalidArgument);
        }
    }

    TEST_CASE("parse's InvalidArgument says what is wrong with the text")
    {
        const std::vector<std::pair<std::string, std::string>> cases = {
            {"2023-11-14", "is not RFC 3339 (YYYY-MM-DDTHH:MM:SS[.ffffff]Z)"},
            {"2023-11-14T22:13:20.1234567Z", "has a fraction finer than a microsecond"},
            {"2023-11-14T22:13:20.Z", "has an empty fraction"},
            {"2023-11-14T22:13:20", "has no time zone (Z or +HH:MM)"},
            {"2023-11-14T22:13:20+24:00", "has an impossible time-zone offset"},
            {"2023-11-14T22:13:20Zx", "has trailing characters"},
            {"2023-02-29T00:00:00Z", "names a date that does not exist"},
            {"2023-11-14T24:00:00Z", "names a time that does not exist"},
            {"2016-12-31T23:59:60Z", "names a leap second, which a DateTime cannot hold"},
        };
        for (const auto &[text, why] : cases) {
            const std::string expected = "INVALID_ARGUMENT: DateTime text \"" + text + "\" " + why;
            CHECK_THROWS_WITH_AS(DateTime::parse(text), expected.c_str(), osid::InvalidArgument);
        }
    }
}
