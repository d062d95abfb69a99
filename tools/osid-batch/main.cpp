// osid-batch: asynchronous message batches and job runs from the command line.
//
//   osid-batch submit requests.jsonl     creates a batch (one request per line),
//                                        processes it and shows progress
//   osid-batch results msgbatch_...      its results, one JSON line per request
//   osid-batch run jobs.json             runs a job run and prints its results
//   osid-batch serve                     the same over HTTP (docs/http-api.md)
//   osid-batch worker                    the workers alone (docs/scale-out.md)
//   osid-batch keys add NAME --file F    an API key for serve --api-keys F
//
// The batches and their results live in a SQLite file (--store, default
// osid-batch.db in the working directory) or a PostgreSQL database (--store
// postgresql://... or postgres:CONNINFO); the messages go to a provider
// (--provider, default a SQLite provider file next to the store, or the
// PostgreSQL provider in the store's database). A batch is
// processed while an osid-batch process works on it (submit, wait, serve);
// one that is interrupted stays in_progress and `osid-batch wait ID` resumes
// it. `--store memory` keeps everything in memory, for a throwaway run.
//
// Exit status (docs/batch-service.md):
//   0  done; for submit, wait and run: every request or job succeeded
//   1  the service refused the request (a bad file, an unknown id, a batch
//      that has not ended, ...); the message says why
//   2  a bad command line
//   3  the store or the provider failed, or cannot be opened
//   4  submit, wait, run: finished, but some requests or jobs did not succeed

#include "commands.h"
#include "progress.h"

#include "runtime/provider_runtime.h"
#include "service/message_batches.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <string_view>

namespace osid::tools {

namespace {

using service::MessageBatch;
using service::MessageBatchService;
using service::ServiceError;

std::string countsLine(const MessageBatch &b)
{
    const auto &c = b.requestCounts;
    const auto total = c.processing + c.succeeded + c.errored + c.canceled + c.expired;
    return fmt::format("{}  {}  {} request{}: {} processing, {} succeeded, {} "
                       "errored, {} canceled, {} expired",
                       b.id, service::statusName(b.processingStatus), total, total == 1 ? "" : "s", c.processing,
                       c.succeeded, c.errored, c.canceled, c.expired);
}

void printBatch(const Settings &settings, const MessageBatch &batch)
{
    if (settings.json)
        fmt::print("{}\n", batch.toJson().dump(2));
    else
        fmt::print("{}\n", countsLine(batch));
}

int endedStatus(const MessageBatch &batch)
{
    const auto &c = batch.requestCounts;
    return c.errored + c.canceled + c.expired == 0 ? kOk : kNotAllSucceeded;
}

// "callback http://...: delivered (1 try)", "... failed after 5 tries: POST answered HTTP 400".
std::string deliveryLine(const service::CallbackDelivery &d)
{
    const auto tries = std::count_if(d.attempts.begin(), d.attempts.end(),
                                     [&](const service::DeliveryAttempt &a) { return a.round == d.round; });
    auto line = fmt::format("callback {}: {}", d.url, service::deliveryStateName(d.state));
    if (d.state == service::DeliveryState::Failed)
        line += fmt::format(" after {} tr{}", tries, tries == 1 ? "y" : "ies");
    else
        line += fmt::format(" ({} tr{})", tries, tries == 1 ? "y" : "ies");
    if (d.state != service::DeliveryState::Delivered && !d.attempts.empty() && !d.attempts.back().error.empty())
        line += ": " + d.attempts.back().error;
    return line + fmt::format(" [webhook-id {}]", d.webhookId);
}

// How a command uses the store: processes batches (submit, wait); changes
// them without processing (cancel, delete, submit --detach); or only reads
// them, creating and changing nothing, not even a missing file (status,
// list, results).
// What a command does with the batches: processes them, changes them,
// reads them, or works on the store alone (webhook-secret, purge).
enum class Use { Process, Change, Read, Store };

MessageBatchService openBatches(const Settings &settings, Use use)
{
    auto options = batchServiceOptions(settings);
    options.process = use == Use::Process;
    options.readOnly = use == Use::Read;
    // Reading and the store's own work need no provider: a throwaway one
    // stands in, so that a mistyped path creates no provider file either.
    const bool needsProvider = use == Use::Process || use == Use::Change;
    return MessageBatchService(needsProvider ? openProvider(settings)
                                             : runtime::getMessagingManager(*runtime::makeProviderRuntime(), "memory"),
                               options);
}

// Runs `call` with the calls of --workspace (service::WorkspaceBatches) or,
// without it, with the service's own, which see every workspace's batches
// and create in the default one. Both have the same calls.
template <typename Call>
auto inWorkspace(const Settings &settings, MessageBatchService &batches, Call &&call)
{
    if (settings.workspace.empty())
        return call(batches);
    auto scoped = batches.workspace(workspaceId(settings));
    return call(scoped);
}

// Problems located by the batch file's line numbers rather than by request.
struct LineProblems : ServiceError {
    using ServiceError::ServiceError;
};

// `text` with control characters written as \xNN, so that what a file
// holds cannot move the cursor or recolour the terminal.
std::string printable(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f)
            out += fmt::format("\\x{:02x}", byte);
        else
            out += c;
    }
    return out;
}

