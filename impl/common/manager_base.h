// ProfileBase<Interface> and ManagerBase<Interface>: the OsidProfile and
// OsidManager parts of every provider's managers: description, version,
// journaling (not supported), and initialize-once.

#pragma once

#include "osid/errors.h"
#include "osid/osid_manager.h"
#include "osid/vector_list.h"

#include <atomic>
#include <string>
#include <utility>

namespace osid::impl {

// What a provider says about itself.
struct ProviderDescription {
    Id id;
    std::string displayName;
    std::string description;
    Version version;
    DateTime releaseDate;
};

template <class Interface>
class ManagerBase : public Interface {
public:
    Id getId() const override { return description_.id; }
    DisplayText getDisplayName() const override { return DisplayText(description_.displayName); }
    DisplayText getDescription() const override { return DisplayText(description_.description); }
    Version getVersion() const override { return description_.version; }
    DateTime getReleaseDate() const override { return description_.releaseDate; }
    bool supportsOSIDVersion(const Version &version) const override
    {
        return version.major == kOsidSpecificationVersion.major && version <= kOsidSpecificationVersion;
    }
    std::vector<Locale> getLocales() const override { return {Locale{}}; }
    bool supportsJournalRollback() const override { return false; }
    bool supportsJournalBranching() const override { return false; }
    Id getBranchId() const override { throw Unimplemented("journal branching is not supported"); }
    std::unique_ptr<TypeList> getProxyRecordTypes() const override { return makeList<TypeList>({}); }
    bool supportsProxyRecordType(const Type &proxyRecordType) const override
    {
        if (proxyRecordType.isNull())
            throw NullArgument("proxyRecordType is null");
        return false;
    }

    void initialize(OsidRuntimeManager &) override
    {
        if (initialized_.exchange(true))
            throw IllegalState("the manager is already initialized");
    }
    void changeBranch(const Id &branchId) override
    {
        if (branchId.isNull())
            throw NullArgument("branchId is null");
        throw Unimplemented("journal branching is not supported");
    }
    void close() override {}

protected:
    explicit ManagerBase(ProviderDescription description) : description_(std::move(description)) {}

private:
    ProviderDescription description_;
    std::atomic<bool> initialized_{false};
};

} // namespace osid::impl
