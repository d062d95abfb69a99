// What the osid-batch commands share: the global settings, the exit codes
// and how the store and the provider are opened.

#pragma once

#include "messaging/messaging_manager.h"
#include "service/message_batches.h"

#include <chrono>
#include <cstddef>
#include <fstream>
#include <memory>
#include <string>

namespace osid::tools {

constexpr int kOk = 0;
constexpr int kRefused = 1;
constexpr int kUsage = 2;
constexpr int kFailed = 3;
constexpr int kNotAllSucceeded = 4;

struct Settings {
    std::string store = "osid-batch.db";
    std::string provider; // empty: derived from the store
    bool json = false;
    std::size_t workers = 2;
    std::size_t chunkSize = 500;
    // --lease: seconds a worker's claim holds a chunk (PostgreSQL store).
    double leaseSeconds = 30;
    // --workspace: the text of a mailbox Id; the batch commands then work
    // in that workspace only. Empty: every workspace (creating in the
    // default one).
    std::string workspace;
    // --retention-days: how long an ended batch's results are kept after
    // its creation before the reaper (and purge) archives it.
    int retentionDays = 29;
    // --busy-timeout: how long a store write waits for another process's
    // lock (and, on PostgreSQL, for a restarting server).
    std::chrono::milliseconds busyTimeout{10'000};
};

// The options of the batch service every command opens: the store, the
// provider recorded on batches, workers, chunk size and retention.
service::MessageBatchOptions batchServiceOptions(const Settings &settings);

// The store as a SQLite path (":memory:" for --store memory).
std::string storePath(const Settings &settings);

// The provider spec --provider names, or the default next to the store.
std::string providerSpec(const Settings &settings);

// What a batch records as its provider: the spec, with the file of
// "sqlite:FILE" made absolute, so that the same provider is recognized
// from any working directory.
std::string providerIdentity(const Settings &settings);

// The provider --provider names, or the default next to the store.
// Errors: ServiceError (api_error) when it cannot be loaded or opened.
std::shared_ptr<messaging::MessagingManager> openProvider(const Settings &settings);

// The secret callbacks (of batches and job runs) are signed with: the
// store's, made and kept in it the first time it is asked for.
// Errors: ServiceError (api_error: the store cannot be opened).
std::string webhookSecret(const Settings &settings);

// Opens an input file.
// Errors: ServiceError (invalid_request_error: "cannot read FILE: " and why,
//         e.g. "No such file or directory", "it is a directory").
std::ifstream openInput(const std::string &file);

// `osid-batch run FILE` (job_run_command.cpp).
int runJobFile(const Settings &settings, const std::string &file);

struct ServeSettings {
    std::string listen = "127.0.0.1:8080";
    std::size_t threads = 64;
    bool noProcess = false;
    // A key file (service/api_keys.h): every request then needs a key, and
    // the server may listen beyond loopback. Empty: no keys, loopback only.
    std::string apiKeys;
};

// `osid-batch worker` (serve_command.cpp): processes the batches of its
// provider (when it holds their processing lock, or once it gets it) until
// SIGINT or SIGTERM, then finishes the chunks in flight.
int work(const Settings &settings);

// purge: archives the batches past --retention-days now.
int purge(const Settings &settings);

// `osid-batch serve` (serve_command.cpp): HTTP until SIGINT or SIGTERM.
int serve(const Settings &settings, const ServeSettings &serveSettings);

// `osid-batch keys add|list|revoke` (keys_command.cpp): `name` for add and
// revoke. add prints the new key on stdout, once; its workspace is
// settings.workspace.
int keysCommand(const Settings &settings, const std::string &action, const std::string &file, const std::string &name);

// `osid-batch workspaces add NAME|list` (keys_command.cpp): the provider's
// mailboxes, which are the workspaces. add creates one named `name` and
// prints its Id on stdout.
int workspacesCommand(const Settings &settings, const std::string &action, const std::string &name);

// The mailbox Id of --workspace (the null Id without it).
// Errors: ServiceError (invalid_request_error) when it is not an Id's text.
Id workspaceId(const Settings &settings);

// `osid-batch runs list|status|results|restart|repost` (job_run_command.cpp):
// restart and repost follow the run until its callback settles, as run does.
int runsCommand(const Settings &settings, const std::string &action, const std::string &asyncId, std::size_t limit);

} // namespace osid::tools
