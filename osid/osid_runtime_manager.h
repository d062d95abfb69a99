// osid::OsidRuntimeManager (OSID osid.OsidRuntimeManager): the platform
// that finds, loads and initializes providers.
//
// getManager() returns a manager on which initialize(runtime) has been
// called exactly once; the caller casts it to the package manager it asked
// for (MessagingManager for OSID::MESSAGING).

#pragma once

#include "osid/osid_manager.h"
#include "osid/version.h"

#include <memory>
#include <string>

namespace osid {

// OSID osid.OSID: the service packages a runtime can be asked for (the
// ones this framework mirrors).
enum class OSID {
    MESSAGING,
    TRANSACTION,
};

class OsidRuntimeManager : public OsidManager {
public:
    // A manager of `osid` from the provider named `implementation`,
    // supporting at least specification `version`.
    // Errors: ConfigurationError, NotFound (no such provider),
    //         NullArgument (an empty implementation name), OperationFailed,
    //         Unsupported (the provider does not implement `osid`, or not
    //         that version).
    virtual std::shared_ptr<OsidManager> getManager(OSID osid, const std::string &implementation,
                                                    const Version &version) = 0;

    // Whether getConfiguration() is available (not mirrored yet).
    virtual bool supportsConfiguration() const = 0;
};

} // namespace osid
