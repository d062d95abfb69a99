// osid::runtime::ProviderRuntime: the OsidRuntimeManager of this
// framework. It hands out managers by provider name and configuration:
//
//   auto runtime = osid::runtime::makeProviderRuntime();
//   auto manager = osid::runtime::getMessagingManager(*runtime, "memory");
//   auto other   = osid::runtime::getMessagingManager(*runtime, "mine:path=/var/lib/x");
//
// An implementation string is NAME or NAME:CONFIGURATION. The runtime looks
// NAME up among the providers registered with registerProvider() (the
// built-in ones are registered by makeProviderRuntime()), then on the
// plug-in path for a shared library osid-provider-NAME.so
// (runtime/provider_plugin.h). The configuration text goes to the provider
// unread.
//
// Every manager the runtime returns has been initialized with the runtime
// itself, so an adapter provider can ask it for the provider it wraps.
//
// Thread-safety: getManager() and registerProvider() may be called from any
// thread. Loaded plug-ins stay loaded for the life of the process, since
// managers and objects made by their code may outlive the runtime.

#pragma once

#include "messaging/messaging_manager.h"
#include "osid/osid_runtime_manager.h"
#include "runtime/provider_plugin.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace osid::runtime {

// The environment variable holding plug-in folders, separated by ':'.
inline constexpr const char *kProviderPathVariable = "OSID_PROVIDER_PATH";

struct RuntimeOptions {
    // Folders searched for plug-ins, in this order, before the ones in
    // OSID_PROVIDER_PATH.
    std::vector<std::string> pluginPath;
    // Whether OSID_PROVIDER_PATH is read at all.
    bool useEnvironment = true;
};

// A provider compiled into the process: like ProviderFactory, but may carry
// state.
using BuiltinProvider = std::function<std::shared_ptr<OsidManager>(OSID osid, const std::string &configuration)>;

class ProviderRuntime final : public OsidRuntimeManager {
public:
    // A runtime that knows no built-in provider; see makeProviderRuntime().
    explicit ProviderRuntime(RuntimeOptions options = {});
    ~ProviderRuntime() override;

    // Makes provider `name` available without a plug-in.
    // Errors: AlreadyExists (the name is taken), InvalidArgument (a name
    //         that is empty or has characters other than letters, digits,
    //         '_', '-' and '.'), NullArgument (an empty factory).
    void registerProvider(const std::string &name, BuiltinProvider factory);

    // The names registerProvider() was given, sorted.
    std::vector<std::string> getBuiltinProviderNames() const;

    // The folders searched for plug-ins, in order.
    std::vector<std::string> getPluginPath() const;

    // OsidRuntimeManager. Errors:
    //   NullArgument       an empty implementation string
    //   NotFound           no built-in provider and no plug-in of that name
    //   ConfigurationError a plug-in that cannot be loaded, is not a
    //                      provider plug-in, or was built against other
    //                      interface headers or another standard library;
    //                      a configuration the provider refuses
    //   Unsupported        the provider does not implement `osid`, or not
    //                      `version` of the specification
    //   OperationFailed    the provider failed in another way
    std::shared_ptr<OsidManager> getManager(OSID osid, const std::string &implementation,
                                            const Version &version) override;
    bool supportsConfiguration() const override;

    // OsidManager and OsidProfile.
    void initialize(OsidRuntimeManager &runtime) override;
    void changeBranch(const Id &branchId) override;
    void close() override;
    Id getId() const override;
    DisplayText getDisplayName() const override;
    DisplayText getDescription() const override;
    Version getVersion() const override;
    DateTime getReleaseDate() const override;
    bool supportsOSIDVersion(const Version &version) const override;
    std::vector<Locale> getLocales() const override;
    bool supportsJournalRollback() const override;
    bool supportsJournalBranching() const override;
    Id getBranchId() const override;
    std::unique_ptr<TypeList> getProxyRecordTypes() const override;
    bool supportsProxyRecordType(const Type &proxyRecordType) const override;

private:
    struct State;
    std::unique_ptr<State> state_;
};

// A runtime with the built-in providers registered: "memory" (the
// in-memory reference provider, configuration keys authority=TEXT and
// agent=ID).
std::shared_ptr<ProviderRuntime> makeProviderRuntime(RuntimeOptions options = {});

// runtime.getManager(OSID::MESSAGING, implementation, this specification)
// as a MessagingManager. Errors: as getManager(); Unsupported also when the
// manager returned is not a MessagingManager.
std::shared_ptr<messaging::MessagingManager> getMessagingManager(OsidRuntimeManager &runtime,
                                                                 const std::string &implementation);

} // namespace osid::runtime
