// Fuzz target: a job-run body (seed 002), as osid-batch run reads it.
//
// Any bytes: what is not JSON is skipped. A JSON value either is refused
// with one ServiceError carrying one of the body codes (24092, 24093, 24448)
// and at least one problem, and nothing runs; or it is accepted with a
// 32-hex-digit asyncId, runs to completion, and its results hold exactly one
// entry per job, echoing the job's namespace and action, with a response
// object. A job that fails is its own {"error"} response, never a crash or
// an escaped exception.

#include "fuzz/fuzz_input.h"
#include "impl/memory/memory_provider.h"
#include "service/job_runs.h"

#include <string_view>

using namespace osid;
using namespace osid::service;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // A fresh provider and service per input: messages created by earlier
    // inputs would make every later lookup, and so the run, slower.
    JobRunOptions options;
    options.maxJobs = 8;
    options.callback.attempts = 1;
    options.callback.timeout = std::chrono::milliseconds(100);
    JobRunService runs(impl::memory::makeMemoryMessagingManager(), options);

    auto body = json::parse(std::string_view(reinterpret_cast<const char *>(data), size), nullptr, false);
    if (body.is_discarded())
        return 0;
    // A URL the check accepts would be called: point it at a closed local
    // port, so delivery fails at once instead of waiting on the network.
    if (body.is_object() && body.contains("callbackUrl") && body["callbackUrl"].is_string() &&
        body["callbackUrl"].get<std::string>().rfind("http://", 0) == 0)
        body["callbackUrl"] = "http://127.0.0.1:9/done";
    std::string asyncId;
    try {
        asyncId = runs.run(body);
    } catch (const ServiceError &e) {
        const int code = e.specificCode();
        FUZZ_REQUIRE(code == job_code::kIncorrectJobFormat || code == job_code::kEmptyJobParameter ||
                     code == job_code::kTooManyJobs);
        FUZZ_REQUIRE(e.type() == error_type::kInvalidRequest);
        FUZZ_REQUIRE(!e.problems().empty());
        return 0;
    }
    FUZZ_REQUIRE(asyncId.size() == 32);
    FUZZ_REQUIRE(asyncId.find_first_not_of("0123456789abcdef") == std::string::npos);
    const auto status = runs.wait(asyncId);
    FUZZ_REQUIRE(status.completed);
    FUZZ_REQUIRE(status.progress == 100);
    const auto results = runs.results(asyncId);
    FUZZ_REQUIRE(results["asyncId"] == asyncId);
    const auto &jobs = body["jobs"];
    FUZZ_REQUIRE(results["results"].size() == jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        const auto &result = results["results"][i];
        FUZZ_REQUIRE(result["namespace"] == jobs[i]["namespace"]);
        FUZZ_REQUIRE(result["action"] == jobs[i]["action"]);
        FUZZ_REQUIRE(result["response"].is_object());
    }
    return 0;
}