// The same error with each problem's index replaced by `locate(index)`
// (kNoPlace: the problem has no place in the file).
constexpr std::size_t kNoPlace = std::numeric_limits<std::size_t>::max();
template <typename Locate>
LineProblems locatedByLine(const ServiceError &e, Locate &&locate)
{
    static constexpr std::string_view kAlso = "(also request ";
    auto problems = e.problems();
    for (auto &p : problems) {
        p.index = locate(p.index);
        // "custom_id is not unique (also request 3)": the other one's line.
        if (const auto at = p.reason.find(kAlso); at != std::string::npos && p.reason.ends_with(")")) {
            const auto other = std::strtoull(p.reason.c_str() + at + kAlso.size(), nullptr, 10);
            if (const auto line = locate(other); line != kNoPlace)
                p.reason = fmt::format("{}(also line {})", p.reason.substr(0, at), line);
        }
    }
    const auto message =
        fmt::format("the batch was not created: {} problem{}", problems.size(), problems.size() == 1 ? "" : "s");
    return LineProblems(e.type(), message, std::move(problems), e.specificCode());
}

// Says so when another process holds the processing lock, so that waiting
// is never silent.
void sayWhoProcesses(const Settings &settings, MessageBatchService &batches)
{
    if (batches.isProcessing())
        return;
    const auto lock = service::isPostgresStorePath(settings.store) ? std::string("an advisory lock")
                                                                   : fmt::format("{}.lock", printable(settings.store));
    fmt::print(stderr,
               "osid-batch: another process holds the processing lock of provider \"{}\" on {} ({}); "
               "waiting for it to process the batch (interrupting leaves the batch as it is)\n",
               printable(service::storePathForDisplay(batches.provider())),
               printable(service::storePathForDisplay(settings.store)), lock);
}

// Blocks until the batch ends, drawing progress on stderr.
MessageBatch waitShowingProgress(MessageBatchService &batches, const std::string &id)
{
    Progress progress(stderr);
    auto ended = batches.wait(id, [&](const MessageBatch &b) { progress.update(b); });
    progress.finish();
    return ended;
}

// After the batch ended: waits until its callback (if any) is delivered or
// has failed, and says which on stderr. kNotAllSucceeded when it failed.
int followCallback(MessageBatchService &batches, const MessageBatch &ended)
{
    if (!ended.callbackUrl)
        return kOk;
    const auto delivery = batches.waitDelivery(ended.id);
    fmt::print(stderr, "osid-batch: {}\n", printable(deliveryLine(delivery)));
    return delivery.state == service::DeliveryState::Delivered ? kOk : kNotAllSucceeded;
}

// After a batch was created: prints it; unless `detach`, processes it with
// progress on stderr and prints it again once ended.
int followCreated(const Settings &settings, MessageBatchService &batches, const MessageBatch &batch, bool detach)
{
    if (detach) {
        printBatch(settings, batch);
        return kOk;
    }
    if (!settings.json)
        fmt::print("{}\n", countsLine(batch));
    std::fflush(stdout);
    sayWhoProcesses(settings, batches);
    const auto ended = waitShowingProgress(batches, batch.id);
    printBatch(settings, ended);
    return std::max(endedStatus(ended), followCallback(batches, ended));
}

