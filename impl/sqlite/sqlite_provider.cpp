// The SQLite provider: a Database per manager, a SqliteStore per session,
// under the shared managers and sessions.

#include "impl/sqlite/sqlite_provider.h"

#include "impl/common/store_managers.h"
#include "impl/sqlite/sqlite_store.h"
#include "runtime/provider_configuration.h"

#include <charconv>

#include <fmt/format.h>

namespace osid::impl::sqlite {

std::shared_ptr<messaging::MessagingManager> makeSqliteMessagingManager(SqliteProviderOptions options)
{
    auto database = std::make_shared<Database>(options);
    return makeStoreMessagingManager(
        StoreProvider{"sqlite", "SQLite", fmt::format("Messages kept in the SQLite database {}.", options.path),
                      [database] { return std::make_shared<SqliteStore>(database); },
                      std::make_shared<FormRules>(std::move(options.formRules)), std::move(options.agent)});
}

namespace {

[[noreturn]] void bad(const std::string &what)
{
    throw ConfigurationError("provider sqlite: bad configuration: " + what);
}

// Whether the text is key=value pairs rather than a bare path: its first
// comma-separated part holds "=" and no "/". (A file whose name holds "="
// is named as ./NAME or with path=.)
bool isKeyValueForm(const std::string &text)
{
    const auto first = text.substr(0, text.find(','));
    return first.find('=') != std::string::npos && first.find('/') == std::string::npos;
}

} // namespace

SqliteProviderOptions sqliteProviderOptions(const std::string &configuration)
{
    SqliteProviderOptions options;
    if (!isKeyValueForm(configuration)) {
        if (configuration.empty())
            bad("no database path (use sqlite:FILE or sqlite::memory:)");
        options.path = configuration;
        return options;
    }
    const runtime::ProviderConfiguration config("sqlite", configuration,
                                                {"synchronous", "busy_timeout", "authority", "agent"}, "path");
    options.path = config.require("path");
    if (options.path.empty())
        bad("path is empty");
    if (auto synchronous = config.get("synchronous")) {
        if (*synchronous == "normal")
            options.synchronous = Synchronous::Normal;
        else if (*synchronous == "full")
            options.synchronous = Synchronous::Full;
        else
            bad("synchronous must be normal or full, not \"" + *synchronous + "\"");
    }
    if (auto timeout = config.get("busy_timeout")) {
        int ms = -1;
        auto [end, ec] = std::from_chars(timeout->data(), timeout->data() + timeout->size(), ms);
        if (ec != std::errc() || end != timeout->data() + timeout->size() || ms < 0)
            bad("busy_timeout must be a number of milliseconds, not \"" + *timeout + "\"");
        options.busyTimeoutMilliseconds = ms;
    }
    if (auto authority = config.get("authority")) {
        if (authority->empty())
            bad("authority is empty");
        options.authority = *authority;
    }
    if (auto agent = config.get("agent")) {
        try {
            options.agent.effectiveAgentId = Id::parse(*agent);
        } catch (const OsidException &e) {
            bad(std::string("agent: ") + e.what());
        }
    }
    return options;
}

} // namespace osid::impl::sqlite
