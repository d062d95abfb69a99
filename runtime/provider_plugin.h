// What a provider plug-in exports so that a ProviderRuntime can load it.
//
// A plug-in is a shared library named osid-provider-NAME.so. It defines
// one factory and names it with OSID_PROVIDER_PLUGIN in one of its .cpp
// files; the runtime finds the library on its plug-in path when a caller
// asks for provider NAME.
//
// Plug-ins and the runtime exchange C++ objects (std::shared_ptr,
// std::string, exceptions), so both must be built against the same
// interface headers and the same C++ standard library. The runtime checks
// both before it calls anything else and refuses a mismatch with a clear
// ConfigurationError.
//
// Example (docs/providers.md has the whole walk-through):
//
//   std::shared_ptr<osid::OsidManager> makeManager(osid::OSID osid, const std::string &configuration)
//   {
//       if (osid != osid::OSID::MESSAGING)
//           return nullptr;  // the runtime answers Unsupported
//       return std::make_shared<MyMessagingManager>(configuration);
//   }
//   OSID_PROVIDER_PLUGIN("mine", "My messaging provider", makeManager)

#pragma once

#include "osid/osid_manager.h"
#include "osid/osid_runtime_manager.h"

#include <cstdint>
#include <memory>
#include <string>

namespace osid::runtime {

// Raised whenever a change to the interface headers breaks binary
// compatibility between a plug-in and the runtime that loads it.
inline constexpr std::uint32_t kProviderInterfaceVersion = 1;

// The C++ standard library (and its ABI) this translation unit is built
// against.
inline constexpr const char *kStandardLibraryTag =
#if defined(_LIBCPP_VERSION)
    "libc++";
#elif defined(__GLIBCXX__) && defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
    "libstdc++ (C++11 ABI)";
#elif defined(__GLIBCXX__)
    "libstdc++ (pre-C++11 ABI)";
#else
    "unknown";
#endif

// Makes a manager of `osid` for the configuration text that followed
// "NAME:" in the implementation string (empty when there was none). The
// runtime calls initialize() on it. Returns nullptr when the provider does
// not implement `osid`; raises ConfigurationError for a bad configuration.
using ProviderFactory = std::shared_ptr<OsidManager> (*)(OSID osid, const std::string &configuration);

// The plug-in's description. interfaceVersion comes first and never moves,
// so that a runtime can read it from a plug-in of any version.
struct ProviderPlugin {
    std::uint32_t interfaceVersion;
    const char *standardLibrary;
    const char *name;
    const char *description;
    ProviderFactory makeManager;
};

// The name of the function OSID_PROVIDER_PLUGIN defines.
inline constexpr const char *kProviderPluginSymbol = "osid_provider_plugin";

} // namespace osid::runtime

// Defines the plug-in's entry point. NAME must match the library's file
// name (osid-provider-NAME.so).
#define OSID_PROVIDER_PLUGIN(NAME, DESCRIPTION, FACTORY)                                                               \
    extern "C" __attribute__((visibility("default"))) const ::osid::runtime::ProviderPlugin *osid_provider_plugin()    \
    {                                                                                                                  \
        static const ::osid::runtime::ProviderPlugin plugin{::osid::runtime::kProviderInterfaceVersion,                \
                                                            ::osid::runtime::kStandardLibraryTag, NAME, DESCRIPTION,   \
                                                            FACTORY};                                                  \
        return &plugin;                                                                                                \
    }
