#include "authz_policy.h"

#include "osid/errors.h"

#include <array>
#include <fstream>
#include <sstream>

namespace osid::impl::authz {

namespace {

constexpr std::array<Operation, 7> kOperations = {Operation::Lookup,       Operation::Create, Operation::Update,
                                                  Operation::Delete,       Operation::Alias,  Operation::Send,
                                                  Operation::CreateMailbox};

std::uint32_t bit(Operation operation) { return 1u << static_cast<unsigned>(operation); }

std::uint32_t parseOperations(const std::string &list, const std::string &where)
{
    if (list == "*")
        return ~0u;
    std::uint32_t mask = 0;
    std::stringstream in(list);
    for (std::string word; std::getline(in, word, ',');) {
        bool known = false;
        for (auto operation : kOperations)
            if (word == operationName(operation)) {
                mask |= bit(operation);
                known = true;
            }
        if (!known)
            throw ConfigurationError(where + ": unknown operation \"" + word +
                                     "\" (known: lookup, create, update, delete, alias, send, create-mailbox, *)");
    }
    return mask;
}

} // namespace

std::string_view operationName(Operation operation)
{
    switch (operation) {
    case Operation::Lookup: return "lookup";
    case Operation::Create: return "create";
    case Operation::Update: return "update";
    case Operation::Delete: return "delete";
    case Operation::Alias: return "alias";
    case Operation::Send: return "send";
    case Operation::CreateMailbox: return "create-mailbox";
    }
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
