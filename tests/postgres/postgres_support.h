// What the PostgreSQL provider's tests share: the server OSID_TEST_POSTGRES
// names (a libpq connection string; scripts/test starts a throwaway cluster
// and sets it), a database of a test's own on it, a server of a test's own
// (to restart it), and a manager over one.

#pragma once

#include "impl/postgres/postgres_provider.h"
#include "postgres/connection.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

namespace postgres_test {

using osid::postgres::Connection;

inline const char *serverConninfo() { return std::getenv("OSID_TEST_POSTGRES"); }
inline bool noServer() { return serverConninfo() == nullptr || *serverConninfo() == '\0'; }

// `conninfo` with its database replaced by `database`, as key=value pairs
// (it may be given as a URI).
inline std::string withDatabase(const std::string &conninfo, const std::string &database)
{
    char *error = nullptr;
    PQconninfoOption *options = PQconninfoParse(conninfo.c_str(), &error);
    if (options == nullptr) {
        PQfreemem(error);
        throw std::runtime_error("OSID_TEST_POSTGRES is not a connection string");
    }
    std::string out;
    for (auto *o = options; o->keyword != nullptr; ++o) {
        if (o->val == nullptr || std::string(o->keyword) == "dbname")
            continue;
        std::string value;
        for (const char *c = o->val; *c != '\0'; ++c) {
            if (*c == '\'' || *c == '\\')
                value += '\\';
            value += *c;
        }
        out += fmt::format("{}='{}' ", o->keyword, value);
    }
    PQconninfoFree(options);
    return out + "dbname=" + database;
}

// A database of this test's own on the test server, dropped at the end.
class ScratchDatabase {
public:
    ScratchDatabase()
        : name_(fmt::format("osid_test_{}_{}", ::getpid(), serial_++)), admin_(serverConninfo()),
          conninfo_(withDatabase(serverConninfo(), name_))
    {
        admin_.execute("CREATE DATABASE " + name_);
    }
    ScratchDatabase(const ScratchDatabase &) = delete;
    ScratchDatabase &operator=(const ScratchDatabase &) = delete;
    ~ScratchDatabase()
    {
        try {
            admin_.execute(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name_));
        } catch (...) {
            // Left for the cluster's removal.
        }
    }

    const std::string &conninfo() const { return conninfo_; }
    // A connection of the test's own, past the provider.
    Connection raw() const { return Connection(conninfo_); }

private:
    static inline std::atomic<int> serial_{0};
    std::string name_;
    Connection admin_;
    std::string conninfo_;
};

// A server of this test's own (scripts/postgres-cluster, in a new
// directory), for a test that restarts it under load: the shared one of
// OSID_TEST_POSTGRES serves other tests meanwhile. Stopped and removed when
// this goes away.
class OwnCluster {
public:
    OwnCluster() : dir_(makeDirectory())
    {
        try {
            conninfo_ = script("start", "-c fsync=off");
        } catch (...) {
            // A constructor that throws runs no destructor.
            script("stop");
            throw;
        }
    }
    OwnCluster(const OwnCluster &) = delete;
    OwnCluster &operator=(const OwnCluster &) = delete;
    ~OwnCluster()
    {
        try {
            script("stop");
        } catch (...) {
            // Nothing more to do on the way out.
        }
    }

    // A connection string of its database osid_test.
    const std::string &conninfo() const { return conninfo_; }
    // pg_ctl restart -m fast: every session ends; the server is down for
    // `downSeconds` more, then accepts connections again (waited for).
    void restart(int downSeconds = 0) { script("restart", std::to_string(downSeconds)); }

private:
    static std::string makeDirectory()
    {
        char path[] = "/tmp/osid-test-restart.XXXXXX";
        if (::mkdtemp(path) == nullptr)
            throw std::runtime_error("mkdtemp failed");
        return path;
    }
    // Runs the script's `command` on the directory; its output's first line.
    std::string script(const char *command, const std::string &arguments = "") const
    {
        const auto line = fmt::format("'{}' {} '{}' {}", POSTGRES_CLUSTER, command, dir_, arguments);
        FILE *out = ::popen(line.c_str(), "r");
        if (out == nullptr)
            throw std::runtime_error("cannot run " + line);
        std::string text;
        for (int c; (c = std::fgetc(out)) != EOF && c != '\n';)
            text += static_cast<char>(c);
        while (std::fgetc(out) != EOF) {
        }
        if (::pclose(out) != 0)
            throw std::runtime_error("failed: " + line);
        return text;
    }

    std::string dir_;
    std::string conninfo_;
};

inline std::shared_ptr<osid::messaging::MessagingManager> openStore(const std::string &conninfo,
                                                                    const std::string &authority = "")
{
    osid::impl::postgres::PostgresProviderOptions options;
    options.conninfo = conninfo;
    options.authority = authority;
    return osid::impl::postgres::makePostgresMessagingManager(options);
}

} // namespace postgres_test
