// The OSID error vocabulary.
//
// An OSID method raises only the errors its contract lists. Whole-call
// failures are exceptions derived from osid::OsidException; per-item failures
// inside a batch call are data in the item's response and are never thrown.
//
// Each error class carries its ErrorCode and the OSID category of that code,
// so callers may catch one precise error (osid::NotFound) or a whole family
// (osid::OsidException and inspect category()).

#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace osid {

// Who an error is meant for, as the OSID error taxonomy groups them.
enum class ErrorCategory {
    // Conditions the application should expect and handle.
    User,
    // System failures: a backend, the configuration, a transaction.
    Operational,
    // Programming errors a consumer avoids by checking supports/can/Metadata.
    ConsumerContract,
    // Provider bugs or contract violations found at run time.
    ProviderContract,
};

// One enumerator per OSID error type.
enum class ErrorCode {
    // User: the thing being added already exists (an alias already assigned
    // to something that cannot be re-pointed, a transaction already added).
    AlreadyExists,
    // User: the Id or name is unknown. List-returning methods answer with an
    // empty list instead unless NOT_FOUND is listed for them.
    NotFound,
    // User: authorization failed; an authorized agent might succeed.
    PermissionDenied,
    // Operational: the provider or runtime is misconfigured.
    ConfigurationError,
    // Operational: the provider could not complete the request.
    OperationFailed,
    // Operational: a transaction cannot go on because an element is bad.
    TransactionFailure,
    // Consumer contract: the call is not allowed in the current state (a
    // closed session, a spent form, an exhausted list).
    IllegalState,
    // Consumer contract: an argument breaks a constraint (a form value
    // outside its Metadata, an inverted date range).
    InvalidArgument,
    // Consumer contract: the method may not be called on this object.
    InvalidMethod,
    // Consumer contract: a form element is read-only, or required and
    // therefore cannot be cleared.
    NoAccess,
    // Consumer contract: a null was passed where nulls are never allowed.
    NullArgument,
    // Consumer contract: an optional method whose supports...() is false.
    Unimplemented,
    // Consumer contract: an argument of a kind this provider does not
    // support (a record type, a form from another session or of the wrong
    // kind, an OSID the implementation does not provide).
    Unsupported,
};

// The OSID category of `code`.
constexpr ErrorCategory categoryOf(ErrorCode code) noexcept
{
    switch (code) {
    case ErrorCode::AlreadyExists:
    case ErrorCode::NotFound:
    case ErrorCode::PermissionDenied: return ErrorCategory::User;
    case ErrorCode::ConfigurationError:
    case ErrorCode::OperationFailed:
    case ErrorCode::TransactionFailure: return ErrorCategory::Operational;
    case ErrorCode::IllegalState:
    case ErrorCode::InvalidArgument:
    case ErrorCode::InvalidMethod:
    case ErrorCode::NoAccess:
    case ErrorCode::NullArgument:
    case ErrorCode::Unimplemented:
    case ErrorCode::Unsupported: return ErrorCategory::ConsumerContract;
    }
    return ErrorCategory::ProviderContract;
}

// The OSID spelling of `code`, for example "NOT_FOUND".
constexpr std::string_view errorName(ErrorCode code) noexcept
{
    switch (code) {
    case ErrorCode::AlreadyExists: return "ALREADY_EXISTS";
    case ErrorCode::NotFound: return "NOT_FOUND";
    case ErrorCode::PermissionDenied: return "PERMISSION_DENIED";
    case ErrorCode::ConfigurationError: return "CONFIGURATION_ERROR";
    case ErrorCode::OperationFailed: return "OPERATION_FAILED";
    case ErrorCode::TransactionFailure: return "TRANSACTION_FAILURE";
    case ErrorCode::IllegalState: return "ILLEGAL_STATE";
    case ErrorCode::InvalidArgument: return "INVALID_ARGUMENT";
    case ErrorCode::InvalidMethod: return "INVALID_METHOD";
    case ErrorCode::NoAccess: return "NO_ACCESS";
    case ErrorCode::NullArgument: return "NULL_ARGUMENT";
    case ErrorCode::Unimplemented: return "UNIMPLEMENTED";
    case ErrorCode::Unsupported: return "UNSUPPORTED";
    }
    return "UNKNOWN";
}

// The OSID spelling of `category`, for example "USER".
constexpr std::string_view categoryName(ErrorCategory category) noexcept
{
    switch (category) {
    case ErrorCategory::User: return "USER";
    case ErrorCategory::Operational: return "OPERATIONAL";
    case ErrorCategory::ConsumerContract: return "CONSUMER_CONTRACT";
    case ErrorCategory::ProviderContract: return "PROVIDER_CONTRACT";
    }
    return "UNKNOWN";
}

// The base of every OSID error. what() is "<OSID_NAME>: <message>".
class OsidException : public std::runtime_error {
public:
    OsidException(ErrorCode code, const std::string &message)
        : std::runtime_error(std::string(errorName(code)) + ": " + message), code_(code), message_(message)
    {
    }

    ErrorCode code() const noexcept { return code_; }
    ErrorCategory category() const noexcept { return categoryOf(code_); }
    // The message without the error-name prefix.
    const std::string &message() const noexcept { return message_; }

private:
    ErrorCode code_;
    std::string message_;
};

// One class per OSID error, each fixing its own code.
template <ErrorCode Code>
class Error : public OsidException {
public:
    static constexpr ErrorCode kCode = Code;
    explicit Error(const std::string &message) : OsidException(Code, message) {}
};

using AlreadyExists = Error<ErrorCode::AlreadyExists>;
using NotFound = Error<ErrorCode::NotFound>;
using PermissionDenied = Error<ErrorCode::PermissionDenied>;
using ConfigurationError = Error<ErrorCode::ConfigurationError>;
using OperationFailed = Error<ErrorCode::OperationFailed>;
using TransactionFailure = Error<ErrorCode::TransactionFailure>;
using IllegalState = Error<ErrorCode::IllegalState>;
using InvalidArgument = Error<ErrorCode::InvalidArgument>;
using InvalidMethod = Error<ErrorCode::InvalidMethod>;
using NoAccess = Error<ErrorCode::NoAccess>;
using NullArgument = Error<ErrorCode::NullArgument>;
using Unimplemented = Error<ErrorCode::Unimplemented>;
using Unsupported = Error<ErrorCode::Unsupported>;

// Throws the error class that matches `code`. Lets code that carries an
// ErrorCode as data (a failed batch item) turn it back into an exception.
[[noreturn]] inline void throwError(ErrorCode code, const std::string &message)
{
    switch (code) {
    case ErrorCode::AlreadyExists: throw AlreadyExists(message);
    case ErrorCode::NotFound: throw NotFound(message);
    case ErrorCode::PermissionDenied: throw PermissionDenied(message);
    case ErrorCode::ConfigurationError: throw ConfigurationError(message);
    case ErrorCode::OperationFailed: throw OperationFailed(message);
    case ErrorCode::TransactionFailure: throw TransactionFailure(message);
    case ErrorCode::IllegalState: throw IllegalState(message);
    case ErrorCode::InvalidArgument: throw InvalidArgument(message);
    case ErrorCode::InvalidMethod: throw InvalidMethod(message);
    case ErrorCode::NoAccess: throw NoAccess(message);
    case ErrorCode::NullArgument: throw NullArgument(message);
    case ErrorCode::Unimplemented: throw Unimplemented(message);
    case ErrorCode::Unsupported: throw Unsupported(message);
    }
    throw OsidException(code, message);
}

} // namespace osid
