// The suite catches providers that break the rules: each faulty provider
// below wraps the memory provider (through the forwarding adapter kit) and
// breaks exactly one rule, and the checks that state that rule must fail
// while the provider still passes most of the rest.

#include "suite.h"

#include "adapter/forwarding_messaging_managers.h"
#include "adapter/forwarding_messaging_sessions.h"
#include "runtime/provider_runtime.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <mutex>
#include <thread>

using namespace osid;
using namespace osid::conformance;
namespace batch = osid::transaction::batch;

namespace {

// A memory provider whose batch sessions are BatchSession and whose lookup
// sessions are LookupSession.
template <class BatchSession, class LookupSession>
class FaultyManager final : public adapter::ForwardingMessagingManager {
public:
    using ForwardingMessagingManager::ForwardingMessagingManager;

    std::shared_ptr<messaging::batch::MessagingBatchManager> getMessagingBatchManager() override
    {
        std::lock_guard lock(mutex_);
        if (!batch_)
            batch_ = std::make_shared<BatchManager>(inner().getMessagingBatchManager());
        return batch_;
    }
    std::unique_ptr<messaging::MessageLookupSession> getMessageLookupSession() override
    {
        return std::make_unique<LookupSession>(inner().getMessageLookupSession());
    }
    std::unique_ptr<messaging::MessageLookupSession> getMessageLookupSessionForMailbox(const Id &mailboxId) override
    {
        return std::make_unique<LookupSession>(inner().getMessageLookupSessionForMailbox(mailboxId));
    }

private:
    struct BatchManager final : adapter::ForwardingMessagingBatchManager {
        using ForwardingMessagingBatchManager::ForwardingMessagingBatchManager;
        std::unique_ptr<messaging::batch::MessageBatchAdminSession> getMessageBatchAdminSession() override
        {
            return std::make_unique<BatchSession>(inner().getMessageBatchAdminSession());
        }
        std::unique_ptr<messaging::batch::MessageBatchAdminSession> getMessageBatchAdminSessionForMailbox(
            const Id &mailboxId) override
        {
            return std::make_unique<BatchSession>(inner().getMessageBatchAdminSessionForMailbox(mailboxId));
        }
    };

