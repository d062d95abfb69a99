// The wire format of message batches, the part the service's own units
// share (not installed): reading requests, and checking their envelope.
// The public half (MessageBatch::toJson, readRequestsJsonLines, ...) is
// declared in message_batches.h; both are defined in batch_json.cpp.

#pragma once

#include "osid/errors.h"
#include "service/message_batches.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace osid::service {

// The problem of the custom_id of the request at `index`, if any; `seen`
// holds the custom_ids before it, with their indexes.
std::optional<EnvelopeProblem> customIdProblem(const std::string &id, std::size_t index,
                                               std::unordered_map<std::string, std::size_t> &seen);

// The problem of a request's params nested too deep, if any.
std::optional<EnvelopeProblem> paramsDepthProblem(const MessageBatchRequest &request, std::size_t index);

// Every envelope problem of `requests`, in index order.
std::vector<EnvelopeProblem> envelopeProblems(const std::vector<MessageBatchRequest> &requests,
                                              std::size_t maxRequests);

// The invalid_request_error that names `problems` (the first five in its
// message, all of them in ServiceError::problems()).
ServiceError envelopeError(std::vector<EnvelopeProblem> problems);

// One request of a JSON body or line ({"custom_id", "params"}); nullopt,
// and a problem for `index`, if it is not one.
std::optional<MessageBatchRequest> requestFromJson(const nlohmann::json &item, std::size_t index,
                                                   std::vector<EnvelopeProblem> &problems);

// The request on one line of a batch file (index: the line's, from 0);
// nullopt for a blank line, and (with a problem) for a bad one.
std::optional<MessageBatchRequest> requestFromLine(const std::string &line, std::size_t index,
                                                   std::vector<EnvelopeProblem> &problems);

// An errored request's stored result as JSON text: {"type", "message",
// "retryable", "osid_error"}. `type` is api_error (the provider failed:
// retryable) or invalid_request_error (the request was refused: not);
// `code` is the OSID error behind it.
std::string errorJson(const char *type, ErrorCode code, const std::string &message);

// Whether an errored request of this error type may succeed when sent again.
bool isRetryable(std::string_view errorType) noexcept;

} // namespace osid::service
