// Fuzz target: a Message Batches create body read by RequestsBodyReader as
// the HTTP server reads it, in pieces whose sizes the input chooses.
//
// The first byte picks the piece size; the rest is the body. The reader
// accepts the body exactly when parsing it whole gives an object with an
// array "requests" (once) within the depth limit, and then gives the same
// requests and other fields; otherwise it raises ServiceError
// (invalid_request_error) and nothing else: no crash, whatever the bytes.

#include "fuzz/fuzz_input.h"
#include "service/osid_json.h"
#include "service/requests_body.h"
#include "service/service_error.h"

#include <optional>
#include <string>
#include <vector>

using namespace osid::service;
using nlohmann::json;

namespace {

// How many times `key` appears as a key of the top-level object.
std::size_t topLevelCount(const std::string &body, const std::string &key)
{
    std::size_t count = 0;
    json::parser_callback_t count_keys = [&](int depth, json::parse_event_t event, json &parsed) {
        if (depth == 1 && event == json::parse_event_t::key && parsed == key)
            ++count;
        return true;
    };
    const auto parsed = json::parse(body, count_keys, false);
    (void)parsed;
    return count;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    osid_fuzz::FuzzInput input(data, size);
    const std::size_t piece = 1 + input.byte() % 16;
    const std::string body(reinterpret_cast<const char *>(data) + (size > 0 ? 1 : 0), size > 0 ? size - 1 : 0);

    std::vector<json> requests;
    std::optional<json> others;
    RequestsBodyReader reader([&](json request) { requests.push_back(std::move(request)); });
    try {
        for (std::size_t at = 0; at < body.size(); at += piece)
            reader.feed(std::string_view(body).substr(at, piece));
        others = reader.finish();
    } catch (const ServiceError &e) {
        FUZZ_REQUIRE(std::string(e.type()) == error_type::kInvalidRequest);
    }

    // nlohmann's whole parse ends at a NUL byte as at the end of the text;
    // a NUL is never JSON, and the reader refuses it.
    if (body.find('\0') != std::string::npos) {
        FUZZ_REQUIRE(!others.has_value());
        return 0;
    }
    auto whole = json::parse(body, nullptr, false);
    // A byte-order mark is skipped by a whole parse, not by the reader
    // (clients do not send one); two "requests" are refused by the reader.
    if (body.rfind("\xEF\xBB\xBF", 0) == 0 || topLevelCount(body, "requests") > 1)
        return 0;
    const bool acceptable = !whole.is_discarded() && whole.is_object() && whole.contains("requests") &&
                            whole["requests"].is_array() && !nestedDeeperThan(whole);
    FUZZ_REQUIRE(acceptable == others.has_value());
    if (acceptable) {
        FUZZ_REQUIRE(requests == whole["requests"].get<std::vector<json>>());
        whole.erase("requests");
        FUZZ_REQUIRE(*others == whole);
    }
    return 0;
}
