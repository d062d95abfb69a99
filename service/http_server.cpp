#include "service/http_server.h"

#include "service/batch_json.h"
#include "service/osid_json.h"
#include "service/requests_body.h"
#include "service/status_page.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <charconv>
#include <chrono>
#include <random>

namespace osid::service {

namespace {

using json = nlohmann::json;

constexpr const char *kBatchesPath = "/v1/messages/batches";
constexpr const char *kJobRunsPath = "/api/1.0/batch";
// What an oversize chunked body may still send, read and dropped, before
// its 413 is answered.
constexpr std::size_t kOversizeDrain = std::size_t{1} << 20;
// Result lines sent per chunk of the streamed results.
constexpr std::size_t kResultLinesPerChunk = 256;

// "req_" and 24 random letters and digits, as the API's request ids.
std::string newRequestId()
{
    static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    thread_local std::mt19937_64 random{std::random_device{}()};
    std::string id = "req_";
    std::uniform_int_distribution<std::size_t> pick(0, sizeof(kAlphabet) - 2);
    for (int i = 0; i < 24; ++i)
        id += kAlphabet[pick(random)];
    return id;
}

// An HTTP-level refusal, answered in the envelope of the route's API.
struct HttpError {
    int status;
    std::string type; // error_type's vocabulary, or request_too_large, ...
    std::string message;
    int specificCode = 0;
    json details = nullptr;
};

int statusOf(const ServiceError &e)
{
    if (e.type() == error_type::kNotFound)
        return 404;
    if (e.type() == error_type::kInvalidRequest)
        return 400;
    if (e.type() == error_type::kOverloaded)
        return 529;
    if (e.type() == error_type::kConflict)
        return 409;
    return 500;
}

// iVvy's errorCode for a job-run refusal.
int jobRunStatusOf(const ServiceError &e)
{
    switch (e.specificCode()) {
    case job_code::kRunNotFound:
    case job_code::kResultsNotFound: return 404;
    case job_code::kNotSaved: return 500;
    default: return statusOf(e);
    }
}

HttpError fromServiceError(const ServiceError &e)
{
    HttpError error{statusOf(e), e.type(), e.what()};
    if (!e.problems().empty()) {
        // Every envelope problem, each with the index of its request.
        error.details = json::array();
        std::string message =
            fmt::format("{} problem{} in requests", e.problems().size(), e.problems().size() == 1 ? "" : "s");
        for (std::size_t i = 0; i < e.problems().size(); ++i) {
            const auto &p = e.problems()[i];
            error.details.push_back({{"index", p.index}, {"custom_id", p.customId}, {"message", p.reason}});
            if (i < 20)
                message += fmt::format("; requests.{}: {}", p.index, p.reason);
        }
        if (e.problems().size() > 20)
            message += "; ... (every problem is in error.problems)";
        error.message = std::move(message);
    }
    return error;
}

bool isJobRunPath(const std::string &path) { return path.rfind(kJobRunsPath, 0) == 0; }

void sendJson(httplib::Response &res, int status, const json &body)
{
    res.status = status;
    res.set_content(body.dump(), "application/json");
}

// The API's envelope, or iVvy's on its routes.
void sendError(const httplib::Request &req, httplib::Response &res, const HttpError &error)
{
    if (isJobRunPath(req.path)) {
        sendJson(res, error.status,
                 {{"errorCode", error.status}, {"message", error.message}, {"specificCode", error.specificCode}});
        return;
    }
    json inner{{"type", error.type}, {"message", error.message}};
    if (!error.details.is_null())
        inner["problems"] = error.details;
    sendJson(res, error.status,
             {{"type", "error"}, {"error", std::move(inner)}, {"request_id", res.get_header_value("request-id")}});
}

// The body as JSON, or a 400. (nlohmann's parser keeps its own stack, so
// any depth parses; what nests too deep is refused before anything copies
// or writes it, which would recurse.)
json parseBody(const httplib::Request &req)
{
    auto body = json::parse(req.body, nullptr, false);
    if (body.is_discarded())
        throw HttpError{400, error_type::kInvalidRequest, "the body is not valid JSON"};
    if (nestedDeeperThan(body))
        throw HttpError{400, error_type::kInvalidRequest,
                        fmt::format("the body nests objects and arrays more than {} levels deep", kMaxJsonDepth)};
    return body;
}

// The batch object as the API writes it: with results_url, absolute, from
// the Host the client used (null until the batch has ended).
json batchJson(const httplib::Request &req, const MessageBatch &batch)
{
    auto out = batch.toJson();
    if (batch.processingStatus == ProcessingStatus::Ended && req.has_header("Host"))
        out["results_url"] =
            fmt::format("http://{}{}/{}/results", req.get_header_value("Host"), kBatchesPath, batch.id);
    else
        out["results_url"] = nullptr;
    return out;
}

std::int64_t queryInteger(const httplib::Request &req, const char *name, std::int64_t fallback)
{
    if (!req.has_param(name))
        return fallback;
    const auto text = req.get_param_value(name);
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        throw HttpError{400, error_type::kInvalidRequest, fmt::format("{}: \"{}\" is not an integer", name, text)};
    return value;
}

// A list page's query: limit, before_id, after_id (the API's and the
// status page's), and the filters processing_status, created_after and
// created_before.
ListParams listParams(const httplib::Request &req)
{
    ListParams params;
    params.limit = queryInteger(req, "limit", params.limit);
    params.beforeId = req.get_param_value("before_id");
    params.afterId = req.get_param_value("after_id");
    setListFilters(params, req.get_param_value("processing_status"), req.get_param_value("created_after"),
                   req.get_param_value("created_before"));
    return params;
}

json jobRunStatusJson(const JobRunStatus &s)
{
    return {{"asyncId", s.asyncId},
            {"progress", s.progress},
            {"completed", s.completed},
            {"callback", s.callback},
            {"callbackAttempts", s.callbackAttempts},
            {"callbackError", s.callbackError}};
}

} // namespace

struct BatchHttpServer::Impl {
    MessageBatchService &service;
    JobRunService *jobRuns;
    HttpServerOptions options;
    httplib::Server server;
    bool bound = false;
    // The listening socket, seen as httplib makes it (see bind()).
    int listener = -1;