    std::mutex mutex_;
    std::shared_ptr<BatchManager> batch_;
};

template <class BatchSession, class LookupSession = adapter::ForwardingMessageLookupSession>
Report runAgainst(const RunOptions &options = {})
{
    auto providers = runtime::makeProviderRuntime(runtime::RuntimeOptions{{}, false});
    return runSuite(
        conformanceSuite(),
        [providers] {
            return std::make_shared<FaultyManager<BatchSession, LookupSession>>(
                runtime::getMessagingManager(*providers, "memory"));
        },
        options);
}

// Every check named must have failed, and the provider must still pass
// most checks (the fault is one rule, not a broken provider).
void requireCaught(const Report &report, const std::vector<std::string> &checks)
{
    for (const auto &name : checks) {
        const auto *result = report.find(name);
        REQUIRE_MESSAGE(result != nullptr, "no check named ", name);
        CHECK_MESSAGE(result->outcome == Outcome::Failed, name, " did not catch the fault");
        CHECK_FALSE(result->reason.empty());
    }
    CHECK(report.passed() > report.failed());
}

template <class List>
auto responsesOf(std::unique_ptr<List> list)
{
    std::vector<typename List::value_type> out;
    for (const auto &r : list)
        out.push_back(r);
    return out;
}

// Answers one form too few.
struct DropsACreateResponse final : adapter::ForwardingMessageBatchAdminSession {
    using ForwardingMessageBatchAdminSession::ForwardingMessageBatchAdminSession;
    std::unique_ptr<batch::CreateResponseList> createMessages(messaging::batch::MessageBatchFormList &forms) override
    {
        auto responses = responsesOf(inner().createMessages(forms));
        if (responses.size() > 1)
            responses.pop_back();
        return makeList<batch::CreateResponseList>(std::move(responses));
    }
};

// Fails the whole call for one bad form instead of answering it alone.
struct ThrowsForABadForm final : adapter::ForwardingMessageBatchAdminSession {
    using ForwardingMessageBatchAdminSession::ForwardingMessageBatchAdminSession;
    std::unique_ptr<batch::CreateResponseList> createMessages(messaging::batch::MessageBatchFormList &forms) override
    {
        std::vector<std::shared_ptr<messaging::batch::MessageBatchForm>> all;
        for (const auto &form : forms) {
            if (form && !form->isValid())
                throw InvalidArgument("a form is invalid");
            all.push_back(form);
        }
        VectorList<messaging::batch::MessageBatchFormList> again(all);
        return inner().createMessages(again);
    }
};

// Answers every delete twice.
struct DuplicatesDeleteResponses final : adapter::ForwardingMessageBatchAdminSession {
    using ForwardingMessageBatchAdminSession::ForwardingMessageBatchAdminSession;
    std::unique_ptr<batch::DeleteResponseList> deleteAllMessages() override
    {
        auto responses = responsesOf(inner().deleteAllMessages());
        auto doubled = responses;
        doubled.insert(doubled.end(), responses.begin(), responses.end());
        return makeList<batch::DeleteResponseList>(std::move(doubled));
    }
};

// Deletes everything when asked to delete one sender's messages.
struct IgnoresTheSender final : adapter::ForwardingMessageBatchAdminSession {
    using ForwardingMessageBatchAdminSession::ForwardingMessageBatchAdminSession;
    std::unique_ptr<batch::DeleteResponseList> deleteMessagesBySender(const Id &) override
    {
        return inner().deleteAllMessages();
    }
};

// Treats the date range as half-open: the message received at `to` stays.
struct ExcludesTheEndDate final : adapter::ForwardingMessageBatchAdminSession {
    using ForwardingMessageBatchAdminSession::ForwardingMessageBatchAdminSession;
    std::unique_ptr<batch::DeleteResponseList> deleteMessagesByDate(const DateTime &from, const DateTime &to) override
    {
        const auto end = DateTime::fromMicroseconds(to.toMicroseconds() - 1);
        return inner().deleteMessagesByDate(from, end < from ? from : end);
    }
};

// Reports every alias as added without adding any.
struct ForgetsAliases final : adapter::ForwardingMessageBatchAdminSession {
    using ForwardingMessageBatchAdminSession::ForwardingMessageBatchAdminSession;
    std::unique_ptr<batch::AliasResponseList> aliasMessages(batch::AliasRequestList &requests) override
    {
        std::vector<batch::AliasResponse> responses;
        for (const auto &r : requests)
            responses.push_back(batch::AliasResponse::success(r.getReferenceId(), r.getAliasId()));
        return makeList<batch::AliasResponseList>(std::move(responses));
    }
};

// Declares transactions it does not have.
struct ClaimsTransactions final : adapter::ForwardingMessageBatchAdminSession {
    using ForwardingMessageBatchAdminSession::ForwardingMessageBatchAdminSession;
    bool supportsTransactions() const override { return true; }
};

// Raises OperationFailed where the rules say NotFound.
struct WrongErrorForAnUnknownId final : adapter::ForwardingMessageLookupSession {
    using ForwardingMessageLookupSession::ForwardingMessageLookupSession;
    std::shared_ptr<messaging::Message> getMessage(const Id &messageId) override
    {
        try {
            return inner().getMessage(messageId);
        } catch (const NotFound &e) {
            throw OperationFailed(e.what());
        }
    }
};

// Keeps working after close().
struct IgnoresClose final : adapter::ForwardingMessageBatchAdminSession {
    using ForwardingMessageBatchAdminSession::ForwardingMessageBatchAdminSession;
    void close() override {}
};

// Crashes the process when asked to delete by sender.
struct CrashesOnDelete final : adapter::ForwardingMessageBatchAdminSession {
    using ForwardingMessageBatchAdminSession::ForwardingMessageBatchAdminSession;
    std::unique_ptr<batch::DeleteResponseList> deleteMessagesBySender(const Id &) override { std::abort(); }
};

// Never returns from a delete by sender.
struct HangsOnDelete final : adapter::ForwardingMessageBatchAdminSession {
    using ForwardingMessageBatchAdminSession::ForwardingMessageBatchAdminSession;
    std::unique_ptr<batch::DeleteResponseList> deleteMessagesBySender(const Id &) override
    {
        for (;;)
            std::this_thread::sleep_for(std::chrono::seconds(1));
    }
};

using Plain = adapter::ForwardingMessageBatchAdminSession;

} // namespace

