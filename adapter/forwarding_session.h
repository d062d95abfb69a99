// osid::adapter::ForwardingSession<Interface>: an OsidSession that passes
// every call to an inner session of the same interface.
//
// The base of the forwarding sessions in forwarding_messaging_sessions.h,
// with which an adapter provider overrides only the calls it changes.

#pragma once

#include "osid/errors.h"
#include "osid/osid_session.h"
#include "transaction/transaction.h"

#include <memory>
#include <utility>

namespace osid::adapter {

template <class Interface>
class ForwardingSession : public Interface {
public:
    // Errors: NullArgument (a null inner session).
    explicit ForwardingSession(std::unique_ptr<Interface> inner) : inner_(std::move(inner))
    {
        if (!inner_)
            throw NullArgument("the inner session is null");
    }

    Locale getLocale() const override { return inner_->getLocale(); }
    bool isAuthenticated() const override { return inner_->isAuthenticated(); }
    Id getAuthenticatedAgentId() const override { return inner_->getAuthenticatedAgentId(); }
    std::shared_ptr<authentication::Agent> getAuthenticatedAgent() const override
    {
        return inner_->getAuthenticatedAgent();
    }
    Id getEffectiveAgentId() const override { return inner_->getEffectiveAgentId(); }
    std::shared_ptr<authentication::Agent> getEffectiveAgent() const override { return inner_->getEffectiveAgent(); }
    DateTime getDate() const override { return inner_->getDate(); }
    double getClockRate() const override { return inner_->getClockRate(); }
    Type getFormatType() const override { return inner_->getFormatType(); }
    bool supportsTransactions() const override { return inner_->supportsTransactions(); }
    std::unique_ptr<transaction::Transaction> startTransaction() override { return inner_->startTransaction(); }
    void close() override { inner_->close(); }

protected:
    Interface &inner() const { return *inner_; }

private:
    std::unique_ptr<Interface> inner_;
};

} // namespace osid::adapter
