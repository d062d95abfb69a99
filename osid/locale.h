// osid::Locale (OSID osid.locale.Locale): the language, script, calendar and
// time preferences a session works in.

#pragma once

#include "osid/datetime.h"
#include "osid/display_text.h"
#include "osid/type.h"

namespace osid {

struct Locale {
    Type languageType = types::englishLanguage();
    Type scriptType = types::latinScript();
    Type calendarType = DateTime::getCalendarType();
    Type timeType = DateTime::getTimeType();

    const Type &getLanguageType() const noexcept { return languageType; }
    const Type &getScriptType() const noexcept { return scriptType; }
    const Type &getCalendarType() const noexcept { return calendarType; }
    const Type &getTimeType() const noexcept { return timeType; }

    friend bool operator==(const Locale &, const Locale &) = default;
};

} // namespace osid
