#include "progress.h"

#include <fmt/format.h>

#include <unistd.h>

namespace osid::tools {

namespace {

constexpr int kBarWidth = 30;

std::string countsText(const service::RequestCounts &c)
{
    return fmt::format("{} succeeded, {} errored, {} canceled, {} expired", c.succeeded, c.errored, c.canceled,
                       c.expired);
}

} // namespace

Progress::Progress(std::FILE *out) : out_(out), terminal_(::isatty(::fileno(out)) != 0) {}

void Progress::update(const service::MessageBatch &batch)
{
    const auto &c = batch.requestCounts;
    const auto total = c.processing + c.succeeded + c.errored + c.canceled + c.expired;
    const auto done = total - c.processing;
    const int percent = total == 0 ? 100 : static_cast<int>(done * 100 / total);
    const bool ended = batch.processingStatus == service::ProcessingStatus::Ended;
    if (terminal_) {
        const int filled = percent * kBarWidth / 100;
        fmt::print(out_, "\r[{}{}] {:3}% {}/{} ({})\x1b[K", std::string(static_cast<std::size_t>(filled), '#'),
                   std::string(static_cast<std::size_t>(kBarWidth - filled), '.'), percent, done, total, countsText(c));
        std::fflush(out_);
        drawn_ = true;
        return;
    }
    auto line = fmt::format("{}: {} {}/{} done ({})", batch.id, service::statusName(batch.processingStatus), done,
                            total, countsText(c));
    const auto now = std::chrono::steady_clock::now();
    if (line == lastLine_ || (!ended && now - lastPrinted_ < std::chrono::seconds(1)))
        return;
    fmt::print(out_, "{}\n", line);
    lastLine_ = std::move(line);
    lastPrinted_ = now;
}

void Progress::finish()
{
    if (terminal_ && drawn_)
        fmt::print(out_, "\n");
    drawn_ = false;
}

} // namespace osid::tools
