// The baseline: the plain SQLite schema a user would write for W1, keyed by
// W1's random ids, with prepared statements, one transaction per call,
// indexes on sender and time, and an alias table. WAL with
// synchronous=NORMAL on a file, as the SQLite provider.

#include "bench/w1_backend.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <charconv>
#include <stdexcept>

namespace w1 {

namespace {

class PlainSqlite final : public Backend {
public:
    explicit PlainSqlite(const std::string &path)
    {
        if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK)
            throw std::runtime_error("cannot open " + path);
        exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
             "CREATE TABLE msg (id INTEGER PRIMARY KEY, sender INTEGER NOT NULL, sent_us INTEGER NOT NULL,"
             " recipients TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL);"
             "CREATE INDEX msg_sender ON msg (sender); CREATE INDEX msg_sent ON msg (sent_us);"
             "CREATE TABLE alias (alias INTEGER PRIMARY KEY, id INTEGER NOT NULL);");
        insert_ = prepare("INSERT INTO msg VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        update_ = prepare("UPDATE msg SET body = ?2 WHERE id = ?1");
        alias_ = prepare("INSERT INTO alias VALUES (?1, ?2) ON CONFLICT (alias) DO UPDATE SET id = excluded.id");
        bySender_ = prepare("DELETE FROM msg WHERE sender = ?1");
        byTime_ = prepare("DELETE FROM msg WHERE sent_us >= ?1 AND sent_us < ?2");
        get_ = prepare("SELECT id, sender, sent_us, recipients, subject, body FROM msg WHERE id = ?1");
        resolve_ = prepare("SELECT id FROM alias WHERE alias = ?1");
    }
    ~PlainSqlite() override
    {
        for (auto *s : {insert_, update_, alias_, bySender_, byTime_, get_, resolve_})
            sqlite3_finalize(s);
        sqlite3_close(db_);
    }

    std::uint64_t create(const std::vector<Message> &batch) override
    {
        exec("BEGIN");
        std::string recipients;
        for (const auto &m : batch) {
            recipients.clear();
            for (auto r : m.recipients)
                recipients += fmt::format("{} ", r);
            sqlite3_bind_int64(insert_, 1, static_cast<sqlite3_int64>(m.id));
            sqlite3_bind_int64(insert_, 2, static_cast<sqlite3_int64>(m.sender));
            sqlite3_bind_int64(insert_, 3, m.sentMicroseconds);
            bindText(insert_, 4, recipients);
            bindText(insert_, 5, m.subject);
            bindText(insert_, 6, m.text);
            step(insert_);
            ids_.push_back(m.id);
        }
        exec("COMMIT");
        return batch.size();
    }

    std::uint64_t count() override
    {
        auto *s = prepare("SELECT count(*) FROM msg");
        sqlite3_step(s);
        const auto n = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
        sqlite3_finalize(s);
        return n;
    }

    std::uint64_t update(const std::vector<std::pair<std::uint64_t, std::string>> &texts) override
    {
        exec("BEGIN");
        std::uint64_t n = 0;
        for (const auto &[index, text] : texts) {
            sqlite3_bind_int64(update_, 1, static_cast<sqlite3_int64>(ids_[index]));
            bindText(update_, 2, text);
            step(update_);
            n += static_cast<std::uint64_t>(sqlite3_changes(db_));
        }
        exec("COMMIT");
        return n;
    }

    std::uint64_t alias(const std::vector<std::pair<std::uint64_t, std::uint64_t>> &keyToIndex) override
    {
        exec("BEGIN");
        for (const auto &[key, index] : keyToIndex) {
            sqlite3_bind_int64(alias_, 1, static_cast<sqlite3_int64>(key));
            sqlite3_bind_int64(alias_, 2, static_cast<sqlite3_int64>(ids_[index]));
            step(alias_);
        }
        exec("COMMIT");
        return keyToIndex.size();
    }

