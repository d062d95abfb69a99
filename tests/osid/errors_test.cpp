#include "osid/errors.h"

#include <doctest/doctest.h>

#include <exception>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

using osid::ErrorCategory;
using osid::ErrorCode;

namespace {

// One row per OSID error: the expectations, plus what can only be written
// with the class as a template argument.
struct ErrorRow {
    ErrorCode code;
    std::string_view name;
    ErrorCategory category;
    ErrorCode classCode;
    void (*throwClass)(const std::string &message);
    bool (*isClass)(const std::exception_ptr &error);
};

template <class E>
ErrorRow row(ErrorCode code, std::string_view name, ErrorCategory category)
{
    return ErrorRow{
        code,
        name,
        category,
        E::kCode,
        [](const std::string &message) { throw E(message); },
        [](const std::exception_ptr &error) {
            if (!error)
                return false;
            try {
                std::rethrow_exception(error);
            } catch (const E &) {
                return true;
            } catch (...) {
                return false;
            }
        },
    };
}

const std::vector<ErrorRow> &errorTable()
{
    static const std::vector<ErrorRow> rows = {
        row<osid::AlreadyExists>(ErrorCode::AlreadyExists, "ALREADY_EXISTS", ErrorCategory::User),
        row<osid::NotFound>(ErrorCode::NotFound, "NOT_FOUND", ErrorCategory::User),
        row<osid::PermissionDenied>(ErrorCode::PermissionDenied, "PERMISSION_DENIED", ErrorCategory::User),
        row<osid::ConfigurationError>(ErrorCode::ConfigurationError, "CONFIGURATION_ERROR", ErrorCategory::Operational),
        row<osid::OperationFailed>(ErrorCode::OperationFailed, "OPERATION_FAILED", ErrorCategory::Operational),
        row<osid::TransactionFailure>(ErrorCode::TransactionFailure, "TRANSACTION_FAILURE", ErrorCategory::Operational),
        row<osid::IllegalState>(ErrorCode::IllegalState, "ILLEGAL_STATE", ErrorCategory::ConsumerContract),
        row<osid::InvalidArgument>(ErrorCode::InvalidArgument, "INVALID_ARGUMENT", ErrorCategory::ConsumerContract),
        row<osid::InvalidMethod>(ErrorCode::InvalidMethod, "INVALID_METHOD", ErrorCategory::ConsumerContract),
        row<osid::NoAccess>(ErrorCode::NoAccess, "NO_ACCESS", ErrorCategory::ConsumerContract),
        row<osid::NullArgument>(ErrorCode::NullArgument, "NULL_ARGUMENT", ErrorCategory::ConsumerContract),
        row<osid::Unimplemented>(ErrorCode::Unimplemented, "UNIMPLEMENTED", ErrorCategory::ConsumerContract),
        row<osid::Unsupported>(ErrorCode::Unsupported, "UNSUPPORTED", ErrorCategory::ConsumerContract),
    };
    return rows;
}

std::exception_ptr capture(void (*throwClass)(const std::string &), const std::string &message)
{
    try {
        throwClass(message);
    } catch (...) {
        return std::current_exception();
    }
    return nullptr;
}

std::exception_ptr captureThrowError(ErrorCode code, const std::string &message)
{
    try {
        osid::throwError(code, message);
    } catch (...) {
        return std::current_exception();
    }
    return nullptr;
}

struct Caught {
    bool isOsid = false;
    ErrorCode code = ErrorCode::OperationFailed;
    ErrorCategory category = ErrorCategory::ProviderContract;
    std::string what;
    std::string message;
};

Caught inspect(const std::exception_ptr &error)
{
    if (!error)
        return Caught{};
    try {
        std::rethrow_exception(error);
    } catch (const osid::OsidException &e) {
        return Caught{true, e.code(), e.category(), e.what(), e.message()};
    } catch (...) {
        return Caught{};
    }
}

} // namespace

