// The success-or-failure part shared by the batch response capsules. Not
// part of the public API; use the accessors of each response.

#pragma once

#include "osid/display_text.h"
#include "osid/errors.h"

#include <string>
#include <utility>

namespace osid::transaction::batch::detail {

class ItemOutcome {
public:
    // Whether this item succeeded.
    bool isSuccessful() const noexcept { return successful_; }

    // Why this item failed.
    // Errors: IllegalState (isSuccessful() is true).
    DisplayText getErrorMessage() const
    {
        if (successful_)
            throw IllegalState("the item succeeded, so it has no error message");
        return DisplayText(message_);
    }

    // Extension: the OSID error the matching single-item call would have
    // raised (NotFound, InvalidArgument, IllegalState, Unsupported, ...).
    // Errors: IllegalState (isSuccessful() is true).
    ErrorCode getErrorCode() const
    {
        if (successful_)
            throw IllegalState("the item succeeded, so it has no error code");
        return code_;
    }

protected:
    ItemOutcome() = default;
    ItemOutcome(ErrorCode code, std::string message) : successful_(false), code_(code), message_(std::move(message)) {}

private:
    bool successful_ = true;
    ErrorCode code_ = ErrorCode::OperationFailed;
    std::string message_;
};

} // namespace osid::transaction::batch::detail
