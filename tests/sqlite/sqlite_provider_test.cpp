// The SQLite provider in one process: configuration, what survives a
// reopen, the schema's versions and migration, and its OSID transactions.
// The conformance suite (osid-conformance sqlite:...) checks the rest.

#include "impl/sqlite/ids_by_handle.h"
#include "impl/sqlite/sqlite_checkpointer.h"
#include "sqlite/connection.h"
#include "impl/sqlite/sqlite_schema.h"
#include "runtime/provider_runtime.h"
#include "tests/sqlite/sqlite_support.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <random>
#include <set>
#include <thread>

using namespace osid;
using namespace sqlite_test;
using impl::sqlite::sqliteProviderOptions;
using impl::sqlite::Synchronous;

namespace {

std::set<Id> messageIds(messaging::MessagingManager &manager, const Id &mailbox)
{
    std::set<Id> out;
    auto list = manager.getMessageLookupSessionForMailbox(mailbox)->getMessages();
    for (const auto &m : *list)
        out.insert(m->getId());
    return out;
}

// What an aliasMessages call answered, request by request: "ok" or the
// error's name.
std::vector<std::string> aliasOutcomes(messaging::batch::MessageBatchAdminSession &session,
                                       const std::vector<transaction::batch::AliasRequest> &requests)
{
    VectorList<transaction::batch::AliasRequestList> list(requests);
    std::vector<std::string> out;
    auto responses = session.aliasMessages(list);
    for (const auto &r : *responses)
        out.emplace_back(r.isSuccessful() ? "ok" : errorName(r.getErrorCode()));
    return out;
}

// Writes a file at schema version `version`, of authority old.example.org,
// with ann@test.example.org as name 1 and whatever `sql` adds.
void writeOldFile(const std::string &path, int version, const std::string &sql)
{
    sqlite::Connection db(path, 1000);
    db.execute("BEGIN");
    impl::sqlite::applySchemaSteps(db, 0, version, "old.example.org");
    db.execute("INSERT INTO names VALUES (1, 'Iresource.resource:ann@test.example.org', "
               "'resource.Resource:ann@test.example.org');" +
               sql + "COMMIT");
}

// The outcomes of aliasMessage() for each request, one call each, as
// aliasOutcomes() gives them.
std::vector<std::string> oneByOneOutcomes(messaging::batch::MessageBatchAdminSession &session,
                                          const std::vector<transaction::batch::AliasRequest> &requests)
{
    std::vector<std::string> out;
    for (const auto &r : requests) {
        try {
            session.aliasMessage(r.getReferenceId(), r.getAliasId());
            out.emplace_back("ok");
        } catch (const OsidException &e) {
            out.emplace_back(errorName(e.code()));
        }
    }
    return out;
}

// Alias n: numbered aliases of two spaces (one spelled by key, in other
// case) and aliases kept by text, in turn.
Id mixedAlias(int n)
{
    if (n % 3 == 0)
        return Id("test.example.org", "alias", "a" + std::to_string(n));
    if (n % 3 == 1)
        return Id("test.example.org", "alias", std::to_string(n));
    return Id::ofKey("Test.Example.ORG", "other", static_cast<std::uint64_t>(n));
}

// Every alias of the file, sorted, as "text>message@mailbox", numbered
// ones as "space:number>message@mailbox".
std::string allAliases(RawFile &raw)
{
    return raw.text(
        "SELECT ifnull(group_concat(a, ' '), '') FROM (SELECT a FROM (SELECT alias || '>' || message || '@' || "
        "ifnull(mailbox, '-') AS a FROM aliases UNION ALL SELECT (SELECT canonical FROM alias_spaces AS s WHERE "
        "s.space = n.space) || ':' || number || '>' || message || '@' || ifnull(mailbox, '-') FROM numbered_aliases "
        "AS n) ORDER BY a)");
}

// A packed content with only a subject, as an SQL BLOB literal.
std::string packedSubject(std::string_view subject)
{
    std::string content;
    impl::sqlite::packContent(content, "", "", subject, "", {});
    std::string hex;
    for (unsigned char c : content)
        hex += fmt::format("{:02x}", c);
    return "x'" + hex + "'";
}

} // namespace