    Impl(MessageBatchService &b, JobRunService *j, HttpServerOptions o) : service(b), jobRuns(j), options(std::move(o))
    {
        routes();
    }

    // Runs `handle` with the batches of the request's workspace once it is
    // authenticated, answering refusals in the envelope. `skipBody` reads
    // an unread body to its end when the request is refused before it was
    // read, so that the connection's next request starts where it should.
    template <class F>
    void answer(const httplib::Request &req, httplib::Response &res, const F &handle,
                const std::function<void()> &skipBody = {})
    {
        try {
            std::optional<WorkspaceBatches> batches;
            try {
                batches = service.workspace(authenticate(req));
            } catch (const HttpError &) {
                if (skipBody)
                    skipBody();
                throw;
            }
            handle(*batches);
        } catch (const HttpError &e) {
            sendError(req, res, e);
        } catch (const ServiceError &e) {
            auto error = fromServiceError(e);
            error.specificCode = e.specificCode();
            if (isJobRunPath(req.path))
                error.status = jobRunStatusOf(e);
            sendError(req, res, error);
        }
    }

    // A route's handler, run by answer().
    template <class F>
    httplib::Server::Handler guarded(F handler)
    {
        return [this, handler](const httplib::Request &req, httplib::Response &res) {
            answer(req, res, [&](WorkspaceBatches &batches) { handler(req, res, batches); });
        };
    }

