// The PostgreSQL provider against a real server: configuration, the libpq
// layer, the schema's versions and refusals, several processes on one
// database, and a connection lost under a session. The conformance suite
// (osid-conformance postgres:...) checks the rest.
//
// OSID_TEST_POSTGRES names the server (a libpq connection string;
// scripts/test starts a throwaway cluster and sets it). Each test makes a
// database of its own there and drops it afterwards. Without it, the tests
// that need a server are skipped.

#include "impl/postgres/postgres_provider.h"
#include "impl/postgres/postgres_schema.h"
#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/records/delivery_record.h"
#include "osid/vector_list.h"
#include "postgres/connection.h"
#include "runtime/provider_runtime.h"
#include "tests/postgres/postgres_support.h"
#include "transaction/transaction.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <unordered_map>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace osid;
using namespace postgres_test;
using osid::postgres::Connection;
using osid::postgres::Params;

namespace {

Id person(const std::string &name) { return Id("test.example.org", "resource.Resource", name); }

// Creates `count` sent messages from `sender` in one createMessages call
// and returns their Ids, in order.
std::vector<Id> createBatch(messaging::batch::MessageBatchAdminSession &session, const Id &sender,
                            const std::string &prefix, int count)
{
    auto forms =
        session.getMessageFormsForCreate(static_cast<std::uint64_t>(count), {messaging::records::deliveryRecordType()});
    std::vector<std::shared_ptr<messaging::batch::MessageBatchForm>> filled;
    std::vector<Id> formIds;
    for (int i = 0; i < count; ++i) {
        auto form = forms->getNextMessageBatchForm();
        form->setSubjectLine(prefix + "-" + std::to_string(i));
        auto &delivery = messaging::records::deliveryFormRecord(*form);
        delivery.setSender(sender);
        delivery.setSentTime(DateTime::fromMicroseconds(std::int64_t{1'000'000} * i));
        delivery.setRecipients({person("reader"), person("other \"reader\"")});
        formIds.push_back(form->getId());
        filled.push_back(form);
    }
    VectorList<messaging::batch::MessageBatchFormList> list(std::move(filled));
    std::unordered_map<Id, std::size_t> place;
    for (std::size_t i = 0; i < formIds.size(); ++i)
        place.emplace(formIds[i], i);
    std::vector<Id> ids(formIds.size());
    for (const auto &r : session.createMessages(list)) {
        if (!r.isSuccessful())
            throw std::runtime_error(r.getErrorMessage().getText());
        ids[place.at(r.getFormId())] = r.getCreatedId();
    }
    return ids;
}

// The rows of the store's meta table, and how many messages it holds: what
// a refused open must leave exactly as it was.
std::string storeState(Connection &db)
{
    std::string out;
    auto meta = db.query("SELECT name || '=' || value FROM osid_messaging.meta ORDER BY name");
    for (int row = 0; row < meta.rows(); ++row)
        out += std::string(meta.text(row, 0)) + ";";
    return out + std::to_string(db.query("SELECT count(*) FROM osid_messaging.messages").integer(0, 0));
}

// Runs `body(p)` in `count` child processes at once, p = 0, 1, ...; checks
// that each returned 0. A child's exception is said on stderr.
template <typename Body>
void inProcesses(int count, Body &&body)
{
    std::vector<pid_t> children;
    for (int p = 0; p < count; ++p) {
        const pid_t child = fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            int status = 1;
            try {
                status = body(p);
            } catch (const std::exception &e) {
                std::fprintf(stderr, "child %d: %s\n", p, e.what());
            }
            _exit(status);
        }
        children.push_back(child);
    }
    for (auto child : children) {
        int status = 0;
        waitpid(child, &status, 0);
        CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    }
}

// Asks `done()` every 50 ms, up to 10 s, until it is true; whether it was.
template <typename Done>
bool eventually(Done &&done)
{
    for (int i = 0; i < 200; ++i) {
        if (done())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return done();
}

// Waits (up to 10 s) until `count` sessions of the scratch database wait
// for an advisory lock; whether they did.
bool waitForLockWaiters(ScratchDatabase &scratch, int count)
{
    auto raw = scratch.raw();
    return eventually([&] {
        return raw.query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = "
                         "(SELECT oid FROM pg_database WHERE datname = current_database())")
                   .integer(0, 0) >= count;
    });
}

} // namespace

