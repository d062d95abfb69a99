// ProviderRuntime: built-in providers by name, plug-ins from the plug-in
// path, and the initialize() call on every manager handed out.

#include "runtime/provider_runtime.h"

#include "impl/memory/memory_provider.h"
#ifdef OSID_CPP_HAVE_SQLITE
#include "impl/sqlite/sqlite_provider.h"
#endif
#ifdef OSID_CPP_HAVE_POSTGRES
#include "impl/postgres/postgres_provider.h"
#endif
#include "osid/vector_list.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <sstream>

namespace osid::runtime {

namespace {

bool isProviderName(const std::string &name)
{
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
               c == '.';
    });
}

std::vector<std::string> splitPath(const char *text)
{
    std::vector<std::string> folders;
    std::stringstream in(text ? text : "");
    for (std::string folder; std::getline(in, folder, ':');)
        if (!folder.empty())
            folders.push_back(folder);
    return folders;
}

std::string osidName(OSID osid)
{
    switch (osid) {
    case OSID::MESSAGING: return "MESSAGING";
    case OSID::TRANSACTION: return "TRANSACTION";
    }
    return "UNKNOWN";
}

std::string pluginFileName(const std::string &name) { return "osid-provider-" + name + ".so"; }

} // namespace

struct ProviderRuntime::State {
    std::vector<std::string> pluginPath;
    mutable std::mutex mutex;
    std::map<std::string, BuiltinProvider> builtins;
    std::map<std::string, const ProviderPlugin *> plugins; // loaded ones, never unloaded
    bool initialized = false;

    // The factory of provider `name`: built in, already loaded, or loaded
    // now from the plug-in path.
    BuiltinProvider find(const std::string &name)
    {
        std::lock_guard lock(mutex);
        if (auto it = builtins.find(name); it != builtins.end())
            return it->second;
        auto it = plugins.find(name);
        if (it == plugins.end())
            it = plugins.emplace(name, load(name)).first;
        return it->second->makeManager;
    }

    const ProviderPlugin *load(const std::string &name) const
    {
        const auto fileName = pluginFileName(name);
        for (const auto &folder : pluginPath) {
            const auto file = std::filesystem::path(folder) / fileName;
            if (std::filesystem::exists(file))
                return open(name, file.string());
        }
        std::vector<std::string> names;
        for (const auto &entry : builtins)
            names.push_back(entry.first);
        throw NotFound(fmt::format("no provider named \"{}\": the built-in providers are {}, and no folder on the "
                                   "plug-in path ({}) has {}",
                                   name, names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", ")),
                                   pluginPath.empty() ? fmt::format("empty; set {}", kProviderPathVariable)
                                                      : fmt::format("{}", fmt::join(pluginPath, ":")),
                                   fileName));
    }

    static const ProviderPlugin *open(const std::string &name, const std::string &file)
    {
        void *library = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!library)
            throw ConfigurationError(fmt::format("cannot load plug-in {}: {}", file, dlerror()));
        using Entry = const ProviderPlugin *(*)();
        auto entry = reinterpret_cast<Entry>(dlsym(library, kProviderPluginSymbol));
        const ProviderPlugin *plugin = entry ? entry() : nullptr;
        if (!plugin) {
            dlclose(library);
            throw ConfigurationError(fmt::format("{} is not a provider plug-in: it does not define {}() "
                                                 "(see OSID_PROVIDER_PLUGIN in runtime/provider_plugin.h)",
                                                 file, kProviderPluginSymbol));
        }
        // Only interfaceVersion is read before it is known to match: the
        // rest of the layout may differ in other versions.
        if (plugin->interfaceVersion != kProviderInterfaceVersion)
            throw ConfigurationError(fmt::format("plug-in {} was built against provider interface version {}, "
                                                 "but this runtime has version {}: rebuild it against these headers",
                                                 file, plugin->interfaceVersion, kProviderInterfaceVersion));
        if (std::strcmp(plugin->standardLibrary, kStandardLibraryTag) != 0)
            throw ConfigurationError(fmt::format("plug-in {} was built with the {} standard library, but this "
                                                 "runtime uses {}: rebuild it with the same one",
                                                 file, plugin->standardLibrary, kStandardLibraryTag));
        if (name != plugin->name)
            throw ConfigurationError(
                fmt::format("plug-in {} calls itself \"{}\", not \"{}\"", file, plugin->name, name));
        if (!plugin->makeManager)
            throw ConfigurationError(fmt::format("plug-in {} has no factory", file));
        return plugin;
    }
};

ProviderRuntime::ProviderRuntime(RuntimeOptions options) : state_(std::make_unique<State>())
{
    state_->pluginPath = std::move(options.pluginPath);
    if (options.useEnvironment)
        for (auto &folder : splitPath(std::getenv(kProviderPathVariable)))
            state_->pluginPath.push_back(std::move(folder));
}

ProviderRuntime::~ProviderRuntime() = default;

void ProviderRuntime::registerProvider(const std::string &name, BuiltinProvider factory)
{
    if (!factory)
        throw NullArgument("factory is empty");
    if (!isProviderName(name))
        throw InvalidArgument(
            fmt::format("\"{}\" is not a provider name: use letters, digits, '_', '-' and '.'", name));
    std::lock_guard lock(state_->mutex);
    if (!state_->builtins.emplace(name, std::move(factory)).second)
        throw AlreadyExists(fmt::format("a provider named \"{}\" is already registered", name));
}

