// MessageBatchAdminSession: getMessageFormsForUpdate and updateMessages.

#include "support/provider_fixture.h"

using namespace osid;
using namespace osid::testing;

namespace {

std::vector<std::shared_ptr<MessageBatchForm>> updateForms(ProviderFixture &f, const std::vector<Id> &ids)
{
    VectorList<IdList> list(ids);
    return collect(f.session->getMessageFormsForUpdate(list));
}

} // namespace

TEST_SUITE("MessageBatchAdminSession update")
{
    TEST_CASE_FIXTURE(ProviderFixture, "getMessageFormsForUpdate gives one update form per Id, targeting the primary Id")
    {
        auto ids = importFrom(resource("a"), 3);
        session->aliasMessage(ids[2], Id("legacy", "mail", "x"));
        auto forms = updateForms(*this, {ids[0], ids[1], Id("legacy", "mail", "x")});
        REQUIRE(forms.size() == 3);
        std::set<Id> formIds;
        for (std::size_t i = 0; i < forms.size(); ++i) {
            CHECK(forms[i]->isForUpdate());
            CHECK(forms[i]->getMessageId() == ids[i]);
            formIds.insert(forms[i]->getId());
        }
        CHECK(formIds.size() == 3);
        // Existing values are visible through the Metadata.
        CHECK(forms[0]->getTextMetadata().getExistingStringValues() == std::vector<std::string>{"text 0"});
        CHECK_FALSE(forms[0]->getTextMetadata().hasSuppliedValue());
    }

    TEST_CASE_FIXTURE(ProviderFixture, "getMessageFormsForUpdate raises NotFound for an unknown Id and NullArgument for the null Id")
    {
        auto ids = importFrom(resource("a"), 1);
        VectorList<IdList> unknown({ids[0], Id("example.org", "messaging.Message", "nope")});
        CHECK_THROWS_AS(session->getMessageFormsForUpdate(unknown), NotFound);
        VectorList<IdList> withNull({ids[0], Id()});
        CHECK_THROWS_AS(session->getMessageFormsForUpdate(withNull), NullArgument);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "updateMessages answers each form once and changes only what was set")
    {
        auto ids = importFrom(resource("a"), 4);
        auto forms = updateForms(*this, ids);
        for (std::size_t i = 0; i < forms.size(); ++i)
            forms[i]->setText("new text " + std::to_string(i));
        forms[1]->setSubjectLine("new subject");
        deliveryFormRecord(*forms[3]).setSender(resource("b"));

        VectorList<MessageBatchFormList> list(forms);
        std::map<Id, transaction::batch::UpdateResponse> byForm;
        for (const auto &r : session->updateMessages(list))
            byForm.emplace(r.getFormId(), r);
        REQUIRE(byForm.size() == 4);
        for (std::size_t i = 0; i < forms.size(); ++i) {
            const auto &r = byForm.at(forms[i]->getId());
            CHECK(r.isSuccessful());
            CHECK(r.getUpdatedId() == ids[i]);
            auto m = lookup->getMessage(ids[i]);
            CHECK(m->getText().getText() == "new text " + std::to_string(i));
            CHECK(m->getSubjectLine().getText() == (i == 1 ? "new subject" : "subject " + std::to_string(i)));
        }
        CHECK(lookup->getMessage(ids[3])->getSenderId() == resource("b"));
        // The sender index follows the update.
        CHECK(collect(session->deleteMessagesBySender(resource("b"))).size() == 1);
        CHECK(collect(session->deleteMessagesBySender(resource("a"))).size() == 3);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "an update form succeeds once")
    {
        auto ids = importFrom(resource("a"), 1);
        auto form = updateForms(*this, ids).front();
        form->setText("first");
        VectorList<MessageBatchFormList> first({form});
        REQUIRE(session->updateMessages(first)->getNextUpdateResponse().isSuccessful());
        VectorList<MessageBatchFormList> again({form});
        auto r = session->updateMessages(again)->getNextUpdateResponse();
        CHECK_FALSE(r.isSuccessful());
        CHECK(r.getErrorCode() == ErrorCode::IllegalState);
        CHECK(r.getUpdatedId() == ids[0]);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "create forms, foreign forms and forms of deleted messages fail alone in an update")
    {
        auto ids = importFrom(resource("a"), 3);
        auto forms = updateForms(*this, ids);
        for (auto &f : forms)
            f->setText("changed");
        auto createForm = session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        auto other = batchManager->getMessageBatchAdminSession();
        VectorList<IdList> otherIds({ids[0]});
        auto foreign = other->getMessageFormsForUpdate(otherIds)->getNextMessageBatchForm();
        session->deleteMessage(ids[2]);

        VectorList<MessageBatchFormList> list({forms[0], createForm, foreign, forms[1], forms[2]});
        std::map<Id, transaction::batch::UpdateResponse> byForm;
        for (const auto &r : session->updateMessages(list))
            byForm.emplace(r.getFormId(), r);
        REQUIRE(byForm.size() == 5);
        CHECK(byForm.at(forms[0]->getId()).isSuccessful());
        CHECK(byForm.at(forms[1]->getId()).isSuccessful());
        CHECK(byForm.at(createForm->getId()).getErrorCode() == ErrorCode::Unsupported);
        CHECK(byForm.at(foreign->getId()).getErrorCode() == ErrorCode::Unsupported);
        CHECK(byForm.at(forms[2]->getId()).getErrorCode() == ErrorCode::NotFound);
        // A failed update form may be submitted again: it fails again, as the message is gone.
        VectorList<MessageBatchFormList> retry({forms[2]});
        CHECK(session->updateMessages(retry)->getNextUpdateResponse().getErrorCode() == ErrorCode::NotFound);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "a null form in an update list fails the whole call and changes nothing")
    {
        auto ids = importFrom(resource("a"), 1);
        auto form = updateForms(*this, ids).front();
        form->setText("changed");
        VectorList<MessageBatchFormList> list({form, nullptr});
        CHECK_THROWS_AS(session->updateMessages(list), NullArgument);
        CHECK(lookup->getMessage(ids[0])->getText().getText() == "text 0");
    }

    TEST_CASE_FIXTURE(ProviderFixture, "an update that moves the received time moves it in the date index")
    {
        auto ids = importFrom(resource("a"), 2);
        auto form = updateForms(*this, {ids[0]}).front();
        deliveryFormRecord(*form).setReceivedTime(at(100'000));
        VectorList<MessageBatchFormList> list({form});
        REQUIRE(session->updateMessages(list)->getNextUpdateResponse().isSuccessful());
        CHECK(collect(session->deleteMessagesByDate(at(0), at(1000))).size() == 1);
        auto late = collect(session->deleteMessagesByDate(at(99'000), at(200'000)));
        REQUIRE(late.size() == 1);
        CHECK(late[0].getDeletedId() == ids[0]);
    }

    TEST_CASE_FIXTURE(ProviderFixture, "an update form that makes the received time precede the sent time is invalid")
    {
        auto ids = importFrom(resource("a"), 1, 1000);
        auto form = updateForms(*this, ids).front();
        deliveryFormRecord(*form).setReceivedTime(at(0));
        CHECK_FALSE(form->isValid());
        VectorList<MessageBatchFormList> list({form});
        auto r = session->updateMessages(list)->getNextUpdateResponse();
        CHECK(r.getErrorCode() == ErrorCode::InvalidArgument);
        CHECK(lookup->getMessage(ids[0])->getReceivedTime() == at(1000));
    }
}
