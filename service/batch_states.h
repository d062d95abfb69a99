// The states of message batches and of their requests, with their names:
// one constexpr table per enum, which every mapping reads (not installed).
//
// A request's stored state is pending or one of the result types, in
// ResultType's order; the batch's count of each final state is the column
// of the same name.

#pragma once

#include "service/message_batches.h"

#include <optional>
#include <string_view>

namespace osid::service {

// A request's state as stored.
enum class RequestState : int { Pending = 0, Succeeded = 1, Errored = 2, Canceled = 3, Expired = 4 };

struct ProcessingStatusEntry {
    ProcessingStatus status;
    const char *name;
};

inline constexpr ProcessingStatusEntry kProcessingStatuses[] = {
    {ProcessingStatus::InProgress, "in_progress"},
    {ProcessingStatus::Canceling, "canceling"},
    {ProcessingStatus::Ended, "ended"},
};

// A result type, its name (as results and the request_counts say it), the
// request state it is stored as, and the batch's count column of it.
struct ResultTypeEntry {
    ResultType type;
    const char *name;
    RequestState state;
};

inline constexpr ResultTypeEntry kResultTypes[] = {
    {ResultType::Succeeded, "succeeded", RequestState::Succeeded},
    {ResultType::Errored, "errored", RequestState::Errored},
    {ResultType::Canceled, "canceled", RequestState::Canceled},
    {ResultType::Expired, "expired", RequestState::Expired},
};

// The entry of a final state; nullptr for Pending.
constexpr const ResultTypeEntry *resultTypeEntry(RequestState state) noexcept
{
    for (const auto &entry : kResultTypes)
        if (entry.state == state)
            return &entry;
    return nullptr;
}

constexpr const ResultTypeEntry &resultTypeEntry(ResultType type) noexcept
{
    for (const auto &entry : kResultTypes)
        if (entry.type == type)
            return entry;
    return kResultTypes[0]; // not reached: every ResultType has its entry
}

static_assert(resultTypeEntry(RequestState::Pending) == nullptr);
static_assert(resultTypeEntry(ResultType::Expired).state == RequestState::Expired);

} // namespace osid::service