std::vector<std::string> ProviderRuntime::getBuiltinProviderNames() const
{
    std::lock_guard lock(state_->mutex);
    std::vector<std::string> names;
    for (const auto &entry : state_->builtins)
        names.push_back(entry.first);
    return names;
}

std::vector<std::string> ProviderRuntime::getPluginPath() const { return state_->pluginPath; }

std::shared_ptr<OsidManager> ProviderRuntime::getManager(OSID osid, const std::string &implementation,
                                                         const Version &version)
{
    if (implementation.empty())
        throw NullArgument("implementation is empty");
    const auto colon = implementation.find(':');
    const auto name = implementation.substr(0, colon);
    const auto configuration = colon == std::string::npos ? std::string() : implementation.substr(colon + 1);
    if (!isProviderName(name))
        throw NotFound(fmt::format("\"{}\" is not a provider name: use letters, digits, '_', '-' and '.'", name));

    auto factory = state_->find(name);
    std::shared_ptr<OsidManager> manager;
    try {
        manager = factory(osid, configuration);
    } catch (const OsidException &) {
        throw;
    } catch (const std::exception &e) {
        throw OperationFailed(fmt::format("provider \"{}\" failed: {}", name, e.what()));
    }
    if (!manager)
        throw Unsupported(fmt::format("provider \"{}\" does not implement the {} OSID", name, osidName(osid)));
    // Initialized first: an adapter knows what it supports only once it
    // has found the provider it wraps.
    manager->initialize(*this);
    if (!manager->supportsOSIDVersion(version))
        throw Unsupported(
            fmt::format("provider \"{}\" does not support OSID specification {}", name, version.toString()));
    return manager;
}

bool ProviderRuntime::supportsConfiguration() const { return false; }

void ProviderRuntime::initialize(OsidRuntimeManager &)
{
    std::lock_guard lock(state_->mutex);
    if (state_->initialized)
        throw IllegalState("the runtime is already initialized");
    state_->initialized = true;
}

void ProviderRuntime::changeBranch(const Id &branchId)
{
    if (branchId.isNull())
        throw NullArgument("branchId is null");
    throw Unimplemented("journal branching is not supported");
}

void ProviderRuntime::close() {}

Id ProviderRuntime::getId() const { return Id("osid-cpp", "osid.OsidRuntimeManager", "provider-runtime"); }
DisplayText ProviderRuntime::getDisplayName() const { return DisplayText("osid-cpp provider runtime"); }
DisplayText ProviderRuntime::getDescription() const
{
    return DisplayText("Built-in providers by name and provider plug-ins from the plug-in path.");
}
Version ProviderRuntime::getVersion() const { return Version{0, 1, 0}; }
DateTime ProviderRuntime::getReleaseDate() const { return DateTime::parse("2026-11-23T00:00:00Z"); }
bool ProviderRuntime::supportsOSIDVersion(const Version &version) const
{
    return version.major == kOsidSpecificationVersion.major && version <= kOsidSpecificationVersion;
}
std::vector<Locale> ProviderRuntime::getLocales() const { return {Locale{}}; }
bool ProviderRuntime::supportsJournalRollback() const { return false; }
bool ProviderRuntime::supportsJournalBranching() const { return false; }
Id ProviderRuntime::getBranchId() const { throw Unimplemented("journal branching is not supported"); }
std::unique_ptr<TypeList> ProviderRuntime::getProxyRecordTypes() const { return makeList<TypeList>({}); }
bool ProviderRuntime::supportsProxyRecordType(const Type &proxyRecordType) const
{
    if (proxyRecordType.isNull())
        throw NullArgument("proxyRecordType is null");
    return false;
}

std::shared_ptr<ProviderRuntime> makeProviderRuntime(RuntimeOptions options)
{
    auto runtime = std::make_shared<ProviderRuntime>(std::move(options));
    runtime->registerProvider(
        "memory", [](OSID osid, const std::string &configuration) -> std::shared_ptr<OsidManager> {
            if (osid != OSID::MESSAGING)
                return nullptr;
            return impl::memory::makeMemoryMessagingManager(impl::memory::memoryProviderOptions(configuration));
        });
#ifdef OSID_CPP_HAVE_SQLITE
    runtime->registerProvider(
        "sqlite", [](OSID osid, const std::string &configuration) -> std::shared_ptr<OsidManager> {
            if (osid != OSID::MESSAGING)
                return nullptr;
            return impl::sqlite::makeSqliteMessagingManager(impl::sqlite::sqliteProviderOptions(configuration));
        });
#endif
#ifdef OSID_CPP_HAVE_POSTGRES
    runtime->registerProvider(
        "postgres", [](OSID osid, const std::string &configuration) -> std::shared_ptr<OsidManager> {
            if (osid != OSID::MESSAGING)
                return nullptr;
            return impl::postgres::makePostgresMessagingManager(impl::postgres::postgresProviderOptions(configuration));
        });
#endif
    return runtime;
}

std::shared_ptr<messaging::MessagingManager> getMessagingManager(OsidRuntimeManager &runtime,
                                                                 const std::string &implementation)
{
    auto manager = runtime.getManager(OSID::MESSAGING, implementation, kOsidSpecificationVersion);
    auto messaging = std::dynamic_pointer_cast<messaging::MessagingManager>(manager);
    if (!messaging)
        throw Unsupported(
            fmt::format("provider \"{}\" returned a manager that is not a MessagingManager", implementation));
    return messaging;
}

} // namespace osid::runtime
