#include "postgres/connection.h"

#include <algorithm>
#include <charconv>
#include <thread>
#include <type_traits>

#include <fmt/format.h>

namespace osid::postgres {

namespace {

// Statements queued before they are sent on their own. Each queued
// statement's reply waits in the socket until the pipeline is read, so the
// queue stays well below what the socket buffers hold (a pipeline whose
// replies fill them would stall both ends).
constexpr std::size_t kMaxQueued = 512;

// PostgreSQL's text cannot hold U+0000, and libpq would cut a parameter
// short at it: refused rather than stored cut.
void requireNoNul(std::string_view value)
{
    if (value.find('\0') != std::string_view::npos)
        throw OperationFailed("PostgreSQL text cannot hold the character U+0000 (NUL)");
}

// libpq's messages run over several lines ("...failed: ...\n\tIs the server
// running ..."): one line, for logs and the command line.
std::string oneLine(std::string_view message)
{
    std::string out;
    bool space = false;
    for (const char c : message) {
        if (c == '\n' || c == '\t' || c == '\r') {
            space = true;
            continue;
        }
        if (space && !out.empty())
            out += ' ';
        space = false;
        out += c;
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

} // namespace

// ---------------------------------------------------------------------------
// Params

Params &Params::add(std::int64_t value)
{
    values_.push_back(std::to_string(value));
    nulls_.push_back(false);
    return *this;
}

Params &Params::add(bool value)
{
    values_.emplace_back(value ? "t" : "f");
    nulls_.push_back(false);
    return *this;
}

Params &Params::add(std::string_view value)
{
    requireNoNul(value);
    values_.emplace_back(value);
    nulls_.push_back(false);
    return *this;
}

Params &Params::add(std::string &&value)
{
    requireNoNul(value);
    values_.push_back(std::move(value));
    nulls_.push_back(false);
    return *this;
}

Params &Params::addNull()
{
    values_.emplace_back();
    nulls_.push_back(true);
    return *this;
}

void appendArrayElement(std::string &array, std::string_view value)
{
    requireNoNul(value);
    array += array.size() > 1 ? ",\"" : "\"";
    for (char c : value) {
        if (c == '"' || c == '\\')
            array += '\\';
        array += c;
    }
    array += '"';
}

Params &Params::addArray(const std::vector<std::string> &values)
{
    std::string array = "{";
    for (const auto &v : values)
        appendArrayElement(array, v);
    array += '}';
    values_.push_back(std::move(array));
    nulls_.push_back(false);
    return *this;
}

Params &Params::addArray(const std::vector<std::int64_t> &values)
{
    std::string array = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0)
            array += ',';
        array += std::to_string(values[i]);
    }
    array += '}';
    values_.push_back(std::move(array));
    nulls_.push_back(false);
    return *this;
}

std::vector<const char *> Params::pointers() const
{
    std::vector<const char *> out(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i)
        out[i] = nulls_[i] ? nullptr : values_[i].c_str();
    return out;
}

// ---------------------------------------------------------------------------
// CopyRows

namespace {

// The binary COPY format's signature, then its flags and the length of its
// header extension, both 0.
constexpr std::string_view kCopyHeader("PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19);

// Appends `value` in network byte order, as the binary COPY format wants
// every integer.
template <class Integer>
void appendBigEndian(std::string &out, Integer value)
{
    using Unsigned = std::make_unsigned_t<Integer>;
    auto bits = static_cast<Unsigned>(value);
    char bytes[sizeof(Integer)];
    for (std::size_t i = sizeof(Integer); i-- > 0;) {
        bytes[i] = static_cast<char>(bits & 0xFFu);
        bits = static_cast<Unsigned>(bits >> 8);
    }
    out.append(bytes, sizeof(Integer));
}

} // namespace

void CopyRows::clear()
{
    data_.assign(kCopyHeader);
    rows_ = 0;
}

void CopyRows::length(std::int32_t bytes) { appendBigEndian(data_, bytes); }

CopyRows &CopyRows::row(int fields)
{
    appendBigEndian(data_, static_cast<std::int16_t>(fields));
    ++rows_;
    return *this;
}

CopyRows &CopyRows::add(std::int64_t value)
{
    length(8);
    appendBigEndian(data_, value);
    return *this;
}

CopyRows &CopyRows::add(bool value)
{
    length(1);
    data_ += value ? '\1' : '\0';
    return *this;
}

CopyRows &CopyRows::add(std::string_view value)
{
    requireNoNul(value);
    length(static_cast<std::int32_t>(value.size()));
    data_ += value;
    return *this;
}

CopyRows &CopyRows::addNull()
{
    length(-1);
    return *this;
}

std::string_view CopyRows::finish()
{
    // The trailer: a row of -1 fields.
    appendBigEndian(data_, std::int16_t{-1});
    return data_;
}

// ---------------------------------------------------------------------------
// Result

std::int64_t Result::integer(int row, int column) const
{
    const auto t = text(row, column);
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size())
        throw OperationFailed(fmt::format("PostgreSQL returned \"{}\" where a number was expected", t));
    return v;
}

std::int64_t Result::changed() const
{
    const char *n = r_ ? PQcmdTuples(r_.get()) : "";
    std::int64_t v = 0;
    std::from_chars(n, n + std::char_traits<char>::length(n), v);
    return v;
}

// ---------------------------------------------------------------------------
// Connection

Connection::Connection(const std::string &conninfo) : conninfo_(conninfo)
{
    try {
        connect();
    } catch (...) {
        // A constructor that throws runs no destructor.
        PQfinish(db_);
        throw;
    }
}

Connection::~Connection() { PQfinish(db_); }

void Connection::reconnect(std::chrono::milliseconds patience)
{
    constexpr auto kPause = std::chrono::milliseconds(100);
    const auto deadline = std::chrono::steady_clock::now() + patience;
    for (;;) {
        try {
            connect();
            return;
        } catch (const OperationFailed &) {
            if (std::chrono::steady_clock::now() + kPause > deadline)
                throw;
        }
        std::this_thread::sleep_for(kPause);
    }
}

void Connection::connect()
{
    if (db_ != nullptr)
        PQfinish(db_);
    statements_.clear();
    queue_.clear();
    lost_ = false;
    db_ = PQconnectdb(conninfo_.c_str());
    if (db_ == nullptr)
        throw OperationFailed("cannot connect to PostgreSQL: out of memory");
    if (PQstatus(db_) != CONNECTION_OK) {
        const auto message = oneLine(PQerrorMessage(db_));
        PQfinish(db_);
        db_ = nullptr;
        throw OperationFailed(fmt::format("cannot connect to PostgreSQL: {}", message));
    }
    // Notices (a NOTICE from "DROP ... IF EXISTS", or the server's
    // "terminating connection" read while idle at a restart, even here)
    // are not printed on stderr; text travels as UTF-8 whatever the
    // client's locale says.
    PQsetNoticeProcessor(
        db_, [](void *, const char *) {}, nullptr);
    if (PQsetClientEncoding(db_, "UTF8") != 0)
        fail("SET client_encoding");
}

std::string Connection::describe() const
{
    const char *host = PQhost(db_);
    const std::string where = host == nullptr || *host == '\0' ? "the default host"
                              : *host == '/'                   ? fmt::format("socket {}", host)
                                                               : fmt::format("host {}", host);
    return fmt::format("PostgreSQL database \"{}\" ({}, port {})", PQdb(db_), where, PQport(db_));
}

void Connection::fail(std::string_view what, const PGresult *result)
{
    const char *severity = result ? PQresultErrorField(result, PG_DIAG_SEVERITY_NONLOCALIZED) : nullptr;
    if (severity != nullptr && (std::string_view(severity) == "FATAL" || std::string_view(severity) == "PANIC"))
        lost_ = true;
    const char *primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    auto message = oneLine(primary ? primary : PQerrorMessage(db_));
    if (message.empty())
        message = "unknown error";
    const char *state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const std::string_view sqlState = state ? state : "";
    if (sqlState.starts_with("40") || sqlState.starts_with("53") || sqlState == "55P03" || sqlState == "57014")
        throw Overloaded(fmt::format("PostgreSQL: {} (in: {})", message, what.substr(0, 200)));
    throw OperationFailed(fmt::format("PostgreSQL: {} (in: {})", message, what.substr(0, 200)));
}

Connection::Command Connection::command(const std::string &sql, Params params)
{
    auto it = statements_.find(sql);
    if (it == statements_.end())
        it = statements_.emplace(sql, Prepared{fmt::format("s{}", statements_.size() + 1), false}).first;
    return Command{&it->first, &it->second, std::move(params)};
}

void Connection::queue(const std::string &sql, Params params)
{
    queue_.push_back(command(sql, std::move(params)));
    if (queue_.size() >= kMaxQueued)
        flush();
}

void Connection::flush()
{
    if (!queue_.empty())
        pipeline(nullptr);
}

Result Connection::query(const std::string &sql, const Params &params)
{
    auto last = command(sql, params);
    return pipeline(&last);
}

Result Connection::pipeline(const Command *last)
{
    // What was sent, in order: for each, the statement it prepares (or
    // null) and the command it runs.
    struct Sent {
        Prepared *prepares;
        const Command *runs;
    };
    std::vector<Sent> sent;
    ++pipelines_;
    auto commands = std::move(queue_);
    queue_.clear();
    if (PQenterPipelineMode(db_) != 1)
        fail("entering pipeline mode");
    auto send = [&](const Command &c) {
        if (!c.statement->ready &&
            std::none_of(sent.begin(), sent.end(), [&](const Sent &s) { return s.prepares == c.statement; })) {
            if (PQsendPrepare(db_, c.statement->name.c_str(), c.sql->c_str(), 0, nullptr) != 1)
                return false;
            sent.push_back(Sent{c.statement, nullptr});
        }
        const auto values = c.params.pointers();
        if (PQsendQueryPrepared(db_, c.statement->name.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                                nullptr, 0) != 1)
            return false;
        sent.push_back(Sent{nullptr, &c});
        return true;
    };
    bool ok = true;
    for (const auto &c : commands)
        ok = ok && send(c);
    if (last)
        ok = ok && send(*last);
    if (!ok || PQpipelineSync(db_) != 1) {
        // The connection is gone (or libpq is out of memory): what was
        // sent has no reply to wait for.
        lost_ = true;
        PQexitPipelineMode(db_);
        fail(last ? *last->sql : *commands.front().sql);
    }

    // Every reply is read, even after a failure, so that the connection is
    // left ready for the next statement.
    Result out;
    std::optional<std::pair<std::string, Result>> error;
    auto keepError = [&](const std::string &sql, PGresult *r) {
        if (!error)
            error.emplace(sql, Result(r));
        else
            PQclear(r);
    };
    for (const auto &s : sent) {
        PGresult *r = PQgetResult(db_);
        if (r == nullptr) {
            // No reply where one was due: the connection is gone.
            lost_ = true;
            keepError(s.runs ? *s.runs->sql : "PREPARE", nullptr);
            break;
        }
        const auto status = PQresultStatus(r);
        const std::string &sql = s.runs ? *s.runs->sql : s.prepares->name;
        if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE) {
            keepError(sql, r);
        } else if (status == PGRES_PIPELINE_ABORTED) {
            PQclear(r);
        } else if (s.prepares) {
            s.prepares->ready = true;
            PQclear(r);
        } else if (last && s.runs == last) {
            out = Result(r);
        } else {
            PQclear(r);
        }
        // Each command's results end with a null.
        while (PGresult *more = PQgetResult(db_))
            PQclear(more);
    }
    // Then the sync's own result.
    while (PGresult *r = PQgetResult(db_)) {
        const bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
        PQclear(r);
        if (sync)
            break;
    }
    PQexitPipelineMode(db_);
    if (error) {
        if (isBroken())
            fail(error->first);
        // The error's own result carries the server's message.
        fail(error->first, error->second.get());
    }
    return out;
}