    std::uint64_t deleteBySender(std::uint64_t sender) override
    {
        sqlite3_bind_int64(bySender_, 1, static_cast<sqlite3_int64>(sender));
        return deleting(bySender_);
    }

    std::uint64_t deleteBySentTime(std::int64_t from, std::int64_t to) override
    {
        sqlite3_bind_int64(byTime_, 1, from);
        sqlite3_bind_int64(byTime_, 2, to);
        return deleting(byTime_);
    }

    std::uint64_t deleteAll() override
    {
        exec("BEGIN");
        exec("DELETE FROM msg");
        const auto n = static_cast<std::uint64_t>(sqlite3_changes(db_));
        exec("DELETE FROM alias");
        exec("COMMIT");
        return n;
    }

    std::optional<std::uint64_t> lookup(std::uint64_t index) override { return get(ids_[index]); }

    std::optional<std::uint64_t> lookupByAlias(std::uint64_t key) override
    {
        sqlite3_bind_int64(resolve_, 1, static_cast<sqlite3_int64>(key));
        std::optional<std::uint64_t> id;
        if (sqlite3_step(resolve_) == SQLITE_ROW)
            id = static_cast<std::uint64_t>(sqlite3_column_int64(resolve_, 0));
        sqlite3_reset(resolve_);
        return id ? get(*id) : std::nullopt;
    }

private:
    std::optional<std::uint64_t> get(std::uint64_t id)
    {
        sqlite3_bind_int64(get_, 1, static_cast<sqlite3_int64>(id));
        std::optional<std::uint64_t> out;
        if (sqlite3_step(get_) == SQLITE_ROW) {
            std::vector<std::uint64_t> recipients;
            const auto *r = reinterpret_cast<const char *>(sqlite3_column_text(get_, 3));
            const char *end = r + sqlite3_column_bytes(get_, 3);
            while (r < end) {
                std::uint64_t v = 0;
                r = std::from_chars(r, end, v).ptr + 1;
                recipients.push_back(v);
            }
            out = digest(static_cast<std::uint64_t>(sqlite3_column_int64(get_, 0)), sqlite3_column_int64(get_, 2),
                         static_cast<std::uint64_t>(sqlite3_column_int64(get_, 1)), recipients, text(get_, 4),
                         text(get_, 5));
        }
        sqlite3_reset(get_);
        return out;
    }

    std::uint64_t deleting(sqlite3_stmt *s)
    {
        exec("BEGIN");
        step(s);
        const auto n = static_cast<std::uint64_t>(sqlite3_changes(db_));
        exec("COMMIT");
        return n;
    }

    static std::string text(sqlite3_stmt *s, int column)
    {
        return std::string(reinterpret_cast<const char *>(sqlite3_column_text(s, column)),
                           static_cast<std::size_t>(sqlite3_column_bytes(s, column)));
    }
    static void bindText(sqlite3_stmt *s, int index, const std::string &text)
    {
        sqlite3_bind_text(s, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
    }
    void step(sqlite3_stmt *s)
    {
        const int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            throw std::runtime_error(sqlite3_errmsg(db_));
    }
    void exec(const char *sql)
    {
        if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
            throw std::runtime_error(fmt::format("{}: {}", sql, sqlite3_errmsg(db_)));
    }
    sqlite3_stmt *prepare(const char *sql)
    {
        sqlite3_stmt *s = nullptr;
        if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK)
            throw std::runtime_error(fmt::format("{}: {}", sql, sqlite3_errmsg(db_)));
        return s;
    }

    sqlite3 *db_ = nullptr;
    sqlite3_stmt *insert_, *update_, *alias_, *bySender_, *byTime_, *get_, *resolve_;
    std::vector<std::uint64_t> ids_; // W1 id by message index
};

} // namespace

std::unique_ptr<Backend> makePlainSqliteBackend(const std::string &path) { return std::make_unique<PlainSqlite>(path); }

} // namespace w1
