// osid::postgres: a thin RAII layer over libpq: a connection whose
// statements are prepared once and cached, results that free themselves,
// and a queue of writes that travel with the next statement whose result
// is needed. An internal library (not installed), beside osid::sqlite
// (sqlite/connection.h), so that the PostgreSQL provider (impl/postgres)
// and, later, the batch service's PostgreSQL store share one layer.
//
// Round trips: query() sends what queue() has gathered and its own
// statement in one pipeline (libpq's pipeline mode) and waits once. So a
// batch call that writes row after row, and reads or commits at the end,
// costs one round trip, not one per row. copy() loads many rows with
// COPY ... FROM STDIN, which libpq does not allow in a pipeline: it costs
// two round trips of its own (the COPY's start, then its data and result).
//
// Every libpq failure becomes osid::OperationFailed with the server's (or
// libpq's) own message and the statement that failed, so a caller sees
// "duplicate key value violates ..." or "server closed the connection
// unexpectedly" rather than a bare status.

#pragma once

#include "osid/errors.h"

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace osid::postgres {

// The server could not take the work now: a serialization failure or a
// deadlock (SQLSTATE class 40), insufficient resources (class 53: no
// connection slot, a full disk, out of memory), a lock not available within
// lock_timeout (55P03) or a statement canceled by statement_timeout
// (57014). The statement's transaction did not commit; the same work may
// succeed later.
class Overloaded final : public OperationFailed {
public:
    using OperationFailed::OperationFailed;
};

// A statement's parameters, in libpq's text format. A value is copied in;
// a null value is SQL NULL. Text holding U+0000 (NUL), which PostgreSQL
// cannot store, is refused with OperationFailed.
class Params {
public:
    Params &add(std::int64_t value);
    Params &add(std::uint64_t value) { return add(static_cast<std::int64_t>(value)); }
    Params &add(bool value);
    Params &add(std::string_view value);
    Params &add(std::string &&value);
    Params &add(const char *value) { return add(std::string_view(value)); }
    Params &addNull();
    // A text array ('{"a","b"}'), each element quoted.
    Params &addArray(const std::vector<std::string> &values);
    Params &addArray(const std::vector<std::int64_t> &values);

    std::size_t size() const noexcept { return values_.size(); }
    // Pointers for PQsendQueryPrepared, valid while this object is.
    std::vector<const char *> pointers() const;

private:
    std::vector<std::string> values_;
    std::vector<bool> nulls_;
};

// Appends `value` to an array literal being built, quoted and escaped as
// PostgreSQL's array input reads it.
void appendArrayElement(std::string &array, std::string_view value);

// Rows for COPY ... FROM STDIN (FORMAT binary), built in memory: each row
// is its number of fields, then each field as its length and its bytes in
// the type's binary form. The server reads them without parsing text (no
// quoting, no numbers in decimal), which makes COPY the cheapest way in for
// many rows. The fields of a row must match the COPY's columns in number,
// order and type: bigint for integers, boolean, text.
class CopyRows {
public:
    CopyRows() { clear(); }

    // Starts a row of `fields` fields.
    CopyRows &row(int fields);
    CopyRows &add(std::int64_t value);
    CopyRows &add(std::uint64_t value) { return add(static_cast<std::int64_t>(value)); }
    CopyRows &add(bool value);
    // Text holding U+0000 (NUL), which PostgreSQL cannot store, is refused
    // with OperationFailed.
    CopyRows &add(std::string_view value);
    CopyRows &add(const char *value) { return add(std::string_view(value)); }
    CopyRows &addNull();

    std::size_t rows() const noexcept { return rows_; }
    // Forgets the rows.
    void clear();
    // The whole COPY data, the trailer included; clear() before new rows.
    std::string_view finish();

private:
    void length(std::int32_t bytes);

    std::string data_;
    std::size_t rows_ = 0;
};

// A result, freed when it goes away. Values are read in text format.
class Result {
public:
    Result() = default;
    explicit Result(PGresult *result) : r_(result) {}

    int rows() const { return r_ ? PQntuples(r_.get()) : 0; }
    bool isNull(int row, int column) const { return PQgetisnull(r_.get(), row, column) != 0; }
    std::string_view text(int row, int column) const
    {
        return std::string_view(PQgetvalue(r_.get(), row, column),
                                static_cast<std::size_t>(PQgetlength(r_.get(), row, column)));
    }
    std::int64_t integer(int row, int column) const;
    bool boolean(int row, int column) const { return text(row, column) == "t"; }
    // How many rows an INSERT, UPDATE or DELETE changed.
    std::int64_t changed() const;
    const PGresult *get() const noexcept { return r_.get(); }

private:
    struct Free {
        void operator()(PGresult *r) const noexcept { PQclear(r); }
    };
    std::unique_ptr<PGresult, Free> r_;
};

class Connection {
public:
    // Connects with `conninfo` (key=value pairs or a postgresql:// URI).
    // Raises OperationFailed if the server cannot be reached or refuses.
    explicit Connection(const std::string &conninfo);
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;
    ~Connection();

    // Runs `sql` (prepared once per connection) with `params` after what
    // is queued, all in one round trip, and returns its result.
    Result query(const std::string &sql, const Params &params = Params());
    // Queues a statement whose result is only checked: it is sent with
    // the next query() or flush(), whose error it raises if it fails.
    void queue(const std::string &sql, Params params = Params());
    // Sends what is queued and checks it.
    void flush();
    // Drops what is queued, unsent.
    void discardQueued() noexcept { queue_.clear(); }
    // How many times statements have been sent: a caller compares two
    // counts to learn whether what it queued in between went out.
    std::uint64_t pipelines() const noexcept { return pipelines_; }

    // Runs `sql`, a COPY ... FROM STDIN (FORMAT binary), with `rows` as its
    // data, after what is queued (sent first, in a pipeline of its own),
    // and checks it; then clears `rows`. A failure (the server refused a
    // row) raises OperationFailed and leaves the transaction failed, as any
    // statement's.
    void copy(const std::string &sql, CopyRows &rows);

    // Runs one or more statements without parameters (simple protocol),
    // after what is queued.
    void execute(const std::string &sql);

    // Ends the open transaction, if any, discarding its changes, and drops
    // what is queued. Never fails: used on the way out of an error.
    void rollBack() noexcept;
    bool inTransaction() const noexcept;
    // Whether a statement of the open transaction failed, so that only a
    // rollback (to a savepoint) can follow.
    bool inFailedTransaction() const noexcept { return PQtransactionStatus(db_) == PQTRANS_INERROR; }
    // Whether the connection to the server is lost. Reads what the server
    // sent meanwhile, without waiting: a server that ended the session
    // (a restart, pg_terminate_backend) has closed the socket, so an idle
    // connection learns of it here rather than from its next statement.
    bool isBroken() noexcept;
    // Connects again after a loss; the prepared statements are gone with
    // the old session. An attempt that fails (as while the server restarts:
    // its socket is gone, or it is shutting down or starting up) is made
    // again every 100 ms for up to `patience`; then OperationFailed.
    void reconnect(std::chrono::milliseconds patience = std::chrono::milliseconds(0));
    // The database and server, for messages: never the password.
    std::string describe() const;

    [[noreturn]] void fail(std::string_view what, const PGresult *result = nullptr);

private:
    // A statement of this connection: its name ("s1", "s2", ...), and
    // whether the server has prepared it yet.
    struct Prepared {
        std::string name;
        bool ready = false;
    };
    struct Command {
        const std::string *sql; // the cache's key, stable
        Prepared *statement;
        Params params;
    };

    // Opens a new session, closing the old one.
    void connect();
    Command command(const std::string &sql, Params params);
    // Sends the queue and then `last` (if any) in one pipeline and waits
    // for their results; returns the result of `last`.
    Result pipeline(const Command *last);

    PGconn *db_ = nullptr;
    std::string conninfo_;
    std::unordered_map<std::string, Prepared> statements_;
    std::vector<Command> queue_;
    std::uint64_t pipelines_ = 0;
    // Set by a FATAL error: the server ends the session after it, though
    // libpq may not have seen the connection close yet.
    bool lost_ = false;
};

} // namespace osid::postgres
