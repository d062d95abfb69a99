#include "service/job_runs.h"

#include "service/job_actions.h"
#include "service/job_run_store.h"
#include "service/osid_json.h"
#include "service/service_log.h"
#include "service/webhook_delivery.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <random>
#include <set>
#include <string_view>
#include <thread>
#include <vector>

namespace osid::service {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

ServiceError jobError(int code, const std::string &message, std::vector<EnvelopeProblem> problems = {})
{
    const bool notFound = code == job_code::kRunNotFound || code == job_code::kResultsNotFound;
    return ServiceError(notFound ? error_type::kNotFound : error_type::kInvalidRequest, message, std::move(problems),
                        code);
}

// 128 random bits as 32 lowercase hex digits, like the seed's asyncId.
std::string newAsyncId()
{
    std::random_device random;
    std::string out;
    for (int i = 0; i < 4; ++i)
        out += fmt::format("{:08x}", static_cast<std::uint32_t>(random()));
    return out;
}

// The problems found in a run body, in the order found.
struct BodyProblems {
    std::vector<EnvelopeProblem> problems;
    bool anyFormat = false;

    void add(std::size_t index, std::string reason, bool empty)
    {
        problems.push_back({index, {}, std::move(reason)});
        anyFormat = anyFormat || !empty;
    }

    [[noreturn]] void raise()
    {
        const int code = anyFormat ? job_code::kIncorrectJobFormat : job_code::kEmptyJobParameter;
        auto message = fmt::format("{}: {}", anyFormat ? "incorrect job format" : "empty job parameter found",
                                   problems.front().reason);
        if (problems.size() > 1)
            message += fmt::format(" (and {} more problem{})", problems.size() - 1, problems.size() > 2 ? "s" : "");
        throw jobError(code, message, std::move(problems));
    }
};

} // namespace

struct JobRunService::State {
    struct Delivery {
        Clock::time_point due;
        std::string asyncId;
        std::int64_t generation = 0;
        int attempt = 1;
    };

    State(std::shared_ptr<messaging::MessagingManager> m, JobRunOptions o)
        : manager(std::move(m)), options(std::move(o)), store(openStore(options)), executor(*manager)
    {
    }

    static std::unique_ptr<jobs::JobRunStore> openStore(const JobRunOptions &options)
    {
        try {
            return std::make_unique<jobs::JobRunStore>(options.storePath, options.busyTimeout);
        } catch (const OsidException &e) {
            throw ServiceError(error_type::kApi,
                               fmt::format("cannot open the job run store {}: {}", options.storePath, e.message()));
        }
    }

    // The run's stored state; `unknownCode` when there is none.
    jobs::RunState known(const std::string &asyncId, int unknownCode)
    {
        std::optional<jobs::RunState> found;
        try {
            found = store->state(asyncId);
        } catch (const OsidException &e) {
            throw ServiceError(error_type::kApi, fmt::format("cannot read the job run store: {}", e.message()));
        }
        if (!found)
            throw jobError(unknownCode, fmt::format("could not find job run \"{}\"", asyncId));
        return *found;
    }

    // Taking the mutex first means a waiter is either before its check of
    // the store (and sees the change) or already waiting (and is woken).
    void notifyChanged()
    {
        {
            std::lock_guard lock(mutex);
        }
        changed.notify_all();
    }

    void schedule(Delivery delivery)
    {
        {
            std::lock_guard lock(mutex);
            deliveries.push_back(std::move(delivery));
        }
        courierWake.notify_one();
    }

    // With `mutex` held.
    void queueRun(const std::string &asyncId)
    {
        active.insert(asyncId);
        runs.push_back(asyncId);
        work.notify_one();
    }

    void workerLoop()
    {
        std::unique_lock lock(mutex);
        for (;;) {
            work.wait(lock, [&] { return stop || !runs.empty(); });
            if (stop)
                return;
            const auto asyncId = std::move(runs.front());
            runs.pop_front();
            lock.unlock();
            runJobs(asyncId);
            lock.lock();
            active.erase(asyncId);
            changed.notify_all();
        }
    }

    // Runs the run's jobs that have no result, saving each as it finishes.
    void runJobs(const std::string &asyncId)
    {
        try {
            for (;;) {
                {
                    std::lock_guard lock(mutex);
                    if (stop)
                        return;
                }
                const auto job = store->nextJob(asyncId);
                if (!job)
                    return;
                const auto response = executor.execute(job->ns, job->action, job->params);
                const bool completed = store->saveResult(asyncId, job->position, response);
                notifyChanged();
                if (completed) {
                    const auto done = store->state(asyncId);
                    if (done && !done->callbackUrl.empty())
                        schedule({Clock::now(), asyncId, done->generation, 1});
                    return;
                }
            }
        } catch (const std::exception &e) {
            // The store failed (disk full, a lock held past the busy
            // timeout): the run stays unfinished, and restart() resumes it.
            reportLine(options.log, fmt::format("job run {} stopped: {}", asyncId, e.what()));
        }
    }

