// osid::DisplayText (OSID osid.locale.DisplayText): a string for people,
// with the language, script and format it is written in.

#pragma once

#include "osid/type.h"

#include <string>
#include <utility>

namespace osid {

namespace types {

// ISO 639-2 English, the default language of DisplayText.
inline const Type &englishLanguage()
{
    static const Type t = Type::immortal("ISO", "639-2", "ENG");
    return t;
}

// ISO 15924 Latin, the default script of DisplayText.
inline const Type &latinScript()
{
    static const Type t = Type::immortal("ISO", "15924", "LATN");
    return t;
}

// Plain text, the default format of DisplayText.
inline const Type &plainTextFormat()
{
    static const Type t = Type::immortal("okapia.net", "TextFormats", "PLAIN");
    return t;
}

} // namespace types

class DisplayText {
public:
    // Empty English plain text.
    DisplayText() = default;
    // `text` in English, Latin script, plain-text format.
    DisplayText(std::string text) : text_(std::move(text)) {} // NOLINT: implicit by design
    DisplayText(std::string text, Type languageType, Type scriptType, Type formatType)
        : text_(std::move(text)), language_(std::move(languageType)), script_(std::move(scriptType)),
          format_(std::move(formatType))
    {
    }

    const std::string &getText() const noexcept { return text_; }
    const Type &getLanguageType() const noexcept { return language_; }
    const Type &getScriptType() const noexcept { return script_; }
    const Type &getFormatType() const noexcept { return format_; }

    friend bool operator==(const DisplayText &, const DisplayText &) = default;

private:
    std::string text_;
    Type language_ = types::englishLanguage();
    Type script_ = types::latinScript();
    Type format_ = types::plainTextFormat();
};

} // namespace osid
