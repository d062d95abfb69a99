// MessageBatchAdminSession: getMessageFormsForUpdate and updateMessages.

#include "checks.h"

#include <algorithm>
#include <map>
#include <set>

namespace osid::conformance {

namespace {

// Update forms for `ids`, in the order given.
std::vector<std::shared_ptr<MessageBatchForm>> updateForms(Fixture &f, const std::vector<Id> &ids)
{
    VectorList<IdList> list(ids);
    return collect(f.session->getMessageFormsForUpdate(list));
}

} // namespace

void addUpdateChecks(Suite &suite)
{
    auto add =
        suite.area("updateMessages", {Feature::MessageBatchAdmin, Feature::MessageLookup, Feature::DeliveryRecord});

    add("getMessageFormsForUpdate gives one update form per Id, targeting the primary Id", [](Fixture &f) {
        auto ids = f.importFrom(resource("a"), 3);
        f.session->aliasMessage(ids[2], Id("legacy", "mail", "x"));
        auto forms = updateForms(f, {ids[0], ids[1], Id("legacy", "mail", "x")});
        EXPECT_EQ(forms.size(), 3);
        std::set<Id> formIds;
        for (std::size_t i = 0; i < forms.size(); ++i) {
            EXPECT(forms[i]->isForUpdate());
            EXPECT_EQ(forms[i]->getMessageId(), ids[i]);
            formIds.insert(forms[i]->getId());
        }
        EXPECT_EQ(formIds.size(), 3);
        // Existing values are visible through the Metadata.
        EXPECT_EQ(forms[0]->getTextMetadata().getExistingStringValues(), std::vector<std::string>{"text 0"});
        EXPECT_FALSE(forms[0]->getTextMetadata().hasSuppliedValue());
    });

    add("getMessageFormsForUpdate raises NotFound for an unknown Id and NullArgument for the null Id", [](Fixture &f) {
        auto ids = f.importFrom(resource("a"), 1);
        VectorList<IdList> unknown({ids[0], Id("example.org", "messaging.Message", "nope")});
        EXPECT_THROWS(NotFound, f.session->getMessageFormsForUpdate(unknown));
        VectorList<IdList> withNull({ids[0], Id()});
        EXPECT_THROWS(NullArgument, f.session->getMessageFormsForUpdate(withNull));
    });

    add("updateMessages answers each form once and changes only what was set", [](Fixture &f) {
        auto ids = f.importFrom(resource("a"), 4);
        auto forms = updateForms(f, ids);
        for (std::size_t i = 0; i < forms.size(); ++i)
            forms[i]->setText("new text " + std::to_string(i));
        forms[1]->setSubjectLine("new subject");
        deliveryFormRecord(*forms[3]).setSender(resource("b"));

        VectorList<MessageBatchFormList> list(forms);
        std::map<Id, transaction::batch::UpdateResponse> byForm;
        for (const auto &r : f.session->updateMessages(list))
            byForm.emplace(r.getFormId(), r);
        EXPECT_EQ(byForm.size(), 4);
        for (std::size_t i = 0; i < forms.size(); ++i) {
            const auto &r = byForm.at(forms[i]->getId());
            EXPECT(r.isSuccessful());
            EXPECT_EQ(r.getUpdatedId(), ids[i]);
            auto m = f.lookup->getMessage(ids[i]);
            EXPECT_EQ(m->getText().getText(), "new text " + std::to_string(i));
            EXPECT(m->getSubjectLine().getText() == (i == 1 ? "new subject" : "subject " + std::to_string(i)));
        }
        EXPECT_EQ(f.lookup->getMessage(ids[3])->getSenderId(), resource("b"));
        // The sender index follows the update.
        EXPECT_EQ(collect(f.session->deleteMessagesBySender(resource("b"))).size(), 1);
        EXPECT_EQ(collect(f.session->deleteMessagesBySender(resource("a"))).size(), 3);
    });

    add("an update form succeeds once", [](Fixture &f) {
        auto ids = f.importFrom(resource("a"), 1);
        auto form = updateForms(f, ids).front();
        form->setText("first");
        VectorList<MessageBatchFormList> first({form});
        EXPECT(f.session->updateMessages(first)->getNextUpdateResponse().isSuccessful());
        VectorList<MessageBatchFormList> again({form});
        auto r = f.session->updateMessages(again)->getNextUpdateResponse();
        EXPECT_FALSE(r.isSuccessful());
        EXPECT_EQ(r.getErrorCode(), ErrorCode::IllegalState);
        EXPECT_EQ(r.getUpdatedId(), ids[0]);
    });

    add("create forms, foreign forms and forms of deleted messages fail alone in an update", [](Fixture &f) {
        auto ids = f.importFrom(resource("a"), 3);
        auto forms = updateForms(f, ids);
        for (auto &fm : forms)
            fm->setText("changed");
        auto createForm = f.session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        auto other = f.newBatchSession();
        VectorList<IdList> otherIds({ids[0]});
        auto foreign = other->getMessageFormsForUpdate(otherIds)->getNextMessageBatchForm();
        f.session->deleteMessage(ids[2]);

        VectorList<MessageBatchFormList> list({forms[0], createForm, foreign, forms[1], forms[2]});
        std::map<Id, transaction::batch::UpdateResponse> byForm;
        for (const auto &r : f.session->updateMessages(list))
            byForm.emplace(r.getFormId(), r);
        EXPECT_EQ(byForm.size(), 5);
        EXPECT(byForm.at(forms[0]->getId()).isSuccessful());
        EXPECT(byForm.at(forms[1]->getId()).isSuccessful());
        EXPECT_EQ(byForm.at(createForm->getId()).getErrorCode(), ErrorCode::Unsupported);
        EXPECT_EQ(byForm.at(foreign->getId()).getErrorCode(), ErrorCode::Unsupported);
        EXPECT_EQ(byForm.at(forms[2]->getId()).getErrorCode(), ErrorCode::NotFound);
        // A failed update form may be submitted again: it fails again, as the message is gone.
        VectorList<MessageBatchFormList> retry({forms[2]});
        EXPECT_EQ(f.session->updateMessages(retry)->getNextUpdateResponse().getErrorCode(), ErrorCode::NotFound);
    });

    add("a null form in an update list fails the whole call and changes nothing", [](Fixture &f) {
        auto ids = f.importFrom(resource("a"), 1);
        auto form = updateForms(f, ids).front();
        form->setText("changed");
        VectorList<MessageBatchFormList> list({form, nullptr});
        EXPECT_THROWS(NullArgument, f.session->updateMessages(list));
        EXPECT_EQ(f.lookup->getMessage(ids[0])->getText().getText(), "text 0");
    });

    add("an update that moves the received time moves it in the date index", [](Fixture &f) {
        auto ids = f.importFrom(resource("a"), 2);
        auto form = updateForms(f, {ids[0]}).front();
        deliveryFormRecord(*form).setReceivedTime(at(100'000));
        VectorList<MessageBatchFormList> list({form});
        EXPECT(f.session->updateMessages(list)->getNextUpdateResponse().isSuccessful());
        EXPECT_EQ(collect(f.session->deleteMessagesByDate(at(0), at(1000))).size(), 1);
        auto late = collect(f.session->deleteMessagesByDate(at(99'000), at(200'000)));
        EXPECT_EQ(late.size(), 1);
        EXPECT_EQ(late[0].getDeletedId(), ids[0]);
    });

    add("an update form that makes the received time precede the sent time is invalid", [](Fixture &f) {
        auto ids = f.importFrom(resource("a"), 1, 1000);
        auto form = updateForms(f, ids).front();
        deliveryFormRecord(*form).setReceivedTime(at(0));
        EXPECT_FALSE(form->isValid());
        VectorList<MessageBatchFormList> list({form});
        auto r = f.session->updateMessages(list)->getNextUpdateResponse();
        EXPECT_EQ(r.getErrorCode(), ErrorCode::InvalidArgument);
        EXPECT_EQ(f.lookup->getMessage(ids[0])->getReceivedTime(), at(1000));
    });
}

} // namespace osid::conformance
