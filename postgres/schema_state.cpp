#include "postgres/schema_state.h"

#include <fmt/format.h>

#include <cstdlib>

namespace osid::postgres {

SchemaState readSchemaState(Connection &db, std::string_view schema)
{
    SchemaState state;
    auto objects = db.query(fmt::format("SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                                        "c.relnamespace WHERE n.nspname = '{0}'), to_regclass('{0}.meta') IS NOT NULL",
                                        schema));
    state.empty = objects.integer(0, 0) == 0;
    if (!objects.boolean(0, 1))
        return state;
    auto meta = db.query(fmt::format("SELECT name, value FROM {}.meta", schema));
    for (int row = 0; row < meta.rows(); ++row) {
        const auto name = meta.text(row, 0);
        const auto value = meta.text(row, 1);
        if (name == "application")
            state.application = value;
        else if (name == "authority")
            state.authority = value;
        else if (name == "schema_version")
            state.version = std::atoi(std::string(value).c_str());
    }
    return state;
}

} // namespace osid::postgres
