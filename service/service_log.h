// How the service's workers say what they could not do: one line to the
// host's logger (MessageBatchOptions::log, JobRunOptions::log), or to
// stderr when it gave none. A logger that throws is ignored: reporting an
// error must not add one of its own.

#pragma once

#include <cstdio>
#include <functional>
#include <string>

namespace osid::service {

inline void reportLine(const std::function<void(const std::string &line)> &log, const std::string &line) noexcept
{
    try {
        if (log)
            log(line);
        else
            std::fprintf(stderr, "osid-batch-service: %s\n", line.c_str());
    } catch (...) {
    }
}

} // namespace osid::service