void Connection::copy(const std::string &sql, CopyRows &rows)
{
    // Pieces of at most this many bytes: PQputCopyData takes an int.
    constexpr std::size_t kPiece = std::size_t{1} << 20;
    flush();
    ++pipelines_;
    const auto data = rows.finish();
    Result start(PQexec(db_, sql.c_str()));
    if (PQresultStatus(start.get()) != PGRES_COPY_IN) {
        rows.clear();
        if (isBroken())
            fail(sql);
        fail(sql, start.get());
    }
    bool sent = true;
    for (std::size_t at = 0; sent && at < data.size(); at += kPiece) {
        const auto piece = data.substr(at, kPiece);
        sent = PQputCopyData(db_, piece.data(), static_cast<int>(piece.size())) == 1;
    }
    sent = sent && PQputCopyEnd(db_, nullptr) == 1;
    rows.clear();
    // The COPY's result (an error if the server refused a row, whereupon
    // libpq refuses the rest of the data), then the null that ends its
    // results. Still in COPY, libpq could not end it: the connection is
    // gone.
    Result r(PQgetResult(db_));
    const auto status = r.get() ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COPY_IN) {
        lost_ = true;
        fail(sql);
    }
    while (PGresult *more = PQgetResult(db_))
        PQclear(more);
    if (sent && status == PGRES_COMMAND_OK)
        return;
    if (r.get() == nullptr)
        lost_ = true;
    if (isBroken())
        fail(sql);
    fail(sql, r.get());
}

void Connection::execute(const std::string &sql)
{
    flush();
    ++pipelines_;
    Result r(PQexec(db_, sql.c_str()));
    const auto status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        fail(sql, r.get());
}

void Connection::rollBack() noexcept
{
    queue_.clear();
    if (PQpipelineStatus(db_) != PQ_PIPELINE_OFF)
        PQexitPipelineMode(db_);
    if (inTransaction())
        PQclear(PQexec(db_, "ROLLBACK"));
}

bool Connection::isBroken() noexcept
{
    // Twice: the first read may take the server's last message, the second
    // then meets the closed socket.
    if (!lost_ && PQpipelineStatus(db_) == PQ_PIPELINE_OFF && (PQconsumeInput(db_) == 0 || PQconsumeInput(db_) == 0))
        lost_ = true;
    return lost_ || PQstatus(db_) == CONNECTION_BAD;
}

bool Connection::inTransaction() const noexcept
{
    const auto status = PQtransactionStatus(db_);
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

} // namespace osid::postgres