    void courierLoop()
    {
        std::unique_lock lock(mutex);
        for (;;) {
            if (stop)
                return;
            if (deliveries.empty()) {
                courierWake.wait(lock);
                continue;
            }
            auto next = std::min_element(deliveries.begin(), deliveries.end(),
                                         [](const Delivery &a, const Delivery &b) { return a.due < b.due; });
            if (next->due > Clock::now()) {
                courierWake.wait_until(lock, next->due);
                continue;
            }
            const Delivery delivery = std::move(*next);
            deliveries.erase(next);
            lock.unlock();
            deliver(delivery);
            lock.lock();
        }
    }

    // One try of a callback; schedules the next one when it failed and
    // tries are left. A try of an older generation (restart, repost since)
    // is dropped.
    void deliver(const Delivery &delivery)
    {
        try {
            const auto run = store->state(delivery.asyncId);
            if (!run || run->generation != delivery.generation || run->callback != "pending")
                return;
            std::string error = "not an http:// URL";
            if (const auto url = parseWebhookUrl(run->callbackUrl, false)) {
                const json payload = {{"asyncId", delivery.asyncId}, {"results", store->results(delivery.asyncId)}};
                error =
                    postWebhook(*url, jsonText(payload), fmt::format("{}-{}", delivery.asyncId, delivery.generation),
                                options.callback.secret, options.callback.timeout)
                        .error;
            }
            const bool delivered = error.empty();
            const bool last = delivered || delivery.attempt >= options.callback.attempts;
            store->recordAttempt(delivery.asyncId, delivery.generation, delivery.attempt, delivered, last, error);
            notifyChanged();
            if (!last)
                schedule({Clock::now() + options.callback.delayAfter(delivery.attempt), delivery.asyncId,
                          delivery.generation, delivery.attempt + 1});
        } catch (const std::exception &e) {
            // The store failed: the callback stays pending; repost() retries.
            reportLine(options.log, fmt::format("callback of job run {}: {}", delivery.asyncId, e.what()));
        }
    }

    // Declared first: the sessions in `executor` must go before it.
    std::shared_ptr<messaging::MessagingManager> manager;
    JobRunOptions options;
    std::unique_ptr<jobs::JobRunStore> store;
    jobs::JobExecutor executor; // the worker's alone

    std::mutex mutex;                    // guards what follows; never held while waiting for the store's
    std::condition_variable work;        // worker: a run queued, or stop
    std::condition_variable courierWake; // courier: a delivery scheduled, or stop
    std::condition_variable changed;     // wait(): a result or callback state saved
    bool stop = false;
    std::deque<std::string> runs;     // queued, in order
    std::set<std::string> active;     // queued or running here
    std::vector<Delivery> deliveries; // callback tries to make, each when due
    std::thread worker;
    std::thread courier;
};

JobRunService::JobRunService(std::shared_ptr<messaging::MessagingManager> manager, JobRunOptions options)
{
    if (!manager)
        throw NullArgument("the messaging manager is null");
    options.callback.attempts = std::max(1, options.callback.attempts);
    state_ = std::make_unique<State>(std::move(manager), std::move(options));
    state_->worker = std::thread([this] { state_->workerLoop(); });
    state_->courier = std::thread([this] { state_->courierLoop(); });
}

JobRunService::~JobRunService()
{
    {
        std::lock_guard lock(state_->mutex);
        state_->stop = true;
    }
    state_->work.notify_all();
    state_->courierWake.notify_all();
    state_->changed.notify_all();
    state_->worker.join();
    state_->courier.join();
}

std::string JobRunService::run(const json &body)
{
    BodyProblems found;
    // Before anything copies or writes it: both recurse.
    if (nestedDeeperThan(body)) {
        found.add(kBodyProblem, fmt::format("body: nests objects and arrays more than {} levels deep", kMaxJsonDepth),
                  false);
        found.raise();
    }
    if (!body.is_object()) {
        found.add(kBodyProblem, fmt::format("body: expected an object {{jobs, callbackUrl}}, got {}", body.type_name()),
                  false);
        found.raise();
    }
    for (const auto &field : body.items())
        if (field.key() != "jobs" && field.key() != "callbackUrl")
            found.add(kBodyProblem, fmt::format("{}: unknown field (a run has jobs and callbackUrl)", field.key()),
                      false);
    std::string callbackUrl;
    if (const auto url = body.find("callbackUrl"); url != body.end() && !url->is_null()) {
        if (url->is_string() && parseWebhookUrl(url->get_ref<const std::string &>(), false))
            callbackUrl = url->get<std::string>();
        else
            found.add(
                kBodyProblem,
                fmt::format("callbackUrl: expected an http:// URL (http://host[:port][/path]), got {}", jsonText(*url)),
                false);
    }
    const auto jobs = body.find("jobs");
    if (jobs == body.end()) {
        found.add(kBodyProblem, "jobs: missing", true);
    } else if (!jobs->is_array()) {
        found.add(kBodyProblem, fmt::format("jobs: expected an array of jobs, got {}", jobs->type_name()), false);
    } else if (jobs->empty()) {
        found.add(kBodyProblem, "jobs: empty array", true);
    } else if (jobs->size() > state_->options.maxJobs) {
        const auto reason = fmt::format("jobs: {} jobs; the maximum number of jobs in one run is {}", jobs->size(),
                                        state_->options.maxJobs);
        throw jobError(job_code::kTooManyJobs, reason, {{kBodyProblem, {}, reason}});
    } else {
        for (std::size_t i = 0; i < jobs->size(); ++i)
            for (auto &problem : jobs::checkJob((*jobs)[i], fmt::format("jobs[{}]", i)))
                found.add(i, std::move(problem.reason), problem.empty);
    }
    if (!found.problems.empty())
        found.raise();

    const std::vector<json> list(jobs->begin(), jobs->end());
    const auto asyncId = newAsyncId();
    try {
        state_->store->insertRun(asyncId, callbackUrl, list);
    } catch (const OsidException &e) {
        throw jobError(job_code::kNotSaved, fmt::format("the information was not saved: {}", e.message()));
    }
    std::lock_guard lock(state_->mutex);
    state_->queueRun(asyncId);
    return asyncId;
}

