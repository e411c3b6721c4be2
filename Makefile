# The two commands of the README:
#   make demo   set up, then run the main job on sample data (sample -> ingest -> dbt build -> ...)
#   make test   set up, then run the whole test suite (what CI runs)
.PHONY: setup demo test test-fast lint clean screenshots

setup:
	@bash scripts/setup.sh

demo: setup
	.venv/bin/citizen-focus demo --serve

test:
	@bash scripts/setup.sh --browser
	@bash scripts/run-tests.sh $(ARGS)

# The fast lane for everyday work: lint and the unit-level tests (about a minute); not what CI runs.
test-fast:
	@bash scripts/setup.sh
	@bash scripts/run-tests.sh -m unit $(ARGS)

# Refreshes docs/screenshots/ from the browser test (the tests themselves write to a temporary folder).
screenshots:
	@bash scripts/setup.sh --browser
	CITIZEN_FOCUS_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots bash scripts/run-tests.sh -q tests/python/test_dashboard_browser.py

lint: setup
	.venv/bin/ruff check citizen_focus ingest dashboards quality bench tests/python

clean:
	rm -rf target logs warehouse sample_data .pytest_cache
