// `osid-batch keys add|list|revoke --file FILE`: the API keys of
// `osid-batch serve --api-keys FILE` (service/api_keys.h).

#include "commands.h"

#include "service/api_keys.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace osid::tools {

int keysCommand(const Settings &settings, const std::string &action, const std::string &file, const std::string &name)
{
    service::ApiKeyFile keys(file);
    if (action == "add") {
        const auto key = keys.add(name);
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
            out.push_back({{"name", key.name}});
        fmt::print("{}\n", out.dump());
    } else {
        for (const auto &key : all)
            fmt::print("{}\n", key.name);
    }
    return kOk;
}

} // namespace osid::tools