    void routes()
    {
        // Each request gets its id (and its start time, for the log line)
        // before routing, so that every answer carries it.
        server.set_pre_routing_handler([](const httplib::Request &, httplib::Response &res) {
            res.set_header("request-id", newRequestId());
            requestStarted() = std::chrono::steady_clock::now();
            return httplib::Server::HandlerResponse::Unhandled;
        });
        server.set_payload_max_length(options.maxBodyBytes);
        // Answers the statuses httplib sets itself (404 for no route, 413
        // for a body over the limit) in the envelope.
        server.set_error_handler([max = options.maxBodyBytes](const httplib::Request &req, httplib::Response &res) {
            if (!res.body.empty())
                return;
            switch (res.status) {
            case 404:
                sendError(req, res, {404, error_type::kNotFound, fmt::format("no route {} {}", req.method, req.path)});
                break;
            case 413:
                sendError(req, res,
                          {413, "request_too_large", fmt::format("the body is over the limit of {} bytes", max)});
                break;
            default: sendError(req, res, {res.status, error_type::kApi, fmt::format("HTTP status {}", res.status)});
            }
        });
        server.set_exception_handler([](const httplib::Request &req, httplib::Response &res, std::exception_ptr e) {
            std::string what = "an unexpected error";
            try {
                std::rethrow_exception(e);
            } catch (const std::exception &x) {
                what = x.what();
            } catch (...) {
            }
            sendError(req, res, {500, error_type::kApi, what});
        });
        if (options.log) {
            server.set_logger([log = options.log](const httplib::Request &req, const httplib::Response &res) {
                const auto elapsed =
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - requestStarted());
                log(fmt::format("{} {} {} {} {:.1f}ms {}", req.method, req.path, res.status,
                                res.content_provider_ ? std::string("streamed") : std::to_string(res.body.size()),
                                elapsed.count(), res.get_header_value("request-id")));
            });
        }

        const std::string all = kBatchesPath;
        const std::string one = all + "/([^/]+)";
        // Create reads its body as it arrives (RequestsBodyReader).
        server.Post(all,
                    [this](const httplib::Request &req, httplib::Response &res, const httplib::ContentReader &content) {
                        answer(
                            req, res, [&](WorkspaceBatches &batches) { create(req, res, content, batches); },
                            [&] { content([](const char *, std::size_t) { return true; }); });
                    });
        server.Get(all, guarded([this](const auto &req, auto &res, auto &batches) { list(req, res, batches); }));
        server.Get(one, guarded([](const auto &req, auto &res, auto &batches) {
                       sendJson(res, 200, batchJson(req, batches.retrieve(req.matches[1])));
                   }));
        server.Post(one + "/cancel",
                    guarded([this](const auto &req, auto &res, auto &batches) { cancel(req, res, batches); }));
        server.Post(one + "/retry",
                    guarded([this](const auto &req, auto &res, auto &batches) { retry(req, res, batches); }));
        server.Delete(one, guarded([](const auto &req, auto &res, auto &batches) {
                          sendJson(res, 200, batches.remove(req.matches[1]));
                      }));
        server.Get(one + "/results",
                   guarded([this](const auto &req, auto &res, auto &batches) { results(req, res, batches); }));
        server.Post(kJobRunsPath, guarded([this](const auto &req, auto &res, auto &) { jobRun(req, res); }));
        // The status page (service/status_page.h).
        server.Get("/", guarded([](const auto &req, auto &res, auto &batches) {
                       const auto params = listParams(req);
                       res.set_content(batchesPage(batches.list(params), params), "text/html; charset=utf-8");
                   }));
        server.Get("/batches/([^/]+)", guarded([](const auto &req, auto &res, auto &batches) {
                       res.set_content(batchPage(batches.retrieve(req.matches[1])), "text/html; charset=utf-8");
                   }));

