// The SQLite provider's schema: its version history and how a file is
// brought to the current version.
//
// A file says what it is in two header fields: application_id (this
// provider's mark) and user_version (the schema version). Opening a file:
//   - empty: every step runs, creating the current schema;
//   - an older version: the missing steps run, in one transaction;
//   - the current version: nothing changes;
//   - a newer version, or another application's file: refused with
//     ConfigurationError, and the file is left exactly as it was.
//
// Versions:
//   1  mailboxes, messages, the names they refer to, aliases, counters.
//   2  indexes for deletes and lookups by sender and by received time.

#pragma once

#include "sqlite/connection.h"

#include <string>

namespace osid::impl::sqlite {

// The SQLite RAII layer (sqlite/connection.h), by its short names.
using ::osid::sqlite::Connection;
using ::osid::sqlite::Statement;

// "OSID" in ASCII.
constexpr std::int64_t kApplicationId = 0x4F534944;
constexpr int kSchemaVersion = 2;

// Brings the database to kSchemaVersion (see above) and returns the
// authority of its Ids: the one stored in the file, or `authority` for a
// new file. Raises ConfigurationError for a file this build must not
// touch, or when `authority` is given and differs from the stored one.
std::string openSchema(Connection &db, const std::string &filename, const std::string &authority);

// Runs the schema steps that take a database from version `from` to `to`,
// inside the caller's transaction. For openSchema() and the migration test.
void applySchemaSteps(Connection &db, int from, int to, const std::string &authority);

} // namespace osid::impl::sqlite
