// OsidSession transactions: startTransaction() and the Transaction it
// gives, for providers whose sessions support them; Unsupported for the
// rest.

#include "checks.h"

#include <algorithm>

namespace osid::conformance {

namespace {

// Starts a transaction on `session` and creates one message in it.
std::unique_ptr<transaction::Transaction> startAndCreateOne(messaging::batch::MessageBatchAdminSession &session)
{
    auto tx = session.startTransaction();
    auto form = session.getMessageFormsForCreate(1, {deliveryRecordType()})->getNextMessageBatchForm();
    fillDelivered(*form, {"s", "t", resource("a"), at(0)});
    VectorList<MessageBatchFormList> list({form});
    EXPECT(session.createMessages(list)->getNextCreateResponse().isSuccessful());
    return tx;
}

} // namespace

void addTransactionChecks(Suite &suite)
{
    using transaction::TransactionState;
    auto add = suite.area("transactions", {Feature::MessageBatchAdmin, Feature::MessageLookup});

    add("startTransaction gives a transaction when supportsTransactions() is true and raises Unsupported when "
        "it is false",
        [](Fixture &f) {
            if (f.session->supportsTransactions()) {
                auto tx = f.session->startTransaction();
                EXPECT(tx != nullptr);
                tx->abort();
            } else {
                EXPECT_THROWS(Unsupported, f.session->startTransaction());
            }
        });

    add("a new transaction is active, and a second one on the same session raises IllegalState",
        {Feature::Transactions}, [](Fixture &f) {
            auto tx = f.session->startTransaction();
            EXPECT(tx != nullptr);
            EXPECT_EQ(tx->getState(), TransactionState::Active);
            EXPECT_THROWS(IllegalState, f.session->startTransaction());
            tx->abort();
        });

    add("commit makes every call made since the start visible at once",
        {Feature::Transactions, Feature::DeliveryRecord}, [](Fixture &f) {
            auto before = f.importFrom(resource("kept"), 2);
            auto tx = f.session->startTransaction();
            auto added = f.importFrom(resource("added"), 3);
            f.session->deleteMessagesBySender(resource("kept"));
            auto observer = f.manager->getMessageLookupSessionForMailbox(f.mailboxId);
            EXPECT_EQ(idSet(observer->getMessages()), std::set<Id>(before.begin(), before.end()));
            tx->commit();
            EXPECT_EQ(tx->getState(), TransactionState::Committed);
            EXPECT_EQ(idSet(observer->getMessages()), std::set<Id>(added.begin(), added.end()));
        });

    add("abort leaves the store as it was before the start", {Feature::Transactions, Feature::DeliveryRecord},
        [](Fixture &f) {
            auto before = f.importFrom(resource("kept"), 2);
            auto tx = f.session->startTransaction();
            f.importFrom(resource("added"), 3);
            f.session->deleteAllMessages();
            tx->abort();
            EXPECT_EQ(tx->getState(), TransactionState::Aborted);
            EXPECT_EQ(f.visibleIds(), std::set<Id>(before.begin(), before.end()));
        });

    add("a committed or aborted transaction raises IllegalState on commit, abort and prepare", {Feature::Transactions},
        [](Fixture &f) {
            auto committed = f.session->startTransaction();
            committed->commit();
            EXPECT_THROWS(IllegalState, committed->commit());
            EXPECT_THROWS(IllegalState, committed->abort());
            EXPECT_THROWS(IllegalState, committed->prepare());
            auto aborted = f.session->startTransaction();
            aborted->abort();
            EXPECT_THROWS(IllegalState, aborted->commit());
            EXPECT_THROWS(IllegalState, aborted->abort());
            EXPECT_THROWS(IllegalState, aborted->prepare());
        });

    add("a prepared transaction can still be committed", {Feature::Transactions, Feature::DeliveryRecord},
        [](Fixture &f) {
            auto tx = f.session->startTransaction();
            auto added = f.importFrom(resource("added"), 1);
            tx->prepare();
            EXPECT_EQ(tx->getState(), TransactionState::Prepared);
            tx->commit();
            EXPECT_EQ(f.visibleIds(), std::set<Id>(added.begin(), added.end()));
        });

    add("message Ids handed out inside an aborted transaction are never handed out again",
        {Feature::Transactions, Feature::DeliveryRecord}, [](Fixture &f) {
            auto before = f.importFrom(resource("kept"), 1);
            auto tx = f.session->startTransaction();
            auto aborted = f.importFrom(resource("aborted"), 3);
            tx->abort();
            for (const auto &id : aborted)
                EXPECT_THROWS(NotFound, f.lookup->getMessage(id));
            auto after = f.importFrom(resource("after"), 3);
            // Also through a new manager, which reads the key counter afresh,
            // where it is a view of the same store.
            std::unique_ptr<messaging::batch::MessageBatchAdminSession> otherSession;
            try {
                otherSession =
                    f.newManager()->getMessagingBatchManager()->getMessageBatchAdminSessionForMailbox(f.mailboxId);
            } catch (const NotFound &) {
                // Another store: it cannot hold these Ids.
            }
            if (otherSession) {
                auto form =
                    otherSession->getMessageFormsForCreate(1, {deliveryRecordType()})->getNextMessageBatchForm();
                fillDelivered(*form, {"s", "t", resource("other"), at(0)});
                VectorList<MessageBatchFormList> list({form});
                after.push_back(otherSession->createMessages(list)->getNextCreateResponse().getCreatedId());
            }
            for (const auto &id : after) {
                EXPECT_MSG(std::find(aborted.begin(), aborted.end(), id) == aborted.end(),
                           "{} was handed out inside the aborted transaction and again after it", id.toString());
                EXPECT_MSG(std::find(before.begin(), before.end(), id) == before.end(), "{} handed out twice",
                           id.toString());
            }
        });

    add("create and update forms that succeeded inside an aborted transaction can be submitted again",
        {Feature::Transactions, Feature::DeliveryRecord}, [](Fixture &f) {
            auto existing = f.importFrom(resource("kept"), 1);
            auto creates = f.deliveryForms({{"s1", "t1", resource("a"), at(0)}, {"s2", "t2", resource("a"), at(60)}});
            VectorList<IdList> ids(existing);
            auto update = f.session->getMessageFormsForUpdate(ids)->getNextMessageBatchForm();
            update->setText("updated");

            auto tx = f.session->startTransaction();
            VectorList<MessageBatchFormList> createList(creates);
            for (const auto &r : f.session->createMessages(createList))
                EXPECT(r.isSuccessful());
            VectorList<MessageBatchFormList> updateList({update});
            EXPECT(f.session->updateMessages(updateList)->getNextUpdateResponse().isSuccessful());
            tx->abort();
            EXPECT_EQ(f.visibleIds(), std::set<Id>(existing.begin(), existing.end()));
            EXPECT_EQ(f.lookup->getMessage(existing[0])->getText().getText(), "text 0");

            VectorList<MessageBatchFormList> createAgain(creates);
            for (const auto &r : f.session->createMessages(createAgain))
                EXPECT_MSG(r.isSuccessful(), "resubmitting a create form after abort failed: {}",
                           r.getErrorMessage().getText());
            VectorList<MessageBatchFormList> updateAgain({update});
            auto r = f.session->updateMessages(updateAgain)->getNextUpdateResponse();
            EXPECT_MSG(r.isSuccessful(), "resubmitting an update form after abort failed: {}",
                       r.getErrorMessage().getText());
            EXPECT_EQ(f.visibleIds().size(), 3);
            EXPECT_EQ(f.lookup->getMessage(existing[0])->getText().getText(), "updated");
        });

    add("forms that succeeded inside a committed transaction stay spent",
        {Feature::Transactions, Feature::DeliveryRecord}, [](Fixture &f) {
            auto creates = f.deliveryForms({{"s1", "t1", resource("a"), at(0)}});
            auto tx = f.session->startTransaction();
            VectorList<MessageBatchFormList> list(creates);
            EXPECT(f.session->createMessages(list)->getNextCreateResponse().isSuccessful());
            tx->commit();
            VectorList<MessageBatchFormList> again(creates);
            EXPECT_EQ(f.session->createMessages(again)->getNextCreateResponse().getErrorCode(),
                      ErrorCode::IllegalState);
            // Nor does an abort of a later transaction give them back.
            auto later = f.session->startTransaction();
            later->abort();
            VectorList<MessageBatchFormList> third(creates);
            EXPECT_EQ(f.session->createMessages(third)->getNextCreateResponse().getErrorCode(),
                      ErrorCode::IllegalState);
            EXPECT_EQ(f.visibleIds().size(), 1);
        });

    add("closing a session aborts its open transaction: its changes are gone, other writers go on, and the "
        "transaction raises IllegalState",
        {Feature::Transactions, Feature::DeliveryRecord}, [](Fixture &f) {
            auto closing = f.newBatchSession();
            auto tx = startAndCreateOne(*closing);
            closing->close();
            EXPECT_EQ(tx->getState(), TransactionState::Aborted);
            EXPECT_THROWS(IllegalState, tx->commit());
            EXPECT_THROWS(IllegalState, tx->prepare());
            EXPECT_THROWS(IllegalState, tx->abort());
            EXPECT(f.visibleIds().empty());
            // The write lock is free: another session writes at once.
            auto ids = f.importFrom(resource("b"), 1);
            EXPECT_EQ(f.visibleIds(), std::set<Id>(ids.begin(), ids.end()));
        });

    add("dropping an open transaction aborts it, and its forms can be submitted again",
        {Feature::Transactions, Feature::DeliveryRecord}, [](Fixture &f) {
            auto creates = f.deliveryForms({{"s1", "t1", resource("a"), at(0)}});
            {
                auto tx = f.session->startTransaction();
                VectorList<MessageBatchFormList> list(creates);
                EXPECT(f.session->createMessages(list)->getNextCreateResponse().isSuccessful());
            }
            EXPECT(f.visibleIds().empty());
            VectorList<MessageBatchFormList> again(creates);
            EXPECT(f.session->createMessages(again)->getNextCreateResponse().isSuccessful());
            EXPECT_EQ(f.visibleIds().size(), 1);
        });

    add("dropping a session aborts its open transaction", {Feature::Transactions, Feature::DeliveryRecord},
        [](Fixture &f) {
            auto dropped = f.newBatchSession();
            auto tx = startAndCreateOne(*dropped);
            dropped.reset();
            EXPECT_EQ(tx->getState(), TransactionState::Aborted);
            EXPECT_THROWS(IllegalState, tx->commit());
            EXPECT(f.visibleIds().empty());
            auto ids = f.importFrom(resource("b"), 1);
            EXPECT_EQ(f.visibleIds(), std::set<Id>(ids.begin(), ids.end()));
        });
}

} // namespace osid::conformance
