// MessageBatchAdminSession: getMessageFormsForCreate and createMessages.

#include "checks.h"

#include <algorithm>
#include <map>
#include <set>

namespace osid::conformance {

void addCreateChecks(Suite &suite)
{
    auto add =
        suite.area("createMessages", {Feature::MessageBatchAdmin, Feature::MessageLookup, Feature::DeliveryRecord});

    add("getMessageFormsForCreate gives n fresh create forms with distinct Ids", [](Fixture &f) {
        auto forms = collect(f.session->getMessageFormsForCreate(5, {}));
        EXPECT_EQ(forms.size(), 5);
        std::set<Id> formIds;
        for (const auto &form : forms) {
            EXPECT_FALSE(form->isForUpdate());
            EXPECT_THROWS(IllegalState, form->getMessageId());
            formIds.insert(form->getId());
        }
        EXPECT_EQ(formIds.size(), 5);
        EXPECT(collect(f.session->getMessageFormsForCreate(0, {})).empty());
    });

    add("create forms carry exactly the record types asked for", [](Fixture &f) {
        auto plain = f.session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        EXPECT_FALSE(plain->hasRecordType(deliveryRecordType()));
        EXPECT_THROWS(Unsupported, plain->getMessageFormRecord(deliveryRecordType()));

        auto delivery = f.session->getMessageFormsForCreate(1, {deliveryRecordType(), deliveryRecordType()})
                            ->getNextMessageBatchForm();
        EXPECT(delivery->hasRecordType(deliveryRecordType()));
        EXPECT_EQ(collect(delivery->getRecordTypes()), std::vector<Type>{deliveryRecordType()});
    });

    add("a create form outlives its list and the forms issued with it", [](Fixture &f) {
        std::shared_ptr<MessageBatchForm> kept;
        {
            auto forms = collect(f.session->getMessageFormsForCreate(3, {deliveryRecordType()}));
            kept = forms[1];
        }
        const Delivered m{"kept", "the other forms are gone", resource("alice"), at(1)};
        fillDelivered(*kept, m);
        VectorList<MessageBatchFormList> list(std::vector<std::shared_ptr<MessageBatchForm>>{kept});
        auto responses = collect(f.session->createMessages(list));
        EXPECT_EQ(responses.size(), 1);
        EXPECT(responses.at(0).isSuccessful());
        EXPECT_EQ(responses.at(0).getFormId(), kept->getId());
        EXPECT_EQ(f.lookup->getMessage(responses.at(0).getCreatedId())->getText().getText(), m.text);
    });

    add("getMessageFormsForCreate refuses unknown and null record types", [](Fixture &f) {
        EXPECT_THROWS(Unsupported, f.session->getMessageFormsForCreate(1, {Type("example.org", "records", "unknown")}));
        EXPECT_THROWS(NullArgument, f.session->getMessageFormsForCreate(1, {Type()}));
    });

    add("getMessageFormsForCreate refuses an absurd number of forms without allocating",
        [](Fixture &f) { EXPECT_THROWS(OperationFailed, f.session->getMessageFormsForCreate(UINT64_MAX, {})); });

    add("createMessages answers each form once, linked by form Id, and the messages exist", [](Fixture &f) {
        std::vector<Delivered> messages;
        for (int i = 0; i < 20; ++i)
            messages.push_back({"s" + std::to_string(i),
                                "t" + std::to_string(i),
                                resource("alice"),
                                at(i),
                                {resource("bob"), resource("carol"), resource("bob")}});
        auto forms = f.deliveryForms(messages);
        VectorList<MessageBatchFormList> list(forms);
        auto responses = collect(f.session->createMessages(list));
        EXPECT_EQ(responses.size(), forms.size());

        std::map<Id, std::size_t> formIndex;
        for (std::size_t i = 0; i < forms.size(); ++i)
            formIndex[forms[i]->getId()] = i;
        std::set<Id> answered;
        for (const auto &r : responses) {
            EXPECT(r.isSuccessful());
            EXPECT_THROWS(IllegalState, r.getErrorMessage());
            answered.insert(r.getFormId());
            const auto &expected = messages.at(formIndex.at(r.getFormId()));
            auto m = f.lookup->getMessage(r.getCreatedId());
            EXPECT_EQ(m->getId(), r.getCreatedId());
            EXPECT_EQ(m->getSubjectLine().getText(), expected.subject);
            EXPECT_EQ(m->getText().getText(), expected.text);
            EXPECT(m->isSent());
            EXPECT_EQ(m->getSenderId(), expected.sender);
            EXPECT_EQ(m->getSentTime(), expected.sent);
            EXPECT_EQ(m->getReceivedTime(), expected.sent); // defaults to the sent time
            EXPECT_EQ(m->getSendingAgentId(), f.session->getEffectiveAgentId());
            EXPECT_EQ(collect(m->getRecipientIds()), expected.recipients);
            EXPECT(m->hasRecordType(deliveryRecordType()));
        }
        EXPECT_EQ(answered.size(), forms.size());
        EXPECT_EQ(f.visibleIds().size(), forms.size());
    });

    add("a bad form fails alone while the good forms of the same call succeed", [](Fixture &f) {
        auto good = f.deliveryForms({{"ok", "ok", resource("a"), at(0)}, {"ok2", "ok2", resource("a"), at(1)}});
        auto invalid = f.session->getMessageFormsForCreate(1, {deliveryRecordType()})->getNextMessageBatchForm();
        invalid->setSubjectLine("no sender, no sent time");

        auto other = f.newBatchSession();
        auto foreign = other->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();

        auto existing = f.importFrom(resource("z"), 1).front();
        VectorList<IdList> ids({existing});
        auto updateForm = f.session->getMessageFormsForUpdate(ids)->getNextMessageBatchForm();

        VectorList<MessageBatchFormList> list({good[0], invalid, foreign, updateForm, good[1]});
        std::map<Id, transaction::batch::CreateResponse> byForm;
        for (const auto &r : f.session->createMessages(list))
            byForm.emplace(r.getFormId(), r);
        EXPECT_EQ(byForm.size(), 5);

        EXPECT(byForm.at(good[0]->getId()).isSuccessful());
        EXPECT(byForm.at(good[1]->getId()).isSuccessful());
        const auto &bad = byForm.at(invalid->getId());
        EXPECT_FALSE(bad.isSuccessful());
        EXPECT_EQ(bad.getErrorCode(), ErrorCode::InvalidArgument);
        EXPECT(bad.getErrorMessage().getText().find("sender") != std::string::npos);
        EXPECT_THROWS(IllegalState, bad.getCreatedId());
        EXPECT_EQ(byForm.at(foreign->getId()).getErrorCode(), ErrorCode::Unsupported);
        EXPECT_EQ(byForm.at(updateForm->getId()).getErrorCode(), ErrorCode::Unsupported);
        EXPECT_EQ(f.visibleIds().size(), 3);
    });

    add("a form that created a message fails when submitted again", [](Fixture &f) {
        auto forms = f.deliveryForms({{"once", "once", resource("a"), at(0)}});
        VectorList<MessageBatchFormList> first(forms);
        EXPECT(f.session->createMessages(first)->getNextCreateResponse().isSuccessful());

        VectorList<MessageBatchFormList> again(forms);
        auto r = f.session->createMessages(again)->getNextCreateResponse();
        EXPECT_FALSE(r.isSuccessful());
        EXPECT_EQ(r.getErrorCode(), ErrorCode::IllegalState);
        EXPECT_EQ(f.visibleIds().size(), 1);
    });

    add("a form whose create failed can be fixed and submitted again", [](Fixture &f) {
        auto form = f.session->getMessageFormsForCreate(1, {deliveryRecordType()})->getNextMessageBatchForm();
        form->setSubjectLine("draft");
        VectorList<MessageBatchFormList> first({form});
        EXPECT_FALSE(f.session->createMessages(first)->getNextCreateResponse().isSuccessful());

        deliveryFormRecord(*form).setSender(resource("a"));
        deliveryFormRecord(*form).setSentTime(at(0));
        VectorList<MessageBatchFormList> second({form});
        auto r = f.session->createMessages(second)->getNextCreateResponse();
        EXPECT(r.isSuccessful());
        EXPECT_EQ(f.lookup->getMessage(r.getCreatedId())->getSubjectLine().getText(), "draft");
    });

    add("the same form twice in one call creates one message and fails once", [](Fixture &f) {
        auto forms = f.deliveryForms({{"twice", "twice", resource("a"), at(0)}});
        VectorList<MessageBatchFormList> list({forms[0], forms[0]});
        auto responses = collect(f.session->createMessages(list));
        EXPECT_EQ(responses.size(), 2);
        const auto successes =
            std::count_if(responses.begin(), responses.end(), [](const auto &r) { return r.isSuccessful(); });
        EXPECT_EQ(successes, 1);
        EXPECT_EQ(f.visibleIds().size(), 1);
    });

    add("a null form in the list fails the whole call and creates nothing", [](Fixture &f) {
        auto forms = f.deliveryForms({{"a", "a", resource("a"), at(0)}});
        VectorList<MessageBatchFormList> list({forms[0], nullptr});
        EXPECT_THROWS(NullArgument, f.session->createMessages(list));
        EXPECT(f.visibleIds().empty());
        // The form was not spent by the refused call.
        VectorList<MessageBatchFormList> retry({forms[0]});
        EXPECT(f.session->createMessages(retry)->getNextCreateResponse().isSuccessful());
    });

    add("an empty form list gives an empty response list", [](Fixture &f) {
        VectorList<MessageBatchFormList> empty;
        EXPECT_FALSE(f.session->createMessages(empty)->hasNext());
    });

    add("a create form without records makes an unsent draft", [](Fixture &f) {
        auto form = f.session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        form->setSubjectLine("draft");
        VectorList<MessageBatchFormList> list({form});
        auto r = f.session->createMessages(list)->getNextCreateResponse();
        EXPECT(r.isSuccessful());
        auto m = f.lookup->getMessage(r.getCreatedId());
        EXPECT_FALSE(m->isSent());
        EXPECT_THROWS(IllegalState, m->getSenderId());
        EXPECT_THROWS(IllegalState, m->getSentTime());
        EXPECT_THROWS(IllegalState, m->getReceivedTime());
        EXPECT_THROWS(IllegalState, m->getRecipientIds());
        EXPECT_THROWS(IllegalState, m->getSendingAgentId());
    });

    add("forms issued by a batch session also work with the single createMessage", [](Fixture &f) {
        auto forms = f.deliveryForms({{"single", "single", resource("a"), at(0)}});
        auto m = f.session->createMessage(*forms[0]);
        EXPECT_EQ(m->getSubjectLine().getText(), "single");
        EXPECT_THROWS(IllegalState, f.session->createMessage(*forms[0]));
    });
}

} // namespace osid::conformance
