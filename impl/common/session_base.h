// SessionBase<Interface>: the OsidSession part of every session: the
// agent it acts for, the closed state, and transactions (none by default).
//
// Every public method of a derived session starts with requireOpen(), so
// that after close() each call raises IllegalState.

#pragma once

#include "impl/common/object_form.h"
#include "impl/common/session_agent.h"
#include "impl/common/snapshots.h"
#include "osid/errors.h"
#include "osid/osid_session.h"
#include "transaction/transaction.h"

#include <memory>
#include <utility>

namespace osid::impl {

template <class Interface>
class SessionBase : public Interface {
public:
    Locale getLocale() const override { return requireOpen(), Locale{}; }
    bool isAuthenticated() const override { return requireOpen(), agent_.authenticated; }
    Id getAuthenticatedAgentId() const override
    {
        requireOpen();
        if (!agent_.authenticated)
            throw IllegalState("no agent is authenticated in this session");
        return agent_.effectiveAgentId;
    }
    std::shared_ptr<authentication::Agent> getAuthenticatedAgent() const override
    {
        return std::make_shared<AgentSnapshot>(ObjectFields{getAuthenticatedAgentId(), {}, {}, {}, {}});
    }
    Id getEffectiveAgentId() const override { return requireOpen(), agent_.effectiveAgentId; }
    std::shared_ptr<authentication::Agent> getEffectiveAgent() const override
    {
        return std::make_shared<AgentSnapshot>(ObjectFields{getEffectiveAgentId(), {}, {}, {}, {}});
    }
    DateTime getDate() const override { return requireOpen(), DateTime::now(); }
    double getClockRate() const override { return requireOpen(), 1.0; }
    Type getFormatType() const override { return requireOpen(), types::plainTextFormat(); }
    bool supportsTransactions() const override { return requireOpen(), false; }
    std::unique_ptr<transaction::Transaction> startTransaction() override
    {
        requireOpen();
        throw Unsupported("this provider does not support transactions");
    }
    // Closing twice is harmless, as with any closeable resource.
    void close() override { closed_ = true; }

protected:
    explicit SessionBase(SessionAgent agent) : agent_(std::move(agent)) {}

    void requireOpen() const
    {
        if (closed_)
            throw IllegalState("this session has been closed");
    }

    // This session's serial: forms it issues work only here.
    std::uint64_t serial() const noexcept { return serial_; }
    const SessionAgent &agent() const noexcept { return agent_; }

private:
    SessionAgent agent_;
    std::uint64_t serial_ = nextSerial();
    bool closed_ = false;
};

} // namespace osid::impl
