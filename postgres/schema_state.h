// What a PostgreSQL schema (namespace) of an osid-cpp store holds, read the
// same way by the PostgreSQL provider (osid_messaging) and the batch
// service's store (osid_batch): whether it holds anything, and the rows of
// its `meta` table (application, schema version, authority). Each decides
// from it whether the database is its own, and of which version.

#pragma once

#include "postgres/connection.h"

#include <string>
#include <string_view>

namespace osid::postgres {

struct SchemaState {
    // Whether the schema holds anything at all (no schema: nothing).
    bool empty = true;
    // The meta table's rows, where there is one.
    std::string application;
    int version = 0;
    std::string authority;
};

// `schema` is a plain identifier of ours, written into the statements.
SchemaState readSchemaState(Connection &db, std::string_view schema);

} // namespace osid::postgres
