// The authorization adapter's policy: who may do what.
//
// A policy is text, one rule per line; '#' starts a comment:
//
//   allow  *                              lookup
//   allow  agent.Agent:alice@example.org  create,update,delete,alias
//   deny   *                              *
//
// Each rule is allow or deny, an agent Id in its text form (or * for every
// agent), and a comma-separated list of operations (or * for all). For a
// call, the first rule that matches the session's effective agent and the
// call's operation decides; a call no rule matches is denied.

#pragma once

#include "osid/id.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace osid::impl::authz {

enum class Operation : std::uint8_t {
    Lookup,        // read messages and mailboxes
    Create,        // create messages (and get forms for it)
    Update,        // update messages
    Delete,        // delete messages
    Alias,         // alias messages
    Send,          // MessagingSession: send messages
    CreateMailbox, // MailboxAdminSession
};

// The policy-file spelling of `operation`, e.g. "create-mailbox".
std::string_view operationName(Operation operation);

class Policy {
public:
    // Errors: ConfigurationError naming `origin` and the line.
    static Policy parse(std::string_view text, const std::string &origin);
    // Reads and parses the file at `path`. Errors: ConfigurationError.
    static Policy load(const std::string &path);

    bool allows(const Id &agent, Operation operation) const;

private:
    struct Rule {
        bool allow;
        bool anyAgent;
        Id agent;
        std::uint32_t operations; // bit per Operation
    };
    std::vector<Rule> rules_;
};

} // namespace osid::impl::authz
