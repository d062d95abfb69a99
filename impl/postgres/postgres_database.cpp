#include "impl/postgres/postgres_database.h"

#include "impl/postgres/postgres_schema.h"

namespace osid::impl::postgres {

Database::Database(const PostgresProviderOptions &options)
    : conninfo_(options.conninfo), reconnectTimeout_(options.reconnectTimeout), lockTimeout_(options.lockTimeout),
      purge_(options.conninfo)
{
    auto first = std::make_unique<Connection>(conninfo_);
    authority_ = openSchema(*first, first->describe(), options.authority);
    // What an earlier process's deletes of all left.
    if (first->query("SELECT 1 FROM osid_messaging.dropped_generations LIMIT 1").rows() > 0)
        purge_.wake();
    idle_.give(std::move(first));
}

std::unique_ptr<Connection> Database::acquire()
{
    if (auto connection = idle_.take())
        return connection;
    return std::make_unique<Connection>(conninfo_);
}

void Database::release(std::unique_ptr<Connection> connection) noexcept
{
    connection->rollBack();
    if (!connection->isBroken())
        idle_.give(std::move(connection));
}

} // namespace osid::impl::postgres
