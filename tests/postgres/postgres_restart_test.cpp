// The PostgreSQL provider across a server restart (pg_ctl restart -m fast)
// under load, on a server of the test's own (OwnCluster): clients create
// messages in a loop while the server restarts. Skipped without
// OSID_TEST_POSTGRES (no PostgreSQL server installed).

#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/records/delivery_record.h"
#include "osid/vector_list.h"
#include "tests/postgres/postgres_support.h"
#include "transaction/transaction.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace osid;
using namespace postgres_test;

namespace {

// Creates `count` sent messages with subjects "PREFIX-0", ... in one call.
void createMessages(messaging::batch::MessageBatchAdminSession &session, const std::string &prefix, int count)
{
    auto forms =
        session.getMessageFormsForCreate(static_cast<std::uint64_t>(count), {messaging::records::deliveryRecordType()});
    std::vector<std::shared_ptr<messaging::batch::MessageBatchForm>> filled;
    for (int i = 0; i < count; ++i) {
        auto form = forms->getNextMessageBatchForm();
        form->setSubjectLine(fmt::format("{}-{}", prefix, i));
        auto &delivery = messaging::records::deliveryFormRecord(*form);
        delivery.setSender(Id("test.example.org", "resource.Resource", "ann"));
        delivery.setSentTime(DateTime::fromMicroseconds(1'000'000 * i));
        filled.push_back(form);
    }
    VectorList<messaging::batch::MessageBatchFormList> list(std::move(filled));
    for (const auto &r : session.createMessages(list))
        if (!r.isSuccessful())
            throw std::runtime_error(r.getErrorMessage().getText());
}

} // namespace

TEST_SUITE("postgres restart")
{
    TEST_CASE("the server restarted under clients creating messages: each call succeeds whole or fails with "
              "OperationFailed and leaves nothing; the same sessions work again after it" *
              doctest::skip(noServer()))
    {
        OwnCluster cluster;
        auto manager = openStore(cluster.conninfo());
        constexpr int kClients = 2, kPerCall = 200;
        // What each call did, by its prefix ("CLIENT.CALL"): true if it
        // returned, false if it raised OperationFailed.
        std::mutex mutex;
        std::map<std::string, bool> outcomes;
        std::vector<std::string> failures, otherErrors;
        std::atomic<int> succeeded{0}, failed{0};
        std::atomic<bool> stop{false};
        std::vector<std::thread> clients;
        for (int c = 0; c < kClients; ++c)
            clients.emplace_back([&, c] {
                // One session for the whole run: never opened again.
                auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
                for (int call = 0; !stop; ++call) {
                    const auto prefix = fmt::format("{}.{}", c, call);
                    bool ok = false;
                    try {
                        createMessages(*session, prefix, kPerCall);
                        ok = true;
                    } catch (const OperationFailed &e) {
                        std::lock_guard lock(mutex);
                        failures.push_back(e.what());
                    } catch (const std::exception &e) {
                        std::lock_guard lock(mutex);
                        otherErrors.push_back(e.what());
                        stop = true;
                    }
                    std::lock_guard lock(mutex);
                    outcomes[prefix] = ok;
                    ++(ok ? succeeded : failed);
                }
            });
        // Stopped and joined on every way out, a failed REQUIRE included.
        struct Joined {
            std::atomic<bool> &stop;
            std::vector<std::thread> &threads;
            void now()
            {
                stop = true;
                for (auto &t : threads)
                    if (t.joinable())
                        t.join();
            }
            ~Joined() { now(); }
        };
        Joined joined{stop, clients};
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        auto waitFor = [&](int calls) {
            while (succeeded < calls && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
        };
        waitFor(20);
        // And a transaction open across the restart: lost with its session.
        auto inTransaction = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto transaction = inTransaction->startTransaction();
        createMessages(*inTransaction, "tx", kPerCall);
        const auto started = std::chrono::steady_clock::now();
        cluster.restart();
        const auto restartTook = std::chrono::steady_clock::now() - started;
        CHECK_THROWS_AS(createMessages(*inTransaction, "tx.lost", kPerCall), OperationFailed);
        CHECK_THROWS_AS(transaction->commit(), OperationFailed);
        transaction.reset();
        createMessages(*inTransaction, "tx.after", kPerCall);
        const int before = succeeded;
        waitFor(before + 20);
        joined.now();
        outcomes.insert({{"tx", false}, {"tx.lost", false}, {"tx.after", true}});

        CHECK(otherErrors.empty());
        if (!otherErrors.empty())
            MESSAGE("not OperationFailed: ", otherErrors.front());
        // The sessions worked again after the restart, connecting anew;
        // a call in flight failed (as the transaction did; a call that
        // starts while the server is away waits for it).
        for (const auto &e : failures)
            MESSAGE("failed: ", e);
        CHECK(succeeded >= before + 20);
        // Each call that returned left all its messages, each that failed
        // none of them.
        Connection db(cluster.conninfo());
        std::map<std::string, std::int64_t> stored;
        auto rows = db.query("SELECT split_part(subject, '-', 1), count(*) FROM osid_messaging.messages GROUP BY 1");
        for (int row = 0; row < rows.rows(); ++row)
            stored[std::string(rows.text(row, 0))] = rows.integer(row, 1);
        int wrong = 0;
        for (const auto &[prefix, ok] : outcomes) {
            const auto found = stored.count(prefix) ? stored[prefix] : 0;
            if (found != (ok ? kPerCall : 0)) {
                ++wrong;
                MESSAGE(fmt::format("call {} {}, and {} of its {} messages are stored", prefix,
                                    ok ? "returned" : "failed", found, kPerCall));
            }
            stored.erase(prefix);
        }
        CHECK(wrong == 0);
        CHECK(stored.empty()); // no messages of a call not made
        MESSAGE(fmt::format("{} calls returned, {} failed; the restart took {} ms", succeeded.load(), failed.load(),
                            std::chrono::duration_cast<std::chrono::milliseconds>(restartTook).count()));
    }
}
