// ProviderConfiguration: the "key=value,key=value" text that follows
// "NAME:" in an implementation string, checked and split.
//
// One key may be declared the tail key: its value is everything after its
// "=", commas and colons included, so that an adapter can carry the whole
// implementation string of the provider it wraps:
//
//   authz:policy=rules.txt,over=memory:agent=a:b@c
//
//   ProviderConfiguration config("authz", text, {"policy"}, "over");
//   config.require("policy");   // "rules.txt"
//   config.require("over");     // "memory:agent=a:b@c"
//
// Unknown keys, a pair without "=", a key given twice and a missing
// required key raise ConfigurationError naming the provider, so a typo in
// a command line gets a message rather than a silently ignored option.

#pragma once

#include "osid/errors.h"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace osid::runtime {

class ProviderConfiguration {
public:
    ProviderConfiguration(std::string_view provider, std::string_view text,
                          std::initializer_list<std::string_view> keys, std::string_view tailKey = {})
        : provider_(provider)
    {
        std::vector<std::string_view> known(keys);
        if (!tailKey.empty())
            known.push_back(tailKey);
        while (!text.empty()) {
            const auto equals = text.find('=');
            const auto comma = text.find(',');
            if (equals == std::string_view::npos || (comma != std::string_view::npos && comma < equals))
                fail("expected key=value, got \"" + std::string(text.substr(0, comma)) + "\"");
            const std::string key(text.substr(0, equals));
            if (std::find(known.begin(), known.end(), key) == known.end())
                fail("unknown key \"" + key + "\" (known: " + join(known) + ")");
            if (values_.count(key))
                fail("key \"" + key + "\" given twice");
            text.remove_prefix(equals + 1);
            const auto end = key == tailKey ? std::string_view::npos : text.find(',');
            values_.emplace(key, std::string(text.substr(0, end)));
            text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        }
    }

    // The value of `key`, if given.
    std::optional<std::string> get(std::string_view key) const
    {
        auto it = values_.find(std::string(key));
        if (it == values_.end())
            return std::nullopt;
        return it->second;
    }

    // The value of `key`; ConfigurationError when it was not given.
    std::string require(std::string_view key) const
    {
        auto value = get(key);
        if (!value)
            fail("missing \"" + std::string(key) + "=...\"");
        return *value;
    }

private:
    [[noreturn]] void fail(const std::string &what) const
    {
        throw ConfigurationError("provider " + provider_ + ": bad configuration: " + what);
    }

    static std::string join(const std::vector<std::string_view> &words)
    {
        std::string out;
        for (auto w : words)
            out += (out.empty() ? "" : ", ") + std::string(w);
        return out;
    }

    std::string provider_;
    std::map<std::string, std::string> values_;
};

} // namespace osid::runtime