int submit(const Settings &settings, const std::string &file, bool detach, const service::CreateOptions &create)
{
    // The file (`-`: standard input) is saved as it is read, so memory stays
    // bounded whatever its size.
    std::ifstream fileInput;
    if (file != "-")
        fileInput = openInput(file);
    std::istream &in = file == "-" ? std::cin : fileInput;
    auto batches = openBatches(settings, detach ? Use::Change : Use::Process);
    const auto batch = [&] {
        try {
            return inWorkspace(settings, batches, [&](auto &b) { return b.create(in, create); });
        } catch (const ServiceError &e) {
            if (e.problems().empty())
                throw;
            throw locatedByLine(e, [](std::size_t index) { return index == kNoPlace ? kNoPlace : index + 1; });
        }
    }();
    return followCreated(settings, batches, batch, detach);
}

int retry(const Settings &settings, const std::string &id, const std::vector<std::string> &types, bool detach)
{
    service::RetryOptions options;
    for (const auto &name : types)
        options.types.push_back(*service::resultTypeFromName(name)); // checked by CLI11
    // Created without processing, so that a refused retry processes nothing.
    auto parent = openBatches(settings, Use::Change);
    const auto child = inWorkspace(settings, parent, [&](auto &b) { return b.retry(id, options); });
    auto batches = openBatches(settings, detach ? Use::Change : Use::Process);
    return followCreated(settings, batches, child, detach);
}

int status(const Settings &settings, const std::string &id)
{
    auto batches = openBatches(settings, Use::Read);
    printBatch(settings, inWorkspace(settings, batches, [&](auto &b) { return b.retrieve(id); }));
    const auto delivery = inWorkspace(settings, batches, [&](auto &b) { return b.delivery(id); });
    if (delivery && !settings.json)
        fmt::print("{}\n", printable(deliveryLine(*delivery)));
    return kOk;
}

// Sends the callback of an ended batch again, now, and follows it until it
// is delivered (exit 0) or has failed (exit 4).
int redeliver(const Settings &settings, const std::string &id)
{
    auto batches = openBatches(settings, Use::Process);
    inWorkspace(settings, batches, [&](auto &b) { return b.redeliver(id); }); // not_found outside --workspace
    sayWhoProcesses(settings, batches);
    const auto delivery = batches.waitDelivery(id);
    if (settings.json)
        fmt::print("{}\n", delivery.toJson().dump(2));
    else
        fmt::print("{}\n", printable(deliveryLine(delivery)));
    return delivery.state == service::DeliveryState::Delivered ? kOk : kNotAllSucceeded;
}

int list(const Settings &settings, const service::ListParams &params)
{
    auto batches = openBatches(settings, Use::Read);
    const auto page = inWorkspace(settings, batches, [&](auto &b) { return b.list(params); });
    if (settings.json) {
        fmt::print("{}\n", page.toJson().dump(2));
        return kOk;
    }
    for (const auto &b : page.data)
        fmt::print("{}  created {}\n", countsLine(b), b.createdAt.toString());
    if (page.hasMore)
        fmt::print("(more: --{} {})\n", params.beforeId.empty() ? "after-id" : "before-id",
                   params.beforeId.empty() ? *page.lastId : *page.firstId);
    return kOk;
}

int cancel(const Settings &settings, const std::string &id)
{
    // Processes nothing: ends the batch here when no process works on its
    // provider's batches; otherwise that process ends it once its running
    // chunks finish, and the batch is printed canceling.
    auto batches = openBatches(settings, Use::Change);
    const auto batch = inWorkspace(settings, batches, [&](auto &b) { return b.cancel(id); });
    printBatch(settings, batch);
    return kOk;
}

int remove(const Settings &settings, const std::string &id)
{
    auto batches = openBatches(settings, Use::Change);
    const auto deleted = inWorkspace(settings, batches, [&](auto &b) { return b.remove(id); });
    if (settings.json)
        fmt::print("{}\n", deleted.dump(2));
    else
        fmt::print("deleted {}\n", id);
    return kOk;
}

// What `results` prints: the batch's results in request order, or (with
// a cursor) in the order they finished, each with its position.
struct ResultsSettings {
    std::vector<std::string> types;
    bool partial = false;
    bool merged = false;
    std::optional<std::uint64_t> after; // --after
    bool follow = false;
};

service::ResultsOptions resultsOptions(const ResultsSettings &r)
{
    service::ResultsOptions options;
    options.finishedSoFar = r.partial;
    if (r.after || r.follow)
        options.after = r.after.value_or(0);
    for (const auto &name : r.types)
        options.types.push_back(*service::resultTypeFromName(name));
    return options;
}

