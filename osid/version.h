// osid::Version (OSID osid.installation.Version): a dotted version number
// such as 3.0.0, compared component by component.

#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace osid {

struct Version {
    std::uint32_t major = 0;
    std::uint32_t minor = 0;
    std::uint32_t patch = 0;

    std::string toString() const
    {
        return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
    }

    friend constexpr bool operator==(const Version &, const Version &) = default;
    friend constexpr auto operator<=>(const Version &, const Version &) = default;
};

// The OSID specification version these interfaces mirror.
inline constexpr Version kOsidSpecificationVersion{3, 0, 0};

} // namespace osid
