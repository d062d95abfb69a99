// ProviderRuntime: providers by name, plug-ins from the plug-in path, and
// the errors OsidRuntimeManager.getManager lists.

#include "runtime/provider_configuration.h"
#include "runtime/provider_runtime.h"

#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/message_lookup_session.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

using namespace osid;
using namespace osid::runtime;

namespace {

// A runtime that sees only the test plug-ins, whatever the environment says.
std::shared_ptr<ProviderRuntime> testRuntime() { return makeProviderRuntime(RuntimeOptions{{TEST_PLUGIN_DIR}, false}); }

// The message of the OSID error `call` raises, checked to be `Error`.
template <class Error, class Call>
std::string messageOf(Call &&call)
{
    try {
        call();
    } catch (const Error &e) {
        return e.what();
    }
    FAIL("no error raised");
    return {};
}

// A provider that counts its managers' initialize() calls.
struct CountingManager final : OsidManager {
    int initialized = 0;
    OsidRuntimeManager *runtime = nullptr;
    void initialize(OsidRuntimeManager &r) override
    {
        ++initialized;
        runtime = &r;
    }
    void changeBranch(const Id &) override {}
    void close() override {}
    Id getId() const override { return Id("test", "m", "1"); }
    DisplayText getDisplayName() const override { return DisplayText("counting"); }
    DisplayText getDescription() const override { return DisplayText(""); }
    Version getVersion() const override { return {}; }
    DateTime getReleaseDate() const override { return DateTime(); }
    bool supportsOSIDVersion(const Version &version) const override { return version.major == 3; }
    std::vector<Locale> getLocales() const override { return {}; }
    bool supportsJournalRollback() const override { return false; }
    bool supportsJournalBranching() const override { return false; }
    Id getBranchId() const override { return Id(); }
    std::unique_ptr<TypeList> getProxyRecordTypes() const override { return nullptr; }
    bool supportsProxyRecordType(const Type &) const override { return false; }
};

} // namespace

