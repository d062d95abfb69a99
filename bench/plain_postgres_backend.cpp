// The PostgreSQL baseline: the plain schema a user would write for W1 over
// libpq, keyed by W1's random ids, with indexes on sender and time, an
// alias table, prepared statements (one round trip per statement, as
// PQexecPrepared does), and one transaction per call.

#include "bench/w1_backend.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>
#include <memory>
#include <stdexcept>

namespace w1 {

namespace {

class PgResult {
public:
    explicit PgResult(PGresult *r) : r_(r) {}
    PGresult *get() const { return r_.get(); }

private:
    struct Free {
        void operator()(PGresult *r) const { PQclear(r); }
    };
    std::unique_ptr<PGresult, Free> r_;
};

// A connection with W1's plain statements, for the baseline and for
// clearing the provider's schema before its run.
class PlainConnection {
public:
    explicit PlainConnection(const std::string &conninfo) : db_(PQconnectdb(conninfo.c_str()))
    {
        if (PQstatus(db_) != CONNECTION_OK)
            throw std::runtime_error(fmt::format("cannot connect to PostgreSQL: {}", PQerrorMessage(db_)));
        PQsetNoticeProcessor(
            db_, [](void *, const char *) {}, nullptr);
    }
    PlainConnection(const PlainConnection &) = delete;
    PlainConnection &operator=(const PlainConnection &) = delete;
    ~PlainConnection() { PQfinish(db_); }

    PgResult exec(const char *sql) { return check(PgResult(PQexec(db_, sql)), sql); }
    void prepare(const char *name, const char *sql) { check(PgResult(PQprepare(db_, name, sql, 0, nullptr)), sql); }
    PgResult run(const char *name, std::initializer_list<const char *> values)
    {
        const std::vector<const char *> params(values);
        return check(
            PgResult(PQexecPrepared(db_, name, static_cast<int>(params.size()), params.data(), nullptr, nullptr, 0)),
            name);
    }

private:
    PgResult check(PgResult r, const char *what)
    {
        const auto status = PQresultStatus(r.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
            throw std::runtime_error(fmt::format("{}: {}", what, PQerrorMessage(db_)));
        return r;
    }

    PGconn *db_;
};

std::uint64_t number(const PGresult *r, int row, int column)
{
    const char *p = PQgetvalue(r, row, column);
    std::uint64_t v = 0;
    std::from_chars(p, p + PQgetlength(r, row, column), v);
    return v;
}

std::uint64_t changed(const PgResult &r)
{
    const char *n = PQcmdTuples(r.get());
    std::uint64_t v = 0;
    std::from_chars(n, n + std::char_traits<char>::length(n), v);
    return v;
}

class PlainPostgres final : public Backend {
public:
    explicit PlainPostgres(const std::string &conninfo) : db_(conninfo)
    {
        db_.exec("CREATE TABLE w1_msg (id bigint PRIMARY KEY, sender bigint NOT NULL, sent_us bigint NOT NULL,"
                 " recipients text NOT NULL, subject text NOT NULL, body text NOT NULL);"
                 "CREATE INDEX w1_msg_sender ON w1_msg (sender); CREATE INDEX w1_msg_sent ON w1_msg (sent_us);"
                 "CREATE TABLE w1_alias (alias bigint PRIMARY KEY, id bigint NOT NULL)");
        db_.prepare("insert", "INSERT INTO w1_msg VALUES ($1, $2, $3, $4, $5, $6)");
        db_.prepare("update", "UPDATE w1_msg SET body = $2 WHERE id = $1");
        db_.prepare("alias", "INSERT INTO w1_alias VALUES ($1, $2) ON CONFLICT (alias) DO UPDATE SET id = excluded.id");
        db_.prepare("by_sender", "DELETE FROM w1_msg WHERE sender = $1");
        db_.prepare("by_time", "DELETE FROM w1_msg WHERE sent_us >= $1 AND sent_us < $2");
        db_.prepare("get", "SELECT id, sender, sent_us, recipients, subject, body FROM w1_msg WHERE id = $1");
        db_.prepare("resolve", "SELECT id FROM w1_alias WHERE alias = $1");
    }

    std::uint64_t create(const std::vector<Message> &batch) override
    {
        db_.exec("BEGIN");
        std::string recipients;
        for (const auto &m : batch) {
            recipients.clear();
            for (auto r : m.recipients)
                recipients += fmt::format("{} ", r);
            const auto id = std::to_string(m.id), sender = std::to_string(m.sender),
                       sent = std::to_string(m.sentMicroseconds);
            db_.run("insert",
                    {id.c_str(), sender.c_str(), sent.c_str(), recipients.c_str(), m.subject.c_str(), m.text.c_str()});
            ids_.push_back(m.id);
        }
        db_.exec("COMMIT");
        return batch.size();
    }