int results(const Settings &settings, const std::string &id, const ResultsSettings &r)
{
    auto options = resultsOptions(r);
    if (!r.follow) {
        auto batches = openBatches(settings, Use::Read);
        auto stream = inWorkspace(settings, batches,
                                  [&](auto &b) { return r.merged ? b.mergedResults(id) : b.results(id, options); });
        for (service::MessageBatchResult result; stream.next(result);)
            std::cout << result.toJsonLine() << '\n';
        std::cout.flush();
        return kOk;
    }
    // --follow: the results as they finish, until the batch ends; the
    // batch is processed here if no process does, as by `wait`. Each time
    // its counts move, what finished since the last position is printed.
    auto batches = openBatches(settings, Use::Process);
    sayWhoProcesses(settings, batches);
    const auto printNew = [&] {
        auto stream = inWorkspace(settings, batches, [&](auto &b) { return b.results(id, options); });
        for (service::MessageBatchResult result; stream.next(result);) {
            std::cout << result.toJsonLine() << '\n';
            options.after = result.position;
        }
        std::cout.flush();
    };
    // The cursor is the last line printed: results after it skipped for
    // their type are read again next time, and skipped again.
    const auto ended =
        inWorkspace(settings, batches, [&](auto &b) { return b.wait(id, [&](const MessageBatch &) { printNew(); }); });
    printNew();
    return endedStatus(ended);
}

int wait(const Settings &settings, const std::string &id)
{
    auto batches = openBatches(settings, Use::Process);
    inWorkspace(settings, batches, [&](auto &b) { return b.retrieve(id); }); // not_found outside --workspace
    sayWhoProcesses(settings, batches);
    const auto ended = waitShowingProgress(batches, id);
    printBatch(settings, ended);
    return std::max(endedStatus(ended), followCallback(batches, ended));
}

// Prints the error; each problem is placed by `unit` ("line", "job",
// "item") and its index, unless it has no place.
void printError(const Settings &settings, const ServiceError &e, const char *unit)
{
    if (settings.json) {
        auto problems = nlohmann::json::array();
        for (const auto &p : e.problems()) {
            nlohmann::json problem{{"custom_id", p.customId}, {"reason", p.reason}};
            if (p.index != kNoPlace)
                problem[std::string(unit) == "line" ? "line" : "index"] = p.index;
            problems.push_back(std::move(problem));
        }
        nlohmann::json error{{"type", e.type()}, {"message", e.what()}};
        if (e.specificCode() != 0)
            error["specific_code"] = e.specificCode();
        if (!problems.empty())
            error["problems"] = std::move(problems);
        fmt::print("{}\n", nlohmann::json{{"type", "error"}, {"error", std::move(error)}}.dump(2));
    }
    fmt::print(stderr, "osid-batch: {}{}\n", e.specificCode() != 0 ? fmt::format("[{}] ", e.specificCode()) : "",
               printable(e.what()));
    for (const auto &p : e.problems()) {
        std::string place = p.index == kNoPlace ? "" : fmt::format("{} {}", unit, p.index);
        if (!p.customId.empty())
            place += (place.empty() ? "(" : " (") + printable(p.customId) + ")";
        fmt::print(stderr, "  {}{}{}\n", place, place.empty() ? "" : ": ", printable(p.reason));
    }
}

} // namespace

std::string webhookSecret(const Settings &settings) { return openBatches(settings, Use::Store).webhookSecret(); }

service::MessageBatchOptions batchServiceOptions(const Settings &settings)
{
    service::MessageBatchOptions options;
    options.storePath = storePath(settings);
    options.workers = settings.workers;
    options.chunkSize = settings.chunkSize;
    options.lease = std::chrono::milliseconds(static_cast<std::int64_t>(settings.leaseSeconds * 1000));
    options.provider = providerIdentity(settings);
    options.resultsRetention = std::chrono::hours(24) * settings.retentionDays;
    options.busyTimeout = settings.busyTimeout;
    return options;
}

int purge(const Settings &settings)
{
    const auto archived = openBatches(settings, Use::Store).purge();
    if (settings.json)
        fmt::print("{}\n", nlohmann::json{{"archived", archived}}.dump());
    else
        fmt::print("archived {} batch{} created more than {} day{} ago\n", archived, archived == 1 ? "" : "es",
                   settings.retentionDays, settings.retentionDays == 1 ? "" : "s");
    return kOk;
}

