#include "report.h"

#include <fmt/format.h>

namespace osid::conformance {

namespace {

const char *outcomeName(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Passed: return "passed";
    case Outcome::Failed: return "failed";
    case Outcome::Skipped: return "skipped";
    }
    return "unknown";
}

} // namespace

std::string formatResult(const CheckResult &result)
{
    switch (result.outcome) {
    case Outcome::Passed: return fmt::format("PASS  {}: {}", result.area, result.name);
    case Outcome::Failed: return fmt::format("FAIL  {}: {}\n      {}", result.area, result.name, result.reason);
    case Outcome::Skipped: return fmt::format("SKIP  {}: {} ({})", result.area, result.name, result.reason);
    }
    return {};
}

std::string formatSummary(const Report &report)
{
    auto line = fmt::format("{} passed, {} failed", report.passed(), report.failed());
    if (report.skipped() > 0)
        line += fmt::format(", {} skipped", report.skipped());
    return line;
}

nlohmann::json toJson(const Report &report, const std::string &provider)
{
    auto checks = nlohmann::json::array();
    for (const auto &r : report.results) {
        nlohmann::json check{{"area", r.area}, {"name", r.name}, {"outcome", outcomeName(r.outcome)}};
        if (!r.reason.empty())
            check["reason"] = r.reason;
        checks.push_back(std::move(check));
    }
    return {{"provider", provider},
            {"passed", report.passed()},
            {"failed", report.failed()},
            {"skipped", report.skipped()},
            {"checks", std::move(checks)}};
}

} // namespace osid::conformance
