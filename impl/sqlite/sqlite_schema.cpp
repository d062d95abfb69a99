#include "impl/sqlite/sqlite_schema.h"

#include <fmt/format.h>

namespace osid::impl::sqlite {

namespace {

// Step N takes the schema from version N-1 to N. Never edit a released
// step: add one.
void applyStep(Connection &db, int step, const std::string &authority)
{
    switch (step) {
    case 1:
        db.execute(R"sql(
            CREATE TABLE meta (name TEXT PRIMARY KEY, value) WITHOUT ROWID;
            -- Every Id and Type the messages refer to, once. `canonical` is
            -- the form equality works on (authority and namespace in lower
            -- case); `text` is the form the caller gave.
            CREATE TABLE names (
                handle INTEGER PRIMARY KEY,
                canonical TEXT NOT NULL UNIQUE,
                text TEXT NOT NULL);
            CREATE TABLE mailboxes (
                mailbox INTEGER PRIMARY KEY,
                display_name TEXT NOT NULL,
                description TEXT NOT NULL,
                genus_type TEXT NOT NULL);
            -- One row per message. Name columns hold handles into `names`
            -- (0 for none); recipients are handles separated by spaces.
            CREATE TABLE messages (
                message INTEGER PRIMARY KEY,
                mailbox INTEGER NOT NULL,
                display_name TEXT NOT NULL,
                description TEXT NOT NULL,
                genus_type INTEGER NOT NULL,
                delivery INTEGER NOT NULL,
                subject TEXT NOT NULL,
                body TEXT NOT NULL,
                sent INTEGER NOT NULL,
                sender INTEGER,
                sending_agent INTEGER,
                sent_time INTEGER,
                received_time INTEGER,
                recipients TEXT);
            CREATE TABLE aliases (alias TEXT PRIMARY KEY, message INTEGER NOT NULL) WITHOUT ROWID;
            INSERT INTO mailboxes VALUES (1, 'Default mailbox',
                'The mailbox sessions are bound to unless told otherwise.', '');
            -- Message keys are never reused, so a stale Id or alias can
            -- never reach a newer message.
            INSERT INTO meta VALUES ('next_message', 1);
        )sql");
        db.prepare("INSERT INTO meta VALUES ('authority', ?1)").bind(1, authority).run();
        return;
    case 2:
        db.execute(R"sql(
            CREATE INDEX messages_by_sender ON messages (mailbox, sender);
            CREATE INDEX messages_by_received_time ON messages (mailbox, received_time);
        )sql");
        return;
    default: throw OperationFailed(fmt::format("no schema step {}", step));
    }
}

} // namespace

void applySchemaSteps(Connection &db, int from, int to, const std::string &authority)
{
    for (int step = from + 1; step <= to; ++step)
        applyStep(db, step, authority);
    db.execute(fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {}", kApplicationId, to));
}

namespace {

struct FileState {
    std::int64_t applicationId;
    int version;
    bool empty;
};

FileState readState(Connection &db)
{
    return FileState{db.queryInteger("PRAGMA application_id").value_or(0),
                     static_cast<int>(db.queryInteger("PRAGMA user_version").value_or(0)),
                     db.queryInteger("SELECT count(*) FROM sqlite_master").value_or(0) == 0};
}

// Refuses a file this build must not touch.
void requireOurs(const FileState &state, const std::string &filename)
{
    if (!state.empty && state.applicationId != kApplicationId)
        throw ConfigurationError(
            fmt::format("{} is not an osid-cpp message store (application_id {}, expected {}); it was not changed",
                        filename, state.applicationId, kApplicationId));
    if (state.version > kSchemaVersion)
        throw ConfigurationError(fmt::format(
            "{} has schema version {}, newer than this build's {}; upgrade osid-cpp to open it (the file was not "
            "changed)",
            filename, state.version, kSchemaVersion));
}

} // namespace

std::string openSchema(Connection &db, const std::string &filename, const std::string &authority)
{
    // A file already at this version is only read, so opening it never
    // waits for another process's writer. Otherwise take the write lock
    // and look again: two processes may be creating the same file.
    db.execute("BEGIN");
    try {
        auto state = readState(db);
        requireOurs(state, filename);
        if (state.version < kSchemaVersion) {
            db.execute("COMMIT");
            db.execute("BEGIN IMMEDIATE");
            state = readState(db);
            requireOurs(state, filename);
            if (state.version < kSchemaVersion)
                applySchemaSteps(db, state.version, kSchemaVersion, authority.empty() ? "sqlite.osid-cpp" : authority);
        }
        std::string storedAuthority;
        {
            auto stored = db.prepare("SELECT value FROM meta WHERE name = 'authority'");
            if (!stored.step())
                throw ConfigurationError(fmt::format("{} has no authority recorded; it is damaged", filename));
            storedAuthority = stored.text(0);
        }
        if (!authority.empty() && authority != storedAuthority)
            throw ConfigurationError(
                fmt::format("{} issues Ids of authority \"{}\", not \"{}\"", filename, storedAuthority, authority));
        db.execute("COMMIT");
        return storedAuthority;
    } catch (...) {
        db.rollBack();
        throw;
    }
}

} // namespace osid::impl::sqlite
