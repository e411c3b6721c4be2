#!/usr/bin/env bash
# The whole test suite: lint, then pytest (which drives dbt, Great Expectations, Streamlit and
# a real browser). Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
export DO_NOT_TRACK=1 DBT_SEND_ANONYMOUS_USAGE_STATS=false GX_ANALYTICS_ENABLED=false
export STREAMLIT_BROWSER_GATHER_USAGE_STATS=false
.venv/bin/ruff check citizen_focus ingest dashboards quality bench tests/python || exit 1
.venv/bin/python -m pytest "$@"
code=$?
if [ "$code" -eq 5 ]; then
  # pytest's 5 = no test was collected: neither a pass nor a test failure, but a broken selection.
  echo "run-tests: no tests were collected (pytest exit 5): check the selection or the test paths" >&2
  exit 1
fi
exit "$code"
