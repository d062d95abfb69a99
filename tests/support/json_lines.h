// jsonLines(text): the JSON values of a JSON Lines text (results, batch
// files), one per line, for the tests that read what the service writes.

#pragma once

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace osid::testing {

inline std::vector<nlohmann::json> jsonLines(const std::string &text)
{
    std::vector<nlohmann::json> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(nlohmann::json::parse(line));
    return out;
}

} // namespace osid::testing
