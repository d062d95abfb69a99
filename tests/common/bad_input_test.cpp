// Bad input to MessageBatchAdminSession, its forms and lookups: the exact
// error and message a caller gets (docs/bad-input.md lists each case).
//
// The messages are impl/common's, so every test runs against each built-in
// provider over it. They are not conformance checks: the error classes are
// the contract, and the conformance suite checks those for any provider;
// the texts are these providers' own.

#include "conformance/fixture.h"

#include "impl/memory/memory_provider.h"
#include "impl/sqlite/sqlite_provider.h"
#include "messaging/batch/messaging_batch_manager.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

using namespace osid;
using namespace osid::conformance;

namespace {

// Runs `test` on a fresh store of each built-in provider, with the
// sessions bound to its default mailbox.
void forEachProvider(const std::function<void(Fixture &)> &test)
{
    const std::pair<const char *, ManagerSource> providers[] = {
        {"memory", [] { return impl::memory::makeMemoryMessagingManager(); }},
        {"sqlite::memory:",
         [] {
             impl::sqlite::SqliteProviderOptions options;
             options.path = ":memory:";
             return impl::sqlite::makeSqliteMessagingManager(options);
         }},
    };
    for (const auto &provider : providers) {
        // Not a structured binding: clang 14 cannot capture one in INFO's lambda.
        const char *name = provider.first;
        INFO("provider: ", name);
        Fixture f(provider.second, {}, Fixture::Mailbox::Default);
        test(f);
    }
}

// what() of an OSID error: "<OSID_NAME>: <message>".
std::string osidError(std::string_view name, const std::string &message) { return std::string(name) + ": " + message; }

std::shared_ptr<MessageBatchForm> deliveryForm(messaging::batch::MessageBatchAdminSession &s)
{
    return s.getMessageFormsForCreate(1, {deliveryRecordType()})->getNextMessageBatchForm();
}

template <class Response>
std::string errorOf(const Response &r)
{
    return r.isSuccessful() ? "(successful)" : osidError(errorName(r.getErrorCode()), r.getErrorMessage().getText());
}

const Type kUnknownRecord("example.org", "records", "unknown");

} // namespace

TEST_CASE("null arguments raise NullArgument naming the parameter")
{
    forEachProvider([](Fixture &f) {
        CHECK_THROWS_WITH_AS(f.session->getMessageFormsForCreate(1, {Type()}),
                             "NULL_ARGUMENT: messageRecordTypes holds a null Type", NullArgument);
        auto good = f.deliveryForms({{"s", "t", resource("a"), at(0)}});
        VectorList<MessageBatchFormList> creates({good[0], nullptr});
        CHECK_THROWS_WITH_AS(f.session->createMessages(creates), "NULL_ARGUMENT: messageForms holds a null form",
                             NullArgument);
        VectorList<MessageBatchFormList> updates({nullptr});
        CHECK_THROWS_WITH_AS(f.session->updateMessages(updates), "NULL_ARGUMENT: messageForms holds a null form",
                             NullArgument);
        VectorList<IdList> ids({Id()});
        CHECK_THROWS_WITH_AS(f.session->getMessageFormsForUpdate(ids), "NULL_ARGUMENT: an Id in messageIds is null",
                             NullArgument);
        CHECK_THROWS_WITH_AS(f.session->deleteMessagesBySender(Id()), "NULL_ARGUMENT: resourceId is null",
                             NullArgument);
        CHECK_THROWS_WITH_AS(f.lookup->getMessage(Id()), "NULL_ARGUMENT: messageId is null", NullArgument);

        const Id existing = f.importFrom(resource("a"), 1).front();
        VectorList<AliasRequestList> aliases(
            {AliasRequest(Id(), Id("legacy", "mail", "1")), AliasRequest(existing, Id())});
        for (const auto &r : f.session->aliasMessages(aliases))
            CHECK(errorOf(r) == "NULL_ARGUMENT: the reference Id and the alias Id must not be null");

        auto form = deliveryForm(*f.session);
        auto &delivery = deliveryFormRecord(*form);
        CHECK_THROWS_WITH_AS(delivery.setSender(Id()), "NULL_ARGUMENT: senderId is null", NullArgument);
        CHECK_THROWS_WITH_AS(delivery.setRecipients({resource("b"), Id()}),
                             "NULL_ARGUMENT: recipientIds holds a null Id", NullArgument);
        CHECK_THROWS_WITH_AS(form->setGenusType(Type()), "NULL_ARGUMENT: genusType is null", NullArgument);
        CHECK_THROWS_WITH_AS(form->hasRecordType(Type()), "NULL_ARGUMENT: recordType is null", NullArgument);
        // Nothing was created by the refused calls.
        CHECK(f.visibleIds() == std::set<Id>{existing});
    });
}

