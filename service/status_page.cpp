#include "service/status_page.h"

#include <fmt/format.h>

namespace osid::service {

namespace {

// The page's style and its one script: cancel, then reload.
constexpr const char *kHead = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{refresh}<title>{title}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }}
h1 {{ font-size: 1.4em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: .4em .6em; border-bottom: 1px solid #ddd; vertical-align: middle; }}
th {{ font-weight: 600; color: #555; }}
td.time {{ white-space: nowrap; }}
code {{ font-size: .95em; }}
.status {{ padding: .1em .5em; border-radius: .8em; font-size: .9em; }}
.in_progress {{ background: #dbeafe; }} .canceling {{ background: #fde68a; }} .ended {{ background: #e5e7eb; }}
.bar {{ display: flex; width: 16em; height: .9em; background: #eee; border-radius: .3em; overflow: hidden; }}
.bar span {{ display: block; height: 100%; }}
.succeeded {{ background: #16a34a; }} .errored {{ background: #dc2626; }}
.canceled {{ background: #a3a3a3; }} .expired {{ background: #f59e0b; }}
.counts {{ color: #555; font-size: .9em; }}
nav a {{ margin-right: 1em; }}
</style>
<script>
function cancelBatch(id) {{
  fetch('/v1/messages/batches/' + encodeURIComponent(id) + '/cancel', {{method: 'POST'}})
    .then(function () {{ location.reload(); }});
}}
</script>
</head>
<body>
)";

std::uint64_t total(const RequestCounts &c) { return c.processing + c.succeeded + c.errored + c.canceled + c.expired; }

// The progress bar: one segment per finished result type, as a share of
// all requests; the rest (still processing) is the bar's background.
std::string progressBar(const MessageBatch &b)
{
    const auto &c = b.requestCounts;
    const double all = static_cast<double>(std::max<std::uint64_t>(1, total(c)));
    const auto done = total(c) - c.processing;
    std::string out = fmt::format(R"(<div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="{}" )"
                                  R"(aria-valuenow="{}" data-batch="{}">)",
                                  total(c), done, escapeHtml(b.id));
    const std::pair<const char *, std::uint64_t> segments[] = {
        {"succeeded", c.succeeded}, {"errored", c.errored}, {"canceled", c.canceled}, {"expired", c.expired}};
    for (const auto &[type, count] : segments)
        if (count > 0)
            out += fmt::format(R"(<span class="{}" style="width: {:.2f}%" title="{} {}"></span>)", type,
                               100.0 * static_cast<double>(count) / all, count, type);
    return out + "</div>";
}

std::string countsText(const RequestCounts &c)
{
    return fmt::format("{} request{}: {} processing, {} succeeded, {} errored, {} canceled, {} expired", total(c),
                       total(c) == 1 ? "" : "s", c.processing, c.succeeded, c.errored, c.canceled, c.expired);
}

std::string statusBadge(const MessageBatch &b)
{
    const char *name = statusName(b.processingStatus);
    return fmt::format(R"(<span class="status {0}">{0}</span>)", name);
}

// A time to the second ("2026-11-29 23:22:23"), the exact one on hover.
std::string time(const std::optional<DateTime> &t)
{
    if (!t)
        return "&ndash;";
    auto shown = t->toString().substr(0, 19);
    shown[10] = ' ';
    return fmt::format(R"(<time datetime="{0}" title="{0}">{1}</time>)", t->toString(), shown);
}

// The results link once ended; the cancel button while in progress.
std::string actions(const MessageBatch &b)
{
    const auto id = escapeHtml(b.id);
    if (b.processingStatus == ProcessingStatus::Ended)
        return fmt::format(R"(<a href="/v1/messages/batches/{}/results">results</a>)", id);
    if (b.processingStatus == ProcessingStatus::InProgress)
        return fmt::format(R"html(<button type="button" onclick="cancelBatch('{}')">cancel</button>)html", id);
    return "";
}

std::string head(const std::string &title, bool running)
{
    return fmt::format(fmt::runtime(kHead), fmt::arg("title", escapeHtml(title)),
                       fmt::arg("refresh", running ? "<meta http-equiv=\"refresh\" content=\"2\">\n" : ""));
}

// The list's filters as the rest of a paging link's query (already
// escaped for an attribute), so that newer and older pages keep them.
std::string filterQuery(const ListParams &params)
{
    std::string out;
    if (params.status)
        out += fmt::format("&amp;processing_status={}", statusName(*params.status));
    if (params.createdAfter)
        out += fmt::format("&amp;created_after={}", escapeHtml(params.createdAfter->toString()));
    if (params.createdBefore)
        out += fmt::format("&amp;created_before={}", escapeHtml(params.createdBefore->toString()));
    return out;
}

} // namespace

std::string escapeHtml(const std::string &text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string batchesPage(const MessageBatchPage &page, const ListParams &params)
{
    bool running = false;
    std::string rows;
    for (const auto &b : page.data) {
        running = running || b.processingStatus != ProcessingStatus::Ended;
        rows += fmt::format(
            "<tr id=\"batch-{0}\"><td><a href=\"/batches/{0}\"><code>{0}</code></a></td><td>{1}</td>"
            "<td>{2}<div class=\"counts\">{3}</div></td><td class=\"time\">{4}</td><td class=\"time\">{5}</td>"
            "<td>{6}</td></tr>\n",
            escapeHtml(b.id), statusBadge(b), progressBar(b), countsText(b.requestCounts), time(b.createdAt),
            time(b.endedAt), actions(b));
    }
    std::string out = head("osid-batch: message batches", running);
    out += "<h1>Message batches</h1>\n";
    if (page.data.empty()) {
        out += "<p id=\"empty\">No batches yet. Create one with <code>POST /v1/messages/batches</code>.</p>\n";
    } else {
        out += "<table id=\"batches\">\n<tr><th>batch</th><th>status</th><th>progress</th><th>created</th>"
               "<th>ended</th><th></th></tr>\n";
        out += rows;
        out += "</table>\n";
    }
    // Paging, as the API pages: newer with before_id, older with after_id.
    out += "<nav>";
    const bool newerExist = !params.beforeId.empty() ? page.hasMore : !params.afterId.empty();
    const bool olderExist = !params.beforeId.empty() ? !page.data.empty() : page.hasMore;
    const auto filters = filterQuery(params);
    if (newerExist && page.firstId)
        out += fmt::format(R"(<a href="/?before_id={}&amp;limit={}{}">newer</a>)", escapeHtml(*page.firstId),
                           params.limit, filters);
    if (olderExist && page.lastId)
        out += fmt::format(R"(<a href="/?after_id={}&amp;limit={}{}">older</a>)", escapeHtml(*page.lastId),
                           params.limit, filters);
    out += "</nav>\n</body>\n</html>\n";
    return out;
}

std::string batchPage(const MessageBatch &b)
{
    std::string out = head("osid-batch: " + b.id, b.processingStatus != ProcessingStatus::Ended);
    out += fmt::format("<nav><a href=\"/\">all batches</a></nav>\n<h1>Batch <code>{}</code></h1>\n", escapeHtml(b.id));
    out += "<table id=\"batch\">\n";
    out += fmt::format("<tr><th>status</th><td>{}</td></tr>\n", statusBadge(b));
    out += fmt::format("<tr><th>progress</th><td>{}<div class=\"counts\">{}</div></td></tr>\n", progressBar(b),
                       countsText(b.requestCounts));
    out += fmt::format("<tr><th>created</th><td>{}</td></tr>\n", b.createdAt.toString());
    out += fmt::format("<tr><th>expires</th><td>{}</td></tr>\n", b.expiresAt.toString());
    out += fmt::format("<tr><th>cancel asked</th><td>{}</td></tr>\n", time(b.cancelInitiatedAt));
    out += fmt::format("<tr><th>ended</th><td>{}</td></tr>\n", time(b.endedAt));
    out += fmt::format("<tr><th></th><td>{} <a href=\"/v1/messages/batches/{}\">JSON</a></td></tr>\n", actions(b),
                       escapeHtml(b.id));
    out += "</table>\n</body>\n</html>\n";
    return out;
}

} // namespace osid::service