        // Known paths with a method they do not take: 405, with Allow.
        const std::vector<std::pair<std::string, std::string>> allowed = {
            {all, "GET, POST"},        {one, "GET, DELETE"},     {one + "/cancel", "POST"},
            {one + "/results", "GET"}, {one + "/retry", "POST"}, {kJobRunsPath, "POST"},
        };
        for (const auto &[pattern, allow] : allowed) {
            auto refuse = [allow = allow](const httplib::Request &req, httplib::Response &res) {
                res.set_header("Allow", allow);
                sendError(req, res,
                          {405, error_type::kInvalidRequest,
                           fmt::format("{} does not take {}; it takes {}", req.path, req.method, allow)});
            };
            if (allow.find("GET") == std::string::npos)
                server.Get(pattern, refuse);
            if (allow.find("POST") == std::string::npos)
                server.Post(pattern, refuse);
            if (allow.find("DELETE") == std::string::npos)
                server.Delete(pattern, refuse);
            server.Put(pattern, refuse);
            server.Patch(pattern, refuse);
        }
    }

    // With keys, the request's key must be one of them: in x-api-key (the
    // Message Batches API's header) or as a bearer token. Returns the
    // mailbox of the client's workspace: its key's; without keys, the
    // default workspace (the null Id).
    Id authenticate(const httplib::Request &req) const
    {
        if (!options.apiKeys)
            return Id();
        std::string key = req.get_header_value("x-api-key");
        if (key.empty()) {
            constexpr std::string_view kBearer = "Bearer ";
            const auto authorization = req.get_header_value("Authorization");
            if (authorization.rfind(kBearer, 0) == 0)
                key = authorization.substr(kBearer.size());
        }
        if (key.empty())
            throw HttpError{401, error_type::kAuthentication,
                            "an API key is required: send it in the x-api-key header (or Authorization: Bearer)"};
        const auto verified = options.apiKeys->verify(key);
        if (!verified)
            throw HttpError{401, error_type::kAuthentication, "invalid x-api-key"};
        return verified->workspace.empty() ? Id() : Id::parse(verified->workspace);
    }

    static std::chrono::steady_clock::time_point &requestStarted()
    {
        thread_local std::chrono::steady_clock::time_point started;
        return started;
    }

    // The body is read as it arrives: each request is parsed as soon as
    // its last byte is in, so the body is never held whole next to its
    // parsed form.
    void create(const httplib::Request &req, httplib::Response &res, const httplib::ContentReader &content,
                WorkspaceBatches &batches)
    {
        std::vector<MessageBatchRequest> requests;
        std::vector<EnvelopeProblem> problems;
        std::size_t index = 0;
        RequestsBodyReader reader([&](json item) {
            if (auto request = requestFromJson(item, index++, problems))
                requests.push_back(std::move(*request));
        });
        std::optional<ServiceError> refused;
        std::size_t received = 0;
        bool tooLarge = false;
        const bool complete = content([&](const char *data, std::size_t size) {
            // httplib refuses a Content-Length over the limit itself; a
            // chunked body is counted here.
            received += size;
            if (received > options.maxBodyBytes) {
                // Up to kOversizeDrain more bytes are read and dropped
                // before the 413: a connection closed with the client's
                // bytes unread is reset, and the client would lose the
                // answer. A longer body is cut off there.
                tooLarge = true;
                return received - options.maxBodyBytes <= kOversizeDrain;
            }
            // After a refusal the rest is read and dropped, so that the
            // connection stays usable.
            if (!refused) {
                try {
                    reader.feed(std::string_view(data, size));
                } catch (const ServiceError &e) {
                    refused = e;
                }
            }
            return true;
        });
        if (tooLarge || res.status == 413)
            throw HttpError{413, "request_too_large",
                            fmt::format("the body is over the limit of {} bytes", options.maxBodyBytes)};
        if (!complete)
            throw HttpError{400, error_type::kInvalidRequest, "the body ended before its length said it would"};
        if (refused)
            throw *refused;
        const auto others = reader.finish();
        if (!problems.empty())
            throw envelopeError(std::move(problems));
        CreateOptions createOptions;
        createOptions.idempotencyKey = req.get_header_value("Idempotency-Key");
        // Ours, beside requests: where the batch is POSTed when it ends.
        if (const auto url = others.find("callback_url"); url != others.end() && !url->is_null()) {
            if (!url->is_string())
                throw ServiceError(error_type::kInvalidRequest,
                                   fmt::format("callback_url: expected a string (an http:// or https:// URL), got {}",
                                               url->type_name()));
            createOptions.callbackUrl = url->get<std::string>();
        }
        // Ours, beside requests: seconds until unstarted requests expire.
        if (const auto after = others.find("expires_after"); after != others.end() && !after->is_null()) {
            if (!after->is_number_integer())
                throw ServiceError(
                    error_type::kInvalidRequest,
                    fmt::format("expires_after: expected an integer (seconds), got {}", after->type_name()));
            createOptions.expiresAfter = std::chrono::seconds(after->get<std::int64_t>());
        }
        sendJson(res, 200, batchJson(req, batches.create(requests, createOptions)));
    }

