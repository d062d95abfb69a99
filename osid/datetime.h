// osid::DateTime (OSID osid.calendaring.DateTime): a point in time on the
// Gregorian calendar in UTC, with microsecond granularity.
//
// OSID's DateTime can carry any calendar, granularity and uncertainty. This
// framework fixes those to Gregorian, UTC, microseconds and none, which is
// what messages need, and keeps the OSID accessor names. It is a regular
// value type ordered by time, with an RFC 3339 text form.
//
// Example:
//   auto t = osid::DateTime::parse("2023-11-14T22:13:20Z");
//   assert(t.toMicroseconds() == 1'700'000'000'000'000);

#pragma once

#include "osid/errors.h"
#include "osid/type.h"

#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace osid {

// The unit of a DateTime's granularity (a subset of OSID's enumeration).
enum class DateTimeResolution { Microsecond };

class DateTime {
public:
    using Microseconds = std::chrono::sys_time<std::chrono::microseconds>;

    // The Unix epoch, 1970-01-01T00:00:00Z.
    constexpr DateTime() = default;
    constexpr explicit DateTime(Microseconds t) : us_(t.time_since_epoch().count()) {}

    static constexpr DateTime fromMicroseconds(std::int64_t sinceEpoch) noexcept
    {
        DateTime d;
        d.us_ = sinceEpoch;
        return d;
    }

    // The current time of the system clock.
    static DateTime now()
    {
        return DateTime(std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));
    }

    // The smallest and largest DateTime with a four-digit year.
    static constexpr DateTime min() noexcept { return fromMicroseconds(-62167219200000000); } // 0000-01-01
    static constexpr DateTime max() noexcept { return fromMicroseconds(253402300799999999); } // 9999-12-31

    // Parses RFC 3339: "YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|+HH:MM|-HH:MM)".
    // Raises InvalidArgument for any other text, an impossible date, a leap
    // second, or a fraction finer than a microsecond.
    static DateTime parse(std::string_view text);

    constexpr std::int64_t toMicroseconds() const noexcept { return us_; }
    constexpr Microseconds toSysTime() const noexcept { return Microseconds(std::chrono::microseconds(us_)); }

    // RFC 3339 in UTC: "2023-11-14T22:13:20Z", with ".ffffff" only when the
    // time has a fraction. DateTime::parse() reads it back to an equal value.
    // A time outside min()..max() has no four-digit year; it is written as
    // "N microseconds from the epoch", for messages, and parse() refuses it.
    std::string toString() const;

    // OSID accessors.
    std::int64_t getYear() const noexcept { return static_cast<int>(ymd().year()); }
    std::uint64_t getMonth() const noexcept { return static_cast<unsigned>(ymd().month()); }
    std::uint64_t getDay() const noexcept { return static_cast<unsigned>(ymd().day()); }
    std::uint64_t getHour() const noexcept { return static_cast<std::uint64_t>(timeOfDay() / 3600'000'000); }
    std::uint64_t getMinute() const noexcept { return static_cast<std::uint64_t>(timeOfDay() / 60'000'000 % 60); }
    std::uint64_t getSecond() const noexcept { return static_cast<std::uint64_t>(timeOfDay() / 1'000'000 % 60); }
    std::uint64_t getMilliseconds() const noexcept { return static_cast<std::uint64_t>(timeOfDay() / 1000 % 1000); }
    std::uint64_t getMicroseconds() const noexcept { return static_cast<std::uint64_t>(timeOfDay() % 1000); }
    DateTimeResolution getGranularity() const noexcept { return DateTimeResolution::Microsecond; }
    std::uint64_t getGranularityMultiplier() const noexcept { return 1; }
    bool definesUncertainty() const noexcept { return false; }
    static const Type &getCalendarType()
    {
        static const Type t = Type::immortal("okapia.net", "calendar", "gregorian");
        return t;
    }
    static const Type &getTimeType()
    {
        static const Type t = Type::immortal("okapia.net", "time", "UTC");
        return t;
    }

    friend constexpr bool operator==(DateTime, DateTime) = default;
    friend constexpr auto operator<=>(DateTime, DateTime) = default;

private:
    static constexpr std::int64_t kDay = 86'400'000'000;

    // Floor division, without negating us_ (which overflows for the
    // smallest value).
    constexpr std::int64_t days() const noexcept
    {
        const std::int64_t q = us_ / kDay;
        return us_ % kDay < 0 ? q - 1 : q;
    }
    constexpr std::int64_t timeOfDay() const noexcept
    {
        const std::int64_t r = us_ % kDay;
        return r < 0 ? r + kDay : r;
    }
    std::chrono::year_month_day ymd() const noexcept
    {
        return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{days()}}};
    }

    std::int64_t us_ = 0;
};