TEST_SUITE("conformance suite against faulty providers")
{
    TEST_CASE("a provider that only forwards to the memory provider passes every check")
    {
        const auto report = runAgainst<Plain>();
        CHECK(report.failed() == 0);
        CHECK(report.passed() >= 60);
    }

    TEST_CASE("a provider that returns fewer responses than forms is caught")
    {
        requireCaught(
            runAgainst<DropsACreateResponse>(),
            {"createMessages: createMessages answers each form once, linked by form Id, and the messages exist"});
    }

    TEST_CASE("a provider that fails a whole create call for one bad form is caught")
    {
        requireCaught(runAgainst<ThrowsForABadForm>(),
                      {"createMessages: a bad form fails alone while the good forms of the same call succeed"});
    }

    TEST_CASE("a provider that answers a delete twice is caught")
    {
        requireCaught(runAgainst<DuplicatesDeleteResponses>(),
                      {"deleteMessages: deleteAllMessages deletes every message of the mailbox and nothing else"});
    }

    TEST_CASE("a provider whose delete by sender ignores the sender is caught")
    {
        requireCaught(
            runAgainst<IgnoresTheSender>(),
            {"deleteMessages: deleteMessagesBySender deletes exactly that sender's messages, one response each",
             "deleteMessages: deleteMessagesBySender of a sender with no messages returns an empty list"});
    }

    TEST_CASE("a provider whose date range leaves out its end is caught")
    {
        requireCaught(
            runAgainst<ExcludesTheEndDate>(),
            {"deleteMessages: deleteMessagesByDate deletes messages received in the range, both ends included"});
    }

    TEST_CASE("a provider that reports aliases it did not add is caught")
    {
        requireCaught(
            runAgainst<ForgetsAliases>(),
            {"aliasMessages: aliasMessages answers each request once and lookups through an alias give the primary Id"});
    }

    TEST_CASE("a provider that declares transactions it cannot start is caught")
    {
        const auto report = runAgainst<ClaimsTransactions>();
        requireCaught(report, {"transactions: a new transaction is active, and a second one on the same session raises "
                               "IllegalState",
                               "transactions: commit makes every call made since the start visible at once"});
        CHECK(report.skipped() == 0);
    }

    TEST_CASE("a provider whose sessions keep working after close() is caught")
    {
        requireCaught(runAgainst<IgnoresClose>(),
                      {"sessions: every MessageBatchAdminSession method raises IllegalState after close",
                       "sessions: closing a session twice is harmless and it stays closed"});
    }

    TEST_CASE("isolated, a provider that crashes fails the check it crashed in and the run goes on")
    {
        RunOptions options;
        options.isolate = true;
        options.filter = "deleteMessages: deleteMessagesBySender";
        const auto report = runAgainst<CrashesOnDelete>(options);
        REQUIRE(report.results.size() >= 2);
        CHECK(report.failed() == report.results.size());
        for (const auto &r : report.results)
            CHECK_MESSAGE(r.reason.find("crashed") != std::string::npos, r.reason);
        // The checks that do not delete by sender still pass, each in its child.
        options.filter = "deleteMessages: deleteAllMessages";
        CHECK(runAgainst<CrashesOnDelete>(options).passed() >= 1);
    }

    TEST_CASE("isolated, a provider that hangs fails the check after the timeout")
    {
        RunOptions options;
        options.isolate = true;
        options.timeoutSeconds = 1;
        options.filter = "deleteMessages: deleteMessagesBySender deletes exactly";
        const auto report = runAgainst<HangsOnDelete>(options);
        REQUIRE(report.results.size() == 1);
        CHECK(report.failed() == 1);
        CHECK(report.results[0].reason == "the check did not finish within 1 seconds");
    }

    TEST_CASE("isolated, a correct provider passes the same checks as in process")
    {
        RunOptions options;
        options.isolate = true;
        const auto isolated = runAgainst<Plain>(options);
        const auto inProcess = runAgainst<Plain>();
        CHECK(isolated.failed() == 0);
        CHECK(isolated.passed() == inProcess.passed());
        CHECK(isolated.skipped() == inProcess.skipped());
    }

    TEST_CASE("a provider that raises the wrong error for an unknown Id is caught")
    {
        requireCaught(
            runAgainst<Plain, WrongErrorForAnUnknownId>(),
            {"MessageLookupSession: getMessage raises NotFound for an unknown Id and NullArgument for the null Id"});
    }
}
