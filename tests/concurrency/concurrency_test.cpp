// Several sessions over one store, on several threads at once: nothing is
// lost or duplicated, and every index agrees with what each thread was told.
// Run for each built-in provider; scripts/test runs it under ThreadSanitizer.

#include "support/provider_fixture.h"
#include "tests/sqlite/sqlite_support.h"

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

TEST_CASE("memory: sessions on several threads over one store lose and duplicate nothing")
{
    checkConcurrentSessions(impl::memory::makeMemoryMessagingManager());
}

TEST_CASE("sqlite: sessions on several threads over one file lose and duplicate nothing")
{
    sqlite_test::TempDir dir;
    checkConcurrentSessions(sqlite_test::openStore(dir.file("threads.db")));
}