    // An optional body {"types": ["errored", ...]} picks the requests.
    void retry(const httplib::Request &req, httplib::Response &res, WorkspaceBatches &batches)
    {
        RetryOptions picked;
        if (!req.body.empty()) {
            const auto body = parseBody(req);
            if (!body.is_object() || (body.contains("types") && !body["types"].is_array()))
                throw HttpError{400, error_type::kInvalidRequest,
                                "the body must be an object, with an optional array \"types\""};
            for (const auto &name : body.value("types", json::array())) {
                const auto type = name.is_string() ? resultTypeFromName(name.get<std::string>()) : std::nullopt;
                if (!type)
                    throw HttpError{
                        400, error_type::kInvalidRequest,
                        fmt::format("types: {} is not one of succeeded, errored, canceled, expired", name.dump())};
                picked.types.push_back(*type);
            }
        }
        sendJson(res, 200, batchJson(req, batches.retry(req.matches[1], picked)));
    }

    void list(const httplib::Request &req, httplib::Response &res, WorkspaceBatches &batches)
    {
        const auto page = batches.list(listParams(req));
        auto body = page.toJson();
        body["data"] = json::array();
        for (const auto &batch : page.data)
            body["data"].push_back(batchJson(req, batch));
        sendJson(res, 200, body);
    }

    void cancel(const httplib::Request &req, httplib::Response &res, WorkspaceBatches &batches)
    {
        const std::string id = req.matches[1];
        if (batches.retrieve(id).processingStatus == ProcessingStatus::Ended)
            throw HttpError{400, error_type::kInvalidRequest,
                            fmt::format("batch {} has already ended, so it cannot be canceled", id)};
        sendJson(res, 200, batchJson(req, batches.cancel(id)));
    }

    // The results, streamed from the store a page at a time as JSON Lines.
    void results(const httplib::Request &req, httplib::Response &res, WorkspaceBatches &batches)
    {
        const std::string id = req.matches[1];
        // ?after=POSITION (ours): by cursor, in the order the requests
        // finished, each line with its position; also of a running batch.
        ResultsOptions wanted;
        if (req.has_param("after")) {
            const auto after = queryInteger(req, "after", 0);
            if (after < 0)
                throw HttpError{400, error_type::kInvalidRequest, "after: a position is 0 or more"};
            wanted.after = static_cast<std::uint64_t>(after);
        }
        if (!wanted.after && batches.retrieve(id).processingStatus != ProcessingStatus::Ended)
            throw HttpError{400, error_type::kInvalidRequest,
                            fmt::format("batch {} has not ended yet; its results are available once it has (or "
                                        "by cursor, with ?after=0)",
                                        id)};
        // ?merged=true (ours): a retried chain's results, the newest attempt of each.
        const bool merged = req.get_param_value("merged") == "true";
        if (merged && wanted.after)
            throw HttpError{400, error_type::kInvalidRequest, "merged results are not read by cursor: drop ?after"};
        auto stream = std::make_shared<ResultStream>(merged ? batches.mergedResults(id) : batches.results(id, wanted));
        res.set_chunked_content_provider("application/x-jsonl", [stream](std::size_t, httplib::DataSink &sink) {
            std::string chunk;
            MessageBatchResult result;
            for (std::size_t i = 0; i < kResultLinesPerChunk; ++i) {
                bool more = false;
                try {
                    more = stream->next(result);
                } catch (const std::exception &) {
                    // The batch was deleted while being read, or the store
                    // failed: the connection is dropped before the chunked
                    // body's end, so the client sees the results cut short.
                    return false;
                }
                if (!more) {
                    if (!chunk.empty())
                        sink.write(chunk.data(), chunk.size());
                    sink.done();
                    return true;
                }
                chunk += result.toJsonLine();
                chunk += '\n';
            }
            return sink.write(chunk.data(), chunk.size());
        });
    }