int JobRunService::progress(const std::string &asyncId) { return status(asyncId).progress; }

json JobRunService::results(const std::string &asyncId)
{
    const auto run = state_->known(asyncId, job_code::kResultsNotFound);
    if (!run.completed)
        throw jobError(job_code::kNotCompleted, fmt::format("job run \"{}\" is not completed ({} of {} jobs done)",
                                                            asyncId, run.done, run.jobs));
    return {{"asyncId", asyncId}, {"results", state_->store->results(asyncId)}};
}

bool JobRunService::restart(const std::string &asyncId)
{
    const auto run = state_->known(asyncId, job_code::kRunNotFound);
    std::lock_guard lock(state_->mutex);
    if (state_->active.count(asyncId) != 0)
        return false;
    try {
        state_->store->resetForRestart(asyncId, run.completed);
    } catch (const OsidException &e) {
        throw jobError(job_code::kNotSaved, fmt::format("the restart was not saved: {}", e.message()));
    }
    state_->queueRun(asyncId);
    return true;
}

bool JobRunService::repost(const std::string &asyncId)
{
    const auto run = state_->known(asyncId, job_code::kRunNotFound);
    if (!run.completed)
        throw jobError(job_code::kNotCompleted,
                       fmt::format("job run \"{}\" is not completed ({} of {} jobs done), so it has no callback yet",
                                   asyncId, run.done, run.jobs));
    if (run.callbackUrl.empty())
        return false;
    std::int64_t generation = 0;
    try {
        generation = state_->store->resetCallback(asyncId);
    } catch (const OsidException &e) {
        throw jobError(job_code::kNotSaved, fmt::format("the repost was not saved: {}", e.message()));
    }
    state_->notifyChanged();
    state_->schedule({Clock::now(), asyncId, generation, 1});
    return true;
}

JobRunStatus JobRunService::status(const std::string &asyncId)
{
    const auto run = state_->known(asyncId, job_code::kRunNotFound);
    JobRunStatus out;
    out.asyncId = asyncId;
    out.completed = run.completed;
    out.progress = run.completed ? 100 : static_cast<int>(run.done * 100 / std::max<std::size_t>(run.jobs, 1));
    out.callback = run.callback;
    out.callbackAttempts = run.callbackAttempts;
    out.callbackError = run.callbackError;
    return out;
}

std::vector<JobRunStatus> JobRunService::list(std::size_t limit)
{
    std::vector<JobRunStatus> out;
    for (const auto &asyncId : state_->store->newest(limit))
        out.push_back(status(asyncId));
    return out;
}

JobRunStatus JobRunService::wait(const std::string &asyncId)
{
    for (;;)
        if (auto done = waitFor(asyncId, std::chrono::hours(1)))
            return *done;
}

std::optional<JobRunStatus> JobRunService::waitFor(const std::string &asyncId, std::chrono::milliseconds timeout)
{
    // Changes made here are notified; changes by another process on the
    // same store are seen by looking again every so often.
    constexpr auto kPoll = std::chrono::milliseconds(50);
    const auto deadline = Clock::now() + timeout;
    std::unique_lock lock(state_->mutex);
    for (;;) {
        auto current = status(asyncId);
        // Also until this service's worker has let go of the run: it saves
        // the last result (and the callback may be delivered) before it
        // does, and a restart() in between would be refused.
        if (current.completed && current.callback != "pending" && state_->active.count(asyncId) == 0)
            return current;
        const auto now = Clock::now();
        if (now >= deadline)
            return std::nullopt;
        state_->changed.wait_until(lock, std::min(deadline, now + kPoll));
    }
}

} // namespace osid::service
