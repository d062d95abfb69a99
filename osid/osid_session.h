// osid::OsidSession (OSID osid.OsidSession): the base of every session.
//
// A session serves one consumer on one thread at a time and need not be
// thread-safe; open one session per thread. Many sessions over one store
// may run on different threads at once.
//
// After close(), every method of a session raises IllegalState ("this
// session has been closed"); close() itself may be called again harmlessly.
// A session holds what it needs of its manager, so it stays valid even if
// the manager is released first.

#pragma once

#include "authentication/agent.h"
#include "osid/datetime.h"
#include "osid/id.h"
#include "osid/locale.h"
#include "osid/type.h"

#include <memory>

namespace osid {

namespace transaction {
class Transaction;
}

class OsidSession {
public:
    OsidSession() = default;
    OsidSession(const OsidSession &) = delete;
    OsidSession &operator=(const OsidSession &) = delete;
    virtual ~OsidSession() = default;

    // The localization in effect.
    virtual Locale getLocale() const = 0;

    // Whether an agent is authenticated in this session.
    virtual bool isAuthenticated() const = 0;

    // The authenticated agent.
    // Errors: IllegalState (isAuthenticated() is false).
    virtual Id getAuthenticatedAgentId() const = 0;

    // Errors: IllegalState (isAuthenticated() is false), OperationFailed.
    virtual std::shared_ptr<authentication::Agent> getAuthenticatedAgent() const = 0;

    // The agent used for authorization; an anonymous agent when nobody is
    // authenticated.
    virtual Id getEffectiveAgentId() const = 0;

    // Errors: OperationFailed.
    virtual std::shared_ptr<authentication::Agent> getEffectiveAgent() const = 0;

    // The service date: now, or the effective date of this session.
    virtual DateTime getDate() const = 0;

    // How fast the service clock runs compared with real time (1.0).
    virtual double getClockRate() const = 0;

    // The preferred format of DisplayText results.
    virtual Type getFormatType() const = 0;

    // Whether startTransaction() is available.
    virtual bool supportsTransactions() const = 0;

    // Starts a transaction: the calls made through this session until the
    // transaction commits or aborts take effect together or not at all.
    // Errors: IllegalState (a transaction is already open), OperationFailed,
    //         Unsupported (supportsTransactions() is false).
    virtual std::unique_ptr<transaction::Transaction> startTransaction() = 0;

    // Binding-level: releases the session. Afterwards every call raises
    // IllegalState.
    virtual void close() = 0;
};

} // namespace osid
