#include "service/batch_json.h"

#include "service/batch_states.h"
#include "service/osid_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <istream>

namespace osid::service {

using nlohmann::json;

const char *statusName(ProcessingStatus status) noexcept
{
    for (const auto &entry : kProcessingStatuses)
        if (entry.status == status)
            return entry.name;
    return "unknown";
}

std::optional<ProcessingStatus> processingStatusFromName(std::string_view name) noexcept
{
    for (const auto &entry : kProcessingStatuses)
        if (name == entry.name)
            return entry.status;
    return std::nullopt;
}

void setListFilters(ListParams &params, std::string_view status, std::string_view createdAfter,
                    std::string_view createdBefore)
{
    if (!status.empty()) {
        params.status = processingStatusFromName(status);
        if (!params.status)
            throw ServiceError(
                error_type::kInvalidRequest,
                fmt::format("processing_status \"{}\" is not one of in_progress, canceling, ended", status));
    }
    const auto time = [](std::string_view field, std::string_view text) -> std::optional<DateTime> {
        if (text.empty())
            return std::nullopt;
        try {
            return DateTime::parse(text);
        } catch (const OsidException &e) {
            throw ServiceError(error_type::kInvalidRequest,
                               fmt::format("{} \"{}\" is not an RFC 3339 time: {}", field, text, e.message()));
        }
    };
    params.createdAfter = time("created_after", createdAfter);
    params.createdBefore = time("created_before", createdBefore);
}

const char *resultTypeName(ResultType type) noexcept { return resultTypeEntry(type).name; }

std::optional<ResultType> resultTypeFromName(std::string_view name) noexcept
{
    for (const auto &entry : kResultTypes)
        if (name == entry.name)
            return entry.type;
    return std::nullopt;
}

namespace {

json timeOrNull(const std::optional<DateTime> &t) { return t ? json(t->toString()) : json(nullptr); }

bool isValidCustomId(const std::string &id)
{
    if (id.empty() || id.size() > 64)
        return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

} // namespace

// One request of a JSON body or line; nullopt (and a problem) if malformed.
std::optional<MessageBatchRequest> requestFromJson(const json &item, std::size_t index,
                                                   std::vector<EnvelopeProblem> &problems)
{
    if (!item.is_object()) {
        problems.push_back({index, "", fmt::format("a request must be an object, not {}", item.type_name())});
        return std::nullopt;
    }
    const auto customId = item.find("custom_id");
    const auto params = item.find("params");
    std::string id = customId != item.end() && customId->is_string() ? customId->get<std::string>() : "";
    std::string reason;
    if (customId == item.end())
        reason = "custom_id is required";
    else if (!customId->is_string())
        reason = fmt::format("custom_id must be a string, not {}", customId->type_name());
    else if (params == item.end())
        reason = "params is required";
    else if (!params->is_object())
        reason = fmt::format("params must be an object, not {}", params->type_name());
    else {
        for (const auto &field : item.items())
            if (field.key() != "custom_id" && field.key() != "params")
                reason = fmt::format("unknown field \"{}\" (a request has custom_id and params)", field.key());
    }
    if (!reason.empty()) {
        problems.push_back({index, id, reason});
        return std::nullopt;
    }
    return MessageBatchRequest{std::move(id), *params};
}

std::optional<EnvelopeProblem> customIdProblem(const std::string &id, std::size_t index,
                                               std::unordered_map<std::string, std::size_t> &seen)
{
    if (!isValidCustomId(id))
        return EnvelopeProblem{index, "",
                               fmt::format("custom_id \"{}\" does not match ^[a-zA-Z0-9_-]{{1,64}}$",
                                           id.size() > 80 ? id.substr(0, 80) + "..." : id)};
    auto [first, inserted] = seen.emplace(id, index);
    if (!inserted)
        return EnvelopeProblem{index, id, fmt::format("custom_id is not unique (also request {})", first->second)};
    return std::nullopt;
}

std::optional<EnvelopeProblem> paramsDepthProblem(const MessageBatchRequest &request, std::size_t index)
{
    if (!nestedDeeperThan(request.params))
        return std::nullopt;
    return EnvelopeProblem{index, request.customId,
                           fmt::format("params nests objects and arrays more than {} levels deep", kMaxJsonDepth)};
}

std::vector<EnvelopeProblem> envelopeProblems(const std::vector<MessageBatchRequest> &requests, std::size_t maxRequests)
{
    std::vector<EnvelopeProblem> problems;
    if (requests.empty())
        problems.push_back({0, "", "a batch needs at least one request"});
    if (requests.size() > maxRequests)
        problems.push_back(
            {maxRequests, "", fmt::format("{} requests; a batch holds at most {}", requests.size(), maxRequests)});
    std::unordered_map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto &id = requests[i].customId;
        if (auto problem = customIdProblem(id, i, seen)) {
            problems.push_back(std::move(*problem));
            continue;
        }
        if (auto problem = paramsDepthProblem(requests[i], i))
            problems.push_back(std::move(*problem));
    }
    return problems;
}

ServiceError envelopeError(std::vector<EnvelopeProblem> problems)
{
    std::string message =
        fmt::format("the batch was not created: {} problem{}", problems.size(), problems.size() == 1 ? "" : "s");
    for (std::size_t i = 0; i < problems.size() && i < 5; ++i)
        message += fmt::format("; request {}: {}", problems[i].index, problems[i].reason);
    if (problems.size() > 5)
        message += "; ...";
    return ServiceError(error_type::kInvalidRequest, message, std::move(problems));
}

std::optional<MessageBatchRequest> requestFromLine(const std::string &line, std::size_t index,
                                                   std::vector<EnvelopeProblem> &problems)
{
    if (line.find_first_not_of(" \t\r") == std::string::npos)
        return std::nullopt;
    auto item = json::parse(line, nullptr, false);
    if (item.is_discarded()) {
        problems.push_back({index, "", fmt::format("line {} is not valid JSON", index + 1)});
        return std::nullopt;
    }
    if (nestedDeeperThan(item)) {
        problems.push_back(
            {index, "",
             fmt::format("line {} nests objects and arrays more than {} levels deep", index + 1, kMaxJsonDepth)});
        return std::nullopt;
    }
    return requestFromJson(item, index, problems);
}

std::string errorJson(const char *type, ErrorCode code, const std::string &message)
{
    return json{{"type", type}, {"message", message}, {"retryable", isRetryable(type)}, {"osid_error", errorName(code)}}
        .dump();
}

bool isRetryable(std::string_view errorType) noexcept { return errorType == error_type::kApi; }

json MessageBatch::toJson() const
{
    return json{{"id", id},
                {"type", "message_batch"},
                {"processing_status", statusName(processingStatus)},
                {"request_counts",
                 {{"processing", requestCounts.processing},
                  {"succeeded", requestCounts.succeeded},
                  {"errored", requestCounts.errored},
                  {"canceled", requestCounts.canceled},
                  {"expired", requestCounts.expired}}},
                {"created_at", createdAt.toString()},
                {"ended_at", timeOrNull(endedAt)},
                {"expires_at", expiresAt.toString()},
                {"cancel_initiated_at", timeOrNull(cancelInitiatedAt)},
                {"archived_at", timeOrNull(archivedAt)},
                {"parent_batch_id", parentBatchId ? json(*parentBatchId) : json(nullptr)},
                {"workspace", workspace.empty() ? json(nullptr) : json(workspace)},
                {"callback_url", callbackUrl ? json(*callbackUrl) : json(nullptr)},
                {"end_reason", endReason() ? json(endReason()) : json(nullptr)}};
}

const char *MessageBatch::endReason() const noexcept
{
    if (processingStatus != ProcessingStatus::Ended)
        return nullptr;
    if (cancelInitiatedAt)
        return "canceled";
    return requestCounts.expired > 0 ? "expired" : "completed";
}

const char *deliveryStateName(DeliveryState state) noexcept
{
    switch (state) {
    case DeliveryState::Pending: return "pending";
    case DeliveryState::Delivered: return "delivered";
    case DeliveryState::Failed: return "failed";
    }
    return "pending";
}

json CallbackDelivery::toJson() const
{
    json tries = json::array();
    for (const auto &a : attempts)
        tries.push_back(json{{"round", a.round},
                             {"at", a.at.toString()},
                             {"http_status", a.httpStatus != 0 ? json(a.httpStatus) : json(nullptr)},
                             {"error", a.error.empty() ? json(nullptr) : json(a.error)}});
    return json{{"url", url},
                {"state", deliveryStateName(state)},
                {"round", round},
                {"webhook_id", webhookId},
                {"attempts", tries}};
}

json MessageBatchPage::toJson() const
{
    json batches = json::array();
    for (const auto &b : data)
        batches.push_back(b.toJson());
    return json{{"data", std::move(batches)},
                {"has_more", hasMore},
                {"first_id", firstId ? json(*firstId) : json(nullptr)},
                {"last_id", lastId ? json(*lastId) : json(nullptr)}};
}

namespace {

// A results line as `Json` holds it: nlohmann::json sorts keys,
// ordered_json keeps them in the API's order.
template <typename Json>
Json resultLine(const MessageBatchResult &r)
{
    Json result{{"type", resultTypeName(r.type)}};
    if (r.type == ResultType::Succeeded)
        result["message"] = r.message;
    else if (r.type == ResultType::Errored)
        // The API's ErrorResponse, nested as its SDKs' types expect, with two
        // fields of ours in the inner error: retryable and osid_error.
        result["error"] = {{"type", "error"},
                           {"error",
                            {{"type", r.errorType},
                             {"message", r.errorMessage},
                             {"retryable", r.retryable},
                             {"osid_error", r.osidError}}}};
    Json line{{"custom_id", r.customId}, {"result", std::move(result)}};
    if (r.position != 0)
        line["position"] = r.position;
    return line;
}

} // namespace

json MessageBatchResult::toJson() const { return resultLine<json>(*this); }

std::string MessageBatchResult::toJsonLine() const { return resultLine<nlohmann::ordered_json>(*this).dump(); }

std::vector<MessageBatchRequest> readRequestsJsonLines(std::istream &in, std::vector<std::size_t> *lineNumbers)
{
    std::vector<MessageBatchRequest> requests;
    std::vector<EnvelopeProblem> problems;
    std::string line;
    std::size_t index = 0;
    for (; std::getline(in, line); ++index) {
        if (auto request = requestFromLine(line, index, problems)) {
            requests.push_back(std::move(*request));
            if (lineNumbers)
                lineNumbers->push_back(index + 1);
        }
    }
    if (in.bad())
        throw ServiceError(error_type::kInvalidRequest,
                           fmt::format("the batch file could not be read after line {}", index));
    if (!problems.empty())
        throw envelopeError(std::move(problems));
    return requests;
}

std::vector<MessageBatchRequest> requestsFromJson(const json &body)
{
    if (nestedDeeperThan(body))
        throw ServiceError(error_type::kInvalidRequest,
                           fmt::format("the body nests objects and arrays more than {} levels deep", kMaxJsonDepth));
    if (!body.is_object() || !body.contains("requests") || !body["requests"].is_array())
        throw ServiceError(error_type::kInvalidRequest, "the body must be an object with an array \"requests\"");
    std::vector<MessageBatchRequest> requests;
    std::vector<EnvelopeProblem> problems;
    const auto &items = body["requests"];
    for (std::size_t i = 0; i < items.size(); ++i)
        if (auto request = requestFromJson(items[i], i, problems))
            requests.push_back(std::move(*request));
    if (!problems.empty())
        throw envelopeError(std::move(problems));
    return requests;
}

} // namespace osid::service
