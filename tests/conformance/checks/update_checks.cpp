// MessageBatchAdminSession: getMessageFormsForUpdate and updateMessages.

#include "checks.h"

#include <algorithm>
#include <map>
#include <set>
#include <exception>
#include <thread>
#include <utility>

namespace osid::conformance {

namespace {

// One message sent at T+100 s and received at T+200 s.
Id importSentAndReceived(Fixture &f)
{
    auto form = f.deliveryForms({{"subject", "text", resource("a"), at(100)}}).front();
    deliveryFormRecord(*form).setReceivedTime(at(200));
    VectorList<MessageBatchFormList> list({form});
    auto r = f.session->createMessages(list)->getNextCreateResponse();
    EXPECT_MSG(r.isSuccessful(), "importing the test message failed: {}", r.getErrorMessage().getText());
    return r.getCreatedId();
}

// Two update forms for `id`, each valid alone: one moves the sent time to
// T+150 s, the other the received time to T+120 s. Together they would
// put the received time before the sent time.
std::pair<std::shared_ptr<MessageBatchForm>, std::shared_ptr<MessageBatchForm>> conflictingTimeForms(
    messaging::batch::MessageBatchAdminSession &session, const Id &id)
{
    VectorList<IdList> ids({id, id});
    auto forms = collect(session.getMessageFormsForUpdate(ids));
    deliveryFormRecord(*forms[0]).setSentTime(at(150));
    deliveryFormRecord(*forms[1]).setReceivedTime(at(120));
    EXPECT(forms[0]->isValid());
    EXPECT(forms[1]->isValid());
    return {forms[0], forms[1]};
}

// The message keeps received >= sent, and a later update form for it works.
void expectTimesInOrder(Fixture &f, const Id &id)
{
    auto m = f.lookup->getMessage(id);
    EXPECT_MSG(m->getReceivedTime() >= m->getSentTime(), "received {} is before sent {}",
               m->getReceivedTime().toString(), m->getSentTime().toString());
    VectorList<IdList> ids({id});
    auto later = f.session->getMessageFormsForUpdate(ids)->getNextMessageBatchForm();
    later->setSubjectLine("later");
    EXPECT(later->isValid());
    VectorList<MessageBatchFormList> list({later});
    EXPECT(f.session->updateMessages(list)->getNextUpdateResponse().isSuccessful());
}

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
        f.session->aliasMessage(ids[2], legacyId("x"));
        auto forms = updateForms(f, {ids[0], ids[1], legacyId("x")});
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