    std::uint64_t count() override
    {
        // Untimed: what autovacuum would do after a bulk load (W1).
        db_.exec("VACUUM ANALYZE w1_msg");
        return number(db_.exec("SELECT count(*) FROM w1_msg").get(), 0, 0);
    }

    std::uint64_t update(const std::vector<std::pair<std::uint64_t, std::string>> &texts) override
    {
        db_.exec("BEGIN");
        std::uint64_t n = 0;
        for (const auto &[index, text] : texts) {
            const auto id = std::to_string(ids_[index]);
            n += changed(db_.run("update", {id.c_str(), text.c_str()}));
        }
        db_.exec("COMMIT");
        return n;
    }

    std::uint64_t alias(const std::vector<std::pair<std::uint64_t, std::uint64_t>> &keyToIndex) override
    {
        db_.exec("BEGIN");
        for (const auto &[key, index] : keyToIndex) {
            const auto alias = std::to_string(static_cast<std::int64_t>(key)), id = std::to_string(ids_[index]);
            db_.run("alias", {alias.c_str(), id.c_str()});
        }
        db_.exec("COMMIT");
        return keyToIndex.size();
    }

    std::uint64_t deleteBySender(std::uint64_t sender) override
    {
        const auto s = std::to_string(sender);
        return changed(db_.run("by_sender", {s.c_str()}));
    }

    std::uint64_t deleteBySentTime(std::int64_t from, std::int64_t to) override
    {
        const auto f = std::to_string(from), t = std::to_string(to);
        return changed(db_.run("by_time", {f.c_str(), t.c_str()}));
    }

    std::uint64_t deleteAll() override
    {
        db_.exec("BEGIN");
        const auto n = changed(db_.exec("DELETE FROM w1_msg"));
        db_.exec("DELETE FROM w1_alias");
        db_.exec("COMMIT");
        return n;
    }

    std::optional<std::uint64_t> lookup(std::uint64_t index) override { return get(ids_[index]); }

    std::optional<std::uint64_t> lookupByAlias(std::uint64_t key) override
    {
        const auto alias = std::to_string(static_cast<std::int64_t>(key));
        auto r = db_.run("resolve", {alias.c_str()});
        if (PQntuples(r.get()) == 0)
            return std::nullopt;
        return get(number(r.get(), 0, 0));
    }

private:
    std::optional<std::uint64_t> get(std::uint64_t id)
    {
        const auto key = std::to_string(id);
        auto r = db_.run("get", {key.c_str()});
        if (PQntuples(r.get()) == 0)
            return std::nullopt;
        std::vector<std::uint64_t> recipients;
        const char *p = PQgetvalue(r.get(), 0, 3);
        const char *end = p + PQgetlength(r.get(), 0, 3);
        while (p < end) {
            std::uint64_t v = 0;
            p = std::from_chars(p, end, v).ptr + 1;
            recipients.push_back(v);
        }
        auto text = [&](int column) {
            return std::string(PQgetvalue(r.get(), 0, column),
                               static_cast<std::size_t>(PQgetlength(r.get(), 0, column)));
        };
        return digest(number(r.get(), 0, 0), static_cast<std::int64_t>(number(r.get(), 0, 2)), number(r.get(), 0, 1),
                      recipients, text(4), text(5));
    }

    PlainConnection db_;
    std::vector<std::uint64_t> ids_; // W1 id by message index
};

} // namespace

std::unique_ptr<Backend> makePlainPostgresBackend(const std::string &conninfo)
{
    return std::make_unique<PlainPostgres>(conninfo);
}

void resetPostgres(const std::string &conninfo)
{
    PlainConnection(conninfo).exec(
        "DROP SCHEMA IF EXISTS osid_messaging CASCADE; DROP TABLE IF EXISTS w1_msg, w1_alias");
}

void analyzePostgresProvider(const std::string &conninfo)
{
    PlainConnection(conninfo).exec("VACUUM ANALYZE osid_messaging.messages");
}

std::uint64_t postgresDatabaseBytes(const std::string &conninfo)
{
    PlainConnection db(conninfo);
    return number(db.exec("SELECT pg_database_size(current_database())").get(), 0, 0);
}

} // namespace w1
