// The PostgreSQL provider's schema: its version history and how a database
// is brought to the current version.
//
// The store lives in one PostgreSQL schema (namespace), osid_messaging, so
// it can share a database with other applications' tables (the batch
// service's, say). Its `meta` table says what it is: the application
// ("osid-cpp messaging") and the schema version. Opening a database:
//   - no osid_messaging schema, or an empty one: every step runs;
//   - an older version: the missing steps run, in one transaction;
//   - the current version: nothing changes (only read);
//   - a newer version, or an osid_messaging schema that another
//     application made: refused with ConfigurationError, and the database
//     is left exactly as it was.
// Two processes that open a new database at once take turns (a
// transaction-scoped advisory lock), so the steps run once.
//
// Versions:
//   1  meta, mailboxes, messages, aliases, the message key sequence.
//   2  indexes for deletes and lookups by sender and by received time.
//   3  the key columns (sender_key, genus_key, aliases.alias) in the "C"
//      collation: compared byte by byte, whatever the database's locale.
//   4  generations: messages.mailbox becomes messages.generation, and a
//      mailbox names its current one; dropped_generations, what the purge
//      removes (postgres_store.h, "Deleting all").

#pragma once

#include "postgres/connection.h"

#include <string>

namespace osid::impl::postgres {

// The PostgreSQL RAII layer (postgres/connection.h), by its short names.
using ::osid::postgres::Connection;
using ::osid::postgres::Params;
using ::osid::postgres::Result;

// What the meta table's `application` row holds in a database of ours.
constexpr const char *kApplication = "osid-cpp messaging";
constexpr int kSchemaVersion = 4;

// Brings the database to kSchemaVersion (see above) and returns the
// authority of its Ids: the one stored, or `authority` for a new store.
// Raises ConfigurationError for a database this build must not touch, or
// when `authority` is given and differs from the stored one.
std::string openSchema(Connection &db, const std::string &displayName, const std::string &authority);

// Runs the schema steps that take a database from version `from` to `to`,
// inside the caller's transaction. For openSchema() and the migration test.
void applySchemaSteps(Connection &db, int from, int to, const std::string &authority);

} // namespace osid::impl::postgres
