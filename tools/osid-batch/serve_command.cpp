// `osid-batch serve`: the batch service over HTTP (service/http_server.h)
// until SIGINT or SIGTERM, with the workers unless --no-process; `osid-batch
// worker`: the workers alone, until SIGINT or SIGTERM.

#include "commands.h"

#include "service/api_keys.h"
#include "service/http_server.h"
#include "service/job_runs.h"
#include "service/message_batches.h"

#include <fmt/format.h>

#include <csignal>
#include <pthread.h>
#include <thread>

namespace osid::tools {

namespace {

// HOST:PORT, [IPV6]:PORT or PORT alone (on 127.0.0.1).
std::pair<std::string, int> parseListen(const std::string &listen)
{
    std::string host = "127.0.0.1", port = listen;
    if (auto colon = listen.rfind(':'); colon != std::string::npos) {
        host = listen.substr(0, colon);
        port = listen.substr(colon + 1);
        if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
            host = host.substr(1, host.size() - 2);
    }
    int value = -1;
    try {
        std::size_t used = 0;
        value = std::stoi(port, &used);
        if (used != port.size())
            value = -1;
    } catch (const std::exception &) {
    }
    if (host.empty() || value < 0 || value > 65535)
        throw service::ServiceError(service::error_type::kInvalidRequest,
                                    fmt::format("--listen {}: expected HOST:PORT, e.g. 127.0.0.1:8080", listen));
    return {host, value};
}

// Blocks SIGINT and SIGTERM in this thread and in every thread started
// after it, so that one thread takes them with sigwait(): call before any
// thread starts.
sigset_t blockStopSignals()
{
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    return stopSignals;
}

const char *signalName(int signal) { return signal == SIGINT ? "SIGINT" : "SIGTERM"; }

} // namespace

int work(const Settings &settings)
{
    const auto stopSignals = blockStopSignals();
    auto options = batchServiceOptions(settings);
    options.process = true;
    service::MessageBatchService batches(openProvider(settings), options);
    fmt::print("osid-batch: worker of provider \"{}\" on {}{}\n", service::storePathForDisplay(batches.provider()),
               service::storePathForDisplay(settings.store),
               batches.isProcessing() ? ""
                                      : " (standing by: another process holds the processing lock; this one takes "
                                        "over when it goes)");
    std::fflush(stdout);
    // Until SIGINT or SIGTERM; or until the workers stop for good (the
    // store kept failing): then exit 3, so that a supervisor restarts the
    // worker rather than leaving a process that works on nothing.
    const timespec checkEvery{0, 200'000'000};
    for (;;) {
        if (const int signal = sigtimedwait(&stopSignals, nullptr, &checkEvery); signal > 0) {
            fmt::print(stderr, "osid-batch: {}: finishing the chunks in flight\n", signalName(signal));
            return kOk;
        }
        if (const auto failure = batches.processingFailure()) {
            fmt::print(stderr,
                       "osid-batch: the workers stopped: {}; the batches stay in the store for the next "
                       "worker\n",
                       *failure);
            return kFailed;
        }
    }
}

int serve(const Settings &settings, const ServeSettings &serveSettings)
{
    auto [host, port] = parseListen(serveSettings.listen);
    if (serveSettings.apiKeys.empty() && !service::isLoopbackHost(host))
        throw service::ServiceError(service::error_type::kInvalidRequest,
                                    fmt::format("refusing to listen on {}: without API keys (--api-keys FILE) the "
                                                "server listens on loopback addresses only (127.0.0.1, ::1, "
                                                "localhost)",
                                                host));
    // Read before anything starts: a key file that cannot be used stops
    // the server here.
    std::shared_ptr<service::ApiKeyVerifier> apiKeys;
    if (!serveSettings.apiKeys.empty())
        apiKeys = std::make_shared<service::ApiKeyVerifier>(serveSettings.apiKeys);

    // SIGINT and SIGTERM are taken by one thread with sigwait(), blocked in
    // every other.
    const auto stopSignals = blockStopSignals();

    auto manager = openProvider(settings);
    // The same provider string as the other commands record, so that
    // `osid-batch wait` processes the batches created over HTTP and back.
    auto batchOptions = batchServiceOptions(settings);
    batchOptions.process = !serveSettings.noProcess;
    service::MessageBatchService batches(manager, batchOptions);
    service::JobRunOptions runOptions;
    // Job runs are kept in SQLite only: beside a PostgreSQL store of
    // batches, they last as long as this process.
    const bool runsInMemory = service::isPostgresStorePath(settings.store);
    runOptions.storePath = runsInMemory ? ":memory:" : storePath(settings);
    if (runsInMemory)
        fmt::print(stderr, "osid-batch: job runs are kept in memory (a PostgreSQL store keeps message batches only)\n");
    runOptions.callback.secret = batches.webhookSecret();
    service::JobRunService runs(manager, runOptions);

    service::HttpServerOptions options;
    options.host = host;
    options.port = port;
    options.threads = serveSettings.threads;
    options.log = [](const std::string &line) { fmt::print(stderr, "{}\n", line); };
    options.apiKeys = apiKeys;
    service::BatchHttpServer server(batches, &runs, options);
    const int bound = server.bind();
    fmt::print("osid-batch: serving on http://{}:{}{}{}\n",
               host.find(':') == std::string::npos ? host : "[" + host + "]", bound,
               apiKeys ? " (API keys required)" : "",
               batches.isProcessing() ? "" : " (not processing: another process runs the workers)");
    std::fflush(stdout);

    std::thread stopper([&] {
        int signal = 0;
        sigwait(&stopSignals, &signal);
        fmt::print(stderr, "osid-batch: {}: finishing the requests in flight\n", signalName(signal));
        server.stop();
    });
    server.run();
    // run() returns only after stop(), so the stopper has its signal.
    stopper.join();
    fmt::print(stderr, "osid-batch: stopped; unfinished batches resume with the next process\n");
    return kOk;
}

} // namespace osid::tools
