# The two commands of the README:
#   make demo   set up, then run the main job on sample data (sample -> ingest -> dbt build -> ...)
#   make test   set up, then run the whole test suite (what CI runs)
.PHONY: setup demo test lint clean

setup:
	@bash scripts/setup.sh

demo: setup
	.venv/bin/citizen-focus demo --serve

test:
	@bash scripts/setup.sh --browser
	@bash scripts/run-tests.sh $(ARGS)

lint: setup
	.venv/bin/ruff check citizen_focus ingest dashboards quality bench tests/python

clean:
	rm -rf target logs warehouse sample_data .pytest_cache