inline std::string DateTime::toString() const
{
    if (*this < min() || max() < *this)
        return std::to_string(us_) + " microseconds from the epoch";
    // Years 0000 to 9999 (min() to max()), written digit by digit: snprintf
    // costs ten times as much, and a batch writes two times per message.
    const auto d = ymd();
    const std::int64_t tod = timeOfDay();
    const auto put = [](char *at, std::int64_t value, int digits) {
        for (int i = digits - 1; i >= 0; --i, value /= 10)
            at[i] = static_cast<char>('0' + value % 10);
    };
    char buf[] = "0000-00-00T00:00:00.000000Z";
    put(buf, static_cast<int>(d.year()), 4);
    put(buf + 5, static_cast<unsigned>(d.month()), 2);
    put(buf + 8, static_cast<unsigned>(d.day()), 2);
    put(buf + 11, tod / 3600'000'000, 2);
    put(buf + 14, tod / 60'000'000 % 60, 2);
    put(buf + 17, tod / 1'000'000 % 60, 2);
    if (tod % 1'000'000 == 0) {
        buf[19] = 'Z';
        return std::string(buf, 20);
    }
    put(buf + 20, tod % 1'000'000, 6);
    return std::string(buf, 27);
}

inline DateTime DateTime::parse(std::string_view text)
{
    auto fail = [&](const char *why) -> DateTime {
        throw InvalidArgument("DateTime text \"" + std::string(text) + "\" " + why);
    };
    std::size_t pos = 0;
    auto digits = [&](std::size_t n, int &out) {
        if (pos + n > text.size())
            return false;
        int v = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const char c = text[pos + i];
            if (c < '0' || c > '9')
                return false;
            v = v * 10 + (c - '0');
        }
        out = v;
        pos += n;
        return true;
    };
    auto expect = [&](char a, char b = '\0') {
        if (pos < text.size() && (text[pos] == a || (b != '\0' && text[pos] == b))) {
            ++pos;
            return true;
        }
        return false;
    };

    int year, month, day, hour, minute, second;
    if (!(digits(4, year) && expect('-') && digits(2, month) && expect('-') && digits(2, day) && expect('T', 't') &&
          digits(2, hour) && expect(':') && digits(2, minute) && expect(':') && digits(2, second)))
        return fail("is not RFC 3339 (YYYY-MM-DDTHH:MM:SS[.ffffff]Z)");

    std::int64_t fraction = 0;
    if (expect('.')) {
        std::size_t n = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (++n > 6)
                return fail("has a fraction finer than a microsecond");
            fraction = fraction * 10 + (text[pos++] - '0');
        }
        if (n == 0)
            return fail("has an empty fraction");
        for (; n < 6; ++n)
            fraction *= 10;
    }

    std::int64_t offsetMinutes = 0;
    if (!expect('Z', 'z')) {
        int sign = 0;
        if (expect('+'))
            sign = 1;
        else if (expect('-'))
            sign = -1;
        int oh, om;
        if (sign == 0 || !digits(2, oh) || !expect(':') || !digits(2, om))
            return fail("has no time zone (Z or +HH:MM)");
        if (oh > 23 || om > 59)
            return fail("has an impossible time-zone offset");
        offsetMinutes = sign * (oh * 60 + om);
    }
    if (pos != text.size())
        return fail("has trailing characters");

    const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                          std::chrono::day{static_cast<unsigned>(day)}};
    if (!ymd.ok())
        return fail("names a date that does not exist");
    if (hour > 23 || minute > 59)
        return fail("names a time that does not exist");
    if (second > 59)
        return fail("names a leap second, which a DateTime cannot hold");

    const std::int64_t days = std::chrono::sys_days{ymd}.time_since_epoch().count();
    const std::int64_t us =
        days * kDay + (hour * 3600LL + minute * 60LL + second) * 1'000'000 + fraction - offsetMinutes * 60'000'000;
    return fromMicroseconds(us);
}

} // namespace osid

template <>
struct std::hash<osid::DateTime> {
    std::size_t operator()(osid::DateTime d) const noexcept { return std::hash<std::int64_t>{}(d.toMicroseconds()); }
};