TEST_SUITE("sqlite provider")
{
    TEST_CASE("a configuration is a bare path or key=value pairs with path last")
    {
        CHECK(sqliteProviderOptions("messages.db").path == "messages.db");
        CHECK(sqliteProviderOptions(":memory:").path == ":memory:");
        auto options = sqliteProviderOptions("synchronous=full,busy_timeout=250,authority=x.org,path=a,b.db");
        CHECK(options.path == "a,b.db");
        CHECK(options.synchronous == Synchronous::Full);
        CHECK(options.busyTimeoutMilliseconds == 250);
        CHECK(options.authority == "x.org");
        CHECK(sqliteProviderOptions("agent=a:b@c,path=m.db").agent.effectiveAgentId == Id::parse("a:b@c"));
        CHECK(sqliteProviderOptions("path=m.db").synchronous == Synchronous::Normal);
        // A path may hold "=" when it has a directory part.
        CHECK(sqliteProviderOptions("./a=b.db").path == "./a=b.db");
        CHECK(sqliteProviderOptions("path=a=b.db").path == "a=b.db");
    }

    TEST_CASE("a bad configuration raises ConfigurationError that says what is wrong")
    {
        CHECK_THROWS_WITH_AS(sqliteProviderOptions(""), doctest::Contains("no database path"), ConfigurationError);
        CHECK_THROWS_WITH_AS(sqliteProviderOptions("synchronous=off,path=m.db"),
                             doctest::Contains("synchronous must be normal or full"), ConfigurationError);
        CHECK_THROWS_WITH_AS(sqliteProviderOptions("busy_timeout=soon,path=m.db"), doctest::Contains("busy_timeout"),
                             ConfigurationError);
        CHECK_THROWS_WITH_AS(sqliteProviderOptions("busy_timeout=-1,path=m.db"), doctest::Contains("busy_timeout"),
                             ConfigurationError);
        CHECK_THROWS_WITH_AS(sqliteProviderOptions("synchronous=full"), doctest::Contains("path"), ConfigurationError);
        CHECK_THROWS_WITH_AS(sqliteProviderOptions("authority=,path=m.db"), doctest::Contains("authority is empty"),
                             ConfigurationError);
        CHECK_THROWS_WITH_AS(sqliteProviderOptions("agent=nonsense,path=m.db"), doctest::Contains("agent"),
                             ConfigurationError);
        CHECK_THROWS_WITH_AS(sqliteProviderOptions("colour=red,path=m.db"), doctest::Contains("unknown key \"colour\""),
                             ConfigurationError);
    }

    TEST_CASE("the runtime reaches the provider as sqlite:PATH and sqlite::memory:")
    {
        TempDir dir;
        auto runtime = runtime::makeProviderRuntime(runtime::RuntimeOptions{{}, false});
        auto onFile = runtime::getMessagingManager(*runtime, "sqlite:" + dir.file("r.db"));
        auto session = onFile->getMessagingBatchManager()->getMessageBatchAdminSession();
        CHECK(createBatch(*session, person("ann"), "runtime", 3).size() == 3);
        CHECK(std::filesystem::exists(dir.file("r.db")));
        CHECK(RawFile(dir.file("r.db")).text("PRAGMA journal_mode") == "wal");
        auto inMemory = runtime::getMessagingManager(*runtime, "sqlite::memory:");
        CHECK(inMemory->getMessageLookupSession()->getMessages()->available() == 0);
        CHECK_THROWS_AS(runtime::getMessagingManager(*runtime, "sqlite:"), ConfigurationError);
    }

    TEST_CASE("messages, aliases and mailboxes survive closing and reopening the file, with the same Ids")
    {
        TempDir dir;
        const auto path = dir.file("m.db");
        std::vector<Id> ids;
        Id mailbox, alias("test.example.org", "alias", "kept");
        {
            auto manager = openStore(path);
            auto admin = manager->getMailboxAdminSession();
            mailbox = admin->createMailbox(*admin->getMailboxFormForCreate({}))->getId();
            auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSessionForMailbox(mailbox);
            ids = createBatch(*session, person("ann"), "kept", 4, DateTime::parse("2026-01-02T03:04:05.000006Z"));
            session->aliasMessage(ids[0], alias);
            session->deleteMessage(ids[3]);
        }
        auto manager = openStore(path);
        CHECK(messageIds(*manager, mailbox) == std::set<Id>{ids[0], ids[1], ids[2]});
        auto lookup = manager->getMessageLookupSessionForMailbox(mailbox);
        auto first = lookup->getMessage(alias);
        CHECK(first->getId() == ids[0]);
        CHECK(first->getSubjectLine().getText() == "kept-0");
        CHECK(first->getSenderId() == person("ann"));
        CHECK(first->getSentTime() == DateTime::parse("2026-01-02T03:04:05.000006Z"));
        // A deleted key is never handed out again, even after a reopen.
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSessionForMailbox(mailbox);
        auto fresh = createBatch(*session, person("ann"), "new", 1);
        CHECK(fresh[0] != ids[3]);
        CHECK_THROWS_AS(lookup->getMessage(ids[3]), NotFound);
        CHECK(RawFile(path).text("PRAGMA integrity_check") == "ok");
    }

    TEST_CASE("an alias is keyed by its canonical text: authority and namespace without case, escapes kept")
    {
        TempDir dir;
        const auto path = dir.file("canonical.db");
        auto manager = openStore(path);
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        const auto ids = createBatch(*session, person("ann"), "c", 2);
        // Two aliases that differ only in the identifier's case are two.
        session->aliasMessage(ids[0], Id("W1.Example.ORG", "W1:Alias", "a:b%c@D\x01"));
        session->aliasMessage(ids[1], Id("w1.example.org", "w1:alias", "a:b%c@d\x01"));
        CHECK(RawFile(path).column("SELECT alias FROM aliases ORDER BY message", 0) ==
              "Iw1%3Aalias:a%3Ab%25c%40D%01@w1.example.org; Iw1%3Aalias:a%3Ab%25c%40d%01@w1.example.org");
        auto lookup = manager->getMessageLookupSession();
        CHECK(lookup->getMessage(Id("w1.EXAMPLE.org", "w1:ALIAS", "a:b%c@D\x01"))->getId() == ids[0]);
        CHECK(lookup->getMessage(Id("w1.example.org", "W1:alias", "a:b%c@d\x01"))->getId() == ids[1]);
        // The names table keys Ids by the same text: one row for ann in any case.
        createBatch(*session, Id("Test.Example.ORG", "Resource.RESOURCE", "ann"), "d", 1);
        CHECK(RawFile(path).column("SELECT canonical FROM names WHERE canonical LIKE '%:ann@%'", 0) ==
              "Iresource.resource:ann@test.example.org");
    }

    TEST_CASE("an alias made with a key is the same alias as one made with its text")
    {
        TempDir dir;
        const auto path = dir.file("keyed.db");
        auto manager = openStore(path);
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        const auto ids = createBatch(*session, person("ann"), "k", 2);
        session->aliasMessage(ids[0], Id::ofKey("W1.Example.ORG", "W1.Alias", 18446744073709551614u));
        CHECK(RawFile(path).text("SELECT number || ',' || space FROM numbered_aliases") == "-2,1");
        // Either spelling finds it, and re-points it.
        auto lookup = manager->getMessageLookupSession();
        CHECK(lookup->getMessage(Id("w1.example.org", "w1.alias", "18446744073709551614"))->getId() == ids[0]);
        session->aliasMessage(ids[1], Id("w1.example.org", "w1.alias", "18446744073709551614"));
        CHECK(lookup->getMessage(Id::ofKey("w1.example.org", "w1.alias", 18446744073709551614u))->getId() == ids[1]);
        CHECK(RawFile(path).integer("SELECT count(*) FROM numbered_aliases") == 1);
    }

    TEST_CASE("an alias call answers and aliases exactly as the same requests one at a time do")
    {
        // A call whose references are all primary Ids runs in the order of
        // the aliases' text and trusts the keys this connection knows; one
        // request at a time reads each target's row. A call with a
        // reference through an alias runs in order.
        TempDir dir;
        auto callManager = openStore(dir.file("call.db"));
        auto singleManager = openStore(dir.file("single.db"));
        auto call = callManager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto single = singleManager->getMessagingBatchManager()->getMessageBatchAdminSession();
        const auto ids = createBatch(*call, person("ann"), "a", 20);
        REQUIRE(createBatch(*single, person("ann"), "a", 20) == ids);
        const auto alias = mixedAlias;
        for (auto *session : {call.get(), single.get()}) {
            session->deleteMessage(ids[19]);
            session->aliasMessage(ids[0], alias(0));
            session->aliasMessage(ids[18], alias(1));
        }
        const Id missing(ids[0].getAuthority(), ids[0].getIdentifierNamespace(), "999999");
        std::mt19937 random(7);
        std::vector<transaction::batch::AliasRequest> primary;
        for (int i = 0; i < 200; ++i)
            primary.emplace_back(ids[random() % ids.size()], alias(static_cast<int>(random() % 30)));
        primary.emplace_back(Id(), alias(2));
        primary.emplace_back(ids[1], ids[2]);
        primary.emplace_back(missing, alias(3));
        auto throughAlias = primary;
        throughAlias.emplace_back(alias(0), alias(4));
        std::shuffle(throughAlias.begin(), throughAlias.end(), random);

        const auto aliases = [&](const char *file) {
            RawFile raw(dir.file(file));
            return allAliases(raw);
        };
        for (const auto *requests : {&primary, &throughAlias}) {
            auto got = aliasOutcomes(*call, *requests);
            auto want = oneByOneOutcomes(*single, *requests);
            // One at a time, a null Id is raised; in a call, it is the response.
            for (std::size_t i = 0; i < requests->size(); ++i)
                if ((*requests)[i].getReferenceId().isNull()) {
                    CHECK(got[i] == want[i]);
                    CHECK(want[i] == "NULL_ARGUMENT");
                }
            CHECK(got == want);
            CHECK(aliases("call.db") == aliases("single.db"));
        }
        CHECK(aliases("call.db").find("@-") == std::string::npos);
        CHECK(RawFile(dir.file("call.db")).integer("SELECT count(*) FROM numbered_aliases") > 0);
    }

    TEST_CASE("a long alias call, sent many rows to a statement, answers as the same requests one at a time do")
    {
        // Runs of distinct aliases of one table go into one statement;
        // among them, aliases another mailbox's message holds are refused
        // and the rest of the run still set.
        TempDir dir;
        std::vector<std::shared_ptr<messaging::MessagingManager>> managers;
        std::vector<std::unique_ptr<messaging::batch::MessageBatchAdminSession>> sessions;
        std::vector<Id> ids;
        for (const char *file : {"call.db", "single.db"}) {
            auto manager = openStore(dir.file(file));
            auto admin = manager->getMailboxAdminSession();
            const Id other = admin->createMailbox(*admin->getMailboxFormForCreate({}))->getId();
            auto there = manager->getMessagingBatchManager()->getMessageBatchAdminSessionForMailbox(other);
            const auto theirs = createBatch(*there, person("bob"), "there", 1);
            for (int n : {7, 70, 140, 200, 201})
                there->aliasMessage(theirs[0], mixedAlias(n));
            // Made after the other mailbox's last commit: this session knows them.
            auto here = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
            ids = createBatch(*here, person("ann"), "here", 20);
            sessions.push_back(std::move(here));
            managers.push_back(std::move(manager));
        }
        std::mt19937 random(11);
        std::vector<transaction::batch::AliasRequest> requests;
        for (int n = 0; n < 400; ++n)
            requests.emplace_back(ids[random() % ids.size()], mixedAlias(n));
        // Asked twice: some next to a refused alias in the order of keys
        // (8 after 7, 71 after 70, a198 and a204 around a201).
        for (int n : {5, 7, 8, 71, 198, 204, 399})
            requests.emplace_back(ids[random() % ids.size()], mixedAlias(n));
        std::shuffle(requests.begin(), requests.end(), random);
        const auto got = aliasOutcomes(*sessions[0], requests);
        CHECK(got == oneByOneOutcomes(*sessions[1], requests));
        CHECK(std::count(got.begin(), got.end(), "ALREADY_EXISTS") == 6);
        RawFile call(dir.file("call.db")), single(dir.file("single.db"));
        CHECK(allAliases(call) == allAliases(single));
    }

    TEST_CASE("a numbered alias is kept under its number and space; any other alias by its text")
    {
        TempDir dir;
        const auto path = dir.file("numbered.db");
        auto manager = openStore(path);
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        const auto ids = createBatch(*session, person("ann"), "n", 3);
        constexpr auto kLargest = std::numeric_limits<std::uint64_t>::max();
        session->aliasMessage(ids[0], Id("W1.Example.ORG", "W1.Alias", "5"));
        session->aliasMessage(ids[1], Id::ofKey("w1.example.org", "w1.alias", kLargest));
        session->aliasMessage(ids[2], Id("w1.example.org", "w1.alias", "05"));
        session->aliasMessage(ids[2], Id("w1.example.org", "w1.alias", "18446744073709551616"));
        session->aliasMessage(ids[2], Id("w1.example.org", "w1.alias", "-5"));
        session->aliasMessage(ids[2], Id("w1.example.org", "other", "5"));
        {
            RawFile raw(path);
            CHECK(raw.text("SELECT group_concat(space || '=' || canonical, ' ') FROM alias_spaces") ==
                  "1=w1.alias@w1.example.org 2=other@w1.example.org");
            // The largest number is kept as the same 64 bits, signed.
            CHECK(raw.text("SELECT group_concat(number || ',' || space || '>' || message, ' ') FROM "
                           "(SELECT * FROM numbered_aliases ORDER BY number, space)") ==
                  fmt::format("-1,1>{} 5,1>{} 5,2>{}", ids[1].getIdentifier(), ids[0].getIdentifier(),
                              ids[2].getIdentifier()));
            CHECK(raw.column("SELECT alias FROM aliases ORDER BY alias", 0) ==
                  "Iw1.alias:-5@w1.example.org; Iw1.alias:05@w1.example.org; "
                  "Iw1.alias:18446744073709551616@w1.example.org");
        }
        // Found by either spelling, from this store and from a new one.
        for (const auto &m : {manager, openStore(path)}) {
            auto lookup = m->getMessageLookupSession();
            CHECK(lookup->getMessage(Id::ofKey("w1.example.org", "w1.alias", 5))->getId() == ids[0]);
            CHECK(lookup->getMessage(Id("w1.example.org", "W1.ALIAS", "18446744073709551615"))->getId() == ids[1]);
            for (const char *identifier : {"05", "18446744073709551616", "-5"})
                CHECK(lookup->getMessage(Id("w1.example.org", "w1.alias", identifier))->getId() == ids[2]);
            CHECK(lookup->getMessage(Id("w1.example.org", "other", "5"))->getId() == ids[2]);
            CHECK_THROWS_AS(lookup->getMessage(Id("w1.example.org", "other", "6")), NotFound);
            CHECK_THROWS_AS(lookup->getMessage(Id("w1.example.org", "never", "5")), NotFound);
        }
        // Re-pointed in place.
        session->aliasMessage(ids[1], Id::ofKey("w1.example.org", "w1.alias", 5));
        CHECK(manager->getMessageLookupSession()->getMessage(Id("w1.example.org", "w1.alias", "5"))->getId() == ids[1]);
        CHECK(RawFile(path).integer("SELECT count(*) FROM numbered_aliases") == 3);
        // Deleting the messages drops their aliases from both tables.
        session->deleteAllMessages();
        CHECK(RawFile(path).integer(
                  "SELECT (SELECT count(*) FROM numbered_aliases) + (SELECT count(*) FROM aliases)") == 0);
    }

    TEST_CASE("an alias space whose handle was rolled back is not remembered")
    {
        TempDir dir;
        const auto path = dir.file("spaces.db");
        auto mine = openStore(path);
        auto theirs = openStore(path);
        auto session = mine->getMessagingBatchManager()->getMessageBatchAdminSession();
        const auto ids = createBatch(*session, person("ann"), "r", 2);
        {
            auto tx = session->startTransaction();
            session->aliasMessage(ids[0], Id("t.example.org", "first", "1"));
            tx->abort();
        }
        // Another connection takes handle 1 for another space.
        theirs->getMessagingBatchManager()->getMessageBatchAdminSession()->aliasMessage(
            ids[1], Id("t.example.org", "second", "1"));
        session->aliasMessage(ids[0], Id("t.example.org", "first", "1"));
        CHECK(RawFile(path).text("SELECT group_concat(space || '=' || canonical, ' ') FROM alias_spaces") ==
              "1=second@t.example.org 2=first@t.example.org");
        auto lookup = mine->getMessageLookupSession();
        CHECK(lookup->getMessage(Id("t.example.org", "first", "1"))->getId() == ids[0]);
        CHECK(lookup->getMessage(Id("t.example.org", "second", "1"))->getId() == ids[1]);
    }

    TEST_CASE("an alias call does not trust a message that another connection deleted")
    {
        TempDir dir;
        const auto path = dir.file("shared.db");
        auto mine = openStore(path);
        auto theirs = openStore(path);
        auto session = mine->getMessagingBatchManager()->getMessageBatchAdminSession();
        // This connection made the messages, so it knows their keys.
        const auto ids = createBatch(*session, person("ann"), "k", 3);
        theirs->getMessagingBatchManager()->getMessageBatchAdminSession()->deleteMessage(ids[1]);
        const auto got = aliasOutcomes(
            *session, std::vector<transaction::batch::AliasRequest>{{ids[0], Id("test.example.org", "alias", "a")},
                                                                    {ids[1], Id("test.example.org", "alias", "b")},
                                                                    {ids[2], Id("test.example.org", "alias", "c")}});
        CHECK(got == std::vector<std::string>{"ok", "NOT_FOUND", "ok"});
        CHECK(RawFile(path).integer("SELECT count(*) FROM aliases") == 2);
    }

    TEST_CASE("an alias call does not trust a message whose create was rolled back")
    {
        auto manager = openStore(":memory:");
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        std::vector<Id> undone;
        {
            auto tx = session->startTransaction();
            undone = createBatch(*session, person("ann"), "undone", 2);
            tx->abort();
        }
        const auto kept = createBatch(*session, person("ann"), "kept", 1);
        const auto got = aliasOutcomes(
            *session, std::vector<transaction::batch::AliasRequest>{{undone[0], Id("test.example.org", "alias", "a")},
                                                                    {kept[0], Id("test.example.org", "alias", "b")},
                                                                    {undone[1], Id("test.example.org", "alias", "c")}});
        CHECK(got == std::vector<std::string>{"NOT_FOUND", "ok", "NOT_FOUND"});
    }

    TEST_CASE("an alias call leaves an alias of another mailbox's message alone, and takes one whose message is gone")
    {
        TempDir dir;
        const auto path = dir.file("mailboxes.db");
        auto manager = openStore(path);
        auto admin = manager->getMailboxAdminSession();
        const Id other = admin->createMailbox(*admin->getMailboxFormForCreate({}))->getId();
        auto here = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto there = manager->getMessagingBatchManager()->getMessageBatchAdminSessionForMailbox(other);
        const auto theirs = createBatch(*there, person("bob"), "there", 2);
        const Id taken("test.example.org", "alias", "taken"), freed("test.example.org", "alias", "freed");
        there->aliasMessage(theirs[0], taken);
        there->aliasMessage(theirs[1], freed);
        there->deleteMessage(theirs[1]);
        // This session made its targets after the other's last commit, so
        // it knows them and the call takes its quick path: an upsert that
        // reads no message, whose condition refuses the first alias.
        const auto mine = createBatch(*here, person("ann"), "here", 2);
        const auto got =
            aliasOutcomes(*here, std::vector<transaction::batch::AliasRequest>{{mine[0], taken}, {mine[1], freed}});
        CHECK(got == std::vector<std::string>{"ALREADY_EXISTS", "ok"});
        CHECK(manager->getMessageLookupSessionForMailbox(other)->getMessage(taken)->getId() == theirs[0]);
        CHECK(manager->getMessageLookupSession()->getMessage(freed)->getId() == mine[1]);
    }

    TEST_CASE("a file of version 3 is migrated forward with each alias's mailbox")
    {
        TempDir dir;
        const auto path = dir.file("v3.db");
        // Message 7 is aliased twice; the message of the alias "gone" was deleted.
        writeOldFile(
            path, 3,
            "INSERT INTO messages VALUES (7, 1, 0, 1, 0, NULL, NULL, NULL, NULL, " + packedSubject("from v3") +
                ");"
                "INSERT INTO aliases VALUES ('Ialias:a@test.example.org', 7), ('Ialias:b@test.example.org', 7), "
                "('Ialias:gone@test.example.org', 5);"
                "UPDATE meta SET value = 8 WHERE name = 'next_message';");
        auto manager = openStore(path);
        RawFile raw(path);
        CHECK(raw.integer("PRAGMA user_version") == impl::sqlite::kSchemaVersion);
        CHECK(raw.text("SELECT group_concat(alias || '@' || ifnull(mailbox, '-'), ' ') FROM "
                       "(SELECT * FROM aliases ORDER BY alias)") ==
              "Ialias:a@test.example.org@1 Ialias:b@test.example.org@1 Ialias:gone@test.example.org@-");
        auto lookup = manager->getMessageLookupSession();
        CHECK(lookup->getMessage(Id("test.example.org", "alias", "b"))->getSubjectLine().getText() == "from v3");
        // The alias whose message is gone can be pointed at another.
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        session->aliasMessage(Id("old.example.org", "messaging.Message", "7"), Id("test.example.org", "alias", "gone"));
        CHECK(lookup->getMessage(Id("test.example.org", "alias", "gone"))->getSubjectLine().getText() == "from v3");
    }

    TEST_CASE("a file of version 4 is migrated forward with its numbered aliases moved to integer keys")
    {
        TempDir dir;
        const auto path = dir.file("v4.db");
        // The message of the aliases of "other:ns" was deleted.
        writeOldFile(path, 4,
                     "INSERT INTO messages VALUES (7, 1, 0, 1, 0, NULL, NULL, NULL, NULL, " + packedSubject("from v4") +
                         ");"
                         "INSERT INTO aliases VALUES ('Ialias:12@test.example.org', 7, 1), "
                         "('Ialias:012@test.example.org', 7, 1), ('Ialias:gone@test.example.org', 5, NULL), "
                         "('Iother%3Ans:3@test.example.org', 5, NULL), "
                         "('Ialias:18446744073709551616@test.example.org', 7, 1);"
                         "UPDATE meta SET value = 8 WHERE name = 'next_message';");
        auto manager = openStore(path);
        {
            RawFile raw(path);
            CHECK(raw.integer("PRAGMA user_version") == impl::sqlite::kSchemaVersion);
            CHECK(allAliases(raw) == "Ialias:012@test.example.org>7@1 Ialias:18446744073709551616@test.example.org>7@1 "
                                     "Ialias:gone@test.example.org>5@- alias@test.example.org:12>7@1 "
                                     "other%3Ans@test.example.org:3>5@-");
        }
        auto lookup = manager->getMessageLookupSession();
        for (const char *identifier : {"12", "012", "18446744073709551616"})
            CHECK(lookup->getMessage(Id("test.example.org", "alias", identifier))->getSubjectLine().getText() ==
                  "from v4");
        CHECK_THROWS_AS(lookup->getMessage(Id("test.example.org", "other:ns", "3")), NotFound);
        // The moved alias whose message is gone can be pointed at another.
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        session->aliasMessage(Id("old.example.org", "messaging.Message", "7"), Id("test.example.org", "other:ns", "3"));
        CHECK(lookup->getMessage(Id("test.example.org", "other:ns", "3"))->getSubjectLine().getText() == "from v4");

        // An alias row that is not an Id's text stops the upgrade.
        const auto damaged = dir.file("v4-damaged.db");
        writeOldFile(damaged, 4, "INSERT INTO aliases VALUES ('Ialias:12@test.example.org', 7, 1), ('12', 7, 1);");
        CHECK_THROWS_WITH_AS(openStore(damaged),
                             doctest::Contains("failed, so the file stays at version 4: the alias \"12\" is not an "
                                               "Id's canonical text"),
                             OperationFailed);
        CHECK(RawFile(damaged).integer("PRAGMA user_version") == 4);
    }

    TEST_CASE("a new file gets the current schema version and this provider's application id")
    {
        TempDir dir;
        openStore(dir.file("v.db"));
        RawFile raw(dir.file("v.db"));
        CHECK(raw.integer("PRAGMA user_version") == impl::sqlite::kSchemaVersion);
        CHECK(raw.integer("PRAGMA application_id") == impl::sqlite::kApplicationId);
    }

    TEST_CASE("deletes by sender and by date are answered from indexes, not by scanning the messages")
    {
        TempDir dir;
        openStore(dir.file("plan.db"));
        RawFile raw(dir.file("plan.db"));
        // The queries SqliteStore::keysFromSender and keysReceivedBetween run.
        auto plan = [&](const std::string &sql) { return raw.column("EXPLAIN QUERY PLAN " + sql, 3); };
        CHECK(plan("SELECT message FROM messages WHERE mailbox = 1 AND sender = 2 AND sent = 1")
                  .find("USING INDEX messages_by_sender") != std::string::npos);
        CHECK(plan("SELECT message FROM messages WHERE mailbox = 1 AND received_time BETWEEN 1 AND 2 AND sent = 1")
                  .find("USING INDEX messages_by_received_time") != std::string::npos);
    }

    TEST_CASE("the checkpointer copies committed pages into the database file from a thread of its own")
    {
        TempDir dir;
        const auto path = dir.file("wal.db");
        sqlite::Connection writer(path, 10'000);
        writer.execute("PRAGMA journal_mode = WAL; CREATE TABLE t (x BLOB)");
        const auto sizeBefore = std::filesystem::file_size(path);
        {
            impl::sqlite::Checkpointer checkpointer(path, 8, 10'000);
            checkpointer.watch(writer);
            // Each commit leaves about 10 pages in the WAL: over the threshold.
            for (int i = 0; i < 5; ++i)
                writer.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) "
                               "INSERT INTO t SELECT randomblob(3000) FROM n");
            // Only a checkpoint writes to the database file while the
            // writer stays open. Every commit asks for one, so the thread
            // soon copies all 50 rows' pages.
            const auto copied = [&] { return std::filesystem::file_size(path) >= sizeBefore + 50 * 3000; };
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
            while (!copied() && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            CHECK(copied());
            CHECK(checkpointer.checkpointsRun() > 0);
        }
        CHECK(RawFile(path).integer("SELECT count(*) FROM t") == 50);
    }

    TEST_CASE("the checkpointer opens a file another connection holds locked once the lock goes, within the busy "
              "timeout")
    {
        // As when another process is still making the file's schema, or
        // turning on WAL, while this one opens it (CI saw that race).
        TempDir dir;
        const auto path = dir.file("locked.db");
        sqlite::Connection holder(path, 0);
        holder.execute("CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1)");
        // With no time to wait, the lock is the checkpointer's failure.
        CHECK_THROWS_AS(impl::sqlite::Checkpointer(path, 8, 0), sqlite::Overloaded);
        std::thread release([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            holder.execute("COMMIT");
        });
        CHECK_NOTHROW(impl::sqlite::Checkpointer(path, 8, 30'000));
        release.join();
    }

    TEST_CASE("a provider opened while another connection holds the file locked opens once the lock goes")
    {
        TempDir dir;
        const auto path = dir.file("locked-messages.db");
        openStore(path).reset();
        // A rollback-journal file, so that the lock keeps readers out too.
        RawFile(path).execute("PRAGMA journal_mode = DELETE");
        sqlite::Connection holder(path, 0);
        holder.execute("BEGIN EXCLUSIVE; CREATE TABLE other (x)");
        std::thread release([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            holder.execute("COMMIT");
        });
        std::shared_ptr<messaging::MessagingManager> manager;
        CHECK_NOTHROW(manager = openStore(path, 30'000));
        release.join();
        CHECK(manager != nullptr);
    }

    TEST_CASE("names' Ids are kept by handle: consecutive handles in order, a far one apart")
    {
        impl::sqlite::IdsByHandle ids;
        const auto name = [](std::int64_t n) { return Id("example.org", "resource.Resource", std::to_string(n)); };
        CHECK(ids.find(1) == nullptr);
        for (std::int64_t h = 1; h <= 1000; ++h)
            CHECK(ids.add(h, name(h)) == name(h));
        for (std::int64_t h = 1; h <= 1000; ++h) {
            REQUIRE(ids.find(h) != nullptr);
            CHECK(*ids.find(h) == name(h));
        }
        CHECK(ids.find(0) == nullptr);
        CHECK(ids.find(1001) == nullptr);
        CHECK(ids.find(-1) == nullptr);

        // Handles far past the others, negative or the largest, are kept
        // without growing the vector to them, and are found again after
        // the vector has grown past them.
        const std::int64_t far = 1000 + 100'000;
        const std::int64_t largest = std::numeric_limits<std::int64_t>::max();
        CHECK(ids.add(far, name(far)) == name(far));
        CHECK(ids.add(largest, name(largest)) == name(largest));
        CHECK(ids.add(-5, name(-5)) == name(-5));
        for (std::int64_t h = 1001; h < far + 10; h += 2000)
            ids.add(h, name(h));
        for (const auto h : {far, largest, std::int64_t{-5}, std::int64_t{1}, std::int64_t{3001}}) {
            REQUIRE(ids.find(h) != nullptr);
            CHECK(*ids.find(h) == name(h));
        }
        CHECK(ids.find(far + 2) == nullptr);

        ids.clear();
        for (const auto h : {far, largest, std::int64_t{-5}, std::int64_t{1}})
            CHECK(ids.find(h) == nullptr);
    }

    TEST_CASE("a file of version 1 is migrated forward on open and keeps its messages")
    {
        TempDir dir;
        const auto path = dir.file("old.db");
        // A file as the first release left it: version 1, no indexes.
        writeOldFile(path, 1,
                     "INSERT INTO messages VALUES (7, 1, '', '', 0, 1, 'from v1', 'body', 1, 1, 1, 0, 0, '1');"
                     "UPDATE meta SET value = 8 WHERE name = 'next_message';");
        CHECK(RawFile(path).integer("PRAGMA user_version") == 1);
        CHECK(RawFile(path).integer("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE "
                                    "'messages_by_%'") == 0);

        auto manager = openStore(path);
        RawFile raw(path);
        CHECK(raw.integer("PRAGMA user_version") == impl::sqlite::kSchemaVersion);
        CHECK(raw.integer("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE "
                          "'messages_by_%'") == 2);
        auto message = manager->getMessageLookupSession()->getMessage(Id("old.example.org", "messaging.Message", "7"));
        CHECK(message->getSubjectLine().getText() == "from v1");
        CHECK(message->getText().getText() == "body");
        CHECK(message->getSenderId() == person("ann"));
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        CHECK(session->deleteMessagesBySender(person("ann"))->available() == 1);
    }

    TEST_CASE("a file of version 2 is migrated to packed content, keeping every part of every message")
    {
        TempDir dir;
        const auto path = dir.file("v2.db");
        // Version 2 kept a message's strings and recipients in columns of
        // their own; recipients as handles separated by spaces, NULL for a
        // draft.
        writeOldFile(path, 2,
                     "INSERT INTO names VALUES (2, 'Iresource.resource:bob@test.example.org', "
                     "'resource.Resource:bob@test.example.org');"
                     "INSERT INTO messages VALUES (7, 1, 'Shown', 'Described', 0, 1, 'from v2', 'the text', 1, 1, 2, "
                     "1000, 2000, '2 1 2');"
                     "INSERT INTO messages VALUES (8, 1, '', '', 0, 1, 'a draft', '', 0, NULL, NULL, NULL, NULL, NULL);"
                     "UPDATE meta SET value = 9 WHERE name = 'next_message';");
        auto manager = openStore(path);
        RawFile raw(path);
        CHECK(raw.integer("PRAGMA user_version") == impl::sqlite::kSchemaVersion);
        CHECK(raw.integer("SELECT count(*) FROM pragma_table_info('messages') WHERE name IN "
                          "('display_name', 'description', 'subject', 'body', 'recipients')") == 0);
        CHECK(raw.integer("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE "
                          "'messages_by_%'") == 2);
        auto lookup = manager->getMessageLookupSession();
        auto sent = lookup->getMessage(Id("old.example.org", "messaging.Message", "7"));
        CHECK(sent->getDisplayName().getText() == "Shown");
        CHECK(sent->getDescription().getText() == "Described");
        CHECK(sent->getSubjectLine().getText() == "from v2");
        CHECK(sent->getText().getText() == "the text");
        CHECK(sent->getSenderId() == person("ann"));
        CHECK(sent->getSendingAgentId() == person("bob"));
        CHECK(sent->getSentTime().toMicroseconds() == 1000);
        CHECK(sent->getReceivedTime().toMicroseconds() == 2000);
        std::vector<Id> recipients;
        auto recipientList = sent->getRecipientIds();
        for (const auto &r : *recipientList)
            recipients.push_back(r);
        CHECK(recipients == std::vector<Id>{person("bob"), person("ann"), person("bob")});
        auto draft = lookup->getMessage(Id("old.example.org", "messaging.Message", "8"));
        CHECK_FALSE(draft->isSent());
        CHECK(draft->getSubjectLine().getText() == "a draft");
        CHECK(draft->getText().getText().empty());
        // The indexes were made again on the new table.
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        CHECK(session->deleteMessagesBySender(person("ann"))->available() == 1);
        CHECK(lookup->getMessages()->available() == 1);
    }

    TEST_CASE("an upgrade that fails part way is undone whole: the error says so and the file stays at its version")
    {
        TempDir dir;
        const auto path = dir.file("v2-damaged.db");
        // Message 8's recipient list is not handles, which step 3 finds
        // after it has already copied message 7.
        writeOldFile(path, 2,
                     "INSERT INTO messages VALUES (7, 1, '', '', 0, 1, 'first', '', 1, 1, 1, 1, 2, '1');"
                     "INSERT INTO messages VALUES (8, 1, '', '', 0, 1, 'second', '', 1, 1, 1, 1, 2, '1 x');"
                     "UPDATE meta SET value = 9 WHERE name = 'next_message';");
        const auto before = fileBytes(path);
        const auto error = [&] {
            try {
                openStore(path);
            } catch (const OperationFailed &e) {
                return std::string(e.message());
            }
            return std::string("no error");
        }();
        CHECK(error == path + ": upgrading from schema version 2 to " + std::to_string(impl::sqlite::kSchemaVersion) +
                           " failed, so the file stays at version 2: message 8 has a malformed recipient list");
        CHECK(fileBytes(path) == before);
        RawFile raw(path);
        CHECK(raw.integer("PRAGMA user_version") == 2);
        CHECK(raw.integer("SELECT count(*) FROM messages WHERE recipients IS NOT NULL") == 2);
        CHECK(raw.integer("SELECT count(*) FROM sqlite_master WHERE name = 'messages_v3'") == 0);
        // Repaired, the file upgrades.
        raw.execute("UPDATE messages SET recipients = '1' WHERE message = 8");
        auto lookup = openStore(path)->getMessageLookupSession();
        CHECK(lookup->getMessage(Id("old.example.org", "messaging.Message", "8"))->getSubjectLine().getText() ==
              "second");
    }

    TEST_CASE("a SQLite error names its statement on one line, cut short")
    {
        TempDir dir;
        sqlite::Connection db(dir.file("errors.db"), 1000);
        const auto error = [&] {
            try {
                db.execute("CREATE TABLE a (x);\n\n    CREATE TABLE a (y);\n\t" + std::string(200, 'z'));
            } catch (const OperationFailed &e) {
                return std::string(e.message());
            }
            return std::string("no error");
        }();
        CHECK(error == "SQLite: table a already exists (in \"CREATE TABLE a (x); CREATE TABLE a (y); " +
                           std::string(120 - 40, 'z') + "...\")");
    }

    TEST_CASE("packed content unpacks to what was packed; anything else is refused with OperationFailed")
    {
        using impl::sqlite::packContent;
        using impl::sqlite::unpackContent;
        const std::string text(300, 'x'); // lengths past one varint byte
        const std::string binary("a\0\xff\x80"
                                 "b",
                                 5);
        const std::vector<std::int64_t> handles{1, 127, 128, 16'384, std::numeric_limits<std::int64_t>::max()};
        std::string packed;
        packContent(packed, "", binary, "subject", text, handles);
        auto parts = unpackContent(packed);
        CHECK(parts.displayName.empty());
        CHECK(parts.description == binary);
        CHECK(parts.subject == "subject");
        CHECK(parts.text == text);
        REQUIRE(parts.recipientCount == handles.size());
        for (auto handle : handles)
            CHECK(impl::sqlite::nextRecipient(parts.recipients) == handle);
        CHECK(parts.recipients.empty());

        std::string none;
        packContent(none, "", "", "", "", {});
        CHECK(unpackContent(none).recipientCount == 0);

        // Every shorter prefix, and anything after the end, is damage.
        for (std::size_t n = 0; n < packed.size(); ++n)
            CHECK_THROWS_WITH_AS(unpackContent(std::string_view(packed).substr(0, n)),
                                 doctest::Contains("the store holds a malformed message content"), OperationFailed);
        CHECK_THROWS_AS(unpackContent(packed + "z"), OperationFailed);
        // A varint longer than 64 bits.
        CHECK_THROWS_AS(unpackContent(std::string(11, '\xff')), OperationFailed);
        // A recipient handle past the largest handle.
        std::string tooLarge;
        packContent(tooLarge, "", "", "", "", {});
        tooLarge[4] = 1;
        tooLarge += std::string(9, '\xff') + '\x01';
        CHECK_THROWS_AS(unpackContent(tooLarge), OperationFailed);
    }

    TEST_CASE("a message whose stored content is damaged is refused with OperationFailed, not read past its end")
    {
        TempDir dir;
        const auto path = dir.file("damaged.db");
        auto manager = openStore(path);
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        const auto ids = createBatch(*session, person("ann"), "damaged", 2);
        // The first message's text claims 200 bytes that are not there.
        RawFile(path).execute("UPDATE messages SET content = x'000000C80100' WHERE message = " +
                              ids[0].getIdentifier());
        auto lookup = manager->getMessageLookupSession();
        CHECK_THROWS_WITH_AS(lookup->getMessage(ids[0]), doctest::Contains("malformed message content"),
                             OperationFailed);
        CHECK(lookup->getMessage(ids[1])->getSubjectLine().getText() == "damaged-1");
    }

    TEST_CASE("a file from a newer schema version is refused and left exactly as it was")
    {
        TempDir dir;
        const auto path = dir.file("new.db");
        openStore(path);
        RawFile(path).execute("PRAGMA user_version = 99");
        const auto before = fileBytes(path);
        CHECK_THROWS_WITH_AS(openStore(path), doctest::Contains("schema version 99, newer than this build's"),
                             ConfigurationError);
        CHECK(fileBytes(path) == before);
        CHECK(RawFile(path).integer("PRAGMA user_version") == 99);
    }

    TEST_CASE("another application's SQLite file is refused and left exactly as it was")
    {
        TempDir dir;
        const auto path = dir.file("foreign.db");
        RawFile(path).execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY); INSERT INTO accounts VALUES (1)");
        const auto before = fileBytes(path);
        CHECK_THROWS_WITH_AS(openStore(path), doctest::Contains("is not an osid-cpp message store"),
                             ConfigurationError);
        CHECK(fileBytes(path) == before);
        CHECK(RawFile(path).text("PRAGMA journal_mode") == "delete");
    }

    TEST_CASE("a file that is not a database at all is refused with OperationFailed")
    {
        TempDir dir;
        const auto path = dir.file("text.db");
        std::ofstream(path) << "this is not a database, but long enough to have a header of sorts........";
        const auto before = fileBytes(path);
        CHECK_THROWS_WITH_AS(openStore(path), doctest::Contains("file is not a database"), OperationFailed);
        CHECK(fileBytes(path) == before);
    }

    TEST_CASE("a directory that does not exist gives OperationFailed naming the path")
    {
        TempDir dir;
        CHECK_THROWS_WITH_AS(openStore(dir.file("missing/m.db")), doctest::Contains("missing/m.db"), OperationFailed);
    }

    TEST_CASE("the authority is fixed when the file is made")
    {
        TempDir dir;
        const auto path = dir.file("a.db");
        impl::sqlite::SqliteProviderOptions options;
        options.path = path;
        options.authority = "mail.example.org";
        auto manager = impl::sqlite::makeSqliteMessagingManager(options);
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        CHECK(createBatch(*session, person("ann"), "a", 1)[0].getAuthority() == "mail.example.org");
        // Reopening without naming one keeps it; naming another is refused.
        CHECK(openStore(path)->getMessageLookupSession()->getMailboxId().getAuthority() == "mail.example.org");
        options.authority = "other.example.org";
        CHECK_THROWS_WITH_AS(impl::sqlite::makeSqliteMessagingManager(options),
                             doctest::Contains("issues Ids of authority \"mail.example.org\""), ConfigurationError);
    }

    TEST_CASE("a prepared transaction takes no further calls until it is committed")
    {
        auto manager = openStore(":memory:");
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto tx = session->startTransaction();
        auto ids = createBatch(*session, person("ann"), "tx", 2);
        tx->prepare();
        CHECK_THROWS_WITH_AS(createBatch(*session, person("ann"), "late", 1), doctest::Contains("prepared"),
                             IllegalState);
        const char *prepared =
            "ILLEGAL_STATE: the session's transaction is prepared: commit or abort it before further calls";
        CHECK_THROWS_WITH_AS(session->deleteAllMessages(), prepared, IllegalState);
        CHECK_THROWS_WITH_AS(session->deleteMessagesBySender(person("ann")), prepared, IllegalState);
        VectorList<IdList> preparedIds({ids[0]});
        CHECK_THROWS_WITH_AS(session->getMessageFormsForUpdate(preparedIds), prepared, IllegalState);
        VectorList<transaction::batch::AliasRequestList> preparedAliases(
            {transaction::batch::AliasRequest(ids[0], Id("legacy", "mail", "late"))});
        CHECK_THROWS_WITH_AS(session->aliasMessages(preparedAliases), prepared, IllegalState);
        CHECK_THROWS_WITH_AS(session->startTransaction(),
                             "ILLEGAL_STATE: a transaction is already open on this session", IllegalState);
        tx->commit();
        CHECK_THROWS_WITH_AS(tx->commit(), "ILLEGAL_STATE: the transaction has already ended", IllegalState);
        CHECK(messageIds(*manager, session->getMailboxId()) == std::set<Id>(ids.begin(), ids.end()));
        // After the end the session works on its own again.
        CHECK(createBatch(*session, person("ann"), "after", 1).size() == 1);
    }

    TEST_CASE("a transaction dropped without commit, or with its session, is rolled back")
    {
        auto manager = openStore(":memory:");
        const Id mailbox = manager->getMessageLookupSession()->getMailboxId();
        {
            auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
            auto tx = session->startTransaction();
            createBatch(*session, person("ann"), "dropped", 3);
        }
        CHECK(messageIds(*manager, mailbox).empty());
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto tx = session->startTransaction();
        createBatch(*session, person("ann"), "closed", 3);
        session->close();
        session.reset();
        tx.reset();
        CHECK(messageIds(*manager, mailbox).empty());
    }

    TEST_CASE("a failed call inside a transaction is undone alone; the transaction goes on")
    {
        auto manager = openStore(":memory:");
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto tx = session->startTransaction();
        auto kept = createBatch(*session, person("ann"), "kept", 2);
        // deleteMessage of an unknown Id raises NotFound from inside its write.
        CHECK_THROWS_AS(session->deleteMessage(Id("test.example.org", "messaging.Message", "nope")), NotFound);
        tx->commit();
        CHECK(messageIds(*manager, session->getMailboxId()) == std::set<Id>(kept.begin(), kept.end()));
    }

    TEST_CASE("names that a rolled-back transaction introduced are not remembered afterwards")
    {
        auto manager = openStore(":memory:");
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto tx = session->startTransaction();
        createBatch(*session, person("ghost"), "gone", 1);
        tx->abort();
        // The sender's handle went with the transaction; reusing a stale one
        // would file this message under another name.
        auto ids = createBatch(*session, person("real"), "here", 1);
        auto other = manager->getMessageLookupSession();
        CHECK(other->getMessage(ids[0])->getSenderId() == person("real"));
        CHECK(other->getMessagesFromSender(person("ghost"))->available() == 0);
        CHECK(other->getMessagesFromSender(person("real"))->available() == 1);
    }
}

TEST_SUITE("sqlite connection")
{
    TEST_CASE("enableWal waits out a connection that holds the file, where SQLite answers busy at once")
    {
        TempDir dir;
        const auto path = dir.file("wal.db");
        sqlite::Connection writer(path, 10'000);
        writer.execute("CREATE TABLE t (x)");
        sqlite::Connection other(path, 10'000);
        // The writer holds a write transaction: a switch to WAL by the other
        // connection would deadlock with the writer's commit, so SQLite
        // answers it busy without waiting. enableWal() tries again.
        writer.run("BEGIN");
        writer.execute("INSERT INTO t VALUES (1)");
        std::thread commit([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            writer.run("COMMIT");
        });
        bool wal = false;
        CHECK_NOTHROW(wal = other.enableWal());
        commit.join();
        CHECK(wal);
        CHECK(other.queryInteger("SELECT count(*) FROM t") == 1);
        // The file keeps it: a new connection finds it in WAL mode.
        sqlite::Connection later(path, 100);
        auto mode = later.prepare("PRAGMA journal_mode");
        REQUIRE(mode.step());
        CHECK(mode.text(0) == "wal");
        // Once in WAL, nothing is switched: it answers at once.
        CHECK(other.enableWal());
    }

    TEST_CASE("enableWal gives up with Overloaded after the busy timeout, and an in-memory database stays so")
    {
        TempDir dir;
        const auto path = dir.file("wal.db");
        sqlite::Connection writer(path, 10'000);
        writer.execute("CREATE TABLE t (x)");
        sqlite::Connection impatient(path, 100);
        writer.run("BEGIN");
        writer.execute("INSERT INTO t VALUES (1)");
        const auto start = std::chrono::steady_clock::now();
        CHECK_THROWS_AS(impatient.enableWal(), sqlite::Overloaded);
        const auto waited = std::chrono::steady_clock::now() - start;
        CHECK(waited >= std::chrono::milliseconds(100));
        CHECK(waited < std::chrono::seconds(5));
        writer.run("COMMIT");

        sqlite::Connection memory(":memory:", 100);
        CHECK_FALSE(memory.enableWal());
    }
}
