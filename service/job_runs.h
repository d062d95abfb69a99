// osid::service::JobRunService: runs of jobs, each an OSID call named by
// {namespace, action, params}, run in order in the background, with
// progress, results, restart, and a POST of the results to a callback URL
// when the run is done (seed 002: batch?action=run and its companions).
//
//   JobRunService runs(manager, {.storePath = "jobs.db"});
//   auto id = runs.run(json::parse(R"({"jobs": [{"namespace": "messaging.batch",
//       "action": "deleteMessagesBySender", "params": {"resourceId": "r:1@x"}}],
//       "callbackUrl": "http://127.0.0.1:8080/done"})"));
//   runs.wait(id);
//   auto results = runs.results(id);
//
// Every refusal is a ServiceError with the seed's specificCode; failures of
// one job are that job's response ({"error": {...}}) and never stop the
// run. docs/job-runs.md lists the actions, the shapes and the codes.
//
// Thread-safe: every method may be called from any thread.
#pragma once

#include "messaging/messaging_manager.h"
#include "service/service_error.h"
#include "service/webhook_delivery.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <string>

namespace osid::service {

// The seed's specific codes.
namespace job_code {
inline constexpr int kNotSaved = 24091; // the store write failed
inline constexpr int kIncorrectJobFormat = 24092;
inline constexpr int kEmptyJobParameter = 24093;
inline constexpr int kRunNotFound = 24105;     // progress, restart, repost, status, wait
inline constexpr int kNotCompleted = 24114;    // results, repost
inline constexpr int kResultsNotFound = 24115; // results
inline constexpr int kTooManyJobs = 24448;
} // namespace job_code

// EnvelopeProblem::index of a problem with the body itself (callbackUrl,
// an unknown field, jobs not an array) rather than with one job.
inline constexpr std::size_t kBodyProblem = std::numeric_limits<std::size_t>::max();

struct JobRunOptions {
    // SQLite file holding runs, jobs, results, callback state (":memory:":
    // nothing kept).
    std::string storePath = ":memory:";
    std::size_t maxJobs = 200; // more is 24448
    CallbackPolicy callback;
    // How long a store write waits for another process's write (then 24091).
    std::chrono::milliseconds busyTimeout{5000};
    // Where the worker says what it could not do (a run stopped by a store
    // failure, a callback try it could not record), one line each; empty:
    // stderr.
    std::function<void(const std::string &line)> log;
};

struct JobRunStatus {
    std::string asyncId;
    int progress = 0;
    bool completed = false;
    std::string callback; // "none" (no callbackUrl), "pending", "delivered", "failed"
    int callbackAttempts = 0;
    std::string callbackError;
};

class JobRunService {
public:
    // Opens (or creates) the store and starts the worker, which runs jobs
    // through one MessageBatchAdminSession and one MessageLookupSession on
    // the manager's default mailbox. Raises ServiceError (api_error) when
    // the store cannot be opened; OSID errors of the manager pass through.
    JobRunService(std::shared_ptr<messaging::MessagingManager> manager, JobRunOptions options = {});
    // Stops the worker after the job in flight (and a callback try in
    // flight); an unfinished run stays in the store for restart().
    ~JobRunService();

    JobRunService(const JobRunService &) = delete;
    JobRunService &operator=(const JobRunService &) = delete;

    // Checks the whole body, saves the run and queues it; returns its
    // asyncId (32 lowercase hex). ServiceError 24092, 24093, 24448, 24091.
    std::string run(const nlohmann::json &body);
    // Integer percent of the jobs that have a saved result. 24105.
    int progress(const std::string &asyncId);
    // {asyncId, results: [{namespace, action, request, response}]} in job
    // order. 24114 not completed, 24115 unknown.
    nlohmann::json results(const std::string &asyncId);
    // Runs again the jobs without a saved result (a run cut short by a
    // process exit); a completed run runs all its jobs again, replacing
    // their results, then delivers the callback again. True when queued;
    // false when this service is already running it. 24105.
    bool restart(const std::string &asyncId);
    // Sends the completion callback again, with a fresh set of attempts.
    // True when queued; false when the run has no callbackUrl. 24105
    // unknown, 24114 not completed.
    bool repost(const std::string &asyncId);
    // 24105.
    JobRunStatus status(const std::string &asyncId);
    // The status of the `limit` newest runs of the store, newest first.
    std::vector<JobRunStatus> list(std::size_t limit = 20);
    // Blocks until the run is completed and its callback is no longer
    // pending (delivered, failed, or none). Also sees work done by another
    // process on the same store. 24105.
    JobRunStatus wait(const std::string &asyncId);
    // wait() for at most `timeout`; nullopt when it ran out.
    std::optional<JobRunStatus> waitFor(const std::string &asyncId, std::chrono::milliseconds timeout);

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace osid::service