TEST_SUITE("ProviderRuntime")
{
    TEST_CASE("the built-in memory provider is found by name and comes initialized")
    {
        auto runtime = testRuntime();
#ifdef OSID_CPP_HAVE_POSTGRES
        CHECK(runtime->getBuiltinProviderNames() == std::vector<std::string>{"memory", "postgres", "sqlite"});
#else
        CHECK(runtime->getBuiltinProviderNames() == std::vector<std::string>{"memory", "sqlite"});
#endif
        auto manager = getMessagingManager(*runtime, "memory");
        REQUIRE(manager);
        CHECK(manager->supportsMessageLookup());
        CHECK_THROWS_AS(manager->initialize(*runtime), IllegalState);
        // Each request is a new provider instance with a store of its own.
        auto other = getMessagingManager(*runtime, "memory");
        CHECK(other != manager);
    }

    TEST_CASE("getManager calls initialize exactly once, with the runtime itself")
    {
        auto runtime = testRuntime();
        auto counting = std::make_shared<CountingManager>();
        runtime->registerProvider("counting", [&](OSID, const std::string &) { return counting; });
        auto manager = runtime->getManager(OSID::MESSAGING, "counting", kOsidSpecificationVersion);
        CHECK(manager == counting);
        CHECK(counting->initialized == 1);
        CHECK(counting->runtime == runtime.get());
    }

    TEST_CASE("the text after the first colon reaches the provider as its configuration")
    {
        auto runtime = testRuntime();
        std::string seen = "(not called)";
        runtime->registerProvider("echo", [&](OSID, const std::string &configuration) {
            seen = configuration;
            return std::make_shared<CountingManager>();
        });
        runtime->getManager(OSID::MESSAGING, "echo", kOsidSpecificationVersion);
        CHECK(seen.empty());
        runtime->getManager(OSID::MESSAGING, "echo:a=1,b=x:y", kOsidSpecificationVersion);
        CHECK(seen == "a=1,b=x:y");
    }

    TEST_CASE("an unknown provider raises NotFound naming the plug-in path and the file looked for")
    {
        auto runtime = testRuntime();
        auto message = messageOf<NotFound>([&] { getMessagingManager(*runtime, "nosuch"); });
        CHECK(message.find("osid-provider-nosuch.so") != std::string::npos);
        CHECK(message.find(TEST_PLUGIN_DIR) != std::string::npos);
        CHECK(message.find("memory") != std::string::npos);
        CHECK_THROWS_WITH_AS(getMessagingManager(*runtime, "../memory"),
                             "NOT_FOUND: \"../memory\" is not a provider name: use letters, digits, '_', '-' and '.'",
                             NotFound);
    }

    TEST_CASE("an empty implementation string raises NullArgument")
    {
        auto runtime = testRuntime();
        CHECK_THROWS_WITH_AS(runtime->getManager(OSID::MESSAGING, "", kOsidSpecificationVersion),
                             "NULL_ARGUMENT: implementation is empty", NullArgument);
    }

    TEST_CASE("a provider that does not implement the OSID asked for raises Unsupported")
    {
        auto runtime = testRuntime();
        CHECK_THROWS_AS(runtime->getManager(OSID::TRANSACTION, "memory", kOsidSpecificationVersion), Unsupported);
    }

    TEST_CASE("a specification version the provider does not support raises Unsupported")
    {
        auto runtime = testRuntime();
        CHECK_THROWS_AS(runtime->getManager(OSID::MESSAGING, "memory", Version{4, 0, 0}), Unsupported);
        CHECK_THROWS_AS(runtime->getManager(OSID::MESSAGING, "memory", Version{2, 0, 0}), Unsupported);
    }

    TEST_CASE("a configuration the memory provider does not understand raises ConfigurationError")
    {
        auto runtime = testRuntime();
        CHECK_THROWS_WITH_AS(getMessagingManager(*runtime, "memory:colour=blue"),
                             "CONFIGURATION_ERROR: provider memory: bad configuration: unknown key \"colour\" (known: "
                             "authority, agent)",
                             ConfigurationError);
        CHECK_THROWS_WITH_AS(getMessagingManager(*runtime, "memory:agent=not an id"),
                             "CONFIGURATION_ERROR: provider memory: bad configuration: agent: INVALID_ARGUMENT: Id "
                             "text \"not an id\" is not of the form namespace:identifier@authority",
                             ConfigurationError);
        CHECK_THROWS_WITH_AS(getMessagingManager(*runtime, "memory:authority="),
                             "CONFIGURATION_ERROR: provider memory: bad configuration: authority is empty",
                             ConfigurationError);
        CHECK_THROWS_WITH_AS(getMessagingManager(*runtime, "memory:authority"),
                             "CONFIGURATION_ERROR: provider memory: bad configuration: expected key=value, got "
                             "\"authority\"",
                             ConfigurationError);
    }

    TEST_CASE("the memory provider's configuration sets the authority of its Ids and the sessions' agent")
    {
        auto runtime = testRuntime();
        auto manager =
            getMessagingManager(*runtime, "memory:authority=mail.example.org,agent=agent.Agent:alice@example.org");
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        CHECK(session->getEffectiveAgentId() == Id::parse("agent.Agent:alice@example.org"));
        CHECK(session->getMailboxId().getAuthority() == "mail.example.org");
    }

    TEST_CASE("a provider's non-OSID exception becomes OperationFailed")
    {
        auto runtime = testRuntime();
        runtime->registerProvider("throws", [](OSID, const std::string &) -> std::shared_ptr<OsidManager> {
            throw std::runtime_error("disk on fire");
        });
        auto message = messageOf<OperationFailed>([&] { getMessagingManager(*runtime, "throws"); });
        CHECK(message.find("disk on fire") != std::string::npos);
    }

    TEST_CASE("a manager that is not a MessagingManager raises Unsupported from getMessagingManager")
    {
        auto runtime = testRuntime();
        runtime->registerProvider("plain",
                                  [](OSID, const std::string &) { return std::make_shared<CountingManager>(); });
        CHECK_THROWS_AS(getMessagingManager(*runtime, "plain"), Unsupported);
    }

    TEST_CASE("registerProvider refuses a taken name, a bad name and an empty factory")
    {
        auto runtime = testRuntime();
        auto factory = [](OSID, const std::string &) { return std::shared_ptr<OsidManager>(); };
        CHECK_THROWS_AS(runtime->registerProvider("memory", factory), AlreadyExists);
        CHECK_THROWS_AS(runtime->registerProvider("", factory), InvalidArgument);
        CHECK_THROWS_AS(runtime->registerProvider("a/b", factory), InvalidArgument);
        CHECK_THROWS_AS(runtime->registerProvider("a:b", factory), InvalidArgument);
        CHECK_THROWS_AS(runtime->registerProvider("fine", BuiltinProvider()), NullArgument);
    }

    TEST_CASE("a plug-in on the plug-in path is loaded and works like a built-in provider")
    {
        auto runtime = testRuntime();
        auto manager = getMessagingManager(*runtime, "testgood:authority=plugin.example.org");
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        CHECK(session->getMailboxId().getAuthority() == "plugin.example.org");
        // The plug-in stays loaded; each request makes a new manager.
        CHECK(getMessagingManager(*runtime, "testgood") != manager);
        // A plug-in's errors cross the library boundary as OSID errors.
        CHECK_THROWS_AS(getMessagingManager(*runtime, "testgood:colour=blue"), ConfigurationError);
    }

    TEST_CASE("OSID_PROVIDER_PATH adds folders after the ones given in the options")
    {
        ::setenv(kProviderPathVariable, "/nonexistent/a:" TEST_PLUGIN_DIR, 1);
        auto runtime = makeProviderRuntime(RuntimeOptions{{"/nonexistent/first"}, true});
        ::unsetenv(kProviderPathVariable);
        CHECK(runtime->getPluginPath() ==
              std::vector<std::string>{"/nonexistent/first", "/nonexistent/a", TEST_PLUGIN_DIR});
        CHECK(getMessagingManager(*runtime, "testgood"));
        auto ignoring = makeProviderRuntime(RuntimeOptions{{}, false});
        CHECK(ignoring->getPluginPath().empty());
    }

    TEST_CASE("a plug-in built against another interface version is refused with ConfigurationError")
    {
        auto runtime = testRuntime();
        auto message = messageOf<ConfigurationError>([&] { getMessagingManager(*runtime, "testold"); });
        CHECK(message.find("interface version") != std::string::npos);
        CHECK(message.find("rebuild") != std::string::npos);
    }

    TEST_CASE("a plug-in built with another standard library is refused with ConfigurationError")
    {
        auto runtime = testRuntime();
        auto message = messageOf<ConfigurationError>([&] { getMessagingManager(*runtime, "teststdlib"); });
        CHECK(message.find("some other standard library") != std::string::npos);
    }

    TEST_CASE("a plug-in whose name differs from its file name is refused with ConfigurationError")
    {
        auto runtime = testRuntime();
        auto message = messageOf<ConfigurationError>([&] { getMessagingManager(*runtime, "testmisnamed"); });
        CHECK(message.find("\"other\"") != std::string::npos);
    }

    TEST_CASE("a shared library without the plug-in entry point is refused with ConfigurationError")
    {
        auto runtime = testRuntime();
        auto message = messageOf<ConfigurationError>([&] { getMessagingManager(*runtime, "testnoentry"); });
        CHECK(message.find("osid_provider_plugin") != std::string::npos);
    }

    TEST_CASE("a plug-in file that is not a shared library is refused with ConfigurationError")
    {
        const auto folder = std::filesystem::temp_directory_path() / "osid-runtime-test-garbage";
        std::filesystem::create_directories(folder);
        std::ofstream(folder / "osid-provider-garbage.so") << "not an ELF file";
        auto runtime = makeProviderRuntime(RuntimeOptions{{folder.string()}, false});
        auto message = messageOf<ConfigurationError>([&] { getMessagingManager(*runtime, "garbage"); });
        CHECK(message.find("cannot load") != std::string::npos);
        std::filesystem::remove_all(folder);
    }

    TEST_CASE("the runtime is an OsidManager that initializes once and has no journaling")
    {
        auto runtime = testRuntime();
        auto host = testRuntime();
        CHECK_NOTHROW(runtime->initialize(*host));
        CHECK_THROWS_AS(runtime->initialize(*host), IllegalState);
        CHECK(runtime->supportsOSIDVersion(kOsidSpecificationVersion));
        CHECK_FALSE(runtime->supportsOSIDVersion(Version{4, 0, 0}));
        CHECK_FALSE(runtime->supportsConfiguration());
        CHECK_FALSE(runtime->supportsJournalBranching());
        CHECK_THROWS_AS(runtime->getBranchId(), Unimplemented);
        CHECK_THROWS_AS(runtime->changeBranch(Id()), NullArgument);
        CHECK_THROWS_AS(runtime->supportsProxyRecordType(Type()), NullArgument);
    }
}

