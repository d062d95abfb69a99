// MessageBatchAdminSession: getMessageFormsForCreate and createMessages.

#include "support/provider_fixture.h"

using namespace osid;
using namespace osid::testing;

TEST_SUITE("MessageBatchAdminSession create")
{
    TEST_CASE_FIXTURE(ProviderFixture, "getMessageFormsForCreate gives n fresh create forms with distinct Ids")
    {
        auto forms = collect(session->getMessageFormsForCreate(5, {}));
        REQUIRE(forms.size() == 5);
        std::set<Id> formIds;
        for (const auto &f : forms) {
            CHECK_FALSE(f->isForUpdate());
            CHECK_THROWS_AS(f->getMessageId(), IllegalState);
            formIds.insert(f->getId());
        }
        CHECK(formIds.size() == 5);
        CHECK(collect(session->getMessageFormsForCreate(0, {})).empty());
    }

    TEST_CASE_FIXTURE(ProviderFixture, "create forms carry exactly the record types asked for")
    {
        auto plain = session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        CHECK_FALSE(plain->hasRecordType(deliveryRecordType()));
        CHECK_THROWS_AS(plain->getMessageFormRecord(deliveryRecordType()), Unsupported);

        auto delivery =
            session->getMessageFormsForCreate(1, {deliveryRecordType(), deliveryRecordType()})->getNextMessageBatchForm();
        CHECK(delivery->hasRecordType(deliveryRecordType()));
        CHECK(collect(delivery->getRecordTypes()) == std::vector<Type>{deliveryRecordType()});
    }

    TEST_CASE_FIXTURE(ProviderFixture, "getMessageFormsForCreate refuses unknown and null record types")
    {
        CHECK_THROWS_AS(session->getMessageFormsForCreate(1, {Type("example.org", "records", "unknown")}), Unsupported);
        CHECK_THROWS_AS(session->getMessageFormsForCreate(1, {Type()}), NullArgument);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "getMessageFormsForCreate refuses an absurd number of forms without allocating")
    {
        CHECK_THROWS_AS(session->getMessageFormsForCreate(UINT64_MAX, {}), OperationFailed);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "createMessages answers each form once, linked by form Id, and the messages exist")
    {
        std::vector<Delivered> messages;
        for (int i = 0; i < 20; ++i)
            messages.push_back({"s" + std::to_string(i), "t" + std::to_string(i), resource("alice"), at(i),
                                {resource("bob"), resource("carol"), resource("bob")}});
        auto forms = deliveryForms(messages);
        VectorList<MessageBatchFormList> list(forms);
        auto responses = collect(session->createMessages(list));
        REQUIRE(responses.size() == forms.size());

        std::map<Id, std::size_t> formIndex;
        for (std::size_t i = 0; i < forms.size(); ++i)
            formIndex[forms[i]->getId()] = i;
        std::set<Id> answered;
        for (const auto &r : responses) {
            REQUIRE(r.isSuccessful());
            CHECK_THROWS_AS(r.getErrorMessage(), IllegalState);
            answered.insert(r.getFormId());
            const auto &expected = messages.at(formIndex.at(r.getFormId()));
            auto m = lookup->getMessage(r.getCreatedId());
            CHECK(m->getId() == r.getCreatedId());
            CHECK(m->getSubjectLine().getText() == expected.subject);
            CHECK(m->getText().getText() == expected.text);
            CHECK(m->isSent());
            CHECK(m->getSenderId() == expected.sender);
            CHECK(m->getSentTime() == expected.sent);
            CHECK(m->getReceivedTime() == expected.sent); // defaults to the sent time
            CHECK(m->getSendingAgentId() == session->getEffectiveAgentId());
            CHECK(collect(m->getRecipientIds()) == expected.recipients);
            CHECK(m->hasRecordType(deliveryRecordType()));
        }
        CHECK(answered.size() == forms.size());
        CHECK(visibleIds().size() == forms.size());
    }

    TEST_CASE_FIXTURE(ProviderFixture, "a bad form fails alone while the good forms of the same call succeed")
    {
        auto good = deliveryForms({{"ok", "ok", resource("a"), at(0)}, {"ok2", "ok2", resource("a"), at(1)}});
        auto invalid = session->getMessageFormsForCreate(1, {deliveryRecordType()})->getNextMessageBatchForm();
        invalid->setSubjectLine("no sender, no sent time");

        auto other = batchManager->getMessageBatchAdminSession();
        auto foreign = other->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();

        auto existing = importFrom(resource("z"), 1).front();
        VectorList<IdList> ids({existing});
        auto updateForm = session->getMessageFormsForUpdate(ids)->getNextMessageBatchForm();

        VectorList<MessageBatchFormList> list({good[0], invalid, foreign, updateForm, good[1]});
        std::map<Id, transaction::batch::CreateResponse> byForm;
        for (const auto &r : session->createMessages(list))
            byForm.emplace(r.getFormId(), r);
        REQUIRE(byForm.size() == 5);

        CHECK(byForm.at(good[0]->getId()).isSuccessful());
        CHECK(byForm.at(good[1]->getId()).isSuccessful());
        const auto &bad = byForm.at(invalid->getId());
        CHECK_FALSE(bad.isSuccessful());
        CHECK(bad.getErrorCode() == ErrorCode::InvalidArgument);
        CHECK(bad.getErrorMessage().getText().find("sender") != std::string::npos);
        CHECK_THROWS_AS(bad.getCreatedId(), IllegalState);
        CHECK(byForm.at(foreign->getId()).getErrorCode() == ErrorCode::Unsupported);
        CHECK(byForm.at(updateForm->getId()).getErrorCode() == ErrorCode::Unsupported);
        CHECK(visibleIds().size() == 3);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "a form that created a message fails when submitted again")
    {
        auto forms = deliveryForms({{"once", "once", resource("a"), at(0)}});
        VectorList<MessageBatchFormList> first(forms);
        REQUIRE(session->createMessages(first)->getNextCreateResponse().isSuccessful());

        VectorList<MessageBatchFormList> again(forms);
        auto r = session->createMessages(again)->getNextCreateResponse();
        CHECK_FALSE(r.isSuccessful());
        CHECK(r.getErrorCode() == ErrorCode::IllegalState);
        CHECK(visibleIds().size() == 1);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "a form whose create failed can be fixed and submitted again")
    {
        auto form = session->getMessageFormsForCreate(1, {deliveryRecordType()})->getNextMessageBatchForm();
        form->setSubjectLine("draft");
        VectorList<MessageBatchFormList> first({form});
        REQUIRE_FALSE(session->createMessages(first)->getNextCreateResponse().isSuccessful());

        deliveryFormRecord(*form).setSender(resource("a"));
        deliveryFormRecord(*form).setSentTime(at(0));
        VectorList<MessageBatchFormList> second({form});
        auto r = session->createMessages(second)->getNextCreateResponse();
        REQUIRE(r.isSuccessful());
        CHECK(lookup->getMessage(r.getCreatedId())->getSubjectLine().getText() == "draft");
    }

    TEST_CASE_FIXTURE(ProviderFixture, "the same form twice in one call creates one message and fails once")
    {
        auto forms = deliveryForms({{"twice", "twice", resource("a"), at(0)}});
        VectorList<MessageBatchFormList> list({forms[0], forms[0]});
        auto responses = collect(session->createMessages(list));
        REQUIRE(responses.size() == 2);
        const auto successes =
            std::count_if(responses.begin(), responses.end(), [](const auto &r) { return r.isSuccessful(); });
        CHECK(successes == 1);
        CHECK(visibleIds().size() == 1);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "a null form in the list fails the whole call and creates nothing")
    {
        auto forms = deliveryForms({{"a", "a", resource("a"), at(0)}});
        VectorList<MessageBatchFormList> list({forms[0], nullptr});
        CHECK_THROWS_AS(session->createMessages(list), NullArgument);
        CHECK(visibleIds().empty());
        // The form was not spent by the refused call.
        VectorList<MessageBatchFormList> retry({forms[0]});
        CHECK(session->createMessages(retry)->getNextCreateResponse().isSuccessful());
    }

    TEST_CASE_FIXTURE(ProviderFixture, "an empty form list gives an empty response list")
    {
        VectorList<MessageBatchFormList> empty;
        CHECK_FALSE(session->createMessages(empty)->hasNext());
    }

    TEST_CASE_FIXTURE(ProviderFixture, "a create form without records makes an unsent draft")
    {
        auto form = session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        form->setSubjectLine("draft");
        VectorList<MessageBatchFormList> list({form});
        auto r = session->createMessages(list)->getNextCreateResponse();
        REQUIRE(r.isSuccessful());
        auto m = lookup->getMessage(r.getCreatedId());
        CHECK_FALSE(m->isSent());
        CHECK_THROWS_AS(m->getSenderId(), IllegalState);
        CHECK_THROWS_AS(m->getSentTime(), IllegalState);
        CHECK_THROWS_AS(m->getReceivedTime(), IllegalState);
        CHECK_THROWS_AS(m->getRecipientIds(), IllegalState);
        CHECK_THROWS_AS(m->getSendingAgentId(), IllegalState);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "forms issued by a batch session also work with the single createMessage")
    {
        auto forms = deliveryForms({{"single", "single", resource("a"), at(0)}});
        auto m = session->createMessage(*forms[0]);
        CHECK(m->getSubjectLine().getText() == "single");
        CHECK_THROWS_AS(session->createMessage(*forms[0]), IllegalState);
    }
}
