// osid::service::ServiceError: how the batch service refuses a call.
//
// The service reports a whole-call failure as one exception type with a
// machine-readable `type` (the error vocabulary of the Message Batches API:
// "invalid_request_error", "not_found_error", "conflict_error", "api_error") and, for job
// runs, the seed's numeric `specificCode` (24092, 24093, ...). An envelope
// check reports every problem it found at once, each with the index of the
// item it is about, so a caller can fix a whole file in one pass.
//
// Failures of one request inside a batch are never thrown: they are that
// request's `errored` result.

#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace osid::service {

// One thing wrong with one item of a request envelope.
struct EnvelopeProblem {
    std::size_t index = 0; // the item's position, from 0
    std::string customId;  // the item's custom_id, when it has a readable one
    std::string reason;    // what is wrong, e.g. "custom_id is not unique (also item 3)"
};

namespace error_type {
inline constexpr const char *kInvalidRequest = "invalid_request_error";
inline constexpr const char *kNotFound = "not_found_error";
inline constexpr const char *kApi = "api_error";
// Over HTTP only: a missing or unknown API key (401).
inline constexpr const char *kAuthentication = "authentication_error";
// The store cannot take the work now (locked by another writer past the
// busy timeout, or full); nothing was saved, and the same call may succeed
// later (HTTP 529).
inline constexpr const char *kOverloaded = "overloaded_error";
// The call contradicts an earlier one: an idempotency key reused with other
// requests (HTTP 409).
inline constexpr const char *kConflict = "conflict_error";
} // namespace error_type

// Whether `type` says the service failed (the caller may try again), as
// opposed to refusing the request.
inline bool isServiceFailure(std::string_view type)
{
    return type == error_type::kApi || type == error_type::kOverloaded;
}

class ServiceError : public std::runtime_error {
public:
    ServiceError(std::string type, const std::string &message, std::vector<EnvelopeProblem> problems = {},
                 int specificCode = 0)
        : std::runtime_error(message), type_(std::move(type)), problems_(std::move(problems)),
          specificCode_(specificCode)
    {
    }

    // One of error_type's values.
    const std::string &type() const noexcept { return type_; }
    // Every envelope problem found; empty for other errors.
    const std::vector<EnvelopeProblem> &problems() const noexcept { return problems_; }
    // The seed's code for job-run errors (24092, 24093, 24091, 24448, 24105,
    // 24114, 24115); 0 for message batches.
    int specificCode() const noexcept { return specificCode_; }

private:
    std::string type_;
    std::vector<EnvelopeProblem> problems_;
    int specificCode_;
};

} // namespace osid::service
