// How osid-batch shows a batch's progress on stderr: a bar redrawn in place
// on a terminal, otherwise a plain line whenever the counts change (at most
// one a second), so logs stay readable.

#pragma once

#include "service/message_batches.h"

#include <chrono>
#include <cstdio>
#include <string>

namespace osid::tools {

class Progress {
public:
    explicit Progress(std::FILE *out);
    Progress(const Progress &) = delete;
    Progress &operator=(const Progress &) = delete;

    // Shows `batch`; the last call before finish() should show it ended.
    void update(const service::MessageBatch &batch);
    // Ends the bar's line.
    void finish();

private:
    std::FILE *out_;
    bool terminal_;
    bool drawn_ = false;
    std::string lastLine_;
    std::chrono::steady_clock::time_point lastPrinted_{};
};

} // namespace osid::tools
