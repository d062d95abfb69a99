// The SQLite provider of the messaging OSID: the durable embedded default.
//
// Everything the memory provider does, with the same behaviour (the
// conformance suite checks both), kept in one SQLite 3 file in WAL mode:
//
//   - one SQLite transaction per batch call: another session, thread or
//     process sees all of a call or none of it;
//   - when a batch call returns, every success it reported is in the file
//     (it survives the process being killed; with synchronous=full also a
//     power loss);
//   - OSID transactions: startTransaction() groups the calls of one session
//     until commit() or abort(). An open transaction holds the file's
//     write lock, so other writers wait for it (up to the busy timeout);
//   - several processes may share a file: a writer waits for another
//     (busy timeout) instead of failing, and readers see committed data only;
//   - the schema carries a version and is migrated forward on open; a file
//     from a newer build is refused, never changed (sqlite_schema.h).
//
// Thread-safety: as the memory provider. Each session has a connection of
// its own, taken from the manager's pool, so sessions on different threads
// run in parallel as far as SQLite allows (many readers, one writer).
// Each manager also runs one thread of its own, which checkpoints the WAL
// in the background (sqlite_checkpointer.h); it ends with the manager.
//
// Example:
//   osid::impl::sqlite::SqliteProviderOptions options;
//   options.path = "messages.db";
//   auto manager = osid::impl::sqlite::makeSqliteMessagingManager(options);
//
// or through the runtime: "sqlite:messages.db", "sqlite::memory:".

#pragma once

#include "impl/common/form_rules.h"
#include "impl/common/session_agent.h"
#include "messaging/messaging_manager.h"

#include <memory>
#include <string>

namespace osid::impl::sqlite {

enum class Synchronous {
    // Durable when the process dies; a power loss may lose the last calls.
    Normal,
    // Durable against power loss too; each call waits for the disk.
    Full,
};

struct SqliteProviderOptions {
    // The database file, created if missing. ":memory:" gives a private
    // database that lives as long as the manager: a temporary file on
    // /dev/shm (so in memory) where there is one, removed with the manager.
    // (SQLite's own in-memory databases cannot let a session read while
    // another has a transaction open.) A process that is killed leaves
    // its file behind: /dev/shm/osid-cpp-PID-N.db.
    std::string path = ":memory:";
    Synchronous synchronous = Synchronous::Normal;
    // How long a writer waits for another to finish before its call fails
    // with OperationFailed ("database is locked").
    int busyTimeoutMilliseconds = 10'000;
    // The authority of the Ids a new file issues; empty for the default
    // ("sqlite.osid-cpp"). An existing file keeps the one it was created
    // with, and naming another is an error.
    std::string authority;
    FormRules formRules;
    SessionAgent agent;
};

// Opens (or creates) the store and returns the manager over it.
// Errors: ConfigurationError (not an osid-cpp store, a newer schema, another
//         authority), OperationFailed (SQLite cannot open or read the file).
std::shared_ptr<messaging::MessagingManager> makeSqliteMessagingManager(SqliteProviderOptions options);

// The options a runtime configuration names. Either a bare path
// ("sqlite:messages.db", "sqlite::memory:") or key=value pairs:
//   synchronous=normal|full, busy_timeout=MILLISECONDS, authority=TEXT,
//   agent=ID, and path=FILE last (so the path may hold commas).
// The text is read as pairs when its first comma-separated part holds "="
// and no "/"; name a file whose name holds "=" as ./NAME or with path=.
// Errors: ConfigurationError.
SqliteProviderOptions sqliteProviderOptions(const std::string &configuration);

} // namespace osid::impl::sqlite
