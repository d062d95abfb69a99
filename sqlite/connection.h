// osid::sqlite: a thin RAII layer over the SQLite C API: one connection with
// a cache of prepared statements, and a Statement that binds, steps and
// resets. An internal library (not installed) that the SQLite provider
// (impl/sqlite) and the batch service's stores (service/) share, so the
// service never reaches into a provider's private code.
//
// Every SQLite failure becomes osid::OperationFailed with SQLite's own
// message and the statement that failed, so a caller sees "database is
// locked" or "disk I/O error" rather than a bare code; the failures that
// say the file cannot take more work now are sqlite::Overloaded, an
// OperationFailed that a caller may tell apart.

#pragma once

#include "osid/errors.h"

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

namespace osid::sqlite {

class Connection;

// SQLite could not take the work: another connection held the write lock
// past the busy timeout (SQLITE_BUSY, SQLITE_LOCKED), or the disk or the
// file's size limit is full (SQLITE_FULL). Nothing was written; the same
// work may succeed later.
class Overloaded final : public OperationFailed {
public:
    using OperationFailed::OperationFailed;
};

// A prepared statement borrowed from a connection's cache. Binding is by
// position, from 1. The statement is reset when the Statement goes away,
// so a cached statement never holds a read open.
class Statement {
public:
    Statement(Connection &connection, sqlite3_stmt *statement) : connection_(&connection), s_(statement) {}
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;
    ~Statement()
    {
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
    }

    Statement &bind(int index, std::int64_t value);
    Statement &bind(int index, std::uint64_t value) { return bind(index, static_cast<std::int64_t>(value)); }
    // Copies the text, unless `copy` is false: then the caller keeps it
    // alive until the statement has run.
    Statement &bind(int index, std::string_view value, bool copy = true);
    // The same for bytes that are not text.
    Statement &bindBlob(int index, std::string_view bytes, bool copy = true);
    Statement &bindNull(int index);

    // Advances to the next row; false when there is none.
    bool step();
    // Runs a statement that returns no rows.
    void run()
    {
        while (step()) {
        }
    }

    std::int64_t integer(int column) const { return sqlite3_column_int64(s_, column); }
    bool isNull(int column) const { return sqlite3_column_type(s_, column) == SQLITE_NULL; }
    std::string text(int column) const;
    std::string_view textView(int column) const;
    // A BLOB column's bytes, valid until the statement steps or resets.
    std::string_view blobView(int column) const;

private:
    Connection *connection_;
    sqlite3_stmt *s_;
};

class Connection {
public:
    // Opens `filename` (a path, or a "file:" URI), creating the file if it
    // is missing. Raises OperationFailed if SQLite cannot open it.
    Connection(const std::string &filename, int busyTimeoutMilliseconds);
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;
    ~Connection();

    // A cached prepared statement for `sql`.
    Statement prepare(const std::string &sql) { return Statement(*this, cached(sql)); }
    // The same through a slot the caller keeps, for statements run once
    // per message: after the first call it skips the cache lookup.
    Statement prepare(sqlite3_stmt *&slot, const char *sql)
    {
        if (slot == nullptr)
            slot = cached(sql);
        return Statement(*this, slot);
    }
    // Runs one or more statements that return no rows. Raises Overloaded
    // for a busy or full database, OperationFailed for any other error.
    void execute(const std::string &sql);
    // Runs one statement that returns no rows, prepared once: for the
    // BEGIN and COMMIT of every call.
    void run(const char *sql) { prepare(sql).run(); }
    // The value of the first column of the first row, if any.
    std::optional<std::int64_t> queryInteger(const std::string &sql);

    // Puts the file in WAL mode (which it keeps) unless it is already, and
    // says whether it is now. Switching takes the whole file: when another
    // connection is switching it too, SQLite answers one of them SQLITE_BUSY
    // at once rather than let both wait (its busy handler would deadlock),
    // so this tries again until the busy timeout has passed.
    bool enableWal();

    // Ends the open transaction, if any, discarding its changes. Never
    // fails: used on the way out of an error.
    void rollBack() noexcept
    {
        if (inTransaction())
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }

    // Runs `work` in one write transaction: BEGIN IMMEDIATE (so a busy file
    // makes it wait, up to the busy timeout, before anything is done), then
    // COMMIT; rolled back if `work` throws. Returns what `work` returns.
    template <typename Work>
    auto write(Work &&work)
    {
        run("BEGIN IMMEDIATE");
        try {
            if constexpr (std::is_void_v<decltype(work())>) {
                work();
                run("COMMIT");
            } else {
                auto result = work();
                run("COMMIT");
                return result;
            }
        } catch (...) {
            rollBack();
            throw;
        }
    }

    std::int64_t lastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
    // The rows the last INSERT, UPDATE or DELETE changed.
    std::int64_t changes() const { return sqlite3_changes(db_); }
    bool inTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
    sqlite3 *handle() const noexcept { return db_; }

    [[noreturn]] void fail(int code, std::string_view what) const;

private:
    sqlite3_stmt *cached(const std::string &sql);

    sqlite3 *db_ = nullptr;
    int busyTimeoutMilliseconds_ = 0;
    std::unordered_map<std::string, sqlite3_stmt *> statements_;
};

} // namespace osid::sqlite
