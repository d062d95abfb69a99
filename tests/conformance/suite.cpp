#include "suite.h"

#include "checks/checks.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace osid::conformance {

std::string describe(Feature feature)
{
    switch (feature) {
    case Feature::MessageBatchAdmin: return "supportsMessageBatchAdmin()";
    case Feature::MessageLookup: return "supportsMessageLookup()";
    case Feature::MessageAdmin: return "supportsMessageAdmin()";
    case Feature::Messaging: return "supportsMessaging()";
    case Feature::MailboxLookup: return "supportsMailboxLookup()";
    case Feature::MailboxAdmin: return "supportsMailboxAdmin()";
    case Feature::DeliveryRecord: return "supportsMessageRecordType(delivery record)";
    case Feature::Transactions: return "supportsTransactions()";
    }
    return "an unknown feature";
}

void Suite::Area::operator()(std::string name, std::initializer_list<Feature> more,
                             std::function<void(Fixture &)> body) const
{
    auto features = features_;
    features.insert(features.end(), more);
    suite_.checks_.push_back(Check{name_, std::move(name), std::move(features), std::move(body)});
}

Suite conformanceSuite()
{
    Suite suite;
    addManagerChecks(suite);
    addSessionChecks(suite);
    addFormChecks(suite);
    addCreateChecks(suite);
    addUpdateChecks(suite);
    addAliasChecks(suite);
    addDeleteChecks(suite);
    addAdminChecks(suite);
    addMessagingChecks(suite);
    addLookupChecks(suite);
    addMailboxChecks(suite);
    addTransactionChecks(suite);
    return suite;
}

std::size_t Report::count(Outcome outcome) const
{
    return static_cast<std::size_t>(
        std::count_if(results.begin(), results.end(), [&](const CheckResult &r) { return r.outcome == outcome; }));
}

const CheckResult *Report::find(const std::string &fullName) const
{
    for (const auto &r : results)
        if (r.area + ": " + r.name == fullName)
            return &r;
    return nullptr;
}

namespace {

// Which features the provider's profile declares.
std::map<Feature, bool> supportedFeatures(messaging::MessagingManager &manager)
{
    std::map<Feature, bool> s;
    const bool batch = manager.supportsMessagingBatch();
    auto batchManager = batch ? manager.getMessagingBatchManager() : nullptr;
    s[Feature::MessageBatchAdmin] = batchManager && batchManager->supportsMessageBatchAdmin();
    s[Feature::MessageLookup] = manager.supportsMessageLookup();
    s[Feature::MessageAdmin] = manager.supportsMessageAdmin();
    s[Feature::Messaging] = manager.supportsMessaging();
    s[Feature::MailboxLookup] = manager.supportsMailboxLookup();
    s[Feature::MailboxAdmin] = manager.supportsMailboxAdmin();
    s[Feature::DeliveryRecord] = manager.supportsMessageRecordType(messaging::records::deliveryRecordType());
    s[Feature::Transactions] =
        s[Feature::MessageBatchAdmin] && batchManager->getMessageBatchAdminSession()->supportsTransactions();
    return s;
}

// Runs `body`; the reason it failed, or empty.
template <class Body>
std::string failureOf(Body &&body)
{
    try {
        body();
        return {};
    } catch (const CheckFailure &failure) {
        return failure.reason;
    } catch (const OsidException &e) {
        return fmt::format("unexpected {}", e.what());
    } catch (const std::exception &e) {
        return fmt::format("unexpected non-OSID exception: {}", e.what());
    } catch (...) {
        return "unexpected exception of an unknown type";
    }
}

// Runs `run` (which returns a failure reason, or empty) in a child
// process: the reason it sent back, or why it died.
template <class Run>
std::string failureInChild(Run &&run, unsigned timeoutSeconds)
{
    int pipeEnds[2];
    if (pipe(pipeEnds) != 0)
        return fmt::format("cannot isolate the check: pipe: {}", std::strerror(errno));
    std::fflush(nullptr);
    const pid_t child = fork();
    if (child < 0) {
        close(pipeEnds[0]);
        close(pipeEnds[1]);
        return fmt::format("cannot isolate the check: fork: {}", std::strerror(errno));
    }
    if (child == 0) {
        close(pipeEnds[0]);
        // The provider's crash ends this child with its signal, whatever
        // handlers the host process (a test framework, say) installed.
        for (int number : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGALRM})
            std::signal(number, SIG_DFL);
        alarm(timeoutSeconds);
        const auto reason = run();
        std::size_t written = 0;
        while (written < reason.size()) {
            const auto n = write(pipeEnds[1], reason.data() + written, reason.size() - written);
            if (n <= 0)
                break;
            written += static_cast<std::size_t>(n);
        }
        _exit(0); // no destructors or atexit handlers of the parent's state
    }
    close(pipeEnds[1]);
    std::string reason;
    char buffer[4096];
    for (ssize_t n; (n = read(pipeEnds[0], buffer, sizeof buffer)) > 0;)
        reason.append(buffer, static_cast<std::size_t>(n));
    close(pipeEnds[0]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status)) {
        const int number = WTERMSIG(status);
        if (number == SIGALRM)
            return fmt::format("the check did not finish within {} seconds", timeoutSeconds);
        return fmt::format("the provider crashed: signal {} ({})", number, strsignal(number));
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return fmt::format("the check's process exited with status {}", WEXITSTATUS(status));
    return reason;
}

} // namespace

Report runSuite(const Suite &suite, const ManagerSource &source, const RunOptions &options)
{
    Report report;
    std::map<Feature, bool> supported;
    const auto setupFailure = failureOf([&] {
        auto manager = source();
        EXPECT_MSG(manager != nullptr, "the provider gave no MessagingManager");
        supported = supportedFeatures(*manager);
    });

    std::size_t index = 0;
    for (const auto &check : suite.checks()) {
        ++index;
        if (!options.filter.empty() && check.fullName().find(options.filter) == std::string::npos)
            continue;
        CheckResult result{check.area, check.name, Outcome::Passed, {}};
        auto missing =
            std::find_if(check.features.begin(), check.features.end(), [&](Feature f) { return !supported[f]; });
        if (!setupFailure.empty()) {
            result.outcome = Outcome::Failed;
            result.reason = "cannot query the provider's profile: " + setupFailure;
        } else if (missing != check.features.end()) {
            result.outcome = Outcome::Skipped;
            result.reason = "the provider declares " + describe(*missing) + " false";
        } else {
            auto run = [&] {
                return failureOf([&] {
                    Fixture fixture(source, fmt::format("conformance check {}", index));
                    check.body(fixture);
                });
            };
            result.reason = options.isolate ? failureInChild(run, options.timeoutSeconds) : run();
            if (!result.reason.empty())
                result.outcome = Outcome::Failed;
        }
        if (options.onResult)
            options.onResult(result);
        report.results.push_back(std::move(result));
    }
    return report;
}

} // namespace osid::conformance
