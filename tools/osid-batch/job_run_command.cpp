// `osid-batch run FILE`: one job run, from start to callback.

#include "commands.h"

#include "service/job_runs.h"
#include "service/message_batches.h"

#include <fmt/format.h>

#include <fstream>
#include <iostream>

namespace osid::tools {

namespace {

using nlohmann::json;

// Whether every job, and every item of a batch job, succeeded.
bool allSucceeded(const json &results)
{
    for (const auto &job : results["results"]) {
        const auto &response = job["response"];
        if (response.contains("error"))
            return false;
        if (response.contains("responses"))
            for (const auto &item : response["responses"])
                if (!item.value("success", true))
                    return false;
    }
    return true;
}

// Follows a run until it is done and its callback settled, with progress on
// stderr; then prints its results.
int follow(const Settings &settings, service::JobRunService &runs, const std::string &asyncId)
{
    int shown = -1;
    for (;;) {
        const auto status = runs.waitFor(asyncId, std::chrono::milliseconds(200));
        const int progress = status ? status->progress : runs.progress(asyncId);
        if (progress != shown) {
            fmt::print(stderr, "{}: {}% done\n", asyncId, progress);
            shown = progress;
        }
        if (!status)
            continue;
        if (status->callback == "delivered")
            fmt::print(stderr, "{}: callback delivered ({} tr{})\n", asyncId, status->callbackAttempts,
                       status->callbackAttempts == 1 ? "y" : "ies");
        else if (status->callback == "failed")
            fmt::print(stderr, "{}: callback failed after {} tr{}: {}\n", asyncId, status->callbackAttempts,
                       status->callbackAttempts == 1 ? "y" : "ies", status->callbackError);
        const auto results = runs.results(asyncId);
        std::cout << results.dump(settings.json ? -1 : 2) << '\n';
        return allSucceeded(results) && status->callback != "failed" ? kOk : kNotAllSucceeded;
    }
}

service::JobRunService openRuns(const Settings &settings)
{
    if (service::isPostgresStorePath(settings.store))
        throw service::ServiceError(
            service::error_type::kInvalidRequest,
            "job runs are kept in a SQLite file (--store FILE); a PostgreSQL store keeps message "
            "batches only");
    service::JobRunOptions options;
    options.storePath = storePath(settings);
    options.callback.secret = webhookSecret(settings);
    return service::JobRunService(openProvider(settings), options);
}

json statusJson(const service::JobRunStatus &s)
{
    return json{{"asyncId", s.asyncId},
                {"progress", s.progress},
                {"completed", s.completed},
                {"callback", s.callback},
                {"callbackAttempts", s.callbackAttempts},
                {"callbackError", s.callbackError}};
}

std::string statusLine(const service::JobRunStatus &s)
{
    auto line = fmt::format("{}  {}  {}% done  callback {}", s.asyncId, s.completed ? "completed" : "not completed",
                            s.progress, s.callback);
    if (s.callbackAttempts > 0)
        line += fmt::format(" ({} tr{})", s.callbackAttempts, s.callbackAttempts == 1 ? "y" : "ies");
    if (!s.callbackError.empty())
        line += ": " + s.callbackError;
    return line;
}

} // namespace

int runJobFile(const Settings &settings, const std::string &file)
{
    auto in = openInput(file);
    auto body = json::parse(in, nullptr, false);
    if (body.is_discarded())
        throw service::ServiceError(service::error_type::kInvalidRequest, fmt::format("{} is not valid JSON", file), {},
                                    service::job_code::kIncorrectJobFormat);
    auto runs = openRuns(settings);
    const auto asyncId = runs.run(body);
    fmt::print(stderr, "job run {}\n", asyncId);
    return follow(settings, runs, asyncId);
}

int runsCommand(const Settings &settings, const std::string &action, const std::string &asyncId, std::size_t limit)
{
    auto runs = openRuns(settings);
    if (action == "list") {
        const auto list = runs.list(limit);
        if (settings.json) {
            auto out = json::array();
            for (const auto &s : list)
                out.push_back(statusJson(s));
            fmt::print("{}\n", out.dump(2));
        } else {
            for (const auto &s : list)
                fmt::print("{}\n", statusLine(s));
        }
        return kOk;
    }
    if (action == "status") {
        const auto status = runs.status(asyncId);
        fmt::print("{}\n", settings.json ? statusJson(status).dump(2) : statusLine(status));
        return kOk;
    }
    if (action == "results") {
        std::cout << runs.results(asyncId).dump(settings.json ? -1 : 2) << '\n';
        return kOk;
    }
    if (action == "restart") {
        runs.restart(asyncId);
        return follow(settings, runs, asyncId);
    }
    // repost
    if (!runs.repost(asyncId))
        throw service::ServiceError(service::error_type::kInvalidRequest,
                                    fmt::format("job run {} has no callbackUrl: there is nothing to repost", asyncId));
    return follow(settings, runs, asyncId);
}

} // namespace osid::tools
