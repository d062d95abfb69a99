// SqlTransaction: the OSID Transaction of a store whose OSID transaction is
// one SQL transaction of its session's connection (the SQLite and the
// PostgreSQL stores). The state machine is here, once; what committing and
// giving up mean is the store's.
//
// Active -> (prepare) Prepared -> (commit) Committed, or (abort, a failed
// commit, or the Transaction dropped while open) Aborted. Once ended,
// prepare, commit and abort raise IllegalState.

#pragma once

#include "osid/errors.h"
#include "transaction/transaction.h"

#include <exception>
#include <memory>
#include <string>

namespace osid::impl {

// Where a store's OSID transaction stands, as the store sees it: its
// calls become savepoints while Active, and it takes none once Prepared.
enum class SqlTransactionState { None, Active, Prepared };

// `Store` has a member `SqlTransactionState transaction_` and
//   void commitTransaction();             // COMMIT; throws when it fails
//   void abandonTransaction() noexcept;   // undoes the transaction
// and befriends SqlTransaction<Store> when they are private.
template <class Store>
class SqlTransaction final : public transaction::Transaction {
public:
    // The transaction keeps the store (and its connection) alive.
    explicit SqlTransaction(std::shared_ptr<Store> store) : store_(std::move(store)) {}
    ~SqlTransaction() override
    {
        if (state_ == transaction::TransactionState::Active || state_ == transaction::TransactionState::Prepared)
            end(false);
    }

    void prepare() override
    {
        requireOpen();
        if (state_ == transaction::TransactionState::Prepared)
            return;
        // Neither SQLite nor a default PostgreSQL server offers two-phase
        // commit; the transaction already holds what it wrote, and from
        // here on the session takes no further calls.
        state_ = transaction::TransactionState::Prepared;
        store_->transaction_ = SqlTransactionState::Prepared;
    }

    void commit() override
    {
        requireOpen();
        end(true);
    }

    void abort() override
    {
        requireOpen();
        end(false);
    }

    transaction::TransactionState getState() const override { return state_; }

private:
    void requireOpen() const
    {
        if (state_ == transaction::TransactionState::Committed || state_ == transaction::TransactionState::Aborted)
            throw IllegalState("the transaction has already ended");
    }

    void end(bool commit)
    {
        store_->transaction_ = SqlTransactionState::None;
        if (commit) {
            try {
                store_->commitTransaction();
                state_ = transaction::TransactionState::Committed;
                return;
            } catch (const std::exception &e) {
                store_->abandonTransaction();
                state_ = transaction::TransactionState::Aborted;
                throw OperationFailed(std::string("the commit failed and the transaction was rolled back: ") +
                                      e.what());
            }
        }
        store_->abandonTransaction();
        state_ = transaction::TransactionState::Aborted;
    }

    std::shared_ptr<Store> store_;
    transaction::TransactionState state_ = transaction::TransactionState::Active;
};

} // namespace osid::impl
