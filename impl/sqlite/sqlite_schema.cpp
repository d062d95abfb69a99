#include "impl/sqlite/sqlite_schema.h"

#include "osid/detail/identity.h"

#include <fmt/format.h>

#include <charconv>
#include <limits>
#include <vector>

namespace osid::impl::sqlite {

namespace {

void appendVarint(std::string &out, std::uint64_t v)
{
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7F) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}

// Takes a varint off the front of `in`; false if it is cut short or
// longer than 64 bits.
bool takeVarint(std::string_view &in, std::uint64_t &v)
{
    v = 0;
    for (unsigned shift = 0; shift < 64 && !in.empty(); shift += 7) {
        const auto byte = static_cast<unsigned char>(in.front());
        in.remove_prefix(1);
        if (shift == 63 && byte > 1)
            return false;
        v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
        if (byte < 0x80)
            return true;
    }
    return false;
}

[[noreturn]] void malformed() { throw OperationFailed("the store holds a malformed message content"); }

// Copies version 2's rows into the table that replaces `messages`, in
// key order (so the new table's pages fill as an append fills them), with
// the five columns that step 3 packs made into `content`.
void copyVersion2Messages(Connection &db)
{
    auto rows = db.prepare("SELECT message, mailbox, genus_type, delivery, sent, sender, sending_agent, sent_time, "
                           "received_time, display_name, description, subject, body, recipients FROM messages "
                           "ORDER BY message");
    std::string content;
    std::vector<std::int64_t> handles;
    while (rows.step()) {
        // Recipients were handles separated by single spaces (NULL for a draft).
        handles.clear();
        const auto recipients = rows.textView(13);
        for (const char *p = recipients.data(), *end = p + recipients.size(); p < end;) {
            std::int64_t handle = 0;
            auto [next, ec] = std::from_chars(p, end, handle);
            if (ec != std::errc())
                throw OperationFailed(fmt::format("message {} has a malformed recipient list", rows.integer(0)));
            handles.push_back(handle);
            p = next < end && *next == ' ' ? next + 1 : next;
        }
        content.clear();
        packContent(content, rows.textView(9), rows.textView(10), rows.textView(11), rows.textView(12), handles);
        auto insert = db.prepare("INSERT INTO messages_v3 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
        for (int c = 0; c < 9; ++c) {
            if (rows.isNull(c))
                insert.bindNull(c + 1);
            else
                insert.bind(c + 1, rows.integer(c));
        }
        insert.bindBlob(10, content, false).run();
    }
}

// Moves version 4's numbered aliases (sqlite_schema.h) from `aliases` to
// `numbered_aliases`, giving their spaces handles in the order the
// aliases' text sorts.
void moveNumberedAliases(Connection &db)
{
    struct Moved {
        std::string text;
        std::uint64_t number;
        std::int64_t space;
        std::int64_t message;
        std::optional<std::int64_t> mailbox;
    };
    std::vector<Moved> moved;
    {
        auto rows = db.prepare("SELECT alias, message, mailbox FROM aliases");
        while (rows.step()) {
            // "I" namespace ":" identifier "@" authority, with any ':' or '@'
            // inside a part escaped, so the first of each splits it.
            const auto text = rows.textView(0);
            const auto colon = text.find(':');
            const auto at = text.find('@', colon);
            if (text.empty() || text.front() != 'I' || colon == std::string_view::npos || at == std::string_view::npos)
                throw OperationFailed(fmt::format("the alias \"{}\" is not an Id's canonical text", text));
            const auto number = aliasNumber(text.substr(colon + 1, at - colon - 1));
            if (!number)
                continue;
            const auto space = std::string(text.substr(1, colon - 1)) + std::string(text.substr(at));
            std::optional<std::int64_t> handle;
            {
                auto find = db.prepare("SELECT space FROM alias_spaces WHERE canonical = ?1");
                find.bind(1, space);
                if (find.step())
                    handle = find.integer(0);
            }
            if (!handle) {
                db.prepare("INSERT INTO alias_spaces (canonical) VALUES (?1)").bind(1, space).run();
                handle = db.lastInsertRowid();
            }
            moved.push_back(Moved{std::string(text), *number, *handle, rows.integer(1),
                                  rows.isNull(2) ? std::nullopt : std::optional<std::int64_t>(rows.integer(2))});
        }
    }
    for (const auto &m : moved) {
        auto insert =
            db.prepare("INSERT INTO numbered_aliases (number, space, message, mailbox) VALUES (?1, ?2, ?3, ?4)");
        insert.bind(1, storedAliasNumber(m.number)).bind(2, m.space).bind(3, m.message);
        if (m.mailbox)
            insert.bind(4, *m.mailbox);
        else
            insert.bindNull(4);
        insert.run();
        db.prepare("DELETE FROM aliases WHERE alias = ?1").bind(1, m.text).run();
    }
}

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
    case 3:
        // A new table in the new shape, filled from the old one, which then
        // takes its name (SQLite cannot drop columns in one pass).
        db.execute(R"sql(
            CREATE TABLE messages_v3 (
                message INTEGER PRIMARY KEY,
                mailbox INTEGER NOT NULL,
                genus_type INTEGER NOT NULL,
                delivery INTEGER NOT NULL,
                sent INTEGER NOT NULL,
                sender INTEGER,
                sending_agent INTEGER,
                sent_time INTEGER,
                received_time INTEGER,
                -- packContent(): display name, description, subject, text, recipients.
                content BLOB NOT NULL);
        )sql");
        copyVersion2Messages(db);
        db.execute(R"sql(
            DROP TABLE messages;
            ALTER TABLE messages_v3 RENAME TO messages;
            CREATE INDEX messages_by_sender ON messages (mailbox, sender);
            CREATE INDEX messages_by_received_time ON messages (mailbox, received_time);
        )sql");
        return;
    case 4:
        // The mailbox of the message an alias names, so that re-pointing an
        // alias within its mailbox need not read that message's row.
        db.execute(R"sql(
            ALTER TABLE aliases ADD COLUMN mailbox INTEGER;
            UPDATE aliases SET mailbox = (SELECT mailbox FROM messages WHERE message = aliases.message);
        )sql");
        return;
    case 5:
        db.execute(R"sql(
            -- A numbered alias's space: "namespace@authority" as the
            -- canonical text of its Ids has them.
            CREATE TABLE alias_spaces (space INTEGER PRIMARY KEY, canonical TEXT NOT NULL UNIQUE);
            -- The number first: it tells most keys apart on its own.
            CREATE TABLE numbered_aliases (
                number INTEGER NOT NULL,
                space INTEGER NOT NULL,
                message INTEGER NOT NULL,
                mailbox INTEGER,
                PRIMARY KEY (number, space)) WITHOUT ROWID;
        )sql");
        moveNumberedAliases(db);
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

// Brings the file to this build's version in the caller's transaction. A
// failed step (a full disk, a damaged row) rolls back with it, so the
// error says that the file stays as it was.
void upgrade(Connection &db, const FileState &state, const std::string &filename, const std::string &authority)
{
    try {
        applySchemaSteps(db, state.version, kSchemaVersion, authority.empty() ? "sqlite.osid-cpp" : authority);
    } catch (const OsidException &e) {
        if (state.empty)
            throw;
        throwError(e.code(), fmt::format("{}: upgrading from schema version {} to {} failed, so the file stays at "
                                         "version {}: {}",
                                         filename, state.version, kSchemaVersion, state.version, e.message()));
    }
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
                upgrade(db, state, filename, authority);
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

void packContent(std::string &out, std::string_view displayName, std::string_view description, std::string_view subject,
                 std::string_view text, std::span<const std::int64_t> recipients)
{
    appendVarint(out, displayName.size());
    appendVarint(out, description.size());
    appendVarint(out, subject.size());
    appendVarint(out, text.size());
    appendVarint(out, recipients.size());
    out.append(displayName).append(description).append(subject).append(text);
    for (auto handle : recipients)
        appendVarint(out, static_cast<std::uint64_t>(handle));
}

PackedContent unpackContent(std::string_view bytes)
{
    std::uint64_t sizes[5];
    for (auto &size : sizes)
        if (!takeVarint(bytes, size))
            malformed();
    PackedContent out;
    std::string_view *parts[4] = {&out.displayName, &out.description, &out.subject, &out.text};
    for (int i = 0; i < 4; ++i) {
        if (sizes[i] > bytes.size())
            malformed();
        *parts[i] = bytes.substr(0, sizes[i]);
        bytes.remove_prefix(sizes[i]);
    }
    // Every recipient is one varint of at least one byte, and they fill
    // the rest exactly.
    if (sizes[4] > bytes.size())
        malformed();
    out.recipientCount = sizes[4];
    out.recipients = bytes;
    for (std::uint64_t i = 0, handle = 0; i < sizes[4]; ++i)
        if (!takeVarint(bytes, handle) || handle > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            malformed();
    if (!bytes.empty())
        malformed();
    return out;
}

std::optional<std::uint64_t> aliasNumber(std::string_view identifier)
{
    // Each number has one such identifier: the one Id::ofKey() gives it.
    return osid::detail::decimalNumber(identifier);
}

std::int64_t nextRecipient(std::string_view &recipients)
{
    std::uint64_t handle = 0;
    if (!takeVarint(recipients, handle))
        malformed();
    return static_cast<std::int64_t>(handle);
}

} // namespace osid::impl::sqlite