    // iVvy's batch actions: POST /api/1.0/batch?action=...
    void jobRun(const httplib::Request &req, httplib::Response &res)
    {
        if (jobRuns == nullptr)
            throw HttpError{404, error_type::kNotFound, "this server runs no job runs"};
        const auto action = req.get_param_value("action");
        const auto body = parseBody(req);
        if (action == "run") {
            sendJson(res, 200, {{"asyncId", jobRuns->run(body)}});
            return;
        }
        // iVvy names the run "async" in these bodies; "asyncId" is taken too.
        std::string asyncId;
        for (const char *key : {"async", "asyncId"})
            if (body.is_object() && body.contains(key) && body[key].is_string())
                asyncId = body[key].get<std::string>();
        if (action == "progress")
            sendJson(res, 200, {{"progress", jobRuns->progress(asyncId)}});
        else if (action == "results")
            sendJson(res, 200, jobRuns->results(asyncId));
        else if (action == "restart")
            sendJson(res, 200, {{"restarted", jobRuns->restart(asyncId)}});
        else if (action == "repost")
            sendJson(res, 200, {{"reposted", jobRuns->repost(asyncId)}});
        else if (action == "status")
            sendJson(res, 200, jobRunStatusJson(jobRuns->status(asyncId)));
        else
            throw HttpError{
                400, error_type::kInvalidRequest,
                fmt::format("unknown action \"{}\": run, progress, results, restart, repost or status", action)};
    }
};

BatchHttpServer::BatchHttpServer(MessageBatchService &batches, JobRunService *jobRuns, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(batches, jobRuns, std::move(options)))
{
    const auto threads = std::max<std::size_t>(1, impl_->options.threads);
    impl_->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    // An answer is headers then body, two writes: without TCP_NODELAY the
    // second waits for the client's delayed ACK (about 40 ms a request on
    // a keep-alive connection).
    impl_->server.set_tcp_nodelay(true);
    // httplib serves a connection on one thread until it closes: a client
    // keeps it for at most this many requests, so that waiting connections
    // get their turn.
    impl_->server.set_keep_alive_max_count(100);
    impl_->server.set_socket_options([impl = impl_.get()](int socket) {
        int yes = 1;
        ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
        impl->listener = socket;
    });
}

BatchHttpServer::~BatchHttpServer() { stop(); }

int BatchHttpServer::bind()
{
    auto &o = impl_->options;
    int port = o.port;
    if (port == 0) {
        port = impl_->server.bind_to_any_port(o.host);
    } else if (!impl_->server.bind_to_port(o.host, port)) {
        port = -1;
    }
    if (port < 0)
        throw ServiceError(error_type::kApi, fmt::format("cannot listen on {}:{}", o.host, o.port));
    // httplib listens with a backlog of 5: a burst of clients connecting
    // at once overflows it and some see their connection dropped. Listening
    // again on the same socket raises the backlog.
    if (impl_->listener >= 0)
        ::listen(impl_->listener, SOMAXCONN);
    impl_->bound = true;
    return port;
}

void BatchHttpServer::run()
{
    if (!impl_->bound)
        bind();
    impl_->server.listen_after_bind();
}

void BatchHttpServer::stop() { impl_->server.stop(); }

bool isLoopbackHost(const std::string &host)
{
    if (host == "localhost")
        return true;
    in_addr v4{};
    if (::inet_pton(AF_INET, host.c_str(), &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&v6);
    return false;
}

} // namespace osid::service
