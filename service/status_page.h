// The status page of `osid-batch serve`: small HTML pages, built in the
// binary (no framework, no external assets), that show the batches with
// live progress. BatchHttpServer serves them at GET / and GET /batches/{id}.
//
// A page that shows a batch still running reloads itself every two
// seconds. Cancel is a button that POSTs to the API's cancel route (a few
// lines of plain JavaScript) and reloads.

#pragma once

#include "service/message_batches.h"

#include <string>

namespace osid::service {

// The batches of one list page, newest first, each with its progress bar,
// status, times and links. `query` is the page's own query string, kept in
// its paging links ("" for the newest page).
std::string batchesPage(const MessageBatchPage &page, const ListParams &params);

// One batch: its counts, times and links.
std::string batchPage(const MessageBatch &batch);

// `text` with &, <, >, " and ' written as HTML entities.
std::string escapeHtml(const std::string &text);

} // namespace osid::service
