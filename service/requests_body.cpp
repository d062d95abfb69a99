#include "service/requests_body.h"

#include "service/osid_json.h"
#include "service/service_error.h"

#include <fmt/format.h>

namespace osid::service {

namespace {

constexpr const char *kNotJson = "the body is not valid JSON";
constexpr const char *kNotEnvelope = "the body must be an object with an array \"requests\"";

bool isSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

bool endsScalar(char c) { return isSpace(c) || c == ',' || c == ']' || c == '}'; }

} // namespace

RequestsBodyReader::RequestsBodyReader(std::function<void(nlohmann::json request)> onRequest)
    : onRequest_(std::move(onRequest))
{
}

void RequestsBodyReader::fail(const std::string &message)
{
    failed_ = true;
    failure_ = message;
    throw ServiceError(error_type::kInvalidRequest, message);
}

void RequestsBodyReader::feed(std::string_view bytes)
{
    if (failed_)
        fail(failure_);
    // A NUL byte is never JSON (inside a string it is written \u0000), and
    // nlohmann's parser, which reads each request, would take it for the
    // end of the text and accept what came before.
    if (bytes.find('\0') != std::string_view::npos)
        fail(fmt::format("{}: it holds a NUL byte", kNotJson));
    for (char c : bytes)
        step(c);
}

void RequestsBodyReader::beginValue(char c)
{
    value_.clear();
    depth_ = 0;
    inString_ = false;
    escaped_ = false;
    bareScalar_ = false;
    state_ = State::InValue;
    if (c == '"') {
        inString_ = true;
    } else if (c == '{' || c == '[') {
        depth_ = 1;
        if (depth_ + (valueIsRequest_ ? 2 : 1) > kMaxJsonDepth)
            fail(fmt::format("the body nests objects and arrays more than {} levels deep", kMaxJsonDepth));
    } else if (c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n') {
        bareScalar_ = true;
    } else {
        fail(kNotJson);
    }
    value_ += c;
}

void RequestsBodyReader::endValue()
{
    auto parsed = nlohmann::json::parse(value_, nullptr, false);
    if (parsed.is_discarded())
        fail(kNotJson);
    value_.clear();
    if (valueIsRequest_) {
        state_ = State::AfterItem;
        onRequest_(std::move(parsed));
    } else {
        state_ = State::AfterValue;
        others_[key_] = std::move(parsed);
    }
}

void RequestsBodyReader::step(char c)
{
    switch (state_) {
    case State::BeforeBody:
        if (isSpace(c))
            return;
        if (c != '{')
            fail(c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n'
                     ? kNotEnvelope
                     : kNotJson);
        state_ = State::BeforeKey;
        return;
    case State::BeforeKey:
        if (isSpace(c))
            return;
        if (c == '}' && firstKey_) {
            state_ = State::AfterBody;
            return;
        }
        if (c != '"')
            fail(kNotJson);
        key_.assign(1, '"');
        keyEscaped_ = false;
        state_ = State::InKey;
        return;
    case State::InKey:
        key_ += c;
        if (keyEscaped_) {
            keyEscaped_ = false;
        } else if (c == '\\') {
            keyEscaped_ = true;
        } else if (c == '"') {
            // The key decoded: escapes and all, as JSON says.
            auto decoded = nlohmann::json::parse(key_, nullptr, false);
            if (decoded.is_discarded())
                fail(kNotJson);
            key_ = decoded.get<std::string>();
            state_ = State::BeforeColon;
        }
        return;
    case State::BeforeColon:
        if (isSpace(c))
            return;
        if (c != ':')
            fail(kNotJson);
        state_ = State::BeforeValue;
        return;
    case State::BeforeValue:
        if (isSpace(c))
            return;
        if (key_ == "requests") {
            if (sawRequests_)
                fail("the body has \"requests\" more than once");
            sawRequests_ = true;
            if (c != '[')
                fail(kNotEnvelope);
            firstItem_ = true;
            state_ = State::BeforeItem;
            return;
        }
        valueIsRequest_ = false;
        beginValue(c);
        return;
    case State::BeforeItem:
        if (isSpace(c))
            return;
        if (c == ']' && firstItem_) {
            state_ = State::AfterValue;
            return;
        }
        valueIsRequest_ = true;
        beginValue(c);
        return;
    case State::InValue:
        if (bareScalar_) {
            if (!endsScalar(c)) {
                value_ += c;
                return;
            }
            endValue();
            step(c); // the byte that ended the scalar belongs to what follows
            return;
        }
        value_ += c;
        if (inString_) {
            if (escaped_)
                escaped_ = false;
            else if (c == '\\')
                escaped_ = true;
            else if (c == '"') {
                inString_ = false;
                if (depth_ == 0)
                    endValue();
            }
            return;
        }
        if (c == '"') {
            inString_ = true;
        } else if (c == '{' || c == '[') {
            ++depth_;
            if (depth_ + (valueIsRequest_ ? 2 : 1) > kMaxJsonDepth)
                fail(fmt::format("the body nests objects and arrays more than {} levels deep", kMaxJsonDepth));
        } else if (c == '}' || c == ']') {
            if (--depth_ == 0)
                endValue();
        }
        return;
    case State::AfterItem:
        if (isSpace(c))
            return;
        if (c == ',') {
            firstItem_ = false;
            state_ = State::BeforeItem;
        } else if (c == ']') {
            state_ = State::AfterValue;
        } else {
            fail(kNotJson);
        }
        return;
    case State::AfterValue:
        if (isSpace(c))
            return;
        if (c == ',') {
            firstKey_ = false;
            state_ = State::BeforeKey;
        } else if (c == '}') {
            state_ = State::AfterBody;
        } else {
            fail(kNotJson);
        }
        return;
    case State::AfterBody:
        if (!isSpace(c))
            fail(kNotJson);
        return;
    }
}

nlohmann::json RequestsBodyReader::finish()
{
    if (failed_)
        fail(failure_);
    if (state_ != State::AfterBody)
        fail(kNotJson);
    if (!sawRequests_)
        fail(kNotEnvelope);
    return std::move(others_);
}

} // namespace osid::service
