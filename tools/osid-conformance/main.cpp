// osid-conformance: runs the conformance suite against one provider,
// built in or loaded as a plug-in, and reports every check.
//
//   osid-conformance memory
//   osid-conformance --provider-path build/plugins 'authz:policy=allow-all.txt,over=memory'
//   osid-conformance --json memory > report.json
//
// Each check runs in a child process of its own (unless --no-isolate), so
// a provider that crashes or hangs fails that check and the run goes on.
//
// Exit status: 0 when no check failed, 1 when one did, 2 for a bad command
// line or a provider that cannot be loaded.

#include "report.h"
#include "suite.h"

#include "runtime/provider_runtime.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>

namespace {

constexpr int kFailed = 1;
constexpr int kUnusable = 2;

} // namespace

int main(int argc, char **argv)
{
    using namespace osid;

    CLI::App app("Runs the OSID messaging conformance suite against a provider and reports every check.",
                 "osid-conformance");
    std::string implementation;
    std::vector<std::string> pluginPath;
    std::string filter;
    bool json = false;
    bool list = false;
    bool noIsolate = false;
    unsigned timeout = 60;
    app.add_option("provider", implementation,
                   "The provider: NAME or NAME:CONFIGURATION, e.g. memory, or a plug-in's name");
    app.add_option("-p,--provider-path", pluginPath,
                   fmt::format("A folder of provider plug-ins (osid-provider-NAME.so), searched before the ones "
                               "in ${}; may be repeated",
                               runtime::kProviderPathVariable))
        ->type_name("DIR")
        ->allow_extra_args(false);
    app.add_option("-f,--filter", filter, "Runs only the checks whose \"area: name\" contains TEXT")->type_name("TEXT");
    app.add_flag("--json", json, "Prints the report as one JSON document instead of lines");
    app.add_flag("--list", list, "Lists the names of the checks and runs nothing");
    app.add_flag("--no-isolate", noIsolate,
                 "Runs every check in this process (for a debugger) instead of one child process per check, "
                 "which turns a crash or a hang into a failed check");
    app.add_option("--timeout", timeout, "Fails a check still running after SECONDS (not with --no-isolate)")
        ->type_name("SECONDS")
        ->check(CLI::Range(1u, 86400u));
    app.footer("Exit status: 0 when no check failed (skipped checks do not count), 1 when a check failed,\n"
               "2 for a bad command line or a provider that cannot be loaded.\n");
    try {
        app.parse(argc, argv);
        if (!list && implementation.empty())
            throw CLI::RequiredError("provider");
    } catch (const CLI::ParseError &e) {
        const int status = app.exit(e);
        return status == 0 ? 0 : kUnusable;
    }

    const auto suite = conformance::conformanceSuite();
    if (list) {
        for (const auto &check : suite.checks())
            std::cout << check.fullName() << '\n';
        return 0;
    }

    auto providers = runtime::makeProviderRuntime(runtime::RuntimeOptions{pluginPath});
    try {
        runtime::getMessagingManager(*providers, implementation);
    } catch (const OsidException &e) {
        std::cerr << fmt::format("osid-conformance: cannot use provider \"{}\": {}\n", implementation, e.what());
        return kUnusable;
    }

    conformance::RunOptions options;
    options.filter = filter;
    options.isolate = !noIsolate;
    options.timeoutSeconds = timeout;
    if (!json)
        options.onResult = [](const conformance::CheckResult &result) {
            std::cout << conformance::formatResult(result) << std::endl;
        };
    const auto report = conformance::runSuite(
        suite, [&] { return runtime::getMessagingManager(*providers, implementation); }, options);

    if (json)
        std::cout << conformance::toJson(report, implementation).dump(2) << '\n';
    else
        std::cout << conformance::formatSummary(report) << '\n';
    return report.failed() == 0 ? 0 : kFailed;
}
