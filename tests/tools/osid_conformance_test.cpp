// The osid-conformance command: its report, its JSON, its filters and its
// exit status (0 nothing failed, 1 a check failed, 2 unusable).

#include "support/shell.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

namespace {

// Runs osid-conformance with `arguments` (shell syntax); `out` holds its
// stdout and stderr.
osid::testing::ShellRun conformance(const std::string &arguments)
{
    return osid::testing::runShell(std::string(OSID_CONFORMANCE) + " --provider-path " + AUTHZ_PLUGIN_DIR + " " +
                                   arguments + " 2>&1");
}

std::string lastLine(const std::string &text)
{
    auto end = text.find_last_not_of('\n');
    auto start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1,
                       end - (start == std::string::npos ? 0 : start + 1) + 1);
}

} // namespace

TEST_SUITE("osid-conformance")
{
    TEST_CASE("against the memory provider it prints a line per check, a closing count, and exits 0")
    {
        auto run = conformance("memory");
        CHECK(run.status == 0);
        CHECK(run.out.find("PASS  createMessages: ") != std::string::npos);
        CHECK(run.out.find("SKIP  transactions: ") != std::string::npos);
        CHECK(run.out.find("FAIL") == std::string::npos);
        const auto summary = lastLine(run.out);
        int passed = 0, failed = -1, skipped = -1;
        REQUIRE(std::sscanf(summary.c_str(), "%d passed, %d failed, %d skipped", &passed, &failed, &skipped) == 3);
        CHECK(passed >= 60);
        CHECK(failed == 0);
        CHECK(skipped > 0);
    }

    TEST_CASE("--no-isolate runs the checks in one process with the same result")
    {
        auto isolated = nlohmann::json::parse(conformance("--json memory").out);
        auto inProcess = nlohmann::json::parse(conformance("--json --no-isolate memory").out);
        CHECK(inProcess["passed"] == isolated["passed"]);
        CHECK(inProcess["skipped"] == isolated["skipped"]);
        CHECK(inProcess["failed"] == 0);
    }

    TEST_CASE("--json prints one document whose counts match its checks")
    {
        auto run = conformance("--json memory");
        CHECK(run.status == 0);
        const auto report = nlohmann::json::parse(run.out);
        CHECK(report["provider"] == "memory");
        CHECK(report["failed"] == 0);
        CHECK(report["checks"].size() == report["passed"].get<std::size_t>() + report["skipped"].get<std::size_t>());
        for (const auto &check : report["checks"]) {
            CHECK(check.contains("area"));
            CHECK(check.contains("name"));
            CHECK((check["outcome"] == "passed" || check["outcome"] == "skipped"));
        }
    }

    TEST_CASE("a provider that breaks rules gets FAIL lines with reasons and exit status 1")
    {
        // The authorization adapter with a policy that allows only lookups:
        // every check that writes fails with PermissionDenied.
        auto run = conformance("--filter createMessages "
                               "'authz:policy=" EXAMPLES_DIR "/authz/read-only-guests.policy,over=memory'");
        CHECK(run.status == 1);
        CHECK(run.out.find("FAIL  createMessages: ") != std::string::npos);
        CHECK(run.out.find("PERMISSION_DENIED") != std::string::npos);
        CHECK(lastLine(run.out).find(" failed") != std::string::npos);
    }

    TEST_CASE("--filter runs only the matching checks and --list names every check without running one")
    {
        auto filtered = conformance("--json --filter 'deleteMessages: ' memory");
        const auto report = nlohmann::json::parse(filtered.out);
        REQUIRE(report["checks"].size() > 0);
        for (const auto &check : report["checks"])
            CHECK(check["area"] == "deleteMessages");

        auto list = conformance("--list");
        CHECK(list.status == 0);
        CHECK(list.out.find("createMessages: ") != std::string::npos);
        CHECK(list.out.find("PASS") == std::string::npos);
    }

    TEST_CASE("an unknown provider, a bad configuration or a bad command line exits 2 with the reason")
    {
        auto unknown = conformance("nosuch");
        CHECK(unknown.status == 2);
        CHECK(unknown.out.find("osid-provider-nosuch.so") != std::string::npos);

        auto badConfiguration = conformance("memory:colour=blue");
        CHECK(badConfiguration.status == 2);
        CHECK(badConfiguration.out.find("CONFIGURATION_ERROR") != std::string::npos);

        CHECK(conformance("").status == 2);
        CHECK(conformance("--timeout 0 memory").status == 2);
        CHECK(conformance("--no-such-option memory").status == 2);
        CHECK(conformance("--help").status == 0);
    }
}
