// The PostgreSQL provider: a Database per manager, a PostgresStore per
// session, under the shared managers and sessions.

#include "impl/postgres/postgres_provider.h"

#include "impl/common/store_managers.h"
#include "impl/postgres/postgres_store.h"

#include <fmt/format.h>

namespace osid::impl::postgres {

std::shared_ptr<messaging::MessagingManager> makePostgresMessagingManager(PostgresProviderOptions options)
{
    auto database = std::make_shared<Database>(options);
    return makeStoreMessagingManager(
        StoreProvider{"postgres", "PostgreSQL",
                      fmt::format("Messages kept in PostgreSQL, in the schema osid_messaging of the database the "
                                  "connection string names (authority {}).",
                                  database->authority()),
                      [database] { return std::make_shared<PostgresStore>(database); },
                      std::make_shared<FormRules>(std::move(options.formRules)), std::move(options.agent)});
}

PostgresProviderOptions postgresProviderOptions(const std::string &configuration)
{
    // Checked here, so that a typo is a ConfigurationError naming it rather
    // than a failure to connect.
    char *error = nullptr;
    PQconninfoOption *parsed = PQconninfoParse(configuration.c_str(), &error);
    if (parsed == nullptr) {
        std::string message = error ? error : "out of memory";
        PQfreemem(error);
        while (!message.empty() && message.back() == '\n')
            message.pop_back();
        throw ConfigurationError("provider postgres: bad connection string: " + message);
    }
    PQconninfoFree(parsed);
    PostgresProviderOptions options;
    options.conninfo = configuration;
    return options;
}

} // namespace osid::impl::postgres
