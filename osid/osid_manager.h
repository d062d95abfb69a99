// osid::OsidManager (OSID osid.OsidManager): one instance of a service, the
// factory of its sessions.
//
// A manager is thread-safe: any thread may ask it for sessions at any time.
// Managers are shared (std::shared_ptr); sessions keep what they need alive.

#pragma once

#include "osid/id.h"
#include "osid/osid_profile.h"

namespace osid {

class OsidRuntimeManager;

class OsidManager : public virtual OsidProfile {
public:
    // Called once by the runtime that loaded this manager, before use.
    // Errors: ConfigurationError, IllegalState (already initialized),
    //         OperationFailed.
    virtual void initialize(OsidRuntimeManager &runtime) = 0;

    // Switches the journal branch.
    // Errors: NotFound, NullArgument, OperationFailed, PermissionDenied,
    //         Unimplemented (supportsJournalBranching() is false).
    virtual void changeBranch(const Id &branchId) = 0;

    // Binding-level: releases shared resources. Sessions already handed out
    // keep working until they are closed.
    virtual void close() = 0;
};

} // namespace osid
