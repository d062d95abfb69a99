#include "sqlite/connection.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

namespace osid::sqlite {

namespace {

// The statement as an error message shows it: on one line, whitespace
// runs made one space, and cut after a sentence's length, since schema
// steps run many statements of many lines at once.
std::string quoted(std::string_view sql)
{
    constexpr std::size_t kShown = 120;
    std::string out;
    for (char c : sql) {
        const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (space && (out.empty() || out.back() == ' '))
            continue;
        if (out.size() == kShown) {
            out += "...";
            return out;
        }
        out += space ? ' ' : c;
    }
    if (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

} // namespace

Statement &Statement::bind(int index, std::int64_t value)
{
    if (int rc = sqlite3_bind_int64(s_, index, value); rc != SQLITE_OK)
        connection_->fail(rc, sqlite3_sql(s_));
    return *this;
}

Statement &Statement::bind(int index, std::string_view value, bool copy)
{
    if (int rc = sqlite3_bind_text64(s_, index, value.data(), value.size(), copy ? SQLITE_TRANSIENT : SQLITE_STATIC,
                                     SQLITE_UTF8);
        rc != SQLITE_OK)
        connection_->fail(rc, sqlite3_sql(s_));
    return *this;
}

Statement &Statement::bindBlob(int index, std::string_view bytes, bool copy)
{
    // A non-null pointer even for no bytes, so that SQLite stores an empty
    // BLOB rather than NULL.
    if (int rc = sqlite3_bind_blob64(s_, index, bytes.empty() ? "" : bytes.data(), bytes.size(),
                                     copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
        rc != SQLITE_OK)
        connection_->fail(rc, sqlite3_sql(s_));
    return *this;
}

Statement &Statement::bindNull(int index)
{
    if (int rc = sqlite3_bind_null(s_, index); rc != SQLITE_OK)
        connection_->fail(rc, sqlite3_sql(s_));
    return *this;
}

bool Statement::step()
{
    switch (int rc = sqlite3_step(s_)) {
    case SQLITE_ROW: return true;
    case SQLITE_DONE: return false;
    default: connection_->fail(rc, sqlite3_sql(s_));
    }
}

std::string Statement::text(int column) const { return std::string(textView(column)); }

std::string_view Statement::textView(int column) const
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(s_, column));
    return p == nullptr ? std::string_view()
                        : std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, column)));
}

std::string_view Statement::blobView(int column) const
{
    // The pointer first, then the size (SQLite's documented order).
    const auto *p = static_cast<const char *>(sqlite3_column_blob(s_, column));
    return p == nullptr ? std::string_view()
                        : std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, column)));
}

Connection::Connection(const std::string &filename, int busyTimeoutMilliseconds)
{
    // NOMUTEX: a connection is used by one thread at a time (one session),
    // so SQLite's own per-connection mutex would only cost time.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(filename.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw OperationFailed(fmt::format("cannot open the SQLite database {}: {}", filename, message));
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busyTimeoutMilliseconds);
    busyTimeoutMilliseconds_ = busyTimeoutMilliseconds;
}

bool Connection::enableWal()
{
    auto mode = [this](const char *sql) {
        auto q = prepare(sql);
        return q.step() && q.textView(0) == "wal";
    };
    if (mode("PRAGMA journal_mode"))
        return true;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(busyTimeoutMilliseconds_);
    for (;;) {
        try {
            return mode("PRAGMA journal_mode = WAL");
        } catch (const Overloaded &) {
            if (std::chrono::steady_clock::now() >= deadline)
                throw;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

Connection::~Connection()
{
    for (auto &[sql, statement] : statements_)
        sqlite3_finalize(statement);
    // A transaction still open here is rolled back by sqlite3_close.
    sqlite3_close(db_);
}

sqlite3_stmt *Connection::cached(const std::string &sql)
{
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
        sqlite3_stmt *statement = nullptr;
        if (int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                        &statement, nullptr);
            rc != SQLITE_OK)
            fail(rc, sql);
        it = statements_.emplace(sql, statement).first;
    }
    return it->second;
}

void Connection::execute(const std::string &sql)
{
    // The connection's last error message is the one sqlite3_exec reports;
    // fail() names it and, as for a prepared statement, raises Overloaded
    // for a busy or full database.
    if (int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); rc != SQLITE_OK)
        fail(rc, sql);
}

std::optional<std::int64_t> Connection::queryInteger(const std::string &sql)
{
    auto statement = prepare(sql);
    if (!statement.step())
        return std::nullopt;
    return statement.integer(0);
}

void Connection::fail(int code, std::string_view what) const
{
    auto message = fmt::format("SQLite: {} (in \"{}\")",
                               sqlite3_errmsg(db_) ? sqlite3_errmsg(db_) : sqlite3_errstr(code), quoted(what));
    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL: throw Overloaded(message);
    default: throw OperationFailed(message);
    }
}

} // namespace osid::sqlite