TEST_SUITE("osid errors")
{
    TEST_CASE("the table covers every ErrorCode once")
    {
        std::set<int> codes;
        for (const auto &r : errorTable())
            codes.insert(static_cast<int>(r.code));
        CHECK(codes.size() == errorTable().size());
        CHECK(codes.size() == 13);
        CHECK(*codes.begin() == 0);
        CHECK(*codes.rbegin() == 12);
    }

    TEST_CASE("each error class carries its own ErrorCode")
    {
        for (const auto &r : errorTable()) {
            CAPTURE(r.name);
            CHECK(r.classCode == r.code);
            const Caught e = inspect(capture(r.throwClass, "m"));
            REQUIRE(e.isOsid);
            CHECK(e.code == r.code);
        }
    }

    TEST_CASE("each ErrorCode belongs to its OSID category")
    {
        for (const auto &r : errorTable()) {
            CAPTURE(r.name);
            CHECK(osid::categoryOf(r.code) == r.category);
            const Caught e = inspect(capture(r.throwClass, "m"));
            REQUIRE(e.isOsid);
            CHECK(e.category == r.category);
        }
    }

    TEST_CASE("errorName gives the OSID spelling of each code")
    {
        for (const auto &r : errorTable()) {
            CAPTURE(r.name);
            CHECK(osid::errorName(r.code) == r.name);
        }
    }

    TEST_CASE("categoryName gives the OSID spelling of each category")
    {
        CHECK(osid::categoryName(ErrorCategory::User) == "USER");
        CHECK(osid::categoryName(ErrorCategory::Operational) == "OPERATIONAL");
        CHECK(osid::categoryName(ErrorCategory::ConsumerContract) == "CONSUMER_CONTRACT");
        CHECK(osid::categoryName(ErrorCategory::ProviderContract) == "PROVIDER_CONTRACT");
    }

    TEST_CASE("what() is the OSID name and the message; message() is the message alone")
    {
        for (const auto &r : errorTable()) {
            CAPTURE(r.name);
            const Caught e = inspect(capture(r.throwClass, "message: with a colon"));
            REQUIRE(e.isOsid);
            CHECK(e.what == std::string(r.name) + ": message: with a colon");
            CHECK(e.message == "message: with a colon");

            const Caught empty = inspect(capture(r.throwClass, ""));
            REQUIRE(empty.isOsid);
            CHECK(empty.what == std::string(r.name) + ": ");
            CHECK(empty.message.empty());
        }
    }

    TEST_CASE("every error class is caught as osid::OsidException and as std::runtime_error")
    {
        for (const auto &r : errorTable()) {
            CAPTURE(r.name);
            CHECK_THROWS_AS(r.throwClass("m"), osid::OsidException);
            CHECK_THROWS_AS(r.throwClass("m"), std::runtime_error);
            const std::string what = std::string(r.name) + ": m";
            CHECK_THROWS_WITH_AS(r.throwClass("m"), what.c_str(), std::exception);
        }
    }

    TEST_CASE("error classes are distinct: no class catches another code's error")
    {
        for (const auto &thrown : errorTable()) {
            const auto error = capture(thrown.throwClass, "m");
            for (const auto &catcher : errorTable()) {
                CAPTURE(thrown.name);
                CAPTURE(catcher.name);
                CHECK(catcher.isClass(error) == (catcher.code == thrown.code));
            }
        }
    }

    TEST_CASE("throwError throws exactly the class of the given code")
    {
        for (const auto &expected : errorTable()) {
            CAPTURE(expected.name);
            const auto error = captureThrowError(expected.code, "from data");
            for (const auto &other : errorTable()) {
                CAPTURE(other.name);
                CHECK(other.isClass(error) == (other.code == expected.code));
            }
            const Caught e = inspect(error);
            REQUIRE(e.isOsid);
            CHECK(e.code == expected.code);
            CHECK(e.message == "from data");
            CHECK(e.what == std::string(expected.name) + ": from data");
        }
    }

    TEST_CASE("an OsidException built from a code reports that code")
    {
        const osid::OsidException e(ErrorCode::NoAccess, "read-only");
        CHECK(e.code() == ErrorCode::NoAccess);
        CHECK(e.category() == ErrorCategory::ConsumerContract);
        CHECK(e.message() == "read-only");
        CHECK(std::string(e.what()) == "NO_ACCESS: read-only");
    }
}
