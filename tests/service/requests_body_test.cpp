// RequestsBodyReader: a create body read in pieces of any size gives what
// parsing it whole gives, and refuses what parsing it whole refuses.

#include "service/osid_json.h"
#include "service/requests_body.h"
#include "service/service_error.h"

#include <doctest/doctest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace osid::service;
using nlohmann::json;

namespace {

struct Read {
    std::vector<json> requests;
    json others;
};

// Reads `body` in pieces of `piece` bytes (0: whole); nullopt if refused.
std::optional<Read> readInPieces(const std::string &body, std::size_t piece, std::string *error = nullptr)
{
    Read read;
    RequestsBodyReader reader([&](json request) { read.requests.push_back(std::move(request)); });
    try {
        const std::size_t step = piece == 0 ? std::max<std::size_t>(body.size(), 1) : piece;
        for (std::size_t at = 0; at < body.size(); at += step)
            reader.feed(std::string_view(body).substr(at, step));
        read.others = reader.finish();
        return read;
    } catch (const ServiceError &e) {
        CHECK(std::string(e.type()) == error_type::kInvalidRequest);
        if (error)
            *error = e.what();
        return std::nullopt;
    }
}

// What parsing the body whole says: its requests and other fields, or
// nullopt when it is not the API's envelope within the depth limit.
std::optional<Read> readWhole(const std::string &body)
{
    auto parsed = json::parse(body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("requests") ||
        !parsed["requests"].is_array() || nestedDeeperThan(parsed))
        return std::nullopt;
    Read read;
    for (auto &request : parsed["requests"])
        read.requests.push_back(request);
    parsed.erase("requests");
    read.others = parsed;
    return read;
}

std::string deep(int levels)
{
    return std::string(static_cast<std::size_t>(levels), '[') + std::string(static_cast<std::size_t>(levels), ']');
}

const std::vector<std::string> kBodies = {
    R"({"requests": []})",
    R"({"requests":[{"custom_id":"a","params":{"subject":"Hello","text":"One"}}]})",
    " \n{ \"requests\" : [ {\"custom_id\" : \"a\\\"b\\\\\", \"params\": {\"subject\": \"}]{[\\u00e9\"}} ,"
    " {\"custom_id\":\"c\",\"params\":{\"n\":-1.5e3,\"t\":true,\"f\":false,\"z\":null,\"a\":[1,[2,{}]]}} ] ,"
    " \"callback_url\" : \"http://x/\\u0041\", \"n\": 12, \"f\": false, \"z\": null, \"o\": {\"k\": [\"]\"]} } \t\r\n",
    R"({"a\u0062c": 1, "requests": [1, "two", null, true, [], {}], "last": -0.5})",
    R"({"requests": [)" + deep(62) + "]}",
};

} // namespace