    add("an update form keeps the existing values it was issued with after its message is updated or deleted",
        [](Fixture &f) {
            auto ids =
                f.import({{"first subject", std::string(300, 'x'), resource("alice"), at(0), {resource("bob")}},
                          {"other subject", std::string(300, 'y'), resource("alice"), at(1), {resource("bob")}}});
            auto forms = updateForms(f, ids);
            auto changer = f.session->getMessageFormForUpdate(ids[0]);
            changer->setSubjectLine("second subject");
            changer->setText("short");
            f.session->updateMessage(*changer);
            f.session->deleteMessage(ids[1]);
            const auto existing = [](const Metadata &m) { return m.getExistingStringValues(); };
            EXPECT_EQ(existing(forms[0]->getSubjectLineMetadata()), std::vector<std::string>{"first subject"});
            EXPECT_EQ(existing(forms[0]->getTextMetadata()), std::vector<std::string>{std::string(300, 'x')});
            EXPECT_EQ(existing(forms[1]->getSubjectLineMetadata()), std::vector<std::string>{"other subject"});
            EXPECT_EQ(existing(forms[1]->getTextMetadata()), std::vector<std::string>{std::string(300, 'y')});
            // What the consumer sets replaces the existing value; a clear
            // leaves none.
            forms[0]->setText("mine");
            EXPECT_EQ(existing(forms[0]->getTextMetadata()), std::vector<std::string>{"mine"});
            EXPECT(forms[0]->getTextMetadata().hasSuppliedValue());
            forms[0]->clearText();
            EXPECT(existing(forms[0]->getTextMetadata()).empty());
            EXPECT_EQ(existing(forms[0]->getSubjectLineMetadata()), std::vector<std::string>{"first subject"});
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

    add("two update forms of one call for the same message both apply, the second to what the first left",
        [](Fixture &f) {
            auto ids = f.importFrom(resource("a"), 2);
            f.session->aliasMessage(ids[0], legacyId("same"));
            // The same message through its Id and through an alias, and a
            // bystander changed in other columns.
            auto forms = updateForms(f, {ids[0], legacyId("same"), ids[1], ids[0]});
            forms[0]->setText("first text");
            forms[1]->setSubjectLine("second subject");
            deliveryFormRecord(*forms[2]).setSender(resource("b"));
            forms[3]->setText("last text");
            VectorList<MessageBatchFormList> list(forms);
            for (const auto &r : f.session->updateMessages(list))
                EXPECT_MSG(r.isSuccessful(), "an update failed: {}", r.getErrorMessage().getText());
            auto m = f.lookup->getMessage(ids[0]);
            EXPECT_EQ(m->getText().getText(), "last text");
            EXPECT_EQ(m->getSubjectLine().getText(), "second subject");
            EXPECT_EQ(m->getSenderId(), resource("a"));
            auto other = f.lookup->getMessage(ids[1]);
            EXPECT_EQ(other->getSenderId(), resource("b"));
            EXPECT_EQ(other->getText().getText(), "text 1");
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

    add("two update forms of one call that together would put the received time before the sent time: one "
        "succeeds, the other fails alone with InvalidArgument",
        [](Fixture &f) {
            const Id id = importSentAndReceived(f);
            auto [sent, received] = conflictingTimeForms(*f.session, id);
            auto other = f.importFrom(resource("b"), 1);
            VectorList<IdList> otherIds(other);
            auto bystander = f.session->getMessageFormsForUpdate(otherIds)->getNextMessageBatchForm();
            bystander->setText("changed");
            VectorList<MessageBatchFormList> list({sent, received, bystander});
            std::map<Id, transaction::batch::UpdateResponse> byForm;
            for (const auto &r : f.session->updateMessages(list))
                byForm.emplace(r.getFormId(), r);
            EXPECT_EQ(byForm.size(), 3);
            const auto &a = byForm.at(sent->getId());
            const auto &b = byForm.at(received->getId());
            EXPECT_MSG(a.isSuccessful() != b.isSuccessful(), "exactly one must succeed; sent: {}, received: {}",
                       a.isSuccessful(), b.isSuccessful());
            EXPECT_EQ((a.isSuccessful() ? b : a).getErrorCode(), ErrorCode::InvalidArgument);
            EXPECT(byForm.at(bystander->getId()).isSuccessful());
            expectTimesInOrder(f, id);
        });

    add("an update form checked against the message as it is when applied: valid when taken, refused with "
        "InvalidArgument after another update moved the other time",
        [](Fixture &f) {
            const Id id = importSentAndReceived(f);
            const auto forms = conflictingTimeForms(*f.session, id);
            const auto &sent = forms.first;
            const auto &received = forms.second;
            VectorList<MessageBatchFormList> first({sent});
            EXPECT(f.session->updateMessages(first)->getNextUpdateResponse().isSuccessful());
            VectorList<MessageBatchFormList> second({received});
            auto r = f.session->updateMessages(second)->getNextUpdateResponse();
            EXPECT_EQ(r.getErrorCode(), ErrorCode::InvalidArgument);
            // The single-item call raises the same error.
            EXPECT_THROWS(InvalidArgument, f.session->updateMessage(*received));
            EXPECT_EQ(f.lookup->getMessage(id)->getSentTime(), at(150));
            EXPECT_EQ(f.lookup->getMessage(id)->getReceivedTime(), at(200));
            expectTimesInOrder(f, id);
        });

    add("two sessions updating the same messages at once never leave a received time before the sent time",
        [](Fixture &f) {
            constexpr int kMessages = 40;
            std::vector<Id> ids;
            for (int i = 0; i < kMessages; ++i)
                ids.push_back(importSentAndReceived(f));
            auto first = f.newBatchSession();
            auto second = f.newBatchSession();
            // Each session updates every message, one call per message, so
            // that the two interleave.
            auto formsFor = [&](messaging::batch::MessageBatchAdminSession &session, bool moveSent) {
                std::vector<std::shared_ptr<MessageBatchForm>> forms;
                for (const auto &id : ids) {
                    auto pair = conflictingTimeForms(session, id);
                    forms.push_back(moveSent ? pair.first : pair.second);
                }
                return forms;
            };
            const auto sentForms = formsFor(*first, true);
            const auto receivedForms = formsFor(*second, false);
            std::vector<int> succeeded(2 * kMessages, 0);
            auto run = [&](messaging::batch::MessageBatchAdminSession &session,
                           const std::vector<std::shared_ptr<MessageBatchForm>> &forms, int offset) {
                for (int i = 0; i < kMessages; ++i) {
                    VectorList<MessageBatchFormList> list({forms[static_cast<std::size_t>(i)]});
                    succeeded[static_cast<std::size_t>(offset + i)] =
                        session.updateMessages(list)->getNextUpdateResponse().isSuccessful() ? 1 : 0;
                }
            };
            // An exception leaves its thread as an exception_ptr, raised here.
            std::exception_ptr errors[2];
            auto guarded = [&](int which, auto &&body) {
                try {
                    body();
                } catch (...) {
                    errors[which] = std::current_exception();
                }
            };
            std::thread a([&] { guarded(0, [&] { run(*first, sentForms, 0); }); });
            std::thread b([&] { guarded(1, [&] { run(*second, receivedForms, kMessages); }); });
            a.join();
            b.join();
            for (const auto &e : errors)
                if (e)
                    std::rethrow_exception(e);
            for (int i = 0; i < kMessages; ++i) {
                const auto index = static_cast<std::size_t>(i);
                EXPECT_MSG(succeeded[index] + succeeded[index + kMessages] == 1,
                           "message {}: {} of the two updates succeeded", i,
                           succeeded[index] + succeeded[index + kMessages]);
                auto m = f.lookup->getMessage(ids[index]);
                EXPECT(m->getReceivedTime() >= m->getSentTime());
            }
        });
}

} // namespace osid::conformance
