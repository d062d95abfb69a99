// Workspaces: MessageBatchService::workspace(mailboxId) creates batches in
// its mailbox and sees only its own batches; the service's own calls see
// every workspace's.

#include "impl/memory/memory_provider.h"
#include "messaging/mailbox_admin_session.h"
#include "messaging/message_lookup_session.h"
#include "service/message_batches.h"
#include "tests/service/batch_support.h"
#include "tests/service/webhook_receiver.h"
#include "tests/sqlite/sqlite_support.h"

#include <doctest/doctest.h>

#include <sstream>

using namespace osid;
using namespace osid::service;
using namespace batch_test;

namespace {

Id newMailbox(messaging::MessagingManager &manager, const std::string &name)
{
    auto admin = manager.getMailboxAdminSession();
    auto form = admin->getMailboxFormForCreate({});
    form->setDisplayName(name);
    return admin->createMailbox(*form)->getId();
}

template <typename Call>
std::string errorTypeOf(Call &&call)
{
    try {
        call();
    } catch (const ServiceError &e) {
        return e.type();
    }
    return "none";
}

// A service on a SQLite store over the memory provider, with two
// workspaces besides the default one.
struct TwoWorkspaces {
    sqlite_test::TempDir dir;
    std::shared_ptr<messaging::MessagingManager> manager = impl::memory::makeMemoryMessagingManager();
    MessageBatchService service{manager, fileOptions(dir.file("batches.db"))};
    Id mailboxA = newMailbox(*manager, "team-a");
    Id mailboxB = newMailbox(*manager, "team-b");
    WorkspaceBatches a = service.workspace(mailboxA);
    WorkspaceBatches b = service.workspace(mailboxB);
};

} // namespace

