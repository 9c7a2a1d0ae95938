#!/usr/bin/env bash
# The README's pictures of `yusuan serve`: the browser test's screenshots of each state
# (needs chromium and chromium-driver; see tests/it/browser.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs/serve
YUSUAN_BROWSER_TEST=required YUSUAN_SCREENSHOTS="$PWD/docs/serve" \
  cargo test --locked --test it browser -- --exact browser::the_page_checks_dropped_workbooks_shows_the_cells_and_downloads_the_outputs
ls -l docs/serve
