// The PostgreSQL provider of the messaging OSID: for users who outgrow one
// machine, over libpq.
//
// Everything the SQLite provider does, with the same behaviour (the
// conformance suite checks both), kept in a PostgreSQL database, in a
// schema of its own (osid_messaging, see postgres_schema.h):
//
//   - one PostgreSQL transaction per batch call: another session, thread
//     or process sees all of a call or none of it;
//   - one round trip per batch call where it can be: the rows a call
//     writes travel together with its commit (libpq's pipeline mode; a
//     create is one INSERT of arrays), deletes are one statement each;
//   - OSID transactions: startTransaction() groups the calls of one session
//     until commit() or abort(), each call a savepoint of it;
//   - several processes may share a database: message keys come from a
//     sequence, so Ids stay unique across them, and a key is never handed
//     out twice, even after an abort;
//   - the schema carries a version and is migrated forward on open; a
//     database from a newer build, or whose osid_messaging schema another
//     application made, is refused, never changed.
//
// Thread-safety: as the SQLite provider. Each session has a connection of
// its own, taken from the manager's pool.
//
// Example:
//   osid::impl::postgres::PostgresProviderOptions options;
//   options.conninfo = "host=/var/run/postgresql dbname=messages";
//   auto manager = osid::impl::postgres::makePostgresMessagingManager(options);
//
// or through the runtime: "postgres:dbname=messages",
// "postgres:postgresql://user@db.example.org/messages".

#pragma once

#include "impl/common/form_rules.h"
#include "impl/common/session_agent.h"
#include "messaging/messaging_manager.h"

#include <chrono>
#include <memory>
#include <string>

namespace osid::impl::postgres {

struct PostgresProviderOptions {
    // A libpq connection string: key=value pairs ("host=... dbname=...")
    // or a postgresql:// URI. Empty: libpq's defaults (PGHOST, PGDATABASE,
    // ... from the environment).
    std::string conninfo;
    // The authority of the Ids a new store issues; empty for the default
    // ("postgres.osid-cpp"). An existing store keeps the one it was
    // created with, and naming another is an error.
    std::string authority;
    // How long a call that finds its connection lost (a server restart)
    // waits for the server to take connections again, trying every
    // 100 ms, before it raises OperationFailed. A call in flight when the
    // connection goes fails at once.
    std::chrono::milliseconds reconnectTimeout{std::chrono::seconds(10)};
    // How long a delete of all waits for the transactions writing to its
    // mailbox (an open OSID transaction that created a message there, say)
    // before it fails with OperationFailed, changing nothing. While it
    // waits, new writes to the mailbox wait behind it.
    std::chrono::milliseconds lockTimeout{std::chrono::seconds(10)};
    FormRules formRules;
    SessionAgent agent;
};

// Connects, brings the schema up to date and returns the manager.
// Errors: ConfigurationError (a malformed connection string, not an
//         osid-cpp store, a newer schema, another authority),
//         OperationFailed (the server cannot be reached or refuses).
std::shared_ptr<messaging::MessagingManager> makePostgresMessagingManager(PostgresProviderOptions options);

// The options a runtime configuration names: the whole text is the
// connection string ("postgres:dbname=messages",
// "postgres:postgresql://host/messages").
// Errors: ConfigurationError (libpq cannot parse it).
PostgresProviderOptions postgresProviderOptions(const std::string &configuration);

} // namespace osid::impl::postgres
