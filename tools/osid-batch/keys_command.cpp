// `osid-batch keys add|list|revoke --file FILE`: the API keys of
// `osid-batch serve --api-keys FILE` (service/api_keys.h); and
// `osid-batch workspaces add|list`: the mailboxes the keys' workspaces are.

#include "commands.h"

#include "messaging/mailbox_admin_session.h"
#include "messaging/mailbox_lookup_session.h"
#include "osid/errors.h"
#include "service/api_keys.h"
#include "service/service_error.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace osid::tools {

int keysCommand(const Settings &settings, const std::string &action, const std::string &file, const std::string &name)
{
    service::ApiKeyFile keys(file);
    if (action == "add") {
        const auto key = keys.add(name, workspaceId(settings));
        // The key alone on stdout, so that a script can capture it; it is
        // shown this once.
        fmt::print("{}\n", key);
        fmt::print(stderr, "osid-batch: key \"{}\" added to {}; keep it now: only its hash is stored\n", name, file);
        return kOk;
    }
    if (action == "revoke") {
        keys.revoke(name);
        fmt::print(stderr, "osid-batch: key \"{}\" revoked; a running server stops taking it at once\n", name);
        return kOk;
    }
    const auto all = keys.list();
    if (settings.json) {
        auto out = nlohmann::json::array();
        for (const auto &key : all)
            out.push_back(
                {{"name", key.name},
                 {"workspace", key.workspace.empty() ? nlohmann::json(nullptr) : nlohmann::json(key.workspace)}});
        fmt::print("{}\n", out.dump());
    } else {
        for (const auto &key : all)
            // The name, and the workspace when it is not the default one.
            fmt::print("{}{}{}\n", key.name, key.workspace.empty() ? "" : "  ", key.workspace);
    }
    return kOk;
}

Id workspaceId(const Settings &settings)
{
    if (settings.workspace.empty())
        return Id();
    try {
        return Id::parse(settings.workspace);
    } catch (const InvalidArgument &e) {
        throw service::ServiceError(service::error_type::kInvalidRequest,
                                    fmt::format("--workspace: {} (a workspace is a mailbox Id, as `osid-batch "
                                                "workspaces add NAME` prints it)",
                                                e.what()));
    }
}

int workspacesCommand(const Settings &settings, const std::string &action, const std::string &name)
{
    auto manager = openProvider(settings);
    if (action == "add") {
        auto admin = manager->getMailboxAdminSession();
        auto form = admin->getMailboxFormForCreate({});
        form->setDisplayName(name);
        const auto mailbox = admin->createMailbox(*form);
        // The Id alone on stdout, for `keys add --workspace` and --workspace.
        fmt::print("{}\n", mailbox->getId().toString());
        return kOk;
    }
    auto mailboxes = manager->getMailboxLookupSession()->getMailboxes();
    auto out = nlohmann::json::array();
    for (const auto &mailbox : *mailboxes) {
        if (settings.json)
            out.push_back({{"id", mailbox->getId().toString()}, {"name", mailbox->getDisplayName().getText()}});
        else
            fmt::print("{}  {}\n", mailbox->getId().toString(), mailbox->getDisplayName().getText());
    }
    if (settings.json)
        fmt::print("{}\n", out.dump());
    return kOk;
}

} // namespace osid::tools