std::ifstream openInput(const std::string &file)
{
    std::error_code error;
    if (std::filesystem::is_directory(file, error))
        throw ServiceError(service::error_type::kInvalidRequest,
                           fmt::format("cannot read {}: it is a directory", printable(file)));
    std::ifstream in(file);
    if (!in)
        throw ServiceError(service::error_type::kInvalidRequest,
                           fmt::format("cannot read {}: {}", printable(file), std::strerror(errno)));
    return in;
}

std::string storePath(const Settings &settings) { return settings.store == "memory" ? ":memory:" : settings.store; }

std::string providerSpec(const Settings &settings)
{
    if (!settings.provider.empty())
        return settings.provider;
    if (settings.store == "memory")
        return "memory";
    // The PostgreSQL provider in the store's own database.
    if (service::isPostgresStorePath(settings.store))
        return settings.store.starts_with("postgres:") && !settings.store.starts_with("postgres://")
                   ? settings.store
                   : "postgres:" + settings.store;
    auto base = settings.store;
    if (base.size() > 3 && base.ends_with(".db"))
        base.resize(base.size() - 3);
    return "sqlite:" + base + "-messages.db";
}

std::string providerIdentity(const Settings &settings)
{
    const auto spec = providerSpec(settings);
    // A PostgreSQL provider by its database, host and port: the same in
    // every process that names it, and never its password, which would
    // otherwise be kept on each batch and shown in messages.
    if (service::isPostgresStorePath(spec))
        return service::storePathForDisplay(spec);
    constexpr std::string_view kSqlite = "sqlite:";
    if (!spec.starts_with(kSqlite) || spec == "sqlite::memory:" || spec.size() == kSqlite.size())
        return spec;
    std::error_code error;
    const auto absolute = std::filesystem::absolute(spec.substr(kSqlite.size()), error);
    return error ? spec : std::string(kSqlite) + absolute.lexically_normal().string();
}

std::shared_ptr<messaging::MessagingManager> openProvider(const Settings &settings)
{
    const auto spec = providerSpec(settings);
    try {
        return runtime::getMessagingManager(*runtime::makeProviderRuntime(), spec);
    } catch (const OsidException &e) {
        throw ServiceError(service::error_type::kApi,
                           fmt::format("cannot use provider \"{}\": {}", service::storePathForDisplay(spec), e.what()));
    }
}

