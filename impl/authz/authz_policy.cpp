#include "authz_policy.h"

#include "osid/errors.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

namespace osid::impl::authz {

namespace {

// Each operation and its name in a policy file: the one table both
// directions read.
struct OperationName {
    Operation operation;
    std::string_view name;
};
constexpr std::array<OperationName, 7> kOperationNames = {{
    {Operation::Lookup, "lookup"},
    {Operation::Create, "create"},
    {Operation::Update, "update"},
    {Operation::Delete, "delete"},
    {Operation::Alias, "alias"},
    {Operation::Send, "send"},
    {Operation::CreateMailbox, "create-mailbox"},
}};

std::uint32_t bit(Operation operation) { return 1u << static_cast<unsigned>(operation); }

std::uint32_t parseOperations(const std::string &list, const std::string &where)
{
    if (list == "*")
        return ~0u;
    std::uint32_t mask = 0;
    std::stringstream in(list);
    for (std::string word; std::getline(in, word, ',');) {
        const auto *known = std::find_if(kOperationNames.begin(), kOperationNames.end(),
                                         [&](const OperationName &o) { return o.name == word; });
        if (known == kOperationNames.end()) {
            std::string names;
            for (const auto &o : kOperationNames)
                names.append(o.name).append(", ");
            throw ConfigurationError(where + ": unknown operation \"" + word + "\" (known: " + names + "*)");
        }
        mask |= bit(known->operation);
    }
    return mask;
}

} // namespace

std::string_view operationName(Operation operation)
{
    for (const auto &o : kOperationNames)
        if (o.operation == operation)
            return o.name;
    return "unknown";
}

Policy Policy::parse(std::string_view text, const std::string &origin)
{
    Policy policy;
    std::stringstream in{std::string(text)};
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        line = line.substr(0, line.find('#'));
        std::stringstream words(line);
        std::string effect, agent, operations, extra;
        if (!(words >> effect))
            continue; // blank or comment
        const auto where = origin + ":" + std::to_string(number);
        if (!(words >> agent >> operations) || (words >> extra))
            throw ConfigurationError(where + ": expected \"allow|deny AGENT|* OPERATIONS|*\"");
        if (effect != "allow" && effect != "deny")
            throw ConfigurationError(where + ": a rule starts with allow or deny, not \"" + effect + "\"");
        Rule rule{effect == "allow", agent == "*", Id(), parseOperations(operations, where)};
        if (!rule.anyAgent) {
            try {
                rule.agent = Id::parse(agent);
            } catch (const OsidException &e) {
                throw ConfigurationError(where + ": the agent is not an Id: " + e.what());
            }
        }
        policy.rules_.push_back(rule);
    }
    return policy;
}

Policy Policy::load(const std::string &path)
{
    std::ifstream file(path);
    if (!file)
        throw ConfigurationError("cannot read the policy file " + path);
    std::stringstream text;
    text << file.rdbuf();
    return parse(text.str(), path);
}

bool Policy::allows(const Id &agent, Operation operation) const
{
    for (const auto &rule : rules_)
        if ((rule.anyAgent || rule.agent == agent) && (rule.operations & bit(operation)))
            return rule.allow;
    return false;
}

} // namespace osid::impl::authz
