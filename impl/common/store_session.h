// The base of every session the built-in providers share: a session over a
// MessageStore (transactions are the store's), and one bound to a mailbox.
// Private to the providers; consumers see sessions only through the OSID
// interfaces.

#pragma once

#include "impl/common/form_rules.h"
#include "impl/common/message_store.h"
#include "impl/common/object_form.h"
#include "impl/common/session_base.h"
#include "messaging/mailbox.h"

#include <memory>

namespace osid::impl {

// What a session works with: its store, the form limits and its agent.
struct SessionContext {
    std::shared_ptr<MessageStore> store;
    std::shared_ptr<const FormRules> rules;
    SessionAgent agent;
};

// An OSID transaction of a session: the store's, plus what the session
// must know of it. Shared by the session and the Transaction it handed
// out, so that closing the session can abort it.
struct OpenTransaction {
    std::unique_ptr<transaction::Transaction> inner;
    // What the forms spent inside it see of its outcome.
    std::shared_ptr<TransactionOutcome> outcome = std::make_shared<TransactionOutcome>();
    bool abortedByClose = false;

    bool ended() const
    {
        const auto state = inner->getState();
        return state == transaction::TransactionState::Committed || state == transaction::TransactionState::Aborted;
    }

    void abortIfOpen() noexcept
    {
        if (ended())
            return;
        try {
            inner->abort();
        } catch (...) {
            // The store ends the transaction even when its abort fails.
        }
        outcome->aborted = true;
    }
};

// The Transaction a store session hands out: the store's, which also
// tells the session's forms when it is aborted.
class SessionTransaction final : public transaction::Transaction {
public:
    explicit SessionTransaction(std::shared_ptr<OpenTransaction> open) : open_(std::move(open)) {}
    // A transaction dropped while open is aborted, as OSID's would be.
    ~SessionTransaction() override { open_->abortIfOpen(); }

    void prepare() override
    {
        requireNotClosed();
        open_->inner->prepare();
    }
    void commit() override
    {
        end([&] { open_->inner->commit(); });
    }
    void abort() override
    {
        end([&] { open_->inner->abort(); });
    }
    transaction::TransactionState getState() const override { return open_->inner->getState(); }

private:
    void requireNotClosed() const
    {
        if (open_->abortedByClose)
            throw IllegalState("the session was closed, which aborted this transaction");
    }
    // Runs commit or abort; a transaction that ends aborted (a failed
    // commit included) gives its spent forms back.
    template <class F>
    void end(const F &f)
    {
        requireNotClosed();
        try {
            f();
        } catch (...) {
            settle();
            throw;
        }
        settle();
    }
    void settle()
    {
        if (open_->inner->getState() == transaction::TransactionState::Aborted)
            open_->outcome->aborted = true;
    }

    std::shared_ptr<OpenTransaction> open_;
};

// SessionBase over a store: transactions are the store's. Closing or
// dropping the session aborts its open transaction.
template <class Interface>
class StoreSession : public SessionBase<Interface> {
public:
    ~StoreSession() override { abortOpenTransaction(); }

    bool supportsTransactions() const override { return this->requireOpen(), context_.store->supportsTransactions(); }
    std::unique_ptr<transaction::Transaction> startTransaction() override
    {
        this->requireOpen();
        auto open = std::make_shared<OpenTransaction>();
        open->inner = context_.store->startTransaction();
        transaction_ = open;
        return std::make_unique<SessionTransaction>(std::move(open));
    }
    void close() override
    {
        abortOpenTransaction();
        SessionBase<Interface>::close();
    }

protected:
    explicit StoreSession(SessionContext context) : SessionBase<Interface>(context.agent), context_(std::move(context))
    {
    }

    // The outcome of the transaction open on this session, null outside
    // one: what a form spent now is marked with.
    std::shared_ptr<const TransactionOutcome> openTransaction() const
    {
        return transaction_ && !transaction_->ended() ? transaction_->outcome : nullptr;
    }

    SessionContext context_;

private:
    void abortOpenTransaction() noexcept
    {
        if (!transaction_)
            return;
        if (!transaction_->ended()) {
            transaction_->abortIfOpen();
            transaction_->abortedByClose = true;
        }
        transaction_.reset();
    }

    std::shared_ptr<OpenTransaction> transaction_;
};

// A StoreSession bound to one mailbox: the message sessions. Answers the
// mailbox methods every such session has.
template <class Interface>
class MailboxSession : public StoreSession<Interface> {
public:
    Id getMailboxId() const override
    {
        this->requireOpen();
        return this->context_.store->read([&](const StoreReader &s) { return s.mailbox(mailbox_)->getId(); });
    }
    std::shared_ptr<messaging::Mailbox> getMailbox() const override
    {
        this->requireOpen();
        return this->context_.store->read([&](const StoreReader &s) { return s.mailbox(mailbox_); });
    }

protected:
    MailboxSession(SessionContext context, MailboxKey mailbox)
        : StoreSession<Interface>(std::move(context)), mailbox_(mailbox)
    {
    }

    const MailboxKey mailbox_;
};

} // namespace osid::impl