TEST_SUITE("workspaces")
{
    TEST_CASE("a workspace's batches create their messages in its mailbox")
    {
        TwoWorkspaces w;
        CHECK(w.a.name() == w.mailboxA.toString());
        const auto batch = w.a.create(requests(4));
        CHECK(batch.workspace == w.mailboxA.toString());
        CHECK(batch.toJson()["workspace"] == w.mailboxA.toString());
        const auto ended = w.a.wait(batch.id);
        CHECK(ended.requestCounts.succeeded == 4);
        CHECK(ended.workspace == w.mailboxA.toString());
        auto inA = w.manager->getMessageLookupSessionForMailbox(w.mailboxA);
        auto inB = w.manager->getMessageLookupSessionForMailbox(w.mailboxB);
        auto results = w.a.results(batch.id);
        int seen = 0;
        for (MessageBatchResult r; results.next(r); ++seen) {
            REQUIRE(r.type == ResultType::Succeeded);
            const auto id = Id::parse(r.message["id"].get<std::string>());
            CHECK(inA->getMessage(id)->getId() == id);
            CHECK_THROWS_AS(inB->getMessage(id), NotFound);
        }
        CHECK(seen == 4);
        // The service's own create goes to the default workspace.
        const auto plain = w.service.create(requests(1));
        CHECK(plain.workspace.empty());
        CHECK(plain.toJson()["workspace"].is_null());
    }

    TEST_CASE("another workspace's batch is not_found for every call, and is not listed")
    {
        TwoWorkspaces w;
        const auto batch = w.a.create(requests(2));
        w.a.wait(batch.id);
        auto defaultWorkspace = w.service.workspace(Id());
        for (auto *other : {&w.b, &defaultWorkspace}) {
            CAPTURE(other->name());
            CHECK(errorTypeOf([&] { other->retrieve(batch.id); }) == error_type::kNotFound);
            CHECK(errorTypeOf([&] { other->cancel(batch.id); }) == error_type::kNotFound);
            CHECK(errorTypeOf([&] { other->remove(batch.id); }) == error_type::kNotFound);
            CHECK(errorTypeOf([&] { other->results(batch.id); }) == error_type::kNotFound);
            CHECK(errorTypeOf([&] { other->mergedResults(batch.id); }) == error_type::kNotFound);
            CHECK(errorTypeOf([&] { other->retry(batch.id, {{ResultType::Succeeded}}); }) == error_type::kNotFound);
            CHECK(errorTypeOf([&] { other->wait(batch.id); }) == error_type::kNotFound);
            ListParams after;
            after.afterId = batch.id;
            CHECK(errorTypeOf([&] { other->list(after); }) == error_type::kNotFound);
            CHECK(other->list().data.empty());
        }
        // Its own workspace and the service see it.
        CHECK(w.a.retrieve(batch.id).id == batch.id);
        CHECK(w.a.list().data.size() == 1);
        CHECK(w.service.retrieve(batch.id).id == batch.id);
        // And it is still there, untouched by the refused calls.
        CHECK(w.service.retrieve(batch.id).requestCounts.succeeded == 2);
    }

    TEST_CASE("list pages within the workspace only")
    {
        TwoWorkspaces w;
        std::vector<std::string> inA;
        for (int i = 0; i < 5; ++i) {
            inA.push_back(w.a.create(requests(1)).id);
            w.b.create(requests(1));
        }
        ListParams params;
        params.limit = 2;
        std::vector<std::string> paged;
        for (;;) {
            const auto page = w.a.list(params);
            for (const auto &batch : page.data) {
                CHECK(batch.workspace == w.mailboxA.toString());
                paged.push_back(batch.id);
            }
            if (!page.hasMore)
                break;
            params.afterId = *page.lastId;
        }
        CHECK(paged == std::vector<std::string>(inA.rbegin(), inA.rend()));
        ListParams all;
        all.limit = 100;
        CHECK(w.service.list(all).data.size() == 10);
    }

    TEST_CASE("retry keeps the workspace; merged results read the chain within it")
    {
        TwoWorkspaces w;
        auto batch = requests(3);
        batch[1].params = {{"subject", 7}}; // errored: not a string
        const auto parent = w.a.create(batch);
        CHECK(w.a.wait(parent.id).requestCounts.errored == 1);
        const auto child = w.a.retry(parent.id, {{ResultType::Errored}});
        CHECK(child.workspace == w.mailboxA.toString());
        CHECK(child.parentBatchId == parent.id);
        w.a.wait(child.id);
        auto merged = w.a.mergedResults(child.id);
        int n = 0;
        for (MessageBatchResult r; merged.next(r);)
            ++n;
        CHECK(n == 3);
        // Retried through the service's own calls, the child stays in the
        // parent's workspace too.
        const auto again = w.service.retry(parent.id, {{ResultType::Errored}});
        CHECK(again.workspace == w.mailboxA.toString());
    }

    TEST_CASE("an idempotency key names a batch within its workspace")
    {
        TwoWorkspaces w;
        CreateOptions keyed;
        keyed.idempotencyKey = "nightly";
        const auto inA = w.a.create(requests(2), keyed);
        const auto inB = w.b.create(requests(2), keyed);
        CHECK(inA.id != inB.id);
        CHECK(w.a.create(requests(2), keyed).id == inA.id);
        CHECK(w.b.create(requests(2), keyed).id == inB.id);
        CHECK(errorTypeOf([&] { w.a.create(requests(3), keyed); }) == error_type::kConflict);
        CHECK(w.service.create(requests(2), keyed).id != inA.id); // the default workspace's own
    }

    TEST_CASE("a create in a workspace that is not a mailbox of the provider is refused; nothing is saved")
    {
        TwoWorkspaces w;
        auto stray = w.service.workspace(Id::parse("messaging.Mailbox:999@elsewhere"));
        CHECK(errorTypeOf([&] { stray.create(requests(2)); }) == error_type::kInvalidRequest);
        std::istringstream file(R"({"custom_id": "x", "params": {"subject": "s", "text": "t"}})");
        CHECK(errorTypeOf([&] { stray.create(file); }) == error_type::kInvalidRequest);
        CHECK(w.service.list().data.empty());
    }

    TEST_CASE("a batch file is saved in the workspace as it is read")
    {
        TwoWorkspaces w;
        std::istringstream file("{\"custom_id\": \"x\", \"params\": {\"subject\": \"s\", \"text\": \"t\"}}\n"
                                "{\"custom_id\": \"y\", \"params\": {\"subject\": \"s\", \"text\": \"t\"}}\n");
        const auto batch = w.b.create(file);
        CHECK(batch.workspace == w.mailboxB.toString());
        CHECK(w.b.wait(batch.id).requestCounts.succeeded == 2);
    }

    TEST_CASE("a batch's callback is seen and redelivered only from its workspace (and the service's own calls)")
    {
        TwoWorkspaces w;
        webhook_test::Receiver receiver(w.service.webhookSecret());
        CreateOptions create;
        create.callbackUrl = receiver.url();
        const auto batch = w.a.create(requests(1), create);
        CHECK(w.a.wait(batch.id).callbackUrl == receiver.url());
        CHECK(w.a.waitDelivery(batch.id).state == DeliveryState::Delivered);
        CHECK(w.a.delivery(batch.id)->webhookId == batch.id + "-1");
        CHECK(errorTypeOf([&] { w.b.delivery(batch.id); }) == error_type::kNotFound);
        CHECK(errorTypeOf([&] { w.b.redeliver(batch.id); }) == error_type::kNotFound);
        CHECK(errorTypeOf([&] { w.service.workspace(Id()).redeliver(batch.id); }) == error_type::kNotFound);
        CHECK(receiver.ids().size() == 1);
        CHECK(w.a.redeliver(batch.id).round == 2);
        CHECK(w.service.waitDelivery(batch.id).state == DeliveryState::Delivered);
        CHECK(receiver.ids().back() == batch.id + "-2");
        CHECK(receiver.jsonBodies().back()["workspace"] == w.mailboxA.toString());
    }

    TEST_CASE("a version 5 store is upgraded: its batches are in the default workspace" * sqliteOnly())
    {
        sqlite_test::TempDir dir;
        const auto path = dir.file("batches.db");
        const auto id = storeWithEndedBatch(path);
        // Back to version 5, as the previous build left it.
        execSql(path, "DROP INDEX message_batches_by_workspace; DROP INDEX message_batches_by_idempotency_key; "
                      "ALTER TABLE message_batches DROP COLUMN workspace; "
                      "CREATE UNIQUE INDEX message_batches_by_idempotency_key ON message_batches (idempotency_key) "
                      "WHERE idempotency_key IS NOT NULL; "
                      "DROP INDEX message_batch_requests_by_position; "
                      "ALTER TABLE message_batch_requests DROP COLUMN position; "
                      "DROP TABLE message_batch_deliveries; DROP TABLE message_batch_delivery_attempts; "
                      "ALTER TABLE message_batches DROP COLUMN callback_url; "
                      "ALTER TABLE message_batch_schema DROP COLUMN webhook_secret; "
                      "UPDATE message_batch_schema SET version = 5");
        {
            auto options = fileOptions(path, false);
            options.readOnly = true;
            MessageBatchService reader(impl::memory::makeMemoryMessagingManager(), options);
            CHECK(reader.retrieve(id).workspace.empty());
            CHECK(reader.workspace(Id()).retrieve(id).requestCounts.succeeded == 2);
        }
        auto manager = impl::memory::makeMemoryMessagingManager();
        MessageBatchService service(manager, fileOptions(path));
        CHECK(service.workspace(Id()).list().data.size() == 1);
        const auto team = newMailbox(*manager, "team");
        CHECK(errorTypeOf([&] { service.workspace(team).retrieve(id); }) == error_type::kNotFound);
        CreateOptions keyed;
        keyed.idempotencyKey = "k";
        const auto first = service.workspace(team).create(requests(1), keyed);
        CHECK(service.create(requests(1), keyed).id != first.id);
    }
}