TEST_CASE("empty arguments are no error: empty lists give empty answers")
{
    forEachProvider([](Fixture &f) {
        CHECK_FALSE(f.session->getMessageFormsForCreate(0, {})->hasNext());
        VectorList<MessageBatchFormList> noForms;
        CHECK_FALSE(f.session->createMessages(noForms)->hasNext());
        VectorList<MessageBatchFormList> noUpdates;
        CHECK_FALSE(f.session->updateMessages(noUpdates)->hasNext());
        VectorList<IdList> noIds;
        CHECK_FALSE(f.session->getMessageFormsForUpdate(noIds)->hasNext());
        VectorList<AliasRequestList> noAliases;
        CHECK_FALSE(f.session->aliasMessages(noAliases)->hasNext());
        CHECK_FALSE(f.session->deleteMessagesBySender(resource("nobody"))->hasNext());
        // An empty string is a value like any other.
        auto form = f.deliveryForms({{"", "", resource("a"), at(0)}}).front();
        CHECK(f.session->createMessage(*form)->getSubjectLine().getText().empty());
    });
}

TEST_CASE("over-long, non-UTF-8 and out-of-range values raise InvalidArgument")
{
    forEachProvider([](Fixture &f) {
        auto form = deliveryForm(*f.session);
        form->setSubjectLine("kept");
        CHECK_THROWS_WITH_AS(form->setSubjectLine(std::string(999, 'x')),
                             "INVALID_ARGUMENT: subject line may have at most 998 characters, not 999",
                             InvalidArgument);
        CHECK_THROWS_WITH_AS(form->setSubjectLine("caf\xC3"), "INVALID_ARGUMENT: subject line is not valid UTF-8",
                             InvalidArgument);
        CHECK_THROWS_WITH_AS(form->setText("\xFF"), "INVALID_ARGUMENT: text is not valid UTF-8", InvalidArgument);
        CHECK_THROWS_WITH_AS(form->setText(std::string((1 << 20) + 1, 'x')),
                             "INVALID_ARGUMENT: text may have at most 1048576 characters, not 1048577",
                             InvalidArgument);
        CHECK_THROWS_WITH_AS(form->setDisplayName(std::string(257, 'x')),
                             "INVALID_ARGUMENT: display name may have at most 256 characters, not 257",
                             InvalidArgument);
        auto &delivery = deliveryFormRecord(*form);
        CHECK_THROWS_WITH_AS(delivery.setRecipients(std::vector<Id>(10'001, resource("b"))),
                             "INVALID_ARGUMENT: recipients takes between 0 and 10000 Ids, not 10001", InvalidArgument);
        const auto early = DateTime::fromMicroseconds(DateTime::min().toMicroseconds() - 1);
        const auto outOfRange =
            osidError("INVALID_ARGUMENT", "sent time must lie between " + DateTime::min().toString() + " and " +
                                              DateTime::max().toString() + ", not " + early.toString());
        CHECK_THROWS_WITH_AS(delivery.setSentTime(early), outOfRange.c_str(), InvalidArgument);
        // The refused values left the old ones.
        CHECK(form->getSubjectLineMetadata().getExistingStringValues() == std::vector<std::string>{"kept"});
        CHECK_FALSE(delivery.getSentTimeMetadata().hasSuppliedValue());
    });
}

TEST_CASE("an inverted date range raises InvalidArgument and deletes nothing")
{
    forEachProvider([](Fixture &f) {
        f.importFrom(resource("a"), 3);
        CHECK_THROWS_WITH_AS(f.session->deleteMessagesByDate(at(100), at(99)),
                             "INVALID_ARGUMENT: from (2026-01-01T00:01:40Z) is after to (2026-01-01T00:01:39Z)",
                             InvalidArgument);
        CHECK_THROWS_WITH_AS(f.lookup->getMessagesBySentTime(at(100), at(99)),
                             "INVALID_ARGUMENT: start (2026-01-01T00:01:40Z) is after end (2026-01-01T00:01:39Z)",
                             InvalidArgument);
        CHECK(f.visibleIds().size() == 3);
    });
}

TEST_CASE("foreign, wrong-kind, spent, repeated and invalid forms fail alone in a create with the reason")
{
    forEachProvider([](Fixture &f) {
        auto spent = f.deliveryForms({{"spent", "", resource("a"), at(0)}}).front();
        f.session->createMessage(*spent);
        auto good = f.deliveryForms({{"good", "", resource("a"), at(0)}}).front();
        auto repeated = f.deliveryForms({{"twice", "", resource("a"), at(0)}}).front();
        auto invalid = deliveryForm(*f.session); // neither sender nor sent time
        auto otherSession = f.newBatchSession();
        auto foreign = otherSession->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        auto otherManager = f.newManager()->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto unknown = otherManager->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        VectorList<IdList> ids({f.lookup->getMessages()->getNextMessage()->getId()});
        auto updateForm = f.session->getMessageFormsForUpdate(ids)->getNextMessageBatchForm();

        VectorList<MessageBatchFormList> list({good, spent, repeated, repeated, invalid, foreign, unknown, updateForm});
        std::map<Id, std::vector<std::string>> byForm;
        for (const auto &r : f.session->createMessages(list))
            byForm[r.getFormId()].push_back(errorOf(r));
        CHECK(byForm[good->getId()] == std::vector<std::string>{"(successful)"});
        CHECK(byForm[spent->getId()] ==
              std::vector<std::string>{"ILLEGAL_STATE: the form already created a message; request a new form"});
        std::sort(byForm[repeated->getId()].begin(), byForm[repeated->getId()].end());
        CHECK(byForm[repeated->getId()] ==
              std::vector<std::string>{"(successful)", "ILLEGAL_STATE: the form appears more than once in this call"});
        CHECK(byForm[invalid->getId()] ==
              std::vector<std::string>{"INVALID_ARGUMENT: the sender is required (and 1 more problems)"});
        CHECK(byForm[foreign->getId()] ==
              std::vector<std::string>{"UNSUPPORTED: the form did not come from this session"});
        CHECK(byForm[unknown->getId()] ==
              std::vector<std::string>{"UNSUPPORTED: the form did not come from this session"});
        CHECK(byForm[updateForm->getId()] ==
              std::vector<std::string>{"UNSUPPORTED: an update form cannot be used for a create"});
        CHECK(f.visibleIds().size() == 3); // spent, good, repeated once

        // The single-item call raises the same errors.
        CHECK_THROWS_WITH_AS(f.session->createMessage(*spent),
                             "ILLEGAL_STATE: the form already created a message; request a new form", IllegalState);
        CHECK_THROWS_WITH_AS(f.session->createMessage(*foreign), "UNSUPPORTED: the form did not come from this session",
                             Unsupported);
    });
}

TEST_CASE("wrong-kind, spent, stale and invalid forms fail alone in an update with the reason")
{
    forEachProvider([](Fixture &f) {
        auto ids = f.importFrom(resource("a"), 3);
        VectorList<IdList> list(ids);
        auto forms = collect(f.session->getMessageFormsForUpdate(list));
        for (auto &form : forms)
            form->setText("changed");
        VectorList<MessageBatchFormList> first({forms[0]});
        CHECK(errorOf(f.session->updateMessages(first)->getNextUpdateResponse()) == "(successful)");
        f.session->deleteMessage(ids[2]);
        auto createForm = f.session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();

        VectorList<MessageBatchFormList> second({forms[0], forms[1], forms[2], createForm});
        std::map<Id, std::string> byForm;
        for (const auto &r : f.session->updateMessages(second))
            byForm[r.getFormId()] = errorOf(r);
        CHECK(byForm[forms[0]->getId()] == "ILLEGAL_STATE: the form already updated its message; request a new form");
        CHECK(byForm[forms[1]->getId()] == "(successful)");
        CHECK(byForm[forms[2]->getId()] ==
              osidError("NOT_FOUND", "the message " + ids[2].toString() + " no longer exists in this mailbox"));
        CHECK(byForm[createForm->getId()] == "UNSUPPORTED: a create form cannot be used for an update");
        CHECK_THROWS_WITH_AS(createForm->getMessageId(), "ILLEGAL_STATE: a create form targets no message",
                             IllegalState);

        // A form whose values contradict each other is invalid.
        VectorList<IdList> lateIds({f.importFrom(resource("b"), 1, 1000).front()});
        auto early = f.session->getMessageFormsForUpdate(lateIds)->getNextMessageBatchForm();
        deliveryFormRecord(*early).setReceivedTime(at(0));
        VectorList<MessageBatchFormList> third({early});
        CHECK(errorOf(f.session->updateMessages(third)->getNextUpdateResponse()) ==
              "INVALID_ARGUMENT: the received time 2026-01-01T00:00:00Z is before the sent time 2026-01-01T00:16:40Z");
    });
}

TEST_CASE("unknown, duplicate and provider-space Ids")
{
    forEachProvider([](Fixture &f) {
        auto ids = f.importFrom(resource("a"), 2);
        const Id unknown("example.org", "messaging.Message", "nope");
        const auto notFound = osidError("NOT_FOUND", "no message " + unknown.toString() + " in this mailbox");
        VectorList<IdList> withUnknown({ids[0], unknown});
        CHECK_THROWS_WITH_AS(f.session->getMessageFormsForUpdate(withUnknown), notFound.c_str(), NotFound);
        CHECK_THROWS_WITH_AS(f.lookup->getMessage(unknown), notFound.c_str(), NotFound);
        CHECK_THROWS_WITH_AS(f.session->deleteMessage(unknown), notFound.c_str(), NotFound);

        // The same Id twice gives two forms for it; both may update it.
        VectorList<IdList> twice({ids[0], ids[0]});
        auto forms = collect(f.session->getMessageFormsForUpdate(twice));
        REQUIRE(forms.size() == 2);
        CHECK(forms[0]->getMessageId() == ids[0]);
        CHECK(forms[1]->getMessageId() == ids[0]);
        forms[0]->setText("one");
        forms[1]->setSubjectLine("two");
        VectorList<MessageBatchFormList> both(forms);
        for (const auto &r : f.session->updateMessages(both))
            CHECK(errorOf(r) == "(successful)");
        CHECK(f.lookup->getMessage(ids[0])->getText().getText() == "one");
        CHECK(f.lookup->getMessage(ids[0])->getSubjectLine().getText() == "two");

        // The same alias request twice succeeds twice; an alias in the
        // provider's own Id space and an unknown message fail alone.
        const Id alias("legacy", "mail", "dup");
        VectorList<AliasRequestList> requests({AliasRequest(ids[0], alias), AliasRequest(ids[0], alias),
                                               AliasRequest(ids[0], ids[1]),
                                               AliasRequest(unknown, Id("legacy", "mail", "x"))});
        std::vector<std::string> errors;
        for (const auto &r : f.session->aliasMessages(requests))
            errors.push_back(errorOf(r));
        std::sort(errors.begin(), errors.end());
        CHECK(errors ==
              std::vector<std::string>{
                  "(successful)", "(successful)",
                  osidError("ALREADY_EXISTS", ids[1].toString() + " lies in this provider's own message Id space and "
                                                                  "cannot be an alias"),
                  notFound});
        CHECK(f.lookup->getMessage(alias)->getId() == ids[0]);
        CHECK(f.lookup->getMessage(ids[1])->getId() == ids[1]);
    });
}

TEST_CASE("unknown record types raise Unsupported naming the supported one")
{
    forEachProvider([](Fixture &f) {
        const auto unsupported = osidError("UNSUPPORTED", "no message record of type " + kUnknownRecord.toString() +
                                                              "; supported: " + deliveryRecordType().toString());
        CHECK_THROWS_WITH_AS(f.session->getMessageFormsForCreate(1, {kUnknownRecord}), unsupported.c_str(),
                             Unsupported);
        CHECK_THROWS_WITH_AS(f.session->getMessageFormForCreate({deliveryRecordType(), kUnknownRecord}),
                             unsupported.c_str(), Unsupported);
        CHECK_FALSE(f.session->canCreateMessageWithRecordTypes({kUnknownRecord}));
        CHECK_FALSE(f.manager->supportsMessageRecordType(kUnknownRecord));

        auto plain = f.session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        const auto noRecord = osidError("UNSUPPORTED", "the form has no record of type " + kUnknownRecord.toString());
        CHECK_THROWS_WITH_AS(plain->getMessageFormRecord(kUnknownRecord), noRecord.c_str(), Unsupported);
        // Lookups by an unknown record type find nothing, without an error.
        f.importFrom(resource("a"), 1);
        CHECK_FALSE(f.lookup->getMessagesByRecordType(kUnknownRecord)->hasNext());
    });
}

TEST_CASE("read-only and required elements raise NoAccess")
{
    forEachProvider([](Fixture &f) {
        VectorList<IdList> ids({f.importFrom(resource("a"), 1).front()});
        auto update = f.session->getMessageFormsForUpdate(ids)->getNextMessageBatchForm();
        auto &updating = deliveryFormRecord(*update);
        CHECK_THROWS_WITH_AS(updating.setSendingAgent(resource("x")), "NO_ACCESS: sending agent is read-only",
                             NoAccess);
        CHECK_THROWS_WITH_AS(updating.clearSendingAgent(), "NO_ACCESS: sending agent is read-only", NoAccess);
        auto create = deliveryForm(*f.session);
        auto &creating = deliveryFormRecord(*create);
        CHECK_THROWS_WITH_AS(creating.clearSender(), "NO_ACCESS: sender is required, so it cannot be cleared",
                             NoAccess);
        CHECK_THROWS_WITH_AS(creating.clearSentTime(), "NO_ACCESS: sent time is required, so it cannot be cleared",
                             NoAccess);
    });
}

TEST_CASE("oversized requests and calls on a closed session")
{
    forEachProvider([](Fixture &f) {
        CHECK_THROWS_WITH_AS(f.session->getMessageFormsForCreate(1'000'001, {}),
                             "OPERATION_FAILED: 1000001 forms asked for; at most 1000000 are given per call",
                             OperationFailed);
        // The limit is per request: forms of several requests go into one call.
        std::vector<std::shared_ptr<MessageBatchForm>> forms;
        for (int request = 0; request < 3; ++request)
            for (const auto &form : f.deliveryForms({{"a", "", resource("a"), at(0)}, {"b", "", resource("b"), at(1)}}))
                forms.push_back(form);
        VectorList<MessageBatchFormList> all(forms);
        std::size_t created = 0;
        for (const auto &r : f.session->createMessages(all))
            created += r.isSuccessful() ? 1 : 0;
        CHECK(created == 6);

        if (!f.session->supportsTransactions())
            CHECK_THROWS_WITH_AS(f.session->startTransaction(),
                                 "UNSUPPORTED: this provider does not support transactions", Unsupported);
        f.session->close();
        CHECK_THROWS_WITH_AS(f.session->deleteAllMessages(), "ILLEGAL_STATE: this session has been closed",
                             IllegalState);
        VectorList<MessageBatchFormList> none;
        CHECK_THROWS_WITH_AS(f.session->createMessages(none), "ILLEGAL_STATE: this session has been closed",
                             IllegalState);
    });
}
