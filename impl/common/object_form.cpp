#include "impl/common/object_form.h"

#include <atomic>

namespace osid::impl {

std::uint64_t nextSerial()
{
    static std::atomic<std::uint64_t> serial{0};
    return serial.fetch_add(1, std::memory_order_relaxed) + 1;
}

FormIds::FormIds(const std::string &authority) : space_(Id::ofKey(authority, "osid.OsidForm", 0)) {}

Id FormIds::next() const { return space_.withKey(nextSerial()); }

FormOrigin newFormOrigin(std::shared_ptr<const FormRules> rules, std::uint64_t sessionSerial, bool forUpdate)
{
    Id formId = FormIds(rules->authority).next();
    return FormOrigin{std::move(formId), sessionSerial, forUpdate, std::move(rules)};
}

Metadata::Definition elementDefinition(const FormRules &rules, const char *name, const char *label, Syntax syntax)
{
    Metadata::Definition d;
    d.elementId = Id(rules.authority, "osid.Metadata", name);
    d.elementLabel = DisplayText(label);
    d.syntax = syntax;
    return d;
}

} // namespace osid::impl
