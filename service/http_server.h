// osid::service::BatchHttpServer: the batch service over HTTP, on the wire
// of the Message Batches API and of iVvy's batch actions, so that their
// clients and SDKs work unchanged when pointed at it (docs/http-api.md).
//
//   POST   /v1/messages/batches                 create: {"requests": [...]}
//   GET    /v1/messages/batches                 list: ?limit=&before_id=&after_id=
//   GET    /v1/messages/batches/{id}            retrieve
//   POST   /v1/messages/batches/{id}/cancel     cancel
//   DELETE /v1/messages/batches/{id}            delete (an ended batch)
//   GET    /v1/messages/batches/{id}/results    results, JSON Lines, streamed
//   POST   /api/1.0/batch?action=run|progress|results|restart|repost|status
//
// With API keys (HttpServerOptions::apiKeys) every route needs a key, and
// each request works in its key's workspace (MessageBatchService::
// workspace): another workspace's batches are 404. Without keys, the
// default workspace is served.
// Every answer carries a `request-id` header; every error is the API's
// envelope {"type": "error", "error": {"type", "message"}, "request_id"}
// (iVvy's {"errorCode", "message", "specificCode"} on its routes).
//
// Thread-safety: start() once; stop() from any thread (a signal handler's
// thread included, not the handler itself).
//
// Example:
//   MessageBatchService batches(manager, {.storePath = "batches.db"});
//   BatchHttpServer server(batches, nullptr, {.port = 8080});
//   server.bind();
//   server.run();   // until server.stop()

#pragma once

#include "service/api_keys.h"
#include "service/job_runs.h"
#include "service/message_batches.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace osid::service {

struct HttpServerOptions {
    std::string host = "127.0.0.1";
    // 0: any free port (bind() says which).
    int port = 8080;
    // Connections served at once (one thread each; more wait their turn).
    std::size_t threads = 64;
    // Bodies larger than this are refused with 413 before they are read:
    // the Message Batches API's 256 MB.
    std::size_t maxBodyBytes = std::size_t{256} << 20;
    // One line per request (method, path, status, bytes, duration, request
    // id); none when empty.
    std::function<void(const std::string &line)> log;
    // When set, every request needs one of its keys, in `x-api-key` or in
    // `Authorization: Bearer KEY`; others get 401 authentication_error.
    // Null: no key is asked for (listen on loopback only).
    std::shared_ptr<ApiKeyVerifier> apiKeys;
};

class BatchHttpServer {
public:
    // Serves `batches` and, when given, `jobRuns` (otherwise the iVvy route
    // answers 404). Both must outlive the server.
    BatchHttpServer(MessageBatchService &batches, JobRunService *jobRuns, HttpServerOptions options = {});
    ~BatchHttpServer();

    BatchHttpServer(const BatchHttpServer &) = delete;
    BatchHttpServer &operator=(const BatchHttpServer &) = delete;

    // Binds the listening socket and returns its port.
    // Errors: ServiceError (api_error) when the address cannot be bound.
    int bind();
    // Serves until stop(): blocks the calling thread.
    void run();
    // Stops accepting connections; requests in flight finish first, then
    // run() returns.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Whether `host` (a name or an address) is on the loopback interface only:
// "localhost", 127.0.0.0/8 or ::1.
bool isLoopbackHost(const std::string &host);

} // namespace osid::service
