// Several sessions over one store, on several threads at once: nothing is
// lost or duplicated, and every index agrees with what each thread was told.
// Two tests, each run for each built-in provider: threads that keep to their
// own messages, and threads that mix every batch operation, deleting the
// whole mailbox under each other. scripts/test runs both under
// ThreadSanitizer (their names contain "threads").

#include "support/provider_fixture.h"
#include "tests/sqlite/sqlite_support.h"
#ifdef OSID_CPP_HAVE_POSTGRES
#include "tests/postgres/postgres_support.h"
#endif

#include <functional>
#include <map>
#include <set>
#include <thread>

using namespace osid;
using namespace osid::testing;

namespace {

constexpr int kThreads = 4;
constexpr int kRounds = 25;
constexpr int kPerRound = 40;
constexpr int kSendersPerThread = 4;

// What one thread was told succeeded, to check the store against.
struct ThreadModel {
    std::map<Id, Id> liveSender;        // live message -> sender
    std::map<Id, std::string> liveText; // live message -> text
    std::map<Id, Id> aliases;           // alias -> message
};

Id senderOf(int thread, int n) { return resource("t" + std::to_string(thread) + "-s" + std::to_string(n)); }

void work(messaging::MessagingManager &manager, int t, ThreadModel &model)
{
    auto session = manager.getMessagingBatchManager()->getMessageBatchAdminSession();
    // Each thread's messages are received in its own hour, so date deletes
    // of one thread never touch another's.
    const std::int64_t base = t * 3600;
    int serial = 0;
    for (int round = 0; round < kRounds; ++round) {
        // Create.
        std::vector<std::shared_ptr<MessageBatchForm>> forms;
        std::map<Id, std::pair<Id, std::string>> intended;
        for (auto form : session->getMessageFormsForCreate(kPerRound, {deliveryRecordType()})) {
            const Id sender = senderOf(t, serial % kSendersPerThread);
            const std::string text = "m" + std::to_string(serial);
            form->setText(text);
            deliveryFormRecord(*form).setSender(sender);
            deliveryFormRecord(*form).setSentTime(at(base + serial % 3600));
            intended[form->getId()] = {sender, text};
            forms.push_back(form);
            ++serial;
        }
        VectorList<MessageBatchFormList> createList(forms);
        std::vector<Id> created;
        for (const auto &r : session->createMessages(createList)) {
            REQUIRE(r.isSuccessful());
            model.liveSender[r.getCreatedId()] = intended.at(r.getFormId()).first;
            model.liveText[r.getCreatedId()] = intended.at(r.getFormId()).second;
            created.push_back(r.getCreatedId());
        }

        // Update a quarter of what was just created.
        std::vector<Id> toUpdate(created.begin(), created.begin() + kPerRound / 4);
        VectorList<IdList> updateIds(toUpdate);
        std::vector<std::shared_ptr<MessageBatchForm>> updates;
        for (auto form : session->getMessageFormsForUpdate(updateIds)) {
            form->setText("updated " + form->getMessageId().getIdentifier());
            updates.push_back(form);
        }
        VectorList<MessageBatchFormList> updateList(updates);
        for (const auto &r : session->updateMessages(updateList)) {
            REQUIRE(r.isSuccessful());
            model.liveText[r.getUpdatedId()] = "updated " + r.getUpdatedId().getIdentifier();
        }

        // Alias a quarter, with aliases unique to this thread.
        std::vector<AliasRequest> requests;
        for (int i = 0; i < kPerRound / 4; ++i)
            requests.emplace_back(created[static_cast<std::size_t>(kPerRound / 2 + i)],
                                  Id("legacy", "t" + std::to_string(t), std::to_string(round * kPerRound + i)));
        VectorList<AliasRequestList> aliasList(requests);
        for (const auto &r : session->aliasMessages(aliasList)) {
            REQUIRE(r.isSuccessful());
            model.aliases[r.getAliasId()] = r.getReferenceId();
        }

        // Delete one of this thread's senders every few rounds, and a slice
        // of this thread's hour in the others.
        auto forget = [&](const std::unique_ptr<transaction::batch::DeleteResponseList> &responses) {
            for (const auto &r : responses) {
                REQUIRE(r.isSuccessful());
                REQUIRE(model.liveSender.erase(r.getDeletedId()) == 1);
                model.liveText.erase(r.getDeletedId());
            }
        };
        if (round % 5 == 4)
            forget(session->deleteMessagesBySender(senderOf(t, round % kSendersPerThread)));
        else if (round % 5 == 2)
            forget(session->deleteMessagesByDate(at(base + round * 10), at(base + round * 10 + 59)));
    }
}

void checkConcurrentSessions(const std::shared_ptr<messaging::MessagingManager> &manager)
{
    std::vector<ThreadModel> models(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] { work(*manager, t, models[static_cast<std::size_t>(t)]); });
    for (auto &thread : threads)
        thread.join();

