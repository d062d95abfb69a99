// RequestsBodyReader: a Message Batches create body, {"requests": [...],
// ...}, read as it arrives. Each request is parsed on its own as soon as
// its last byte is in and handed on, so that a large body is never held
// whole next to its parsed form: what stays is the parsed requests, and
// the bytes of the one request being read.
//
// Example:
//   RequestsBodyReader reader([&](nlohmann::json request) { ... });
//   while (more) reader.feed(chunk);   // any split, down to one byte
//   nlohmann::json others = reader.finish();   // the other top-level fields
//
// Not thread-safe; one body per reader.

#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace osid::service {

class RequestsBodyReader {
public:
    // `onRequest` gets each element of "requests", in order, parsed (any
    // JSON value: what a request must be is the caller's to check).
    explicit RequestsBodyReader(std::function<void(nlohmann::json request)> onRequest);

    // Reads the next bytes of the body.
    // Errors: ServiceError invalid_request_error when the bytes so far
    //         cannot begin a JSON object with an array "requests" (not
    //         JSON, another shape, "requests" twice, a request or field
    //         that nests more than kMaxJsonDepth levels in all); nothing
    //         more is read after one.
    void feed(std::string_view bytes);

    // Ends the body: the other top-level fields, as an object.
    // Errors: as feed(), and when the body ends before its object does or
    //         has no "requests".
    nlohmann::json finish();

private:
    enum class State {
        BeforeBody,  // before '{'
        BeforeKey,   // after '{' or ','
        InKey,       // inside a key's quotes
        BeforeColon, // after a key
        BeforeValue, // after ':'
        InValue,     // a value (not "requests") or a request
        BeforeItem,  // after '[' of "requests", or after ','
        AfterItem,   // after a request
        AfterValue,  // after a top-level value
        AfterBody,   // after the closing '}'
    };

    void step(char c);
    // Starts a value (a request or a top-level field) at its first byte.
    void beginValue(char c);
    // Parses the value read and hands it on.
    void endValue();
    // Throws, and refuses every later call with the same error.
    [[noreturn]] void fail(const std::string &message);

    std::function<void(nlohmann::json)> onRequest_;
    State state_ = State::BeforeBody;
    bool failed_ = false;
    std::string failure_;
    // The key being read (raw, quotes and escapes included), then decoded.
    std::string key_;
    bool keyEscaped_ = false;
    bool firstKey_ = true;
    bool firstItem_ = true;
    bool sawRequests_ = false;
    // Whether the value being read is a request (else a top-level field).
    bool valueIsRequest_ = false;
    // The value being read: its bytes, its nesting, and where in a string.
    std::string value_;
    std::size_t depth_ = 0;
    bool inString_ = false;
    bool escaped_ = false;
    bool bareScalar_ = false;
    nlohmann::json others_ = nlohmann::json::object();
};

} // namespace osid::service