TEST_SUITE("ProviderConfiguration")
{
    TEST_CASE("key=value pairs are split at commas, and the tail key keeps the rest of the text")
    {
        ProviderConfiguration config("authz", "policy=p.txt,over=memory:agent=a,b=c", {"policy"}, "over");
        CHECK(config.require("policy") == "p.txt");
        CHECK(config.require("over") == "memory:agent=a,b=c");
        CHECK_FALSE(config.get("missing").has_value());
    }

    TEST_CASE("unknown keys, pairs without '=', repeated keys and missing required keys raise ConfigurationError")
    {
        const std::vector<std::pair<std::string, std::string>> refused = {
            {"x=1", "unknown key \"x\" (known: a)"},
            {"a", "expected key=value, got \"a\""},
            {"a,a=1", "expected key=value, got \"a\""},
            {"a=1,a=2", "key \"a\" given twice"},
        };
        for (const auto &[text, why] : refused) {
            const auto expected = "CONFIGURATION_ERROR: provider p: bad configuration: " + why;
            CHECK_THROWS_WITH_AS(ProviderConfiguration("p", text, {"a"}), expected.c_str(), ConfigurationError);
        }
        CHECK_THROWS_WITH_AS(ProviderConfiguration("p", "", {"a"}).require("a"),
                             "CONFIGURATION_ERROR: provider p: bad configuration: missing \"a=...\"",
                             ConfigurationError);
        CHECK(ProviderConfiguration("p", "", {"a"}).get("a") == std::nullopt);
        CHECK(ProviderConfiguration("p", "a=", {"a"}).require("a").empty());
    }
}