    auto lookup = manager->getMessageLookupSession();
    std::map<Id, Id> expectedSender;
    std::map<Id, std::string> expectedText;
    for (const auto &model : models) {
        for (const auto &[id, sender] : model.liveSender)
            REQUIRE_MESSAGE(expectedSender.emplace(id, sender).second, "two threads were given the same Id");
        expectedText.insert(model.liveText.begin(), model.liveText.end());
    }

    std::map<Id, Id> actualSender;
    for (const auto &m : lookup->getMessages()) {
        actualSender[m->getId()] = m->getSenderId();
        CHECK(m->getText().getText() == expectedText.at(m->getId()));
    }
    CHECK(actualSender == expectedSender);

    // The sender index agrees with the messages.
    for (int t = 0; t < kThreads; ++t) {
        for (int s = 0; s < kSendersPerThread; ++s) {
            std::set<Id> indexed;
            for (const auto &m : lookup->getMessagesFromSender(senderOf(t, s)))
                indexed.insert(m->getId());
            std::set<Id> expected;
            for (const auto &[id, sender] : expectedSender)
                if (sender == senderOf(t, s))
                    expected.insert(id);
            CHECK(indexed == expected);
        }
    }

    // Every alias of a live message resolves to it; the others miss.
    for (const auto &model : models) {
        for (const auto &[alias, target] : model.aliases) {
            if (expectedSender.count(target) != 0)
                CHECK(lookup->getMessage(alias)->getId() == target);
            else
                CHECK_THROWS_AS(lookup->getMessage(alias), NotFound);
        }
    }

    // The date index agrees too: deleting everything by date finds them all.
    auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
    std::set<Id> byDate;
    for (const auto &r : session->deleteMessagesByDate(DateTime::min(), DateTime::max()))
        byDate.insert(r.getDeletedId());
    std::set<Id> all;
    for (const auto &[id, sender] : expectedSender)
        all.insert(id);
    CHECK(byDate == all);
    CHECK_FALSE(lookup->getMessages()->hasNext());
}

} // namespace

// ---------------------------------------------------------------------------
// Every batch operation at once, deleteAllMessages included.
//
// Each thread has its own sessions over one shared mailbox and its own
// senders, hour and aliases, but deleteAllMessages empties the mailbox under
// everyone, at any moment. So a thread cannot know what is still there; it
// records what it was told instead, and a message it finds gone that it did
// not delete itself must have been reported by someone's deleteAllMessages.
// Afterwards the store must agree with the sequential story those reports
// tell: every message created once, deleted at most once, and the survivors
// holding what their last successful update wrote.

