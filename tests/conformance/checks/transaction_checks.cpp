// OsidSession transactions: startTransaction() and the Transaction it
// gives, for providers whose sessions support them; Unsupported for the
// rest.

#include "checks.h"

namespace osid::conformance {

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

    add("commit makes every call made since the start visible at once", {Feature::Transactions, Feature::DeliveryRecord},
        [](Fixture &f) {
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

    add("a committed or aborted transaction raises IllegalState on commit, abort and prepare",
        {Feature::Transactions}, [](Fixture &f) {
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
}

} // namespace osid::conformance
