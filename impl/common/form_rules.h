// FormRules: the limits a provider puts on form elements. Forms publish
// them as Metadata and enforce them in their setters.

#pragma once

#include <cstdint>
#include <string>

namespace osid::impl {

struct FormRules {
    // The authority of form Ids and element Ids.
    std::string authority = "osid-cpp";

    std::uint64_t maximumDisplayNameLength = 256;
    std::uint64_t maximumDescriptionLength = 4096;
    std::uint64_t maximumJournalCommentLength = 1024;
    // 998 is the longest line RFC 5322 allows in a mail header.
    std::uint64_t maximumSubjectLength = 998;
    std::uint64_t maximumTextLength = 1 << 20;
    // An ECMAScript regular expression the whole subject must match; empty
    // for none.
    std::string subjectPattern;
    std::uint64_t maximumRecipients = 10'000;
};

} // namespace osid::impl