namespace {
namespace mixed {

constexpr int kThreads = 4;
constexpr int kRounds = 16;
constexpr int kPerRound = 12;
constexpr int kSenders = 3;

const Id kSharedAlias("legacy", "shared", "contested");

Id senderOf(int thread, int n) { return resource("mixed-t" + std::to_string(thread) + "-s" + std::to_string(n)); }

// What one thread was told.
struct Log {
    std::map<Id, Id> sender;           // every message it created -> sender
    std::map<Id, std::string> text;    // ... -> the text of its last successful create or update
    std::map<Id, DateTime> received;   // ... -> its received time
    std::set<Id> live;                 // created, and neither deleted nor seen gone since
    std::set<Id> deletedByCriteria;    // reported by its deleteMessagesBySender and ByDate
    std::set<Id> deletedByAll;         // reported by its deleteAllMessages
    std::set<Id> gone;                 // found missing without a delete of its own reporting it
    std::map<Id, Id> aliases;          // its own aliases -> message
    std::set<Id> sharedTargets;        // messages it pointed the shared alias at
    std::vector<std::string> problems; // broken rules, reported after the join
};

void note(Log &log, bool ok, const std::string &what)
{
    if (!ok)
        log.problems.push_back(what);
}

// A message of this thread is gone without a delete of its own.
void lost(Log &log, const Id &id)
{
    log.live.erase(id);
    log.gone.insert(id);
}

// What a delete by sender or date reported, against what the thread holds:
// every reported message is one of its live ones, and every live one that
// matched and was not reported must be gone already.
void deletedByCriteria(Log &log, const std::unique_ptr<transaction::batch::DeleteResponseList> &responses,
                       const std::function<bool(const Id &)> &matches, const std::string &call)
{
    for (const auto &r : responses) {
        note(log, r.isSuccessful(), call + " answered with a failure");
        const Id id = r.getDeletedId();
        note(log, log.live.count(id) == 1 && matches(id),
             call + " reported " + id.toString() + ", which is not a live message it matches");
        log.live.erase(id);
        log.deletedByCriteria.insert(id);
    }
    std::vector<Id> unreported;
    for (const auto &id : log.live)
        if (matches(id))
            unreported.push_back(id);
    for (const auto &id : unreported)
        lost(log, id);
}

void work(messaging::MessagingManager &manager, const Id &mailbox, int t, Log &log)
{
    auto session = manager.getMessagingBatchManager()->getMessageBatchAdminSessionForMailbox(mailbox);
    auto lookup = manager.getMessageLookupSessionForMailbox(mailbox);
    const std::int64_t base = 100'000 + t * 3600;
    int serial = 0;
    for (int round = 0; round < kRounds; ++round) {
        // Create: these cannot fail, whatever the others do.
        std::vector<std::shared_ptr<MessageBatchForm>> forms;
        struct Intended {
            Id sender;
            std::string text;
            DateTime received;
        };
        std::map<Id, Intended> intended;
        for (auto form : session->getMessageFormsForCreate(kPerRound, {deliveryRecordType()})) {
            const Id sender = senderOf(t, serial % kSenders);
            const std::string text = "t" + std::to_string(t) + " m" + std::to_string(serial);
            form->setText(text);
            deliveryFormRecord(*form).setSender(sender);
            const DateTime received = at(base + serial % 3600);
            deliveryFormRecord(*form).setSentTime(received);
            intended[form->getId()] = {sender, text, received};
            forms.push_back(form);
            ++serial;
        }
        VectorList<MessageBatchFormList> createList(forms);
        std::vector<Id> created;
        for (const auto &r : session->createMessages(createList)) {
            note(log, r.isSuccessful(), "a create failed: " + (r.isSuccessful() ? "" : r.getErrorMessage().getText()));
            if (!r.isSuccessful())
                continue;
            const auto &wanted = intended.at(r.getFormId());
            note(log, log.sender.emplace(r.getCreatedId(), wanted.sender).second, "an Id was handed out twice");
            log.text[r.getCreatedId()] = wanted.text;
            log.received[r.getCreatedId()] = wanted.received;
            log.live.insert(r.getCreatedId());
            created.push_back(r.getCreatedId());
        }
        if (created.size() != static_cast<std::size_t>(kPerRound))
            return;

        // Update a third of this round's messages; any may be gone already.
        std::vector<Id> toUpdate(created.begin(), created.begin() + kPerRound / 3);
        std::vector<std::shared_ptr<MessageBatchForm>> updates;
        try {
            VectorList<IdList> ids(toUpdate);
            for (auto form : session->getMessageFormsForUpdate(ids))
                updates.push_back(form);
        } catch (const NotFound &) {
            // One is gone: ask one by one.
            updates.clear();
            for (const auto &id : toUpdate) {
                try {
                    VectorList<IdList> one({id});
                    updates.push_back(session->getMessageFormsForUpdate(one)->getNextMessageBatchForm());
                } catch (const NotFound &) {
                    lost(log, id);
                }
            }
        }
        for (auto &form : updates)
            form->setText("updated " + form->getMessageId().getIdentifier() + " in round " + std::to_string(round));
        VectorList<MessageBatchFormList> updateList(updates);
        for (const auto &r : session->updateMessages(updateList)) {
            if (r.isSuccessful()) {
                log.text[r.getUpdatedId()] =
                    "updated " + r.getUpdatedId().getIdentifier() + " in round " + std::to_string(round);
            } else {
                note(log, r.getErrorCode() == ErrorCode::NotFound,
                     "an update failed with " + std::string(errorName(r.getErrorCode())));
                lost(log, r.getUpdatedId());
            }
        }

        // Alias a third with aliases of this thread's own, and point the
        // shared alias at this round's last message.
        std::vector<AliasRequest> requests;
        for (int i = 0; i < kPerRound / 3; ++i)
            requests.emplace_back(created[static_cast<std::size_t>(kPerRound / 3 + i)],
                                  Id("legacy", "mixed-t" + std::to_string(t), std::to_string(round * kPerRound + i)));
        requests.emplace_back(created.back(), kSharedAlias);
        VectorList<AliasRequestList> aliasList(requests);
        for (const auto &r : session->aliasMessages(aliasList)) {
            if (r.isSuccessful()) {
                if (r.getAliasId() == kSharedAlias)
                    log.sharedTargets.insert(r.getReferenceId());
                else
                    log.aliases[r.getAliasId()] = r.getReferenceId();
            } else {
                note(log, r.getErrorCode() == ErrorCode::NotFound,
                     "an alias failed with " + std::string(errorName(r.getErrorCode())));
                lost(log, r.getReferenceId());
            }
        }

        // Look up: one sender's messages are live ones of this thread with
        // the text it last wrote; a live one that is missing is gone.
        const Id sender = senderOf(t, round % kSenders);
        std::set<Id> seen;
        for (const auto &m : lookup->getMessagesFromSender(sender)) {
            seen.insert(m->getId());
            note(log, log.live.count(m->getId()) == 1, "a lookup found " + m->getId().toString() + ", not live");
            note(log, log.text.count(m->getId()) == 1 && m->getText().getText() == log.text[m->getId()],
                 "a lookup found the wrong text for " + m->getId().toString());
        }
        std::vector<Id> missing;
        for (const auto &id : log.live)
            if (log.sender.at(id) == sender && seen.count(id) == 0)
                missing.push_back(id);
        for (const auto &id : missing)
            lost(log, id);
        for (std::size_t i = 0; i + 1 < requests.size(); ++i) {
            const Id &alias = requests[i].getAliasId();
            const Id &target = requests[i].getReferenceId();
            if (log.aliases.count(alias) == 0 || log.live.count(target) == 0)
                continue;
            try {
                note(log, lookup->getMessage(alias)->getId() == target, "an alias leads elsewhere");
            } catch (const NotFound &) {
                lost(log, target);
            }
        }

        // Delete: by sender, by date (the first half of the last round's
        // messages), or, once per thread, everything in the mailbox.
        if (round % 4 == 1) {
            deletedByCriteria(
                log, session->deleteMessagesBySender(sender), [&](const Id &id) { return log.sender.at(id) == sender; },
                "deleteMessagesBySender");
        } else if (round % 4 == 2) {
            const DateTime from = at(base + (round - 1) * kPerRound);
            const DateTime to = at(base + (round - 1) * kPerRound + kPerRound / 2);
            deletedByCriteria(
                log, session->deleteMessagesByDate(from, to),
                [&](const Id &id) { return from <= log.received.at(id) && log.received.at(id) <= to; },
                "deleteMessagesByDate");
        } else if (round == 3 + 4 * (t % 3)) {
            for (const auto &r : session->deleteAllMessages()) {
                note(log, r.isSuccessful(), "deleteAllMessages answered with a failure");
                note(log, log.deletedByAll.insert(r.getDeletedId()).second,
                     "deleteAllMessages reported a message twice");
                log.live.erase(r.getDeletedId());
            }
            // Whatever of this thread's it did not report was gone before.
            std::vector<Id> unreported(log.live.begin(), log.live.end());
            for (const auto &id : unreported)
                lost(log, id);
        }
    }
}

void checkMixedOperations(const std::shared_ptr<messaging::MessagingManager> &manager)
{
    // The threads share a mailbox of their own; a few messages of the same
    // senders in the default mailbox must outlive every delete.
    conformance::Fixture f([manager] { return manager; }, "mixed threads");
    auto outside = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
    std::vector<std::shared_ptr<MessageBatchForm>> outsideForms;
    for (auto form : outside->getMessageFormsForCreate(kThreads, {deliveryRecordType()})) {
        deliveryFormRecord(*form).setSender(senderOf(static_cast<int>(outsideForms.size()), 0));
        deliveryFormRecord(*form).setSentTime(at(100'000));
        outsideForms.push_back(form);
    }
    VectorList<MessageBatchFormList> outsideList(outsideForms);
    std::set<Id> bystanders;
    for (const auto &r : outside->createMessages(outsideList))
        bystanders.insert(r.getCreatedId());
    REQUIRE(bystanders.size() == static_cast<std::size_t>(kThreads));

    std::vector<Log> logs(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            auto &log = logs[static_cast<std::size_t>(t)];
            try {
                work(*manager, f.mailboxId, t, log);
            } catch (const std::exception &e) {
                log.problems.push_back(std::string("the thread stopped: ") + e.what());
            }
        });
    for (auto &thread : threads)
        thread.join();
    for (const auto &log : logs)
        for (const auto &problem : log.problems)
            FAIL_CHECK(problem);

    // The story the reports tell: each message created once and deleted
    // at most once; whatever a thread found gone, a deleteAllMessages
    // reported.
    std::map<Id, const Log *> creator;
    std::map<Id, int> deletions;
    std::set<Id> deletedByAll;
    for (const auto &log : logs) {
        for (const auto &entry : log.sender)
            REQUIRE_MESSAGE(creator.emplace(entry.first, &log).second, "two threads were given the same Id");
        for (const auto &id : log.deletedByCriteria)
            ++deletions[id];
        for (const auto &id : log.deletedByAll)
            ++deletions[id];
        deletedByAll.insert(log.deletedByAll.begin(), log.deletedByAll.end());
    }
    CHECK_FALSE(deletedByAll.empty());
    for (const auto &entry : deletions) {
        INFO(entry.first.toString());
        CHECK(creator.count(entry.first) == 1);
        CHECK(entry.second == 1);
    }
    for (const auto &log : logs)
        for (const auto &id : log.gone) {
            INFO(id.toString(), " vanished, but no deleteAllMessages reported it");
            CHECK(deletedByAll.count(id) == 1);
        }

    std::map<Id, std::string> expectedText;
    for (const auto &entry : creator)
        if (deletions.count(entry.first) == 0)
            expectedText[entry.first] = entry.second->text.at(entry.first);
    CHECK_FALSE(expectedText.empty());

    // The store agrees: the survivors with their last text, ...
    std::map<Id, std::string> actualText;
    for (const auto &m : f.lookup->getMessages())
        actualText[m->getId()] = m->getText().getText();
    CHECK(actualText == expectedText);

    // ... the sender index, ...
    for (int t = 0; t < kThreads; ++t) {
        for (int s = 0; s < kSenders; ++s) {
            const Id sender = senderOf(t, s);
            std::set<Id> expected;
            for (const auto &entry : expectedText)
                if (creator.at(entry.first)->sender.at(entry.first) == sender)
                    expected.insert(entry.first);
            CHECK(idSet(f.lookup->getMessagesFromSender(sender)) == expected);
        }
    }

    // ... every alias: to its message while that lives, NotFound after; the
    // contested one to a survivor some thread pointed it at, if any, ...
    for (const auto &log : logs) {
        for (const auto &entry : log.aliases) {
            if (expectedText.count(entry.second) != 0)
                CHECK(f.lookup->getMessage(entry.first)->getId() == entry.second);
            else
                CHECK_THROWS_AS(f.lookup->getMessage(entry.first), NotFound);
        }
    }
    std::set<Id> sharedTargets;
    for (const auto &log : logs)
        sharedTargets.insert(log.sharedTargets.begin(), log.sharedTargets.end());
    try {
        const Id target = f.lookup->getMessage(kSharedAlias)->getId();
        CHECK(sharedTargets.count(target) == 1);
        CHECK(expectedText.count(target) == 1);
    } catch (const NotFound &) {
        // Its last target was deleted.
    }

    // ... the date index, and the default mailbox, untouched.
    std::set<Id> byDate;
    for (const auto &r : f.session->deleteMessagesByDate(DateTime::min(), DateTime::max()))
        byDate.insert(r.getDeletedId());
    std::set<Id> survivors;
    for (const auto &entry : expectedText)
        survivors.insert(entry.first);
    CHECK(byDate == survivors);
    CHECK(idSet(manager->getMessageLookupSession()->getMessages()) == bystanders);
}

} // namespace mixed
} // namespace

TEST_CASE("memory: sessions on several threads over one store lose and duplicate nothing")
{
    checkConcurrentSessions(impl::memory::makeMemoryMessagingManager());
}

TEST_CASE("sqlite: sessions on several threads over one file lose and duplicate nothing")
{
    sqlite_test::TempDir dir;
    checkConcurrentSessions(sqlite_test::openStore(dir.file("threads.db")));
}

TEST_CASE("memory: threads mixing every batch operation, deleteAllMessages included, agree with what each was told")
{
    mixed::checkMixedOperations(impl::memory::makeMemoryMessagingManager());
}

TEST_CASE("sqlite: threads mixing every batch operation, deleteAllMessages included, agree with what each was told")
{
    sqlite_test::TempDir dir;
    mixed::checkMixedOperations(sqlite_test::openStore(dir.file("mixed.db")));
}

#ifdef OSID_CPP_HAVE_POSTGRES
// The PostgreSQL provider, each check on a database of its own on the
// server OSID_TEST_POSTGRES names (skipped without one).
TEST_CASE("postgres: sessions on several threads over one database lose and duplicate nothing" *
          doctest::skip(postgres_test::noServer()))
{
    postgres_test::ScratchDatabase scratch;
    checkConcurrentSessions(postgres_test::openStore(scratch.conninfo()));
}

TEST_CASE("postgres: threads mixing every batch operation, deleteAllMessages included, agree with what each was told" *
          doctest::skip(postgres_test::noServer()))
{
    postgres_test::ScratchDatabase scratch;
    mixed::checkMixedOperations(postgres_test::openStore(scratch.conninfo()));
}
#endif
