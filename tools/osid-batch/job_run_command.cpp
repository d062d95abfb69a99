// `osid-batch run FILE`: one job run, from start to callback.

#include "commands.h"

#include "service/job_runs.h"

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

} // namespace

int runJobFile(const Settings &settings, const std::string &file)
{
    auto in = openInput(file);
    auto body = json::parse(in, nullptr, false);
    if (body.is_discarded())
        throw service::ServiceError(service::error_type::kInvalidRequest, fmt::format("{} is not valid JSON", file), {},
                                    service::job_code::kIncorrectJobFormat);
    service::JobRunOptions options;
    options.storePath = storePath(settings);
    options.callback.secret = webhookSecret();
    service::JobRunService runs(openProvider(settings), options);
    const auto asyncId = runs.run(body);
    fmt::print(stderr, "job run {}\n", asyncId);
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

} // namespace osid::tools
