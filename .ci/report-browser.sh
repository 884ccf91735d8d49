#!/usr/bin/env bash
# cartelsim report's page in a real browser: installs Debian's chromium when it is absent
# (as root, as CI runs), then runs the report package's browser tests, which must not
# skip here: the page loads headless with no console message and its screenshot shows the
# plots.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
	if [ "$(id -u)" != 0 ]; then
		echo "report-browser: no chromium, and not root to install it (apt-get install chromium)" >&2
		exit 1
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
CARTELSIM_REQUIRE_BROWSER=1 ${GO:-go} test -count=1 -v -run '^(TestBrowserCatchesConsoleErrors|TestReportInHeadlessChromium)$' ./report/
