// The osid-batch command: each subcommand, its text and JSON output, and its
// exit status (0 done, 1 refused, 2 command line, 3 store or provider
// failure, 4 finished with requests that did not succeed).

#include "support/json_lines.h"
#include "support/shell.h"
#include "tests/postgres/postgres_support.h"
#include "service/webhook_signature.h"
#include "tests/service/webhook_receiver.h"
#include "tests/sqlite/sqlite_support.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace {

using nlohmann::json;
using osid::testing::jsonLines;

using Run = osid::testing::ShellRun;

// Runs the shell command `command` in `dir`.
Run shell(const std::string &dir, const std::string &command)
{
    return osid::testing::runShell("cd '" + dir + "' || exit 99; " + command);
}

// Runs osid-batch in `dir` with `arguments` (shell syntax); stderr goes to
// dir/stderr.
Run osidBatch(const std::string &dir, const std::string &arguments)
{
    return shell(dir, std::string(OSID_BATCH) + " " + arguments + " 2>stderr");
}

std::string readFile(const std::string &path)
{
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string where(const sqlite_test::TempDir &dir) { return dir.file("."); }

const std::string kExample = std::string(EXAMPLES_DIR) + "/batches/messages.jsonl";

} // namespace

TEST_SUITE("osid-batch")
{
    TEST_CASE("submit processes the example batch; status, list, results and "
              "delete read it back")
    {
        sqlite_test::TempDir dir;
        auto submitted = osidBatch(where(dir), "--json submit " + kExample);
        CHECK(submitted.status == 4); // two requests of the example are bad on purpose
        const auto created = json::parse(submitted.out);
        CHECK(created["processing_status"] == "ended");
        CHECK(created["request_counts"]["succeeded"] == 11);
        CHECK(created["request_counts"]["errored"] == 2);
        const auto id = created["id"].get<std::string>();
        // Not a terminal, so progress is plain lines.
        CHECK(readFile(dir.file("stderr")).find(id + ": ended 13/13 done") != std::string::npos);

        auto status = osidBatch(where(dir), "status " + id);
        CHECK(status.status == 0);
        CHECK(status.out.find(id + "  ended  13 requests: 0 processing, 11 succeeded, 2 errored") == 0);

        auto listed = osidBatch(where(dir), "--json list");
        CHECK(listed.status == 0);
        CHECK(json::parse(listed.out)["data"][0]["id"] == id);

        auto results = osidBatch(where(dir), "results " + id);
        CHECK(results.status == 0);
        const auto lines = jsonLines(results.out);
        REQUIRE(lines.size() == 13);
        CHECK(lines[0]["custom_id"] == "welcome-01");
        CHECK(lines[0]["result"]["type"] == "succeeded");
        CHECK(lines[0]["result"]["message"]["subject"] == "Welcome aboard, cohort 1");

        const auto erroredText = osidBatch(where(dir), "results --type errored " + id).out;
        // Keys in the API's order, byte for byte: custom_id, result; type first.
        CHECK(erroredText.rfind(R"({"custom_id":"bad-sender","result":{"type":"errored","error":{"type":"error",)"
                                R"("error":{"type":"invalid_request_error","message":")",
                                0) == 0);
        CHECK(erroredText.find(R"(","retryable":false,"osid_error":"INVALID_ARGUMENT"}}}})"
                               "\n") != std::string::npos);
        auto errored = jsonLines(erroredText);
        REQUIRE(errored.size() == 2);
        CHECK(errored[0]["custom_id"] == "bad-sender");
        CHECK(errored[0]["result"]["error"]["error"]["type"] == "invalid_request_error");
        CHECK(errored[0]["result"]["error"]["error"]["retryable"] == false);
        CHECK(errored[0]["result"]["error"]["error"]["osid_error"] == "INVALID_ARGUMENT");

        auto deleted = osidBatch(where(dir), "--json delete " + id);
        CHECK(deleted.status == 0);
        CHECK(json::parse(deleted.out) == json{{"id", id}, {"type", "message_batch_deleted"}});
        auto gone = osidBatch(where(dir), "status " + id);
        CHECK(gone.status == 1);
        CHECK(readFile(dir.file("stderr")) == "osid-batch: no message batch has the id \"" + id + "\"\n");
    }

    TEST_CASE("submit --detach leaves the batch for wait; cancel ends a detached "
              "batch canceled")
    {
        sqlite_test::TempDir dir;
        auto first = osidBatch(where(dir), "--json submit --detach " + kExample);
        CHECK(first.status == 0);
        const auto waiting = json::parse(first.out);
        CHECK(waiting["processing_status"] == "in_progress");
        auto delete_early = osidBatch(where(dir), "delete " + waiting["id"].get<std::string>());
        CHECK(delete_early.status == 1);
        CHECK(readFile(dir.file("stderr")).find("cancel it first") != std::string::npos);
        auto waited = osidBatch(where(dir), "--json wait " + waiting["id"].get<std::string>());
        CHECK(waited.status == 4);
        CHECK(json::parse(waited.out)["request_counts"]["succeeded"] == 11);

        const auto second = json::parse(osidBatch(where(dir), "--json submit --detach " + kExample).out);
        auto canceled = osidBatch(where(dir), "--json cancel " + second["id"].get<std::string>());
        CHECK(canceled.status == 0);
        const auto ended = json::parse(canceled.out);
        CHECK(ended["processing_status"] == "ended");
        CHECK(ended["request_counts"]["canceled"] == 13);
        CHECK(ended["cancel_initiated_at"].is_string());
    }

    TEST_CASE("submit --idempotency-key: a repeat gives the first batch, another file is refused, two processes at "
              "once make one batch")
    {
        sqlite_test::TempDir dir;
        auto first = osidBatch(where(dir), "--json submit --idempotency-key order-9 " + kExample);
        CHECK(first.status == 4);
        const auto id = json::parse(first.out)["id"].get<std::string>();
        // The same file again: the batch created first, ended, no new messages.
        auto again = osidBatch(where(dir), "--json submit --idempotency-key order-9 " + kExample);
        CHECK(again.status == 4);
        CHECK(json::parse(again.out)["id"] == id);
        CHECK(json::parse(again.out)["request_counts"]["succeeded"] == 11);
        // Another file with the key: refused, exit 1, and says why.
        std::ofstream(dir.file("other.jsonl")) << R"({"custom_id": "x", "params": {"subject": "s", "text": "t"}})"
                                               << "\n";
        auto other = osidBatch(where(dir), "submit --idempotency-key order-9 other.jsonl");
        CHECK(other.status == 1);
        CHECK(readFile(dir.file("stderr")).find("the idempotency key \"order-9\" was used for message batch " + id) !=
              std::string::npos);
        // Two processes at once with one key.
        auto both = shell(where(dir), std::string(OSID_BATCH) + " submit --detach --json --idempotency-key twice " +
                                          kExample + " >a.json 2>a.err & " + OSID_BATCH +
                                          " submit --detach --json --idempotency-key twice " + kExample +
                                          " >b.json 2>b.err & wait");
        CHECK(both.status == 0);
        const auto a = json::parse(readFile(dir.file("a.json")));
        const auto b = json::parse(readFile(dir.file("b.json")));
        CHECK(a["id"] == b["id"]);
        const auto listed = json::parse(osidBatch(where(dir), "--json list").out);
        CHECK(listed["data"].size() == 2);
    }

    TEST_CASE("workspaces add and list; --workspace creates there and sees only its batches; keys add --workspace")
    {
        sqlite_test::TempDir dir;
        const auto made = osidBatch(where(dir), "workspaces add team-a");
        REQUIRE(made.status == 0);
        const auto workspace = made.out.substr(0, made.out.find('\n'));
        CHECK(workspace.find("messaging.Mailbox:") == 0);
        const auto listed = osidBatch(where(dir), "workspaces list");
        CHECK(listed.out.find(workspace + "  team-a") != std::string::npos);

        const auto inTeam = json::parse(
            osidBatch(where(dir), "--json --workspace '" + workspace + "' submit --detach " + kExample).out);
        CHECK(inTeam["workspace"] == workspace);
        const auto inDefault = json::parse(osidBatch(where(dir), "--json submit --detach " + kExample).out);
        CHECK(inDefault["workspace"].is_null());
        const auto teamId = inTeam["id"].get<std::string>();
        const auto defaultId = inDefault["id"].get<std::string>();

        // The workspace processes and lists its own batch only.
        // The example holds requests meant to fail: exit 4, every one ended.
        CHECK(osidBatch(where(dir), "--workspace '" + workspace + "' wait " + teamId).status == 4);
        const auto ended = json::parse(osidBatch(where(dir), "--json status " + teamId).out);
        CHECK(ended["processing_status"] == "ended");
        CHECK(ended["request_counts"]["succeeded"].get<int>() > 0);
        const auto teamList = json::parse(osidBatch(where(dir), "--json --workspace '" + workspace + "' list").out);
        REQUIRE(teamList["data"].size() == 1);
        CHECK(teamList["data"][0]["id"] == teamId);
        const auto refused = osidBatch(where(dir), "--workspace '" + workspace + "' status " + defaultId);
        CHECK(refused.status == 1);
        CHECK(readFile(dir.file("stderr")).find("no message batch has the id") != std::string::npos);
        CHECK(osidBatch(where(dir), "--workspace '" + workspace + "' results " + defaultId).status == 1);
        // Without --workspace, every workspace's batches.
        CHECK(json::parse(osidBatch(where(dir), "--json list").out)["data"].size() == 2);

        // A workspace that is not a mailbox, or not an Id at all.
        CHECK(osidBatch(where(dir), "--workspace 'messaging.Mailbox:99@nowhere' submit " + kExample).status == 1);
        CHECK(readFile(dir.file("stderr")).find("is not a mailbox of the provider") != std::string::npos);
        CHECK(osidBatch(where(dir), "--workspace nonsense list").status == 1);
        CHECK(json::parse(osidBatch(where(dir), "--json list").out)["data"].size() == 2);

        REQUIRE(osidBatch(where(dir), "keys add alice --file k --workspace '" + workspace + "'").status == 0);
        const auto keys = json::parse(osidBatch(where(dir), "--json keys list --file k").out);
        REQUIRE(keys.size() == 1);
        CHECK(keys[0]["workspace"] == workspace);
    }

    TEST_CASE("list --status, --created-after, --created-before filter the page")
    {
        sqlite_test::TempDir dir;
        const auto canceled = json::parse(osidBatch(where(dir), "--json submit --detach " + kExample).out);
        osidBatch(where(dir), "cancel " + canceled["id"].get<std::string>());
        const auto waiting = json::parse(osidBatch(where(dir), "--json submit --detach " + kExample).out);
        const auto ended = json::parse(osidBatch(where(dir), "--json list --status ended").out);
        REQUIRE(ended["data"].size() == 1);
        CHECK(ended["data"][0]["id"] == canceled["id"]);
        const auto running = json::parse(osidBatch(where(dir), "--json list --status in_progress").out);
        REQUIRE(running["data"].size() == 1);
        CHECK(running["data"][0]["id"] == waiting["id"]);
        const auto since = json::parse(
            osidBatch(where(dir), "--json list --created-after " + waiting["created_at"].get<std::string>()).out);
        REQUIRE(since["data"].size() == 1);
        CHECK(since["data"][0]["id"] == waiting["id"]);
        const auto before = json::parse(
            osidBatch(where(dir), "--json list --created-before " + waiting["created_at"].get<std::string>()).out);
        REQUIRE(before["data"].size() == 1);
        CHECK(before["data"][0]["id"] == canceled["id"]);
        auto bad = osidBatch(where(dir), "list --status done");
        CHECK(bad.status == 1);
        CHECK(readFile(dir.file("stderr")).find("processing_status \"done\" is not one of") != std::string::npos);
    }

    TEST_CASE("retry runs the leftovers of an ended batch as a child batch")
    {
        sqlite_test::TempDir dir;
        const auto canceled = json::parse(osidBatch(where(dir), "--json submit --detach " + kExample).out);
        const auto id = canceled["id"].get<std::string>();
        auto early = osidBatch(where(dir), "retry " + id);
        CHECK(early.status == 1); // not ended yet
        CHECK(readFile(dir.file("stderr")).find("only an ended batch can be retried") != std::string::npos);
        osidBatch(where(dir), "cancel " + id);
        auto retried = osidBatch(where(dir), "--json retry " + id);
        CHECK(retried.status == 4); // the example's two bad requests
        const auto child = json::parse(retried.out);
        CHECK(child["parent_batch_id"] == id);
        CHECK(child["processing_status"] == "ended");
        CHECK(child["request_counts"]["succeeded"] == 11);
        // The two errored ones are not retryable: nothing is left by default.
        auto nothing = osidBatch(where(dir), "retry " + child["id"].get<std::string>());
        CHECK(nothing.status == 1);
        auto errored = osidBatch(where(dir), "--json retry --detach --type errored " + child["id"].get<std::string>());
        CHECK(errored.status == 0);
        CHECK(json::parse(errored.out)["request_counts"]["processing"] == 2);
        // Merged: the first batch's 13 requests, each its newest attempt (none canceled now).
        const auto merged = jsonLines(osidBatch(where(dir), "results --merged " + child["id"].get<std::string>()).out);
        REQUIRE(merged.size() == 13);
        for (const auto &line : merged)
            CHECK(line["result"]["type"] != "canceled");
    }

    TEST_CASE("submit --callback-url: signed with the store's webhook-secret, retried, recorded, redelivered; a "
              "bad URL is refused")
    {
        sqlite_test::TempDir dir;
        const auto made = osidBatch(where(dir), "webhook-secret");
        CHECK(made.status == 0);
        const auto secret = made.out.substr(0, made.out.find('\n'));
        CHECK(secret.rfind("whsec_", 0) == 0);
        CHECK(osidBatch(where(dir), "webhook-secret").out == made.out);           // kept in the store
        CHECK_FALSE(std::filesystem::exists(dir.file("osid-batch-messages.db"))); // no provider opened for it
        std::string id;
        {
            webhook_test::Receiver receiver(secret);
            const auto submitted =
                osidBatch(where(dir), "--json submit --callback-url " + receiver.url() + " " + kExample);
            CHECK(submitted.status == 4); // the example's two bad requests
            const auto batch = json::parse(submitted.out);
            id = batch["id"].get<std::string>();
            CHECK(batch["callback_url"] == receiver.url());
            CHECK(readFile(dir.file("stderr"))
                      .find("callback " + receiver.url() + ": delivered (1 try) [webhook-id " + id + "-1]") !=
                  std::string::npos);
            CHECK(receiver.accepted() == 1);
            REQUIRE(receiver.jsonBodies().size() == 1);
            CHECK(receiver.jsonBodies()[0] == batch);
            CHECK(osidBatch(where(dir), "status " + id).out.find("delivered (1 try)") != std::string::npos);
            const auto again = osidBatch(where(dir), "--json redeliver " + id);
            CHECK(again.status == 0);
            const auto delivery = json::parse(again.out);
            CHECK(delivery["state"] == "delivered");
            CHECK(delivery["webhook_id"] == id + "-2");
            CHECK(delivery["attempts"].size() == 2);
            CHECK(receiver.ids() == std::vector<std::string>{id + "-1", id + "-2"});
        }
        {
            // Another secret: every try is refused; five in all, then failed.
            webhook_test::Receiver wrong(osid::service::newWebhookSecret());
            const auto submitted = osidBatch(where(dir), "submit --callback-url " + wrong.url() + " " + kExample);
            CHECK(submitted.status == 4);
            CHECK(readFile(dir.file("stderr")).find(": failed after 5 tries: POST answered HTTP 400") !=
                  std::string::npos);
            CHECK(wrong.rejected() == 5);
        }
        {
            webhook_test::Receiver flaky(secret, 2);
            CHECK(osidBatch(where(dir), "submit --callback-url " + flaky.url() + " " + kExample).status == 4);
            CHECK(readFile(dir.file("stderr")).find(": delivered (3 tries)") != std::string::npos);
            CHECK(flaky.accepted() == 1);
        }
        {
            // The batch ends while the receiver is down and no process
            // works; the next one that does delivers it.
            const int port = webhook_test::deadPort();
            const auto detached = json::parse(osidBatch(where(dir), "--json submit --detach --callback-url " +
                                                                        webhook_test::deadUrl(port) + " " + kExample)
                                                  .out);
            const auto later = detached["id"].get<std::string>();
            CHECK(osidBatch(where(dir), "cancel " + later).status == 0);
            CHECK(osidBatch(where(dir), "status " + later).out.find(": pending (0 tries)") != std::string::npos);
            webhook_test::Receiver back(secret, 0, port);
            CHECK(osidBatch(where(dir), "wait " + later).status == 4); // canceled requests
            CHECK(readFile(dir.file("stderr")).find(": delivered (1 try)") != std::string::npos);
            CHECK(back.accepted() == 1);
        }
        const auto count = json::parse(osidBatch(where(dir), "--json list --limit 100").out)["data"].size();
        const auto bad = osidBatch(where(dir), "submit --callback-url ftp://example.org/hook " + kExample);
        CHECK(bad.status == 1);
        CHECK(readFile(dir.file("stderr"))
                  .find("callback_url \"ftp://example.org/hook\" is not an http:// or "
                        "https:// URL") != std::string::npos);
        CHECK(json::parse(osidBatch(where(dir), "--json list --limit 100").out)["data"].size() == count);
        const auto none = osidBatch(where(dir), "redeliver msgbatch_none");
        CHECK(none.status == 1);
    }

    TEST_CASE("the example receiver verifies a batch's callback with the secret webhook-secret prints")
    {
        sqlite_test::TempDir dir;
        const auto made = osidBatch(where(dir), "webhook-secret");
        const auto secret = made.out.substr(0, made.out.find('\n'));
        const int port = webhook_test::deadPort();
        const auto pid = shell(where(dir), fmt::format("{} {} {} >receiver.out 2>receiver.err & echo $!",
                                                       WEBHOOK_RECEIVER, port, secret))
                             .out;
        httplib::Client probe("127.0.0.1", port);
        bool up = false;
        for (int i = 0; i < 200 && !up; ++i) {
            up = static_cast<bool>(probe.Get("/"));
            if (!up)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        REQUIRE(up);
        const auto submitted = osidBatch(
            where(dir), fmt::format("--json submit --callback-url http://127.0.0.1:{}/done {}", port, kExample));
        const auto id = json::parse(submitted.out)["id"].get<std::string>();
        // One that is not signed with the secret is refused.
        const auto forged = probe.Post("/done",
                                       {{"webhook-id", id + "-1"},
                                        {"webhook-timestamp", std::to_string(std::time(nullptr))},
                                        {"webhook-signature", "v1,AAAA"}},
                                       "{}", "application/json");
        shell(where(dir), "kill " + pid);
        REQUIRE(forged);
        CHECK(forged->status == 400);
        CHECK(readFile(dir.file("stderr")).find(": delivered (1 try)") != std::string::npos);
        CHECK(readFile(dir.file("receiver.out")).find("callback " + id + "-1: {") != std::string::npos);
        CHECK(readFile(dir.file("receiver.err")).find("refused a callback with a bad signature") != std::string::npos);
    }

    TEST_CASE("cancel ends only its batch and processes no other; status, list and results create nothing")
    {
        sqlite_test::TempDir dir;
        CHECK(osidBatch(where(dir), "status msgbatch_x").status == 3);
        CHECK(readFile(dir.file("stderr")).find("does not exist (reading a store never creates one)") !=
              std::string::npos);
        CHECK(osidBatch(where(dir), "list").status == 3);
        CHECK(osidBatch(where(dir), "results msgbatch_x").status == 3);
        CHECK_FALSE(std::filesystem::exists(dir.file("osid-batch.db")));
        CHECK_FALSE(std::filesystem::exists(dir.file("osid-batch-messages.db")));

        const auto a = json::parse(osidBatch(where(dir), "--json submit --detach " + kExample).out);
        const auto b = json::parse(osidBatch(where(dir), "--json submit --detach " + kExample).out);
        CHECK(osidBatch(where(dir), "cancel " + b["id"].get<std::string>()).status == 0);
        const auto untouched = json::parse(osidBatch(where(dir), "--json status " + a["id"].get<std::string>()).out);
        CHECK(untouched["processing_status"] == "in_progress");
        CHECK(untouched["request_counts"]["processing"] == 13);
        // Its results are not all there: refused, unless the finished part is asked for.
        CHECK(osidBatch(where(dir), "results " + a["id"].get<std::string>()).status == 1);
        CHECK(readFile(dir.file("stderr")).find("is in_progress: its results are not all there yet") !=
              std::string::npos);
        const auto partial = osidBatch(where(dir), "results --partial " + a["id"].get<std::string>());
        CHECK(partial.status == 0);
        CHECK(partial.out.empty());
    }

    TEST_CASE("results --after reads by cursor, also of a running batch; --follow prints them until the end")
    {
        sqlite_test::TempDir dir;
        const std::string id = json::parse(osidBatch(where(dir), "--json submit --detach " + kExample).out)["id"];
        // Running and unprocessed: nothing finished yet, exit 0.
        const auto early = osidBatch(where(dir), "results --after 0 " + id);
        CHECK(early.status == 0);
        CHECK(early.out.empty());
        // --follow processes it here (no other process does) and prints every
        // result once, each with the next position, then exits as wait does.
        const auto followed = osidBatch(where(dir), "results --follow " + id);
        CHECK(followed.status == 4); // as wait: the example has requests that error
        const auto lines = osid::testing::jsonLines(followed.out);
        REQUIRE(lines.size() == 13);
        std::set<std::string> ids;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            CHECK(lines[i]["position"] == i + 1);
            ids.insert(lines[i]["custom_id"]);
        }
        CHECK(ids.size() == 13);
        // Resumed from a position: the rest, the same lines.
        const auto rest = osid::testing::jsonLines(osidBatch(where(dir), "results --after 10 " + id).out);
        REQUIRE(rest.size() == 3);
        CHECK(rest[0] == lines[10]);
        CHECK(osid::testing::jsonLines(osidBatch(where(dir), "results --follow --after 12 " + id).out).size() == 1);
        // Of chosen types, by cursor too.
        const auto succeeded = osidBatch(where(dir), "results --after 0 --type succeeded " + id);
        CHECK(osid::testing::jsonLines(succeeded.out).size() ==
              osid::testing::jsonLines(osidBatch(where(dir), "results --type succeeded " + id).out).size());
        // Not with --merged or --partial, and a position is a number.
        CHECK(osidBatch(where(dir), "results --after 0 --merged " + id).status == 2);
        CHECK(osidBatch(where(dir), "results --follow --partial " + id).status == 2);
        CHECK(osidBatch(where(dir), "results --after x " + id).status == 2);
    }

    TEST_CASE("submit --expires-after sets the batch's expiry; purge archives what is past --retention-days")
    {
        sqlite_test::TempDir dir;
        const auto created =
            json::parse(osidBatch(where(dir), "--json submit --detach --expires-after 90 " + kExample).out);
        const auto expiresIn = osid::DateTime::parse(created["expires_at"].get<std::string>()).toMicroseconds() -
                               osid::DateTime::parse(created["created_at"].get<std::string>()).toMicroseconds();
        CHECK(expiresIn == 90'000'000);
        CHECK(created["end_reason"].is_null());
        CHECK(osidBatch(where(dir), "submit --detach --expires-after 0 " + kExample).status == 1);
        CHECK(readFile(dir.file("stderr")).find("it must be 1 to 604800") != std::string::npos);
        const std::string id = created["id"];
        const auto ended = json::parse(osidBatch(where(dir), "--json wait " + id).out);
        CHECK(ended["end_reason"] == "completed");
        // Nothing is 29 days old; a batch created now is not even 1 day old.
        const auto none = osidBatch(where(dir), "purge");
        CHECK(none.status == 0);
        CHECK(none.out == "archived 0 batches created more than 29 days ago\n");
        CHECK(osidBatch(where(dir), "--retention-days 1 --json purge").out == "{\"archived\":0}\n");
        CHECK(osidBatch(where(dir), "--retention-days 0 purge").status == 2);
        CHECK(json::parse(osidBatch(where(dir), "--json status " + id).out)["archived_at"].is_null());
    }

    TEST_CASE("submit says so when another process holds the processing lock, then waits for it")
    {
        // `serve` holds the lock from its "serving on" line until it stops,
        // so submit cannot find it free whatever the machine's speed (a
        // `wait` on a big batch, used before, could finish first).
        sqlite_test::TempDir dir;
        const auto run = shell(where(dir), std::string(OSID_BATCH) +
                                               " serve --listen 127.0.0.1:0 >serve.out 2>serve.err & "
                                               "for i in $(seq 3000); do grep -q 'serving on' serve.out && break; "
                                               "sleep 0.01; done; " +
                                               OSID_BATCH + " submit " + kExample +
                                               " >/dev/null 2>stderr; echo submit $?; kill $!; wait $!; echo serve $?");
        CHECK(run.out == "submit 4\nserve 0\n");
        CHECK(readFile(dir.file("stderr")).find("osid-batch: another process holds the processing lock of provider") !=
              std::string::npos);
    }

    TEST_CASE("wait with another provider leaves the batch alone and says so")
    {
        sqlite_test::TempDir dir;
        const auto a = json::parse(osidBatch(where(dir), "--json submit --detach " + kExample).out);
        const auto id = a["id"].get<std::string>();
        CHECK(osidBatch(where(dir), "--provider memory wait " + id).status == 1);
        CHECK(readFile(dir.file("stderr")).find("was created for the provider \"sqlite:/") != std::string::npos);
        CHECK(json::parse(osidBatch(where(dir), "--json status " + id).out)["request_counts"]["processing"] == 13);
        CHECK(osidBatch(where(dir), "wait " + id).status == 4);
    }

    TEST_CASE("a store whose disk fills while a batch runs: wait stops with exit 3 and a clear error; freed, the "
              "batch resumes with one message per request")
    {
        sqlite_test::TempDir dir;
        const auto disk = dir.file("disk");
        std::filesystem::create_directory(disk);
        // A small tmpfs for the store (root only), the provider elsewhere.
        if (geteuid() != 0 ||
            std::system(("mount -t tmpfs -o size=24m tmpfs '" + disk + "' 2>/dev/null").c_str()) != 0) {
            MESSAGE("skipped: mounting a tmpfs needs root");
            return;
        }
        struct Unmount {
            std::string path;
            ~Unmount() { (void)std::system(("umount '" + path + "'").c_str()); }
        } unmount{disk};
        {
            std::ofstream file(dir.file("requests.jsonl"));
            for (int i = 0; i < 3000; ++i)
                file << json{{"custom_id", "r" + std::to_string(i)},
                             {"params", {{"subject", "s"}, {"text", std::string(300, 'x')}}}}
                            .dump()
                     << '\n';
        }
        const std::string provider = "--provider sqlite:" + dir.file("messages.db");
        const auto created = osidBatch(disk, provider + " --json submit --detach ../requests.jsonl");
        REQUIRE(created.status == 0);
        const auto id = json::parse(created.out)["id"].get<std::string>();
        // wait in the background; once some results are saved, fill the disk.
        const auto stopped =
            shell(disk, std::string(OSID_BATCH) + " " + provider + " wait --workers 1 --chunk-size 5 " + id +
                            " >/dev/null 2>../wait.err & for i in $(seq 3000); do " + OSID_BATCH + " status " + id +
                            " | grep -q ' [1-9][0-9]* succeeded' && break; sleep 0.01; done; "
                            "dd if=/dev/zero of=filler bs=64k count=512 2>/dev/null; wait $!; echo exit $?");
        CHECK(stopped.out.find("exit 3") != std::string::npos);
        const auto error = readFile(dir.file("wait.err"));
        CHECK(error.find("osid-batch: message batch " + id + " stopped: the batch store failed 6 times in a row") !=
              std::string::npos);
        CHECK(error.find("disk is full") != std::string::npos);
        std::filesystem::remove(disk + "/filler");
        CHECK(osidBatch(disk, provider + " wait " + id).status == 0);
        const auto results = jsonLines(osidBatch(disk, "results " + id).out);
        CHECK(results.size() == 3000);
        sqlite3 *db = nullptr;
        REQUIRE(sqlite3_open(dir.file("messages.db").c_str(), &db) == SQLITE_OK);
        sqlite3_stmt *count = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, "SELECT count(*) FROM messages", -1, &count, nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_step(count) == SQLITE_ROW);
        CHECK(sqlite3_column_int64(count, 0) == 3000);
        sqlite3_finalize(count);
        sqlite3_close(db);
    }

    TEST_CASE("JSON nested 70,000 levels deep is refused with a clear error, in submit and in run")
    {
        sqlite_test::TempDir dir;
        const std::string deep = std::string(70'000, '[') + std::string(70'000, ']');
        {
            std::ofstream(dir.file("deep.jsonl")) << R"({"custom_id": "a", "params": {"subject": )" << deep << "}}\n";
            std::ofstream(dir.file("deep.json")) << R"({"jobs": [], "callbackUrl": )" << deep << "}\n";
        }
        CHECK(osidBatch(where(dir), "submit deep.jsonl").status == 1);
        CHECK(readFile(dir.file("stderr")).find("nests objects and arrays more than 64 levels deep") !=
              std::string::npos);
        CHECK(osidBatch(where(dir), "run deep.json").status == 1);
        CHECK(readFile(dir.file("stderr")).find("[24092]") != std::string::npos);
        CHECK(readFile(dir.file("stderr")).find("more than 64 levels deep") != std::string::npos);
    }

    TEST_CASE("file problems by line number, control characters escaped, reasons for unreadable files, stdin, "
              "global options after the command")
    {
        sqlite_test::TempDir dir;
        std::ofstream(dir.file("bad.jsonl")) << "{\"custom_id\": \"a\", \"params\": {}}\n\n"
                                                "{\"custom_id\": \"a\", \"params\": {}}\n"
                                                "{\"custom_id\": \"b\\u001b[31m\", \"params\": {}}\n";
        CHECK(osidBatch(where(dir), "submit bad.jsonl --store memory").status == 1);
        CHECK(readFile(dir.file("stderr")) == "osid-batch: the batch was not created: 2 problems\n"
                                              "  line 3 (a): custom_id is not unique (also line 1)\n"
                                              "  line 4: custom_id \"b\\x1b[31m\" does not match "
                                              "^[a-zA-Z0-9_-]{1,64}$\n");
        std::ofstream(dir.file("broken.jsonl")) << "{\"custom_id\": \"a\", \"params\": {}}\n\nnot json\n";
        CHECK(osidBatch(where(dir), "--store memory submit broken.jsonl").status == 1);
        CHECK(readFile(dir.file("stderr")) ==
              "osid-batch: the batch was not created: 1 problem\n  line 3: line 3 is not valid JSON\n");
        CHECK(osidBatch(where(dir), "submit .").status == 1);
        CHECK(readFile(dir.file("stderr")) == "osid-batch: cannot read .: it is a directory\n");
        CHECK(osidBatch(where(dir), "submit missing.jsonl").status == 1);
        CHECK(readFile(dir.file("stderr")) == "osid-batch: cannot read missing.jsonl: No such file or directory\n");
        CHECK_FALSE(std::filesystem::exists(dir.file("osid-batch.db")));

        const auto piped =
            shell(where(dir), "head -3 " + kExample + " | " + OSID_BATCH + " submit - --json --store memory 2>stderr");
        CHECK(piped.status == 0);
        const auto ended = json::parse(piped.out.substr(piped.out.rfind("\n{") + 1));
        CHECK(ended["request_counts"]["succeeded"].get<int>() + ended["request_counts"]["errored"].get<int>() == 3);
        CHECK(readFile(dir.file("stderr")).find("ended 3/3 done") != std::string::npos);

        std::ofstream(dir.file("job.json")) << R"({"jobs": 5, "x": 1})";
        CHECK(osidBatch(where(dir), "run job.json").status == 1);
        const auto jobError = readFile(dir.file("stderr"));
        CHECK(jobError.find("\n  x: unknown field") != std::string::npos);
        CHECK(jobError.find("18446744073709551615") == std::string::npos);
    }

    TEST_CASE("a file with bad lines is refused with every problem, and nothing "
              "is created")
    {
        sqlite_test::TempDir dir;
        {
            std::ofstream bad(dir.file("bad.jsonl"));
            bad << R"({"custom_id": "a b", "params": {}})" << '\n'
                << "not json\n"
                << R"({"custom_id": "ok", "params": {}})" << '\n';
        }
        auto run = osidBatch(where(dir), "submit bad.jsonl");
        CHECK(run.status == 1);
        // The file's problems and the envelope's, all together.
        CHECK(readFile(dir.file("stderr")) == "osid-batch: the batch was not created: 2 problems\n"
                                              "  line 1: custom_id \"a b\" does not match ^[a-zA-Z0-9_-]{1,64}$\n"
                                              "  line 2: line 2 is not valid JSON\n");
        {
            std::ofstream bad(dir.file("ids.jsonl"));
            bad << R"({"custom_id": "a b", "params": {}})" << '\n' << R"({"custom_id": "a b", "params": {}})" << '\n';
        }
        auto ids = osidBatch(where(dir), "--json submit ids.jsonl");
        CHECK(ids.status == 1);
        const auto error = json::parse(ids.out);
        CHECK(error["type"] == "error");
        CHECK(error["error"]["type"] == "invalid_request_error");
        CHECK(error["error"]["problems"].size() == 2);
        const auto listed = osidBatch(where(dir), "--json list");
        CHECK(listed.status == 0);
        CHECK(json::parse(listed.out)["data"].empty());
        CHECK(osidBatch(where(dir), "submit missing.jsonl").status == 1);
    }

    TEST_CASE("exit status 2 for a bad command line, 3 for a provider that "
              "cannot be used")
    {
        sqlite_test::TempDir dir;
        CHECK(osidBatch(where(dir), "").status == 2);
        CHECK(osidBatch(where(dir), "status").status == 2);
        CHECK(osidBatch(where(dir), "frobnicate").status == 2);
        CHECK(osidBatch(where(dir), "results --type happy x").status == 2);
        CHECK(osidBatch(where(dir), "--store memory list --limit 0").status == 1);
        CHECK(readFile(dir.file("stderr")) == "osid-batch: limit must be between 1 and 1000, not 0\n");
        CHECK(osidBatch(where(dir), "--provider nosuch submit " + kExample).status == 3);
        CHECK(readFile(dir.file("stderr")).find("cannot use provider \"nosuch\"") != std::string::npos);
        auto help = osidBatch(where(dir), "submit --help");
        CHECK(help.status == 0);
        CHECK(help.out.find("--detach") != std::string::npos);
    }

    TEST_CASE("--store memory keeps nothing on disk")
    {
        sqlite_test::TempDir dir;
        auto run = osidBatch(where(dir), "--store memory submit " + kExample);
        CHECK(run.status == 4);
        CHECK(run.out.find("ended  13 requests") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(dir.file("osid-batch.db")));
        CHECK_FALSE(std::filesystem::exists(dir.file("osid-batch-messages.db")));
    }

    TEST_CASE("runs list, status, results, restart and repost work on the job runs of the store")
    {
        sqlite_test::TempDir dir;
        REQUIRE(osidBatch(where(dir), "run " + std::string(EXAMPLES_DIR) + "/job-runs/import.json").status == 0);
        const auto list = osidBatch(where(dir), "runs list --json");
        CHECK(list.status == 0);
        const auto runs = json::parse(list.out);
        REQUIRE(runs.size() == 1);
        const auto id = runs[0]["asyncId"].get<std::string>();
        CHECK(runs[0]["completed"] == true);
        const auto status = osidBatch(where(dir), "runs status " + id);
        CHECK(status.status == 0);
        CHECK(status.out == id + "  completed  100% done  callback none\n");
        const auto results = osidBatch(where(dir), "--json runs results " + id);
        CHECK(results.status == 0);
        CHECK(json::parse(results.out)["asyncId"] == id);
        const auto restarted = osidBatch(where(dir), "--json runs restart " + id);
        CHECK(restarted.status == 0);
        CHECK(json::parse(restarted.out)["results"].size() == json::parse(results.out)["results"].size());
        CHECK(osidBatch(where(dir), "runs repost " + id).status == 1);
        CHECK(readFile(dir.file("stderr")).find("has no callbackUrl") != std::string::npos);
        CHECK(osidBatch(where(dir), "runs status nosuch").status == 1);
        CHECK(readFile(dir.file("stderr")) == "osid-batch: [24105] could not find job run \"nosuch\"\n");
        CHECK(osidBatch(where(dir), "runs").status == 2);
    }

    TEST_CASE("run executes the example job run and prints its results; a bad job file is refused with its code")
    {
        sqlite_test::TempDir dir;
        auto run = osidBatch(where(dir), "--json run " + std::string(EXAMPLES_DIR) + "/job-runs/import.json");
        CHECK(run.status == 0);
        const auto results = json::parse(run.out);
        CHECK(results["asyncId"].get<std::string>().size() == 32);
        REQUIRE(results["results"].size() == 4);
        CHECK(results["results"][0]["action"] == "createMessages");
        CHECK(results["results"][0]["response"]["responses"].size() == 3);
        CHECK(results["results"][2]["response"]["deleted"] == 1);
        CHECK(results["results"][3]["response"]["messages"].size() == 2);

        {
            std::ofstream bad(dir.file("bad.json"));
            bad << R"({"jobs": [{"namespace": "messaging.batch", "action": "explode", "params": {}}]})";
        }
        auto refused = osidBatch(where(dir), "--json run bad.json");
        CHECK(refused.status == 1);
        const auto error = json::parse(refused.out);
        CHECK(error["error"]["specific_code"] == 24092);
        CHECK(readFile(dir.file("stderr")).rfind("osid-batch: [24092] ", 0) == 0);
        {
            std::ofstream bad(dir.file("broken.json"));
            bad << "{\"jobs\": [";
        }
        CHECK(osidBatch(where(dir), "run broken.json").status == 1);
        CHECK(readFile(dir.file("stderr")) == "osid-batch: [24092] broken.json is not valid JSON\n");
        {
            std::ofstream failing(dir.file("failing.json"));
            failing << R"({"jobs": [{"namespace": "messaging", "action": "getMessage",
                                     "params": {"messageId": "messaging.Message:404@nowhere"}}]})";
        }
        CHECK(osidBatch(where(dir), "run failing.json").status == 4);
    }

    TEST_CASE("--store postgres:CONNINFO keeps the batches in PostgreSQL, the messages in the same database; job "
              "runs are refused there" *
              doctest::skip(postgres_test::noServer()))
    {
        sqlite_test::TempDir dir;
        postgres_test::ScratchDatabase scratch;
        const auto store = "--store \"postgres:" + scratch.conninfo() + "\" ";
        auto submitted = osidBatch(where(dir), store + "--json submit " + kExample);
        CHECK(submitted.status == 4);
        const auto id = json::parse(submitted.out)["id"].get<std::string>();
        CHECK(jsonLines(osidBatch(where(dir), store + "results " + id).out).size() == 13);
        CHECK(json::parse(osidBatch(where(dir), store + "--json list").out)["data"][0]["id"] == id);
        // Nothing on disk: the batches and the messages are in the database.
        CHECK_FALSE(std::filesystem::exists(dir.file("osid-batch.db")));
        auto db = scratch.raw();
        CHECK(db.query("SELECT count(*) FROM osid_batch.message_batches").integer(0, 0) == 1);
        CHECK(db.query("SELECT count(*) FROM osid_messaging.messages").integer(0, 0) == 11);

        std::ofstream(dir.file("jobs.json")) << R"({"jobs": []})";
        CHECK(osidBatch(where(dir), store + "run jobs.json").status == 1);
        CHECK(readFile(dir.file("stderr")).find("job runs are kept in a SQLite file") != std::string::npos);
    }

    TEST_CASE("a PostgreSQL provider's password is neither kept on the batches nor shown in messages" *
              doctest::skip(postgres_test::noServer()))
    {
        sqlite_test::TempDir dir;
        postgres_test::ScratchDatabase scratch;
        // The throwaway server trusts local connections: the password is
        // sent and unused, as a real one's would be checked.
        const auto conninfo = scratch.conninfo() + " password=hunter2-secret";
        const auto options = "--store \"postgres:" + conninfo + "\" --provider \"postgres:" + conninfo + "\" ";
        auto submitted = osidBatch(where(dir), options + "--json submit " + kExample);
        CHECK(submitted.status == 4);
        auto db = scratch.raw();
        const std::string provider(db.query("SELECT provider FROM osid_batch.message_batches").text(0, 0));
        CHECK(provider.find("PostgreSQL database") != std::string::npos);
        CHECK(provider.find("hunter2") == std::string::npos);
        // Another process that names the provider alike works on the batch.
        const auto id = json::parse(submitted.out)["id"].get<std::string>();
        CHECK(osidBatch(where(dir), options + "wait " + id).status == 4);
        // A provider that cannot be opened is named without its password.
        const auto refused =
            osidBatch(where(dir), "--store memory --provider \"postgres:" + conninfo + " port=1\" submit " + kExample);
        CHECK(refused.status == 3);
        const auto said = readFile(dir.file("stderr"));
        CHECK(said.find("cannot use provider") != std::string::npos);
        CHECK(said.find("hunter2") == std::string::npos);
    }
}
