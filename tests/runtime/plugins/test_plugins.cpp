// Plug-ins for the runtime's tests, one shared module per macro below
// (tests/meson.build builds this file once per variant).
//
//   TEST_PLUGIN_GOOD          osid-provider-testgood.so: a memory provider
//   TEST_PLUGIN_WRONG_NAME    osid-provider-testmisnamed.so: calls itself "other"
//   TEST_PLUGIN_OLD_INTERFACE osid-provider-testold.so: an older interface version
//   TEST_PLUGIN_OTHER_STDLIB  osid-provider-teststdlib.so: another standard library
//   TEST_PLUGIN_NO_ENTRY      osid-provider-testnoentry.so: no entry point at all

#include "impl/memory/memory_provider.h"
#include "runtime/provider_plugin.h"

namespace {

std::shared_ptr<osid::OsidManager> makeManager(osid::OSID osid, const std::string &configuration)
{
    if (osid != osid::OSID::MESSAGING)
        return nullptr;
    return osid::impl::memory::makeMemoryMessagingManager(osid::impl::memory::memoryProviderOptions(configuration));
}

[[maybe_unused]] const osid::runtime::ProviderPlugin *describe(std::uint32_t version, const char *stdlib,
                                                               const char *name)
{
    static const osid::runtime::ProviderPlugin plugin{version, stdlib, name, "a test plug-in", makeManager};
    return &plugin;
}

} // namespace

#if defined(TEST_PLUGIN_GOOD)
OSID_PROVIDER_PLUGIN("testgood", "A memory provider loaded as a plug-in", makeManager)
#elif defined(TEST_PLUGIN_WRONG_NAME)
OSID_PROVIDER_PLUGIN("other", "A plug-in whose name does not match its file", makeManager)
#elif defined(TEST_PLUGIN_OLD_INTERFACE)
extern "C" __attribute__((visibility("default"))) const osid::runtime::ProviderPlugin *osid_provider_plugin()
{
    return describe(osid::runtime::kProviderInterfaceVersion + 1, osid::runtime::kStandardLibraryTag, "testold");
}
#elif defined(TEST_PLUGIN_OTHER_STDLIB)
extern "C" __attribute__((visibility("default"))) const osid::runtime::ProviderPlugin *osid_provider_plugin()
{
    return describe(osid::runtime::kProviderInterfaceVersion, "some other standard library", "teststdlib");
}
#elif defined(TEST_PLUGIN_NO_ENTRY)
extern "C" __attribute__((visibility("default"))) int not_a_provider() { return 0; }
#endif
