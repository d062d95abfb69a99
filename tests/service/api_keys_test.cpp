// ApiKeyFile and ApiKeyVerifier: keys kept only as hashes, changes that
// never lose one another, and a verifier that follows the file and fails
// closed.

#include "service/api_keys.h"
#include "service/service_error.h"
#include "tests/sqlite/sqlite_support.h"

#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <thread>

using namespace osid::service;

namespace {

std::string contents(const std::string &path)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void write(const std::string &path, const std::string &text)
{
    // A new file renamed over the old one, as ApiKeyFile writes: a new
    // inode, so that the change is seen even within one timestamp tick.
    std::ofstream(path + ".tmp") << text;
    std::filesystem::rename(path + ".tmp", path);
}

} // namespace

TEST_SUITE("api keys")
{
    TEST_CASE("add returns a new key that the file keeps only as its hash, mode 0600")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("server.keys");
        ApiKeyFile keys(path);
        const auto alice = keys.add("alice");
        const auto bob = keys.add("bob");
        CHECK(alice.rfind("osk_", 0) == 0);
        CHECK(alice.size() == 4 + 43);
        CHECK(alice != bob);
        const auto text = contents(path);
        CHECK(text.find(alice) == std::string::npos);
        CHECK(text.find(bob) == std::string::npos);
        CHECK(text.find("alice " + apiKeyHash(alice)) != std::string::npos);
        struct stat s {};
        REQUIRE(::stat(path.c_str(), &s) == 0);
        CHECK((s.st_mode & 0777) == 0600);

        const auto listed = keys.list();
        REQUIRE(listed.size() == 2);
        CHECK(listed[0].name == "alice");
        CHECK(listed[1].name == "bob");
        CHECK(listed[1].hash == apiKeyHash(bob));
    }

    TEST_CASE("add refuses a taken or malformed name; revoke an unknown one; neither changes the file")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("server.keys");
        ApiKeyFile keys(path);
        keys.add("alice");
        const auto before = contents(path);
        for (const std::string name : {"alice", "", "two words", "#comment", "tab\tname"}) {
            CAPTURE(name);
            try {
                keys.add(name);
                FAIL("add accepted the name");
            } catch (const ServiceError &e) {
                CHECK(std::string(e.type()) == error_type::kInvalidRequest);
            }
        }
        try {
            keys.revoke("bob");
            FAIL("revoke accepted an unknown name");
        } catch (const ServiceError &e) {
            CHECK(std::string(e.type()) == error_type::kNotFound);
        }
        CHECK(contents(path) == before);
    }

    TEST_CASE("list of a missing file is empty; a file that is not a key file is refused with its line")
    {
        sqlite_test::TempDir dir;
        CHECK(ApiKeyFile(dir.file("none.keys")).list().empty());
        const auto path = dir.file("bad.keys");
        std::ofstream(path) << "# comment\n\nalice sha256:" << std::string(64, 'a') << "\nbob not-a-hash\n";
        try {
            ApiKeyFile(path).list();
            FAIL("a malformed file was read");
        } catch (const ServiceError &e) {
            CHECK(std::string(e.type()) == error_type::kApi);
            CHECK(std::string(e.what()).find(":4:") != std::string::npos);
        }
        try {
            ApiKeyFile(path).add("carol");
            FAIL("a malformed file was changed");
        } catch (const ServiceError &) {
        }
        CHECK(contents(path).find("carol") == std::string::npos);
    }

    TEST_CASE("a key may name a workspace, kept as the third field; a malformed workspace is not a key line")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("server.keys");
        ApiKeyFile keys(path);
        const osid::Id mailbox("example.org", "messaging.Mailbox", "team a"); // a space in its text
        const auto alice = keys.add("alice", mailbox);
        keys.add("bob");
        CHECK(contents(path).find("alice " + apiKeyHash(alice) + " " + mailbox.toString() + "\n") != std::string::npos);
        const auto listed = keys.list();
        REQUIRE(listed.size() == 2);
        CHECK(listed[0].workspace == mailbox.toString());
        CHECK(listed[1].workspace.empty());
        ApiKeyVerifier verifier(path);
        const auto verified = verifier.verify(alice);
        REQUIRE(verified);
        CHECK(osid::Id::parse(verified->workspace) == mailbox);

        const auto bad = dir.file("bad.keys");
        std::ofstream(bad) << "carol sha256:" << std::string(64, 'b') << " not-an-id\n";
        try {
            ApiKeyFile(bad).list();
            FAIL("a key line with a malformed workspace was read");
        } catch (const ServiceError &e) {
            CHECK(std::string(e.what()).find(":1:") != std::string::npos);
        }
    }

    TEST_CASE("eight threads adding keys to one file at once: every key lands")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("server.keys");
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t)
            threads.emplace_back([&, t] {
                ApiKeyFile keys(path);
                for (int i = 0; i < 5; ++i)
                    keys.add("k" + std::to_string(t) + "-" + std::to_string(i));
            });
        for (auto &t : threads)
            t.join();
        std::set<std::string> names;
        for (const auto &key : ApiKeyFile(path).list())
            names.insert(key.name);
        CHECK(names.size() == 40);
    }

    TEST_CASE("the verifier takes the file's keys, follows revoke and add, and fails closed")
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("server.keys");
        ApiKeyFile keys(path);
        const auto alice = keys.add("alice");
        ApiKeyVerifier verifier(path);

        auto who = verifier.verify(alice);
        REQUIRE(who);
        CHECK(who->name == "alice");
        CHECK_FALSE(verifier.verify("osk_" + std::string(43, 'A')));
        CHECK_FALSE(verifier.verify(""));
        CHECK_FALSE(verifier.verify(apiKeyHash(alice)));

        const auto bob = keys.add("bob");
        CHECK(verifier.verify(bob));
        keys.revoke("alice");
        CHECK_FALSE(verifier.verify(alice));
        CHECK(verifier.verify(bob));

        // A file that is no longer a key file, or no file: nobody.
        const auto good = contents(path);
        write(path, "garbage\n");
        CHECK_FALSE(verifier.verify(bob));
        write(path, good);
        CHECK(verifier.verify(bob));
        std::filesystem::remove(path);
        CHECK_FALSE(verifier.verify(bob));
    }

    TEST_CASE("a verifier refuses to start on a missing, malformed or empty file")
    {
        sqlite_test::TempDir dir;
        CHECK_THROWS_AS(ApiKeyVerifier(dir.file("none.keys")), ServiceError);
        std::ofstream(dir.file("bad.keys")) << "alice\n";
        CHECK_THROWS_AS(ApiKeyVerifier(dir.file("bad.keys")), ServiceError);
        std::ofstream(dir.file("empty.keys")) << "# no keys yet\n";
        CHECK_THROWS_AS(ApiKeyVerifier(dir.file("empty.keys")), ServiceError);
    }
}
