#include "service/job_run_store.h"

#include "service/osid_json.h"
#include "service/store_file.h"

#include <fmt/format.h>

#include <type_traits>

namespace osid::service::jobs {

using nlohmann::json;

namespace {

constexpr const char *kSchema = R"sql(
CREATE TABLE IF NOT EXISTS job_run_schema (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS job_run (
    async_id          TEXT PRIMARY KEY,
    created_at        INTEGER NOT NULL,           -- Unix time, microseconds
    callback_url      TEXT NOT NULL,              -- '' for no callback
    job_count         INTEGER NOT NULL,
    completed         INTEGER NOT NULL DEFAULT 0, -- 1 once every job has a response
    callback_state    TEXT NOT NULL,              -- none, pending, delivered, failed
    callback_attempts INTEGER NOT NULL DEFAULT 0,
    callback_error    TEXT NOT NULL DEFAULT '',
    generation        INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS job_run_job (
    async_id  TEXT NOT NULL REFERENCES job_run (async_id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    namespace TEXT NOT NULL,
    action    TEXT NOT NULL,
    params    TEXT NOT NULL,                      -- JSON, as the run gave it
    response  TEXT,                               -- JSON; NULL until the job has run
    PRIMARY KEY (async_id, position)
) WITHOUT ROWID;
)sql";

std::int64_t nowMicroseconds()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

JobRunStore::JobRunStore(const std::string &path, std::chrono::milliseconds busyTimeout)
    : db_(path, static_cast<int>(busyTimeout.count()))
{
    // Nothing is written before the file is known to be ours.
    requireServiceStore(db_, path);
    // WAL: progress and results can be read while the worker writes. Set
    // once; it stays in the file. (":memory:" answers "memory" and stays so.)
    db_.enableWal();
    db_.write([&] {
        db_.execute(kSchema);
        markServiceStore(db_);
        // max() of no rows is NULL, read as 0: a new store.
        const auto version = db_.queryInteger("SELECT max(version) FROM job_run_schema").value_or(0);
        if (version == 0)
            db_.prepare("INSERT INTO job_run_schema (version) VALUES (?)").bind(1, kJobRunSchemaVersion).run();
        else if (version > kJobRunSchemaVersion)
            throw OperationFailed(fmt::format("{} holds job runs of schema version {}; this build reads up to {}", path,
                                              version, kJobRunSchemaVersion));
    });
}

void JobRunStore::insertRun(const std::string &asyncId, const std::string &callbackUrl, const std::vector<json> &jobs)
{
    std::lock_guard lock(mutex_);
    db_.write([&] {
        db_.prepare("INSERT INTO job_run (async_id, created_at, callback_url, job_count, callback_state) "
                    "VALUES (?, ?, ?, ?, ?)")
            .bind(1, asyncId)
            .bind(2, nowMicroseconds())
            .bind(3, callbackUrl)
            .bind(4, static_cast<std::int64_t>(jobs.size()))
            .bind(5, callbackUrl.empty() ? "none" : "pending")
            .run();
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            const auto &job = jobs[i];
            db_.prepare("INSERT INTO job_run_job (async_id, position, namespace, action, params) "
                        "VALUES (?, ?, ?, ?, ?)")
                .bind(1, asyncId)
                .bind(2, static_cast<std::int64_t>(i))
                .bind(3, job.at("namespace").get_ref<const std::string &>())
                .bind(4, job.at("action").get_ref<const std::string &>())
                .bind(5, jsonText(job.value("params", json::object())))
                .run();
        }
    });
}

std::vector<std::string> JobRunStore::newest(std::size_t limit)
{
    std::lock_guard lock(mutex_);
    auto s = db_.prepare("SELECT async_id FROM job_run ORDER BY created_at DESC, rowid DESC LIMIT ?");
    s.bind(1, static_cast<std::uint64_t>(limit));
    std::vector<std::string> out;
    while (s.step())
        out.push_back(s.text(0));
    return out;
}

std::optional<RunState> JobRunStore::state(const std::string &asyncId)
{
    std::lock_guard lock(mutex_);
    auto s = db_.prepare("SELECT job_count, completed, callback_url, callback_state, callback_attempts, "
                         "callback_error, generation, "
                         "(SELECT count(*) FROM job_run_job j WHERE j.async_id = r.async_id AND response IS NOT NULL) "
                         "FROM job_run r WHERE async_id = ?");
    s.bind(1, asyncId);
    if (!s.step())
        return std::nullopt;
    RunState out;
    out.jobs = static_cast<std::size_t>(s.integer(0));
    out.completed = s.integer(1) != 0;
    out.callbackUrl = s.text(2);
    out.callback = s.text(3);
    out.callbackAttempts = static_cast<int>(s.integer(4));
    out.callbackError = s.text(5);
    out.generation = s.integer(6);
    out.done = static_cast<std::size_t>(s.integer(7));
    return out;
}

std::optional<StoredJob> JobRunStore::nextJob(const std::string &asyncId)
{
    std::lock_guard lock(mutex_);
    auto s = db_.prepare("SELECT position, namespace, action, params FROM job_run_job "
                         "WHERE async_id = ? AND response IS NULL ORDER BY position LIMIT 1");
    s.bind(1, asyncId);
    if (!s.step())
        return std::nullopt;
    return StoredJob{static_cast<std::size_t>(s.integer(0)), s.text(1), s.text(2), json::parse(s.textView(3))};
}

bool JobRunStore::saveResult(const std::string &asyncId, std::size_t position, const json &response)
{
    std::lock_guard lock(mutex_);
    return db_.write([&] {
        db_.prepare("UPDATE job_run_job SET response = ? WHERE async_id = ? AND position = ?")
            .bind(1, jsonText(response))
            .bind(2, asyncId)
            .bind(3, static_cast<std::int64_t>(position))
            .run();
        auto left = db_.prepare("SELECT count(*) FROM job_run_job WHERE async_id = ? AND response IS NULL");
        left.bind(1, asyncId).step();
        if (left.integer(0) != 0)
            return false;
        db_.prepare("UPDATE job_run SET completed = 1 WHERE async_id = ?").bind(1, asyncId).run();
        return true;
    });
}

json JobRunStore::results(const std::string &asyncId)
{
    std::lock_guard lock(mutex_);
    auto s = db_.prepare("SELECT namespace, action, params, response FROM job_run_job WHERE async_id = ? "
                         "ORDER BY position");
    s.bind(1, asyncId);
    json out = json::array();
    while (s.step())
        out.push_back({{"namespace", s.text(0)},
                       {"action", s.text(1)},
                       {"request", json::parse(s.textView(2))},
                       {"response", s.isNull(3) ? json() : json::parse(s.textView(3))}});
    return out;
}

std::int64_t JobRunStore::bumpGeneration(const std::string &asyncId)
{
    db_.prepare("UPDATE job_run SET generation = generation + 1, callback_attempts = 0, callback_error = '', "
                "callback_state = CASE callback_url WHEN '' THEN 'none' ELSE 'pending' END WHERE async_id = ?")
        .bind(1, asyncId)
        .run();
    auto s = db_.prepare("SELECT generation FROM job_run WHERE async_id = ?");
    s.bind(1, asyncId);
    if (!s.step())
        throw NotFound("no job run " + asyncId);
    return s.integer(0);
}

std::int64_t JobRunStore::resetForRestart(const std::string &asyncId, bool clearResults)
{
    std::lock_guard lock(mutex_);
    return db_.write([&] {
        if (clearResults)
            db_.prepare("UPDATE job_run_job SET response = NULL WHERE async_id = ?").bind(1, asyncId).run();
        db_.prepare("UPDATE job_run SET completed = 0 WHERE async_id = ? AND "
                    "EXISTS (SELECT 1 FROM job_run_job j WHERE j.async_id = ? AND response IS NULL)")
            .bind(1, asyncId)
            .bind(2, asyncId)
            .run();
        return bumpGeneration(asyncId);
    });
}

std::int64_t JobRunStore::resetCallback(const std::string &asyncId)
{
    std::lock_guard lock(mutex_);
    return db_.write([&] { return bumpGeneration(asyncId); });
}

void JobRunStore::recordAttempt(const std::string &asyncId, std::int64_t generation, int attempt, bool delivered,
                                bool last, const std::string &error)
{
    std::lock_guard lock(mutex_);
    db_.write([&] {
        db_.prepare("UPDATE job_run SET callback_attempts = ?, callback_error = ?, callback_state = ? "
                    "WHERE async_id = ? AND generation = ?")
            .bind(1, static_cast<std::int64_t>(attempt))
            .bind(2, delivered ? std::string() : error)
            .bind(3, delivered ? "delivered"
                     : last    ? "failed"
                               : "pending")
            .bind(4, asyncId)
            .bind(5, generation)
            .run();
    });
}

} // namespace osid::service::jobs
