// The conformance suite: named checks, each one rule of the messaging and
// messaging.batch OSIDs, run against any provider.
//
//   auto suite = osid::conformance::conformanceSuite();
//   auto report = osid::conformance::runSuite(suite, [&] { return makeMyManager(); });
//   report.failed();  // 0 when the provider keeps every rule
//
// Each check runs on a fresh manager from the ManagerSource, in a mailbox
// of its own when the provider can create mailboxes, so the checks do not
// see each other's messages (and a provider over a file that already holds
// data can be checked). A check whose features the provider's profile says
// it does not support is skipped, with the reason.

#pragma once

#include "check.h"
#include "fixture.h"

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace osid::conformance {

// What a check needs from the provider, as its profile declares it.
enum class Feature {
    MessageBatchAdmin, // supportsMessagingBatch() and supportsMessageBatchAdmin()
    MessageLookup,     // supportsMessageLookup()
    MessageAdmin,      // supportsMessageAdmin()
    Messaging,         // supportsMessaging()
    MailboxLookup,     // supportsMailboxLookup()
    MailboxAdmin,      // supportsMailboxAdmin()
    DeliveryRecord,    // supportsMessageRecordType(deliveryRecordType())
    Transactions,      // a batch session's supportsTransactions()
};

// The profile method that declares `feature`, for skip reasons.
std::string describe(Feature feature);

struct Check {
    std::string area; // the interface or method group, e.g. "createMessages"
    std::string name; // the rule, as a sentence
    std::vector<Feature> features;
    std::function<void(Fixture &)> body;

    // "area: name", the check's name in reports and filters.
    std::string fullName() const { return area + ": " + name; }
};

class Suite {
public:
    // Adds checks of one area, each needing `features` plus its own:
    //   auto add = suite.area("createMessages", {Feature::MessageBatchAdmin});
    //   add("createMessages answers every form once", [](Fixture &f) { ... });
    //   add("...", {Feature::Transactions}, [](Fixture &f) { ... });
    class Area {
    public:
        void operator()(std::string name, std::function<void(Fixture &)> body) const
        {
            (*this)(std::move(name), {}, std::move(body));
        }
        void operator()(std::string name, std::initializer_list<Feature> more,
                        std::function<void(Fixture &)> body) const;

    private:
        friend class Suite;
        Area(Suite &suite, std::string name, std::vector<Feature> features)
            : suite_(suite), name_(std::move(name)), features_(std::move(features))
        {
        }
        Suite &suite_;
        std::string name_;
        std::vector<Feature> features_;
    };

    Area area(std::string name, std::initializer_list<Feature> features = {})
    {
        return Area(*this, std::move(name), features);
    }

    const std::vector<Check> &checks() const { return checks_; }

private:
    std::vector<Check> checks_;
};

// Every check, grouped by area in a fixed order.
Suite conformanceSuite();

enum class Outcome { Passed, Failed, Skipped };

struct CheckResult {
    std::string area;
    std::string name;
    Outcome outcome;
    std::string reason; // why it failed or was skipped; empty when it passed
};

struct Report {
    std::vector<CheckResult> results;

    std::size_t count(Outcome outcome) const;
    std::size_t passed() const { return count(Outcome::Passed); }
    std::size_t failed() const { return count(Outcome::Failed); }
    std::size_t skipped() const { return count(Outcome::Skipped); }
    // The result of the check named `fullName` ("area: name"), or null.
    const CheckResult *find(const std::string &fullName) const;
};

struct RunOptions {
    // Runs only the checks whose "area: name" contains this text.
    std::string filter;
    // Called after each check, e.g. to print its line as it comes.
    std::function<void(const CheckResult &)> onResult;
    // Runs each check in a child process of its own, so that a provider
    // that crashes or hangs fails that check instead of ending the run.
    bool isolate = false;
    // With isolate: a check still running after this many seconds fails.
    unsigned timeoutSeconds = 60;
};

// Runs `suite` against managers from `source`. Never throws for what a
// provider does: a manager that cannot be made fails every check with the
// reason.
Report runSuite(const Suite &suite, const ManagerSource &source, const RunOptions &options = {});

} // namespace osid::conformance
