// Where job runs are kept: runs, their jobs and results, and the state of
// each run's completion callback, in SQLite.
//
// Internal to the batch service. Tables are prefixed job_run, and the
// schema version is in job_run_schema, so the file may also hold the
// message batches' tables (message_batch_*) or a provider's. A file store
// uses WAL and a busy timeout, so several processes can share it; ":memory:"
// keeps nothing after the store goes away.
//
// Thread-safe: one connection behind a mutex (":memory:" would be another
// database on every connection).
#pragma once

#include "sqlite/connection.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace osid::service::jobs {

// The schema this code writes. A store of a newer version is refused.
inline constexpr std::int64_t kJobRunSchemaVersion = 1;

struct StoredJob {
    std::size_t position = 0;
    std::string ns;
    std::string action;
    nlohmann::json params;
};

struct RunState {
    std::size_t jobs = 0; // how many jobs the run has
    std::size_t done = 0; // how many have a saved result
    bool completed = false;
    std::string callbackUrl; // empty: no callback
    std::string callback;    // "none", "pending", "delivered", "failed"
    int callbackAttempts = 0;
    std::string callbackError;
    // Changes on every restart and repost, so that a callback scheduled
    // before one of them is dropped rather than sent or recorded.
    std::int64_t generation = 0;
};

class JobRunStore {
public:
    // Opens or creates the store. Raises OperationFailed when the file cannot
    // be opened or written, or holds a newer schema.
    JobRunStore(const std::string &path, std::chrono::milliseconds busyTimeout);

    // Saves a new run and its jobs (each {namespace, action, params}) in one
    // transaction. Raises OperationFailed, having saved nothing.
    void insertRun(const std::string &asyncId, const std::string &callbackUrl, const std::vector<nlohmann::json> &jobs);

    std::optional<RunState> state(const std::string &asyncId);

    // The asyncIds of the `limit` newest runs, newest first.
    std::vector<std::string> newest(std::size_t limit);

    // The first job, in order, that has no result yet.
    std::optional<StoredJob> nextJob(const std::string &asyncId);

    // Saves one job's response. When it was the last job without one, also
    // marks the run completed (in the same transaction) and returns true.
    bool saveResult(const std::string &asyncId, std::size_t position, const nlohmann::json &response);

    // [{namespace, action, request, response}] in job order; a job that has
    // not run has a null response.
    nlohmann::json results(const std::string &asyncId);

    // Prepares a restart: drops every result when `clearResults`, marks the
    // run not completed, and makes the callback pending again (none without
    // a URL). Returns the new generation.
    std::int64_t resetForRestart(const std::string &asyncId, bool clearResults);

    // Prepares a repost: callback pending with no attempts. Returns the new
    // generation.
    std::int64_t resetCallback(const std::string &asyncId);

    // Records callback attempt `attempt` of `generation`: delivered, failed
    // (when `last`), or still pending. Does nothing if the generation has
    // moved on.
    void recordAttempt(const std::string &asyncId, std::int64_t generation, int attempt, bool delivered, bool last,
                       const std::string &error);

private:
    std::int64_t bumpGeneration(const std::string &asyncId);

    std::mutex mutex_;
    sqlite::Connection db_;
};

} // namespace osid::service::jobs