int main(int argc, char **argv)
{
    CLI::App app("Asynchronous message batches and job runs over an OSID "
                 "messaging provider.",
                 "osid-batch");
    app.require_subcommand(1);
    // The global options (--store, --provider, --json) may also follow the
    // command: subcommands hand the options they do not know to the app.
    app.fallthrough();
    Settings settings;
    app.add_option("--store", settings.store,
                   "The SQLite file that keeps batches, job runs and their "
                   "results; \"memory\" for a throwaway run; or a PostgreSQL database "
                   "(postgresql://... or postgres:CONNINFO) that keeps the batches")
        ->type_name("STORE")
        ->capture_default_str();
    app.add_option("--provider", settings.provider,
                   "Where the messages go: a provider, e.g. memory, sqlite:FILE "
                   "(default: sqlite:STORE-messages.db, "
                   "memory with --store memory, postgres:STORE with a PostgreSQL store)")
        ->type_name("PROVIDER");
    app.add_flag("--json", settings.json, "Prints JSON instead of text");
    app.add_option("--workspace", settings.workspace,
                   "Works in the workspace of this mailbox (osid-batch workspaces): creates batches there and sees "
                   "only its batches; keys add: the key's workspace. Default: every workspace, creating in the "
                   "default one")
        ->type_name("MAILBOX_ID");
    app.add_option_function<int>(
           "--busy-timeout", [&settings](int ms) { settings.busyTimeout = std::chrono::milliseconds(ms); },
           "How long a store write waits for another process's lock (SQLite's busy timeout, PostgreSQL's "
           "lock_timeout) and for a restarting PostgreSQL, in milliseconds (default 10000)")
        ->check(CLI::Range(1, 600'000))
        ->type_name("MS");
    app.add_option("--retention-days", settings.retentionDays,
                   "How long an ended batch's results are kept after its creation; then the processing service's "
                   "reaper (and purge) deletes them and sets archived_at")
        ->check(CLI::Range(1, 3650))
        ->type_name("DAYS");

    const auto addWorkers = [&](CLI::App *command) {
        command->add_option("--workers", settings.workers, "Worker threads")
            ->check(CLI::Range(1, 64))
            ->capture_default_str();
        command->add_option("--chunk-size", settings.chunkSize, "Requests per provider call")
            ->check(CLI::Range(1, 100000))
            ->capture_default_str();
        command
            ->add_option("--lease", settings.leaseSeconds,
                         "Seconds a worker's claim holds a chunk on a PostgreSQL store, renewed while it runs; a "
                         "worker that dies loses its chunks when their leases run out")
            ->check(CLI::Range(0.1, 3600.0))
            ->capture_default_str();
    };

    std::string file, id;
    bool detach = false;
    auto *submitCommand =
        app.add_subcommand("submit", "Creates a message batch from FILE (JSON Lines: {\"custom_id\", "
                                     "\"params\"} per line), prints it, "
                                     "processes it with progress on stderr and prints it again once ended");
    submitCommand->add_option("file", file, "The batch file; - for standard input")
        ->required()
        ->type_name("FILE.jsonl");
    submitCommand->add_flag("--detach", detach, "Only creates the batch and prints it; `wait ID` processes it");
    service::CreateOptions create;
    submitCommand
        ->add_option("--callback-url", create.callbackUrl,
                     "When the batch ends, POSTs it to URL (http:// or https://), signed with the store's secret "
                     "(webhook-secret); submit then also waits until it is delivered or has failed")
        ->type_name("URL");
    std::optional<std::int64_t> expiresAfterSeconds;
    submitCommand
        ->add_option("--expires-after", expiresAfterSeconds,
                     "Seconds until the batch's unstarted requests expire (1 to 604800, 7 days; default 86400)")
        ->type_name("SECONDS");
    submitCommand
        ->add_option("--idempotency-key", create.idempotencyKey,
                     "Makes submit safe to repeat: the same KEY with the same file gives the batch created first "
                     "(and follows it); with another file it is refused")
        ->type_name("KEY");
    addWorkers(submitCommand);

    auto *statusCommand = app.add_subcommand("status", "Prints a batch: its status and request counts");
    statusCommand->add_option("id", id, "The batch")->required()->type_name("ID");

    service::ListParams listParams;
    auto *listCommand = app.add_subcommand("list", "Lists batches, newest first, a page at a time");
    listCommand->add_option("--limit", listParams.limit, "Batches per page (1 to 1000)")->capture_default_str();
    listCommand->add_option("--before-id", listParams.beforeId, "The page of batches newer than ID")->type_name("ID");
    listCommand->add_option("--after-id", listParams.afterId, "The page of batches older than ID")->type_name("ID");
    std::string statusFilter, createdAfter, createdBefore;
    listCommand->add_option("--status", statusFilter, "Only batches with this processing status")
        ->type_name("in_progress|canceling|ended");
    listCommand->add_option("--created-after", createdAfter, "Only batches created at or after TIME (RFC 3339)")
        ->type_name("TIME");
    listCommand->add_option("--created-before", createdBefore, "Only batches created before TIME (RFC 3339)")
        ->type_name("TIME");

    auto *cancelCommand = app.add_subcommand("cancel", "Cancels a batch: requests not started end canceled; prints "
                                                       "the batch (ended, or canceling while "
                                                       "another process finishes the requests it has started)");
    cancelCommand->add_option("id", id, "The batch")->required()->type_name("ID");

    auto *deleteCommand = app.add_subcommand("delete", "Deletes an ended batch and its results");
    deleteCommand->add_option("id", id, "The batch")->required()->type_name("ID");

    ResultsSettings resultsSettings;
    auto *resultsCommand = app.add_subcommand("results", "Prints a batch's results, one JSON line "
                                                         "per finished request, in request order (by cursor: in "
                                                         "the order they finished)");
    resultsCommand->add_option("id", id, "The batch")->required()->type_name("ID");
    resultsCommand->add_option("--type", resultsSettings.types, "Only results of this type; may be repeated")
        ->check(CLI::IsMember({"succeeded", "errored", "canceled", "expired"}))
        ->type_name("TYPE");
    auto *partialFlag = resultsCommand->add_flag("--partial", resultsSettings.partial,
                                                 "Of a batch not ended yet, prints the requests finished so far "
                                                 "(without it, a batch not ended is refused)");
    auto *mergedFlag =
        resultsCommand
            ->add_flag("--merged", resultsSettings.merged,
                       "Of a batch made by retry, the results of its whole chain: for each request of the first "
                       "batch, the newest attempt's")
            ->excludes(partialFlag);
    resultsCommand
        ->add_option("--after", resultsSettings.after,
                     "A cursor: the results in the order their requests finished, after this position (0: "
                     "from the first), each line with its \"position\"; also of a batch not ended")
        ->type_name("POSITION")
        ->excludes(mergedFlag);
    resultsCommand
        ->add_flag("--follow", resultsSettings.follow,
                   "Prints the results as their requests finish (by cursor, from --after), until the batch ends; "
                   "processes it here if no process does, as wait")
        ->excludes(mergedFlag)
        ->excludes(partialFlag);

    std::vector<std::string> retryTypes;
    auto *retryCommand =
        app.add_subcommand("retry", "Creates a child batch of an ended batch from its requests that did not succeed "
                                    "(by default: errored with a retryable error, expired, canceled), prints it, "
                                    "processes it as submit does and prints it again once ended");
    retryCommand->add_option("id", id, "The ended batch")->required()->type_name("ID");
    retryCommand->add_option("--type", retryTypes, "Only requests whose results are of this type; may be repeated")
        ->check(CLI::IsMember({"succeeded", "errored", "canceled", "expired"}))
        ->type_name("TYPE");
    retryCommand->add_flag("--detach", detach, "Only creates the child batch and prints it; `wait ID` processes it");
    addWorkers(retryCommand);

    auto *waitCommand = app.add_subcommand("wait", "Processes a batch (or waits for the process "
                                                   "that does) until it ends; prints it");
    waitCommand->add_option("id", id, "The batch")->required()->type_name("ID");
    addWorkers(waitCommand);

    auto *runCommand = app.add_subcommand(
        "run", "Runs a job run from FILE ({\"jobs\": [{\"namespace\", \"action\", \"params\"}], \"callbackUrl\"}) and "
               "prints its results once it is done and its callback (if any) delivered or given up");
    runCommand->add_option("file", file, "The job-run file")->required()->type_name("FILE.json");

    auto *secretCommand = app.add_subcommand(
        "webhook-secret", "Prints the store's secret for signed callbacks (\"whsec_...\"; made and kept in the "
                          "store the first time): give it to the receiver, which checks each callback with it");

    auto *redeliverCommand = app.add_subcommand("redeliver", "Sends the callback of an ended batch again, now, with "
                                                             "a fresh set of tries, and prints how it went");
    redeliverCommand->add_option("id", id, "The batch")->required()->type_name("ID");

    auto *purgeCommand = app.add_subcommand(
        "purge", "Archives now the ended batches created more than --retention-days ago, of every workspace: deletes "
                 "their requests and results and sets archived_at (the batches stay listable); prints how many");

    auto *workerCommand =
        app.add_subcommand("worker", "Runs the workers alone until SIGINT or SIGTERM: processes the batches of its "
                                     "provider whenever it holds their processing lock, taking over from a process "
                                     "that goes (front ends: serve --no-process, the CLI)");
    addWorkers(workerCommand);

    ServeSettings serveSettings;
    auto *serveCommand = app.add_subcommand("serve", "Serves the Message Batches API and iVvy's batch actions over "
                                                     "HTTP (docs/http-api.md) and runs the workers, until SIGINT or "
                                                     "SIGTERM");
    serveCommand->add_option("--listen", serveSettings.listen, "Where to listen: HOST:PORT (loopback only)")
        ->type_name("HOST:PORT")
        ->capture_default_str();
    serveCommand->add_option("--threads", serveSettings.threads, "Requests served at once")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    serveCommand->add_flag("--no-process", serveSettings.noProcess,
                           "Serves only; another process (wait, serve) runs the workers");
    serveCommand
        ->add_option("--api-keys", serveSettings.apiKeys,
                     "Every request needs a key of FILE (osid-batch keys); allows listening beyond loopback")
        ->type_name("FILE");
    addWorkers(serveCommand);

    std::string keysAction, keyName, keyFile;
    auto *keysCommand = app.add_subcommand("keys", "API keys of `serve --api-keys FILE`: add NAME (prints the new "
                                                   "key once; the file keeps only its hash), list, revoke NAME");
    keysCommand->require_subcommand(1);
    for (const auto &[name, help] : std::vector<std::pair<std::string, std::string>>{
             {"add", "Creates a key named NAME and prints it, once"},
             {"list", "Prints the names of the keys"},
             {"revoke", "Removes the key named NAME; a running server stops taking it at once"}}) {
        auto *action = keysCommand->add_subcommand(name, help);
        action->add_option("--file", keyFile, "The key file")->required()->type_name("FILE");
        if (name != "list")
            action->add_option("name", keyName, "The key's name")->required()->type_name("NAME");
        action->callback([&keysAction, name = name] { keysAction = name; });
    }

    std::string workspacesAction;
    auto *workspacesCommand = app.add_subcommand(
        "workspaces", "Workspaces, which are the provider's mailboxes: add NAME (creates one and prints its Id), list");
    workspacesCommand->require_subcommand(1);
    workspacesCommand->add_subcommand("add", "Creates a mailbox named NAME and prints its Id")
        ->callback([&workspacesAction] { workspacesAction = "add"; })
        ->add_option("name", keyName, "The workspace's name")
        ->required()
        ->type_name("NAME");
    workspacesCommand->add_subcommand("list", "Prints the provider's mailboxes: Id and name")->callback([&] {
        workspacesAction = "list";
    });

    auto *runsCommand = app.add_subcommand("runs", "Job runs kept in the store: list, status, results, restart "
                                                   "(runs the jobs without a saved result), repost (the callback)");
    runsCommand->require_subcommand(1);
    std::size_t runsLimit = 20;
    auto *runsList = runsCommand->add_subcommand("list", "The newest job runs, newest first");
    runsList->add_option("--limit", runsLimit, "How many")->check(CLI::Range(1, 1000))->capture_default_str();
    std::string runsAction;
    for (const auto &[name, help] : std::vector<std::pair<std::string, std::string>>{
             {"status", "Prints a job run's progress and callback state"},
             {"results", "Prints a completed job run's results"},
             {"restart", "Runs again the jobs of a run without a saved result (all of them once it has completed), "
                         "then delivers its callback; prints its results"},
             {"repost", "Delivers a completed run's callback again; prints its results"}}) {
        auto *action = runsCommand->add_subcommand(name, help);
        action->add_option("id", id, "The run's asyncId")->required()->type_name("ASYNCID");
        action->callback([&runsAction, name = name] { runsAction = name; });
    }
    runsList->callback([&runsAction] { runsAction = "list"; });

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e) == 0 ? kOk : kUsage;
    }

    try {
        if (*submitCommand) {
            if (expiresAfterSeconds)
                create.expiresAfter = std::chrono::seconds(*expiresAfterSeconds);
            return submit(settings, file, detach, create);
        }
        if (*statusCommand)
            return status(settings, id);
        if (*listCommand) {
            service::setListFilters(listParams, statusFilter, createdAfter, createdBefore);
            return list(settings, listParams);
        }
        if (*cancelCommand)
            return cancel(settings, id);
        if (*deleteCommand)
            return remove(settings, id);
        if (*retryCommand)
            return retry(settings, id, retryTypes, detach);
        if (*resultsCommand)
            return results(settings, id, resultsSettings);
        if (*waitCommand)
            return wait(settings, id);
        if (*runCommand)
            return runJobFile(settings, file);
        if (*serveCommand)
            return serve(settings, serveSettings);
        if (*workerCommand)
            return work(settings);
        if (*purgeCommand)
            return purge(settings);
        if (*keysCommand)
            return osid::tools::keysCommand(settings, keysAction, keyFile, keyName);
        if (*workspacesCommand)
            return osid::tools::workspacesCommand(settings, workspacesAction, keyName);
        if (*secretCommand) {
            fmt::print("{}\n", webhookSecret(settings));
            return kOk;
        }
        if (*redeliverCommand)
            return redeliver(settings, id);

        if (*runsCommand)
            return osid::tools::runsCommand(settings, runsAction, id, runsLimit);
    } catch (const LineProblems &e) {
        printError(settings, e, "line");
        return service::isServiceFailure(e.type()) ? kFailed : kRefused;
    } catch (const ServiceError &e) {
        printError(settings, e, *runCommand || *runsCommand ? "job" : "item");
        return service::isServiceFailure(e.type()) ? kFailed : kRefused;
    } catch (const std::exception &e) {
        fmt::print(stderr, "osid-batch: {}\n", printable(e.what()));
        return kFailed;
    }
    return kUsage;
}

} // namespace osid::tools

int main(int argc, char **argv) { return osid::tools::main(argc, argv); }