TEST_SUITE("requests body")
{
    TEST_CASE("any split of a body, down to one byte, reads what parsing it whole reads")
    {
        for (const auto &body : kBodies) {
            CAPTURE(body);
            const auto whole = readWhole(body);
            REQUIRE(whole);
            for (std::size_t piece : {0, 1, 2, 3, 7, 64}) {
                CAPTURE(piece);
                const auto read = readInPieces(body, piece);
                REQUIRE(read);
                CHECK(read->requests == whole->requests);
                CHECK(read->others == whole->others);
            }
        }
    }

    TEST_CASE("bodies that are not the envelope, not JSON, or too deep are refused with the reason")
    {
        const std::vector<std::pair<std::string, std::string>> refused = {
            {"", "not valid JSON"},
            {"   ", "not valid JSON"},
            {"[]", "must be an object"},
            {"\"requests\"", "must be an object"},
            {"{}", "must be an object"},
            {R"({"requests": {}})", "must be an object"},
            {R"({"requests": "x"})", "must be an object"},
            {R"({"other": 1})", "must be an object"},
            {R"({"requests": [], "requests": []})", "more than once"},
            {R"({"requests": [1,]})", "not valid JSON"},
            {R"({"requests": [], })", "not valid JSON"},
            {R"({"requests": [{"a": 1,}]})", "not valid JSON"},
            {R"({"requests": [{"a" 1}]})", "not valid JSON"},
            {R"({"requests": [tru]})", "not valid JSON"},
            {R"({"requests": [1]} x)", "not valid JSON"},
            {R"({"requests": [1])", "not valid JSON"},
            {R"({"requests": ["open)", "not valid JSON"},
            {R"({"requests": [{"a": [}]})", "not valid JSON"},
            {R"({requests: []})", "not valid JSON"},
            {R"({"requests": [)" + deep(63) + "]}", "more than 64 levels"},
            {R"({"requests": [], "x": )" + deep(64) + "}", "more than 64 levels"},
        };
        for (const auto &[body, reason] : refused) {
            const std::string shown = body;
            CAPTURE(shown);
            // (Parsing whole keeps the last of two "requests"; the reader
            // refuses them rather than drop a batch's worth of requests.)
            if (reason != "more than once")
                CHECK_FALSE(readWhole(body));
            for (std::size_t piece : {0, 1, 5}) {
                std::string error;
                CHECK_FALSE(readInPieces(body, piece, &error));
                CHECK(error.find(reason) != std::string::npos);
            }
        }
    }

    TEST_CASE("a body with a NUL byte anywhere is refused (nlohmann's whole parse stops there and accepts)")
    {
        using namespace std::string_literals;
        for (const auto &body :
             {"{\"requests\": [1\0]}"s, "{\"requests\": []}\0 trailing"s, "{\"requests\": [\"a\0b\"]}"s}) {
            for (std::size_t piece : {0, 1, 5}) {
                std::string error;
                CHECK_FALSE(readInPieces(body, piece, &error));
                CHECK(error.find("NUL byte") != std::string::npos);
            }
        }
    }

    TEST_CASE("a refused body refuses every later call with the same error")
    {
        RequestsBodyReader reader([](json) {});
        CHECK_THROWS_AS(reader.feed("[1]"), ServiceError);
        CHECK_THROWS_WITH_AS(reader.feed("{\"requests\": []}"), "the body must be an object with an array \"requests\"",
                             ServiceError);
        CHECK_THROWS_AS(reader.finish(), ServiceError);
    }

    TEST_CASE("requests are handed on as they complete, before the body ends")
    {
        std::vector<json> seen;
        RequestsBodyReader reader([&](json request) { seen.push_back(std::move(request)); });
        reader.feed(R"({"requests": [{"custom_id": "a"}, {"custom_id": )");
        CHECK(seen.size() == 1);
        reader.feed(R"("b"}, 7)");
        // A bare number ends only at the byte after it.
        CHECK(seen.size() == 2);
        reader.feed("]}");
        CHECK(seen.size() == 3);
        CHECK(seen[2] == 7);
        CHECK(reader.finish() == json::object());
    }

    TEST_CASE("10,000 mutations of valid bodies: read in pieces, each is accepted exactly when parsing it whole is")
    {
        std::mt19937 random(20261130);
        const std::string alphabet = "{}[]\",: 0-1ea\\tnr";
        int accepted = 0;
        for (int i = 0; i < 10'000; ++i) {
            auto body = kBodies[random() % kBodies.size()];
            for (int edits = 1 + static_cast<int>(random() % 3); edits > 0 && !body.empty(); --edits) {
                const auto at = random() % body.size();
                switch (random() % 3) {
                case 0: body.erase(at, 1); break;
                case 1: body.insert(at, 1, alphabet[random() % alphabet.size()]); break;
                default: body[at] = alphabet[random() % alphabet.size()]; break;
                }
            }
            // Two "requests" keys: parsing whole keeps the last, the reader
            // refuses the body; not a case for this comparison.
            if (body.find("requests") != body.rfind("requests"))
                continue;
            const auto whole = readWhole(body);
            const auto read = readInPieces(body, 1 + random() % 9);
            CAPTURE(body);
            REQUIRE(whole.has_value() == read.has_value());
            if (whole) {
                ++accepted;
                CHECK(read->requests == whole->requests);
                CHECK(read->others == whole->others);
            }
        }
        // Some mutations keep the body valid, so both sides were compared.
        CHECK(accepted > 100);
    }
}
