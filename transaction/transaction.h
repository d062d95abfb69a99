// osid::transaction::Transaction (OSID osid.transaction.Transaction): a unit
// of work started by OsidSession::startTransaction(). The calls made through
// that session after the start take effect together on commit(), or not at
// all on abort().

#pragma once

namespace osid::transaction {

// The states of a Transaction.
enum class TransactionState {
    // Started; calls made now belong to the transaction.
    Active,
    // prepare() succeeded; only commit() or abort() may follow.
    Prepared,
    Committed,
    Aborted,
};

class Transaction {
public:
    Transaction() = default;
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    // Destroying an active or prepared transaction aborts it.
    virtual ~Transaction() = default;

    // Checks that commit() will succeed and records the pending change
    // durably. No further calls join the transaction afterwards.
    // Errors: IllegalState (already committed or aborted), OperationFailed,
    //         PermissionDenied, TransactionFailure (an element is bad).
    virtual void prepare() = 0;

    // Makes every change of the transaction visible at once and ends it.
    // Errors: IllegalState (already committed or aborted), OperationFailed,
    //         PermissionDenied.
    virtual void commit() = 0;

    // Rolls back every change made since the start and ends the transaction.
    // Errors: IllegalState (already committed or aborted).
    virtual void abort() = 0;

    virtual TransactionState getState() const = 0;
};

} // namespace osid::transaction
