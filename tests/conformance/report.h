// The conformance report in the two forms osid-conformance prints: one
// line per check and a closing count for people, JSON for machines.

#pragma once

#include "suite.h"

#include <nlohmann/json.hpp>

#include <string>

namespace osid::conformance {

// "PASS  area: name", "FAIL  area: name\n      reason", "SKIP  area: name (reason)".
std::string formatResult(const CheckResult &result);

// "N passed, M failed", plus ", K skipped" when checks were skipped.
std::string formatSummary(const Report &report);

// {"provider": ..., "passed": N, "failed": M, "skipped": K,
//  "checks": [{"area", "name", "outcome": "passed"|"failed"|"skipped", "reason"}]}
nlohmann::json toJson(const Report &report, const std::string &provider);

} // namespace osid::conformance
