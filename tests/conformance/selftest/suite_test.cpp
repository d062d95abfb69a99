// The conformance suite's own tests: its shape, its report, and the memory
// provider passing every check. (faulty_providers_test.cpp shows that the
// checks catch providers that break the rules.)

#include "report.h"
#include "suite.h"

#include "runtime/provider_runtime.h"

#include <doctest/doctest.h>

#include <set>

using namespace osid;
using namespace osid::conformance;

namespace {

ManagerSource memorySource()
{
    auto providers = runtime::makeProviderRuntime(runtime::RuntimeOptions{{}, false});
    return [providers] { return runtime::getMessagingManager(*providers, "memory"); };
}

} // namespace

TEST_SUITE("conformance suite")
{
    TEST_CASE("the suite has at least 60 checks, each with an area, a sentence and a body, and no name twice")
    {
        const auto suite = conformanceSuite();
        CHECK(suite.checks().size() >= 60);
        std::set<std::string> names;
        for (const auto &check : suite.checks()) {
            CHECK_FALSE(check.area.empty());
            CHECK(check.name.size() > 10);
            CHECK(check.body);
            CHECK_MESSAGE(names.insert(check.fullName()).second, "two checks are called ", check.fullName());
        }
    }

    TEST_CASE("the memory provider passes every check it supports")
    {
        const auto report = runSuite(conformanceSuite(), memorySource());
        for (const auto &r : report.results)
            CHECK_MESSAGE(r.outcome != Outcome::Failed, r.area, ": ", r.name, ": ", r.reason);
        CHECK(report.passed() >= 60);
        CHECK(report.failed() == 0);
        // The memory provider has no transactions: those checks, and only
        // those, are skipped.
        for (const auto &r : report.results)
            if (r.outcome == Outcome::Skipped)
                CHECK_MESSAGE(r.reason.find("supportsTransactions()") != std::string::npos, r.name);
    }

    TEST_CASE("a filter runs only the checks whose full name contains it")
    {
        RunOptions options;
        options.filter = "transactions: ";
        std::size_t seen = 0;
        options.onResult = [&](const CheckResult &) { ++seen; };
        const auto report = runSuite(conformanceSuite(), memorySource(), options);
        CHECK(report.results.size() >= 2);
        CHECK(seen == report.results.size());
        for (const auto &r : report.results)
            CHECK(r.area == "transactions");
    }

    TEST_CASE("a provider that cannot make a manager fails every check with the reason")
    {
        Suite suite;
        suite.area("demo")("a check that would pass", [](Fixture &) {});
        const auto report = runSuite(
            suite, []() -> std::shared_ptr<messaging::MessagingManager> { throw OperationFailed("no database"); });
        REQUIRE(report.results.size() == 1);
        CHECK(report.failed() == 1);
        CHECK(report.results[0].reason.find("no database") != std::string::npos);
    }

    TEST_CASE("a failed expectation, an unexpected OSID error and a foreign exception each fail a check with a reason")
    {
        Suite suite;
        auto add = suite.area("demo");
        add("an expectation fails", [](Fixture &) { EXPECT_EQ(1 + 1, 3); });
        add("an OSID error escapes", [](Fixture &) { throw NotFound("nothing here"); });
        add("a standard exception escapes", [](Fixture &) { throw std::out_of_range("index 7"); });
        add("an expected error is not raised", [](Fixture &) { EXPECT_THROWS(NotFound, 42); });
        add("a check that passes", [](Fixture &) { EXPECT_THROWS(NotFound, throw NotFound("x")); });
        const auto report = runSuite(suite, memorySource());
        CHECK(report.failed() == 4);
        CHECK(report.passed() == 1);
        CHECK(report.find("demo: an expectation fails")->reason.find("it is 2, not 3") != std::string::npos);
        CHECK(report.find("demo: an OSID error escapes")->reason.find("NOT_FOUND: nothing here") != std::string::npos);
        CHECK(report.find("demo: a standard exception escapes")->reason.find("index 7") != std::string::npos);
        CHECK(report.find("demo: an expected error is not raised")->reason.find("returned normally") !=
              std::string::npos);
        CHECK(report.find("demo: no such check") == nullptr);
    }

    TEST_CASE("a check needing a feature the provider declares unsupported is skipped with the reason")
    {
        Suite suite;
        suite.area("demo", {Feature::Transactions})("needs transactions", [](Fixture &) { EXPECT(false); });
        const auto report = runSuite(suite, memorySource());
        CHECK(report.skipped() == 1);
        CHECK(report.results[0].reason == "the provider declares supportsTransactions() false");
    }

    TEST_CASE("the report prints a line per check and a closing count, or JSON")
    {
        Report report;
        report.results = {{"create", "it works", Outcome::Passed, ""},
                          {"create", "it fails", Outcome::Failed, "expected x (a.cpp:1)"},
                          {"tx", "it is skipped", Outcome::Skipped, "no transactions"}};
        CHECK(formatResult(report.results[0]) == "PASS  create: it works");
        CHECK(formatResult(report.results[1]) == "FAIL  create: it fails\n      expected x (a.cpp:1)");
        CHECK(formatResult(report.results[2]) == "SKIP  tx: it is skipped (no transactions)");
        CHECK(formatSummary(report) == "1 passed, 1 failed, 1 skipped");
        report.results.pop_back();
        CHECK(formatSummary(report) == "1 passed, 1 failed");

        const auto json = toJson(report, "memory");
        CHECK(json["provider"] == "memory");
        CHECK(json["passed"] == 1);
        CHECK(json["failed"] == 1);
        CHECK(json["skipped"] == 0);
        REQUIRE(json["checks"].size() == 2);
        CHECK(json["checks"][1]["outcome"] == "failed");
        CHECK(json["checks"][1]["reason"] == "expected x (a.cpp:1)");
        CHECK_FALSE(json["checks"][0].contains("reason"));
    }
}