TEST_SUITE("postgres provider")
{
    TEST_CASE("the configuration is a libpq connection string; a malformed one raises ConfigurationError")
    {
        CHECK(impl::postgres::postgresProviderOptions("host=/tmp dbname=messages").conninfo ==
              "host=/tmp dbname=messages");
        CHECK(impl::postgres::postgresProviderOptions("postgresql://db.example.org/messages").conninfo ==
              "postgresql://db.example.org/messages");
        CHECK_THROWS_WITH_AS(impl::postgres::postgresProviderOptions("host"),
                             doctest::Contains("bad connection string"), ConfigurationError);
        CHECK_THROWS_WITH_AS(impl::postgres::postgresProviderOptions("nosuchoption=1"),
                             doctest::Contains("nosuchoption"), ConfigurationError);
    }

    TEST_CASE("a server that cannot be reached gives OperationFailed with libpq's reason")
    {
        CHECK_THROWS_WITH_AS(openStore("host=/nonexistent-osid-test port=1 connect_timeout=2"),
                             doctest::Contains("cannot connect to PostgreSQL"), OperationFailed);
    }

    TEST_CASE("the libpq layer: array parameters survive quotes, backslashes and commas; errors carry the "
              "server's message" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto db = scratch.raw();
        const std::vector<std::string> values{"a\"b", "c\\d", "e,f", "", "NULL", "{g}"};
        auto r = db.query("SELECT v FROM unnest($1::text[]) WITH ORDINALITY AS t (v, n) ORDER BY n",
                          Params().addArray(values));
        REQUIRE(r.rows() == static_cast<int>(values.size()));
        for (int i = 0; i < r.rows(); ++i) {
            CHECK(!r.isNull(i, 0));
            CHECK(r.text(i, 0) == values[static_cast<std::size_t>(i)]);
        }
        CHECK_THROWS_WITH_AS(db.query("SELECT * FROM nowhere"),
                             doctest::Contains("relation \"nowhere\" does not exist"), OperationFailed);
        // A queued statement's failure surfaces with the next query, and
        // the connection goes on.
        db.queue("SELECT 1 / 0");
        CHECK_THROWS_WITH_AS(db.query("SELECT 1"), doctest::Contains("division by zero"), OperationFailed);
        CHECK(db.query("SELECT 2").integer(0, 0) == 2);
    }

    TEST_CASE("the libpq layer: binary COPY keeps integers of either sign, booleans, NULLs and any text; a row "
              "the server refuses fails the whole COPY with the server's message" *
              doctest::skip(noServer()))
    {
        const std::string sql = "COPY t (n, b, s) FROM STDIN (FORMAT binary)";
        const std::vector<std::string> texts{"", "a\"b\\c,{d}", "line\nnext\ttab\r", "\u00fcnic\u00f6de \u2713",
                                             std::string(70000, 'x')};
        const std::vector<std::int64_t> numbers{-9'000'000'000'000'000'000, -2, 0, 255, 1'234'567'890'123};
        ScratchDatabase scratch;
        auto db = scratch.raw();
        db.execute("CREATE TABLE t (n bigint PRIMARY KEY, b boolean, s text)");
        osid::postgres::CopyRows rows;
        for (std::size_t i = 0; i < texts.size(); ++i)
            rows.row(3).add(numbers[i]).add(i % 2 == 0).add(texts[i]);
        rows.row(3).add(std::int64_t{256}).addNull().addNull();
        CHECK(rows.rows() == 6);
        db.copy(sql, rows);
        CHECK(rows.rows() == 0);
        auto r = db.query("SELECT n, b, s FROM t ORDER BY n");
        REQUIRE(r.rows() == 6);
        for (int i = 0; i < 5; ++i) {
            // 256 sorts between 255 and the last number.
            const int row = i < 4 ? i : 5;
            CHECK(r.integer(row, 0) == numbers[static_cast<std::size_t>(i)]);
            CHECK(r.boolean(row, 1) == (i % 2 == 0));
            CHECK(r.text(row, 2) == texts[static_cast<std::size_t>(i)]);
        }
        CHECK(r.integer(4, 0) == 256);
        CHECK(r.isNull(4, 1));
        CHECK(r.isNull(4, 2));

        // A duplicate key in the second row: nothing of the COPY stays, and
        // the connection goes on.
        rows.row(3).add(std::int64_t{7}).add(true).add("new");
        rows.row(3).add(std::int64_t{-2}).add(true).add("again");
        CHECK_THROWS_WITH_AS(db.copy(sql, rows), doctest::Contains("duplicate key value"), OperationFailed);
        CHECK(rows.rows() == 0);
        CHECK(db.query("SELECT count(*) FROM t").integer(0, 0) == 6);
        // Text PostgreSQL cannot hold is refused before anything is sent.
        CHECK_THROWS_WITH_AS(rows.row(1).add(std::string_view("a\0b", 3)), doctest::Contains("U+0000"),
                             OperationFailed);
    }

    TEST_CASE("the runtime reaches the provider as postgres:CONNINFO" * doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto manager = runtime::getMessagingManager(*runtime::makeProviderRuntime(), "postgres:" + scratch.conninfo());
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto ids = createBatch(*session, person("ann"), "runtime", 3);
        CHECK(ids[0].getAuthority() == "postgres.osid-cpp");
        CHECK(manager->getMessageLookupSession()->getMessage(ids[2])->getSubjectLine().getText() == "runtime-2");
    }

    TEST_CASE("messages, aliases and mailboxes outlive their manager, with the same Ids" * doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        std::vector<Id> ids;
        Id mailbox;
        const Id alias("legacy.example.org", "mail", "kept");
        {
            auto manager = openStore(scratch.conninfo(), "mail.example.org");
            auto admin = manager->getMailboxAdminSession();
            auto form = admin->getMailboxFormForCreate({});
            form->setDisplayName("second");
            mailbox = admin->createMailbox(*form)->getId();
            auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSessionForMailbox(mailbox);
            ids = createBatch(*session, person("ann"), "kept", 4);
            session->aliasMessage(ids[1], alias);
        }
        auto manager = openStore(scratch.conninfo());
        auto lookup = manager->getMessageLookupSessionForMailbox(mailbox);
        CHECK(lookup->getMailbox()->getDisplayName().getText() == "second");
        auto message = lookup->getMessage(alias);
        CHECK(message->getId() == ids[1]);
        CHECK(message->getId().getAuthority() == "mail.example.org");
        CHECK(message->getSubjectLine().getText() == "kept-1");
        std::vector<Id> recipients;
        for (const auto &r : message->getRecipientIds())
            recipients.push_back(r);
        CHECK(recipients == std::vector<Id>{person("reader"), person("other \"reader\"")});
        CHECK_THROWS_WITH_AS(openStore(scratch.conninfo(), "other.example.org"),
                             doctest::Contains("issues Ids of authority \"mail.example.org\""), ConfigurationError);
    }

    TEST_CASE("a database of version 1 is migrated forward on open and keeps its messages" * doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        {
            // A database as the first release left it: version 1, no indexes.
            auto db = scratch.raw();
            db.execute("BEGIN");
            impl::postgres::applySchemaSteps(db, 0, 1, "old.example.org");
            db.execute("INSERT INTO osid_messaging.messages VALUES (7, 1, '', '', '', '', true, 'from v1', 'body', "
                       "true, 'resource.Resource:ann@test.example.org', 'resource.resource:ann@test.example.org', "
                       "'resource.Resource:ann@test.example.org', 0, 0, ''); "
                       "SELECT setval('osid_messaging.message_keys', 7); COMMIT");
        }
        auto indexes = [&] {
            return scratch.raw()
                .query("SELECT count(*) FROM pg_indexes WHERE schemaname = 'osid_messaging' AND "
                       "indexname LIKE 'messages_by_%'")
                .integer(0, 0);
        };
        CHECK(indexes() == 0);
        auto manager = openStore(scratch.conninfo());
        CHECK(indexes() == 2);
        // Step 3: the key columns compare byte by byte.
        CHECK(scratch.raw()
                  .query("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'osid_messaging' "
                         "AND column_name IN ('sender_key', 'genus_key', 'alias') AND collation_name = 'C'")
                  .integer(0, 0) == 3);
        CHECK(scratch.raw().query("SELECT value FROM osid_messaging.meta WHERE name = 'schema_version'").text(0, 0) ==
              std::to_string(impl::postgres::kSchemaVersion));
        auto message = manager->getMessageLookupSession()->getMessage(Id("old.example.org", "messaging.Message", "7"));
        CHECK(message->getSubjectLine().getText() == "from v1");
        CHECK(message->getSenderId() == person("ann"));
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        const auto ids = createBatch(*session, person("bob"), "new", 2);
        CHECK(ids[0] != message->getId());
        CHECK(session->deleteMessagesBySender(person("ann"))->available() == 1);
        // Step 4: the mailbox's rows are its generation's; a delete of all
        // moves it to one no mailbox had.
        CHECK(session->deleteAllMessages()->available() == 2);
        CHECK(manager->getMessageLookupSession()->getMessages()->available() == 0);
        CHECK(scratch.raw()
                  .query("SELECT count(DISTINCT generation) = count(*) AND bool_and(generation <> 1) "
                         "FROM osid_messaging.mailboxes")
                  .boolean(0, 0));
        createBatch(*session, person("bob"), "after", 1);
        CHECK(manager->getMessageLookupSession()->getMessages()->available() == 1);
    }

    TEST_CASE("a database from a newer schema version is refused and left exactly as it was" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        createBatch(*openStore(scratch.conninfo())->getMessagingBatchManager()->getMessageBatchAdminSession(),
                    person("ann"), "kept", 2);
        auto db = scratch.raw();
        db.execute("UPDATE osid_messaging.meta SET value = '99' WHERE name = 'schema_version'");
        const auto before = storeState(db);
        CHECK_THROWS_WITH_AS(openStore(scratch.conninfo()), doctest::Contains("schema version 99, newer than this"),
                             ConfigurationError);
        CHECK(storeState(db) == before);
    }

    TEST_CASE("another application's osid_messaging schema is refused and left exactly as it was" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto db = scratch.raw();
        db.execute("CREATE SCHEMA osid_messaging; CREATE TABLE osid_messaging.accounts (id int PRIMARY KEY); "
                   "INSERT INTO osid_messaging.accounts VALUES (1)");
        CHECK_THROWS_WITH_AS(openStore(scratch.conninfo()), doctest::Contains("is not an osid-cpp message store"),
                             ConfigurationError);
        CHECK(db.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'osid_messaging'").integer(0, 0) == 1);
        // A meta table that names another application is refused too.
        db.execute("CREATE TABLE osid_messaging.meta (name text PRIMARY KEY, value text NOT NULL); "
                   "INSERT INTO osid_messaging.meta VALUES ('application', 'ledger'), ('schema_version', '1')");
        CHECK_THROWS_WITH_AS(openStore(scratch.conninfo()), doctest::Contains("application \"ledger\""),
                             ConfigurationError);
        CHECK(db.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'osid_messaging'").integer(0, 0) == 2);
    }

    TEST_CASE("other schemas of the database are left alone; an empty osid_messaging schema is filled" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto db = scratch.raw();
        db.execute("CREATE TABLE public.accounts (id int PRIMARY KEY); CREATE SCHEMA osid_messaging");
        auto session = openStore(scratch.conninfo())->getMessagingBatchManager()->getMessageBatchAdminSession();
        CHECK(createBatch(*session, person("ann"), "m", 1).size() == 1);
        CHECK(db.query("SELECT count(*) FROM public.accounts").integer(0, 0) == 0);
    }

    TEST_CASE("processes that open a new database at once all open it; the schema is made once" *
              doctest::skip(noServer()))
    {
        for (int round = 0; round < 4; ++round) {
            ScratchDatabase scratch;
            inProcesses(4, [&](int) {
                openStore(scratch.conninfo());
                return 0;
            });
            auto db = scratch.raw();
            CHECK(db.query("SELECT value FROM osid_messaging.meta WHERE name = 'schema_version'").text(0, 0) ==
                  std::to_string(impl::postgres::kSchemaVersion));
            CHECK(db.query("SELECT count(*) FROM osid_messaging.mailboxes").integer(0, 0) == 1);
        }
    }

    TEST_CASE("processes that create messages in one database at once get distinct Ids, and every message is "
              "there" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        openStore(scratch.conninfo()); // the schema, before the processes race
        constexpr int kProcesses = 3, kCalls = 20, kPerCall = 50;
        const std::string prefix = fmt::format("/tmp/osid-postgres-test-{}-", ::getpid());
        inProcesses(kProcesses, [&](int p) {
            // Two managers in each process, alternating.
            auto a = openStore(scratch.conninfo())->getMessagingBatchManager()->getMessageBatchAdminSession();
            auto b = openStore(scratch.conninfo())->getMessagingBatchManager()->getMessageBatchAdminSession();
            std::ofstream out(prefix + std::to_string(p));
            for (int call = 0; call < kCalls; ++call)
                for (const auto &id : createBatch(call % 2 == 0 ? *a : *b, person(fmt::format("p{}", p)),
                                                  "c" + std::to_string(call), kPerCall))
                    out << id.toString() << '\n';
            return out.good() ? 0 : 1;
        });
        std::set<std::string> ids;
        std::size_t reported = 0;
        for (int p = 0; p < kProcesses; ++p) {
            std::ifstream in(prefix + std::to_string(p));
            for (std::string line; std::getline(in, line); ++reported)
                ids.insert(line);
            std::remove((prefix + std::to_string(p)).c_str());
        }
        CHECK(reported == kProcesses * kCalls * kPerCall);
        CHECK(ids.size() == reported);
        auto manager = openStore(scratch.conninfo());
        CHECK(manager->getMessageLookupSession()->getMessages()->available() == reported);
    }

    TEST_CASE("a connection lost under a session gives OperationFailed, not a crash, and the next call connects "
              "again" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto manager = openStore(scratch.conninfo());
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto lookup = manager->getMessageLookupSession();
        const auto ids = createBatch(*session, person("ann"), "before", 2);
        auto dropOthers = [&] {
            // What a server restart or a network cut does to the session.
            // Waits until they are gone (pg_terminate_backend only asks).
            auto db = scratch.raw();
            db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND pid <> pg_backend_pid()");
            while (db.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
                            "pg_backend_pid()")
                       .integer(0, 0) > 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            // A backend leaves pg_stat_activity just before its socket closes.
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        };

        // Between calls: the next call finds the connection closed and
        // connects again.
        dropOthers();
        CHECK(createBatch(*session, person("ann"), "after", 2).size() == 2);
        CHECK(lookup->getMessage(ids[0])->getSubjectLine().getText() == "before-0");
        CHECK(lookup->getMessages()->available() == 4);
        // Inside a transaction the loss takes the transaction with it: its
        // calls and its commit fail with OperationFailed, and nothing of it
        // is kept.
        auto tx = session->startTransaction();
        createBatch(*session, person("ann"), "in-transaction", 1);
        dropOthers();
        CHECK_THROWS_AS(createBatch(*session, person("ann"), "in-transaction-lost", 1), OperationFailed);
        CHECK_THROWS_AS(tx->commit(), OperationFailed);
        CHECK(tx->getState() == transaction::TransactionState::Aborted);
        CHECK(lookup->getMessages()->available() == 4);
        CHECK(createBatch(*session, person("ann"), "again", 1).size() == 1);
    }

    TEST_CASE("a failed call inside a transaction is undone alone; the transaction goes on" * doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto manager = openStore(scratch.conninfo());
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto tx = session->startTransaction();
        const auto kept = createBatch(*session, person("ann"), "kept", 2);
        // A message the database refuses (PostgreSQL text holds no NUL):
        // the call fails as a whole and is undone alone.
        CHECK_THROWS_AS(createBatch(*session, person("ann"), std::string("bad\0", 4), 1), OperationFailed);
        const auto more = createBatch(*session, person("ann"), "more", 1);
        tx->commit();
        CHECK(manager->getMessageLookupSession()->getMessages()->available() == 3);
        CHECK(kept[0] != more[0]);
    }

    TEST_CASE("a create larger than a block of keys arrives whole; one the server refuses leaves nothing, alone "
              "or inside a transaction" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto manager = openStore(scratch.conninfo());
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto lookup = manager->getMessageLookupSession();
        // One COPY of more rows than the largest block of keys (8,192).
        const auto many = createBatch(*session, person("ann"), "many", 20000);
        CHECK(std::set<Id>(many.begin(), many.end()).size() == many.size());
        CHECK(lookup->getMessages()->available() == 20000);
        for (int i : {0, 8191, 8192, 19999}) {
            auto message = lookup->getMessage(many[static_cast<std::size_t>(i)]);
            CHECK(message->getSubjectLine().getText() == "many-" + std::to_string(i));
            CHECK(message->getSenderId() == person("ann"));
            std::vector<Id> recipients;
            const auto list = message->getRecipientIds();
            for (const auto &id : *list)
                recipients.push_back(id);
            CHECK(recipients == std::vector<Id>{person("reader"), person("other \"reader\"")});
        }

        // A rule of the database that the third row breaks: the server
        // refuses the COPY.
        scratch.raw().execute(
            "ALTER TABLE osid_messaging.messages ADD CONSTRAINT refused CHECK (subject <> 'refused-2')");
        CHECK_THROWS_WITH_AS(createBatch(*session, person("ann"), "refused", 3), doctest::Contains("\"refused\""),
                             OperationFailed);
        CHECK(lookup->getMessages()->available() == 20000);
        auto tx = session->startTransaction();
        const auto kept = createBatch(*session, person("ann"), "kept", 2);
        CHECK_THROWS_AS(createBatch(*session, person("ann"), "refused", 3), OperationFailed);
        const auto more = createBatch(*session, person("ann"), "more", 1);
        tx->commit();
        CHECK(lookup->getMessages()->available() == 20003);
        CHECK(lookup->getMessage(kept[1])->getSubjectLine().getText() == "kept-1");
        CHECK(lookup->getMessage(more[0])->getSubjectLine().getText() == "more-0");
    }

    TEST_CASE("a delete of all reports every message and leaves none to any reader; the purge then removes their "
              "rows and aliases" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto manager = openStore(scratch.conninfo());
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        const auto ids = createBatch(*session, person("ann"), "gone", 30);
        const Id alias("legacy.example.org", "mail", "first");
        VectorList<transaction::batch::AliasRequestList> requests({transaction::batch::AliasRequest(ids[0], alias)});
        CHECK(session->aliasMessages(requests)->getNextAliasResponse().isSuccessful());
        std::set<Id> reported;
        for (const auto &r : session->deleteAllMessages()) {
            CHECK(r.isSuccessful());
            reported.insert(r.getDeletedId());
        }
        CHECK(reported == std::set<Id>(ids.begin(), ids.end()));
        auto lookup = manager->getMessageLookupSession();
        CHECK(lookup->getMessages()->available() == 0);
        CHECK_THROWS_AS(lookup->getMessage(ids[0]), NotFound);
        CHECK_THROWS_AS(lookup->getMessage(alias), NotFound);
        // Nor to a delete: none is reported twice.
        CHECK(session->deleteMessagesBySender(person("ann"))->available() == 0);
        CHECK(session->deleteAllMessages()->available() == 0);
        // The purge runs off the caller's path; its work shows in the
        // tables within a few seconds.
        auto raw = scratch.raw();
        auto left = [&] {
            return raw
                .query("SELECT (SELECT count(*) FROM osid_messaging.messages) + "
                       "(SELECT count(*) FROM osid_messaging.aliases) + "
                       "(SELECT count(*) FROM osid_messaging.dropped_generations)")
                .integer(0, 0);
        };
        eventually([&] { return left() == 0; });
        CHECK(left() == 0);
        // The alias is free again.
        const auto next = createBatch(*session, person("ann"), "next", 1);
        VectorList<transaction::batch::AliasRequestList> again({transaction::batch::AliasRequest(next[0], alias)});
        CHECK(session->aliasMessages(again)->getNextAliasResponse().isSuccessful());
        CHECK(lookup->getMessage(alias)->getId() == next[0]);
    }

    TEST_CASE("a delete of all waits for a create in flight in another session, and reports its message" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        auto manager = openStore(scratch.conninfo());
        auto writer = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto deleter = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        createBatch(*writer, person("ann"), "before", 3);
        auto tx = writer->startTransaction();
        const auto inFlight = createBatch(*writer, person("ann"), "in flight", 2);
        std::set<Id> reported;
        std::thread deleting([&] {
            for (const auto &r : deleter->deleteAllMessages())
                reported.insert(r.getDeletedId());
        });
        // The delete waits on the create's transaction: a delete of all
        // that did not would report 3 messages and lose the 2 created.
        const bool waited = waitForLockWaiters(scratch, 1);
        tx->commit();
        deleting.join();
        CHECK(waited);
        CHECK(reported.size() == 5);
        CHECK(reported.count(inFlight[0]) == 1);
        CHECK(reported.count(inFlight[1]) == 1);
        CHECK(manager->getMessageLookupSession()->getMessages()->available() == 0);
    }

    TEST_CASE("a create that waited for a delete of all lands in the mailbox's new generation, whatever the "
              "database's default isolation" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        scratch.raw().execute("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_isolation = "
                              "''repeatable read''', current_database()); END $$");
        auto manager = openStore(scratch.conninfo());
        auto writer = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto deleter = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        createBatch(*writer, person("ann"), "before", 2);
        auto tx = deleter->startTransaction();
        CHECK(deleter->deleteAllMessages()->available() == 2);
        std::vector<Id> created;
        std::thread creating([&] { created = createBatch(*writer, person("ann"), "after", 3); });
        const bool waited = waitForLockWaiters(scratch, 1);
        tx->commit();
        creating.join();
        CHECK(waited);
        REQUIRE(created.size() == 3);
        auto lookup = manager->getMessageLookupSession();
        CHECK(lookup->getMessages()->available() == 3);
        CHECK(lookup->getMessage(created[0])->getSubjectLine().getText() == "after-0");
    }

    TEST_CASE("a delete of all that waits past lockTimeout fails, changes nothing, and lets the writers behind it "
              "go on" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        impl::postgres::PostgresProviderOptions options;
        options.conninfo = scratch.conninfo();
        options.lockTimeout = std::chrono::milliseconds(300);
        auto manager = impl::postgres::makePostgresMessagingManager(options);
        auto holder = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto deleter = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto other = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto tx = holder->startTransaction();
        createBatch(*holder, person("ann"), "open", 1);
        bool refused = false;
        std::thread deleting([&] {
            try {
                deleter->deleteAllMessages();
            } catch (const OperationFailed &) {
                refused = true;
            }
        });
        waitForLockWaiters(scratch, 1);
        // A writer behind the waiting delete waits with it, then goes on.
        createBatch(*other, person("bob"), "behind", 1);
        deleting.join();
        tx->commit();
        CHECK(refused);
        CHECK(manager->getMessageLookupSession()->getMessages()->available() == 2);
        // The session's own lock_timeout is as it was: a delete with no
        // writer in its way goes through.
        CHECK(deleter->deleteAllMessages()->available() == 2);
    }

    TEST_CASE("rows an earlier process's delete of all left are purged when the database is opened again" *
              doctest::skip(noServer()))
    {
        ScratchDatabase scratch;
        {
            auto manager = openStore(scratch.conninfo());
        }
        {
            // As a process that ended before its purge did: a dropped
            // generation with its rows still there.
            auto raw = scratch.raw();
            raw.execute("INSERT INTO osid_messaging.messages (message, generation, display_name, description, "
                        "genus_type, genus_key, delivery, subject, body, sent) "
                        "SELECT k, 999999, '', '', '', '', false, 'left', '', false FROM generate_series(1, 25000) k; "
                        "INSERT INTO osid_messaging.dropped_generations VALUES (999999)");
        }
        auto manager = openStore(scratch.conninfo());
        CHECK(manager->getMessageLookupSession()->getMessages()->available() == 0);
        auto raw = scratch.raw();
        auto left = [&] {
            return raw
                .query("SELECT (SELECT count(*) FROM osid_messaging.messages) + "
                       "(SELECT count(*) FROM osid_messaging.dropped_generations)")
                .integer(0, 0);
        };
        eventually([&] { return left() == 0; });
        CHECK(left() == 0);
    }
}
