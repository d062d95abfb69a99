#!/usr/bin/env bash
# The status page in a real browser: `osid-batch serve` in a scratch
# directory with one ended batch and one still running, then headless
# Chromium loads / and /batches/{id}; the DOM it rendered must show each
# batch's status, progress and links. The screenshot is kept in
# $SCREENSHOT_DIR. Skipped (77) without chromium or curl.
# Usage: status_page_test.sh OSID_BATCH
set -euo pipefail
osid_batch=$1
for tool in chromium curl; do
    command -v "$tool" >/dev/null || { echo "skipped: no $tool"; exit 77; }
done
dir=$(mktemp -d)
server=""
cleanup() {
    [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"

fail() { echo "FAIL: $*" >&2; exit 1; }
browse() { timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$dir/chromium" "$@" 2>/dev/null; }

# Serve only: the batches stay as this script leaves them.
"$osid_batch" --store batches.db serve --no-process --listen 127.0.0.1:0 >serve.out 2>serve.log &
server=$!
for _ in $(seq 1 100); do
    grep -q "serving on" serve.out 2>/dev/null && break
    sleep 0.1
done
url=$(grep -o 'http://[^ ]*' serve.out) || fail "serve did not start: $(cat serve.log)"

create() {
    curl -s -H 'content-type: application/json' "$url/v1/messages/batches" -d "$1" | grep -o '"id":"[^"]*"' | cut -d'"' -f4
}
ended=$(create '{"requests": [{"custom_id": "a", "params": {"subject": "One", "text": "x"}},
                              {"custom_id": "b", "params": {"subject": 7}}]}')
# Another process runs it to the end (the server does not process).
"$osid_batch" --store batches.db wait "$ended" >/dev/null 2>&1 || true
running=$(create '{"requests": [{"custom_id": "c", "params": {"subject": "Two", "text": "y"}}]}')

dom=$(browse --dump-dom "$url/")
grep -q "<tr id=\"batch-$ended\">" <<<"$dom" || fail "no row for the ended batch"
grep -q "<tr id=\"batch-$running\">" <<<"$dom" || fail "no row for the running batch"
row() { grep -o "<tr id=\"batch-$1\">.*</tr>" <<<"$dom"; }
row "$ended" | grep -q 'class="status ended"' || fail "the ended batch is not shown ended"
row "$ended" | grep -q 'aria-valuenow="2"' || fail "the ended batch's bar is not full"
row "$ended" | grep -q 'class="succeeded"' || fail "no succeeded segment"
row "$ended" | grep -q 'class="errored"' || fail "no errored segment"
row "$ended" | grep -q "href=\"/v1/messages/batches/$ended/results\"" || fail "no results link"
row "$running" | grep -q 'class="status in_progress"' || fail "the running batch is not in progress"
row "$running" | grep -q "cancelBatch('$running')" || fail "no cancel button"
grep -q 'http-equiv="refresh"' <<<"$dom" || fail "a page with a running batch does not refresh itself"
# Newest first.
[[ $(grep -o '<tr id="batch-[^"]*"' <<<"$dom" | head -n 1) == "<tr id=\"batch-$running\"" ]] || fail "not newest first"

detail=$(browse --dump-dom "$url/batches/$ended")
grep -q "<code>$ended</code>" <<<"$detail" || fail "the batch page does not name the batch"
grep -q '2 requests: 0 processing, 1 succeeded, 1 errored' <<<"$detail" || fail "the batch page's counts"
grep -q 'http-equiv="refresh"' <<<"$detail" && fail "an ended batch's page refreshes itself"

if [[ -n "${SCREENSHOT_DIR:-}" ]]; then
    mkdir -p "$SCREENSHOT_DIR"
    browse --hide-scrollbars --window-size=1200,320 --screenshot="$SCREENSHOT_DIR/status-page.png" "$url/" >/dev/null
    [[ -s "$SCREENSHOT_DIR/status-page.png" ]] || fail "no screenshot"
fi
echo "status page: ok"
