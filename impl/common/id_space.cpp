#include "impl/common/id_space.h"

#include <limits>

namespace osid::impl {

namespace {

// The largest key: the largest SQL databases store as an integer.
constexpr auto kMaxKey = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

} // namespace

std::optional<std::uint64_t> parseKey(std::string_view text)
{
    // The numbers Ids hash as numbers, bounded as keys are.
    const auto v = detail::decimalNumber(text);
    return v && *v <= kMaxKey ? v : std::nullopt;
}

IdSpace::IdSpace(const std::string &authority, std::string_view idNamespace)
    : space_(Id::ofKey(authority, idNamespace, 0))
{
}

bool IdSpace::contains(const Id &id) const
{
    if (&id.getAuthority() == &space_.getAuthority() &&
        &id.getIdentifierNamespace() == &space_.getIdentifierNamespace())
        return true;
    return detail::equalsIgnoreCase(id.getAuthority(), space_.getAuthority()) &&
           detail::equalsIgnoreCase(id.getIdentifierNamespace(), space_.getIdentifierNamespace());
}

std::optional<std::uint64_t> IdSpace::key(const Id &id) const
{
    if (!contains(id))
        return std::nullopt;
    if (auto key = id.madeWithKey())
        return *key <= kMaxKey ? key : std::nullopt;
    return parseKey(id.getIdentifier());
}

} // namespace osid::impl
