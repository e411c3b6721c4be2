"""Reference data is generated or checked, never trusted because it was typed."""

from __future__ import annotations

import csv

from citizen_focus.bank_holidays import SEED_PATH, bank_holidays_csv
from citizen_focus.config import PROJECT_DIR


def test_bank_holiday_seed_equals_the_maintained_library() -> None:
    assert SEED_PATH.read_text(encoding="utf-8") == bank_holidays_csv()


def test_bank_holidays_include_the_ones_the_working_day_rules_depend_on() -> None:
    days = {row["holiday_date"]: row["holiday_name"] for row in csv.DictReader(SEED_PATH.open())}
    for day in ["2009-04-10", "2009-04-13", "2008-12-25", "2008-12-26", "2011-04-29", "2012-06-05",
                "2022-09-19", "2023-05-08", "2005-01-03", "2035-12-25"]:
        assert day in days, day
    assert "2009-04-14" not in days  # Easter Tuesday is a working day


def test_ethnicity_seed_groups_white_codes_and_census_words_as_white() -> None:
    rows = list(csv.DictReader((PROJECT_DIR / "seeds" / "ethnicity_groups.csv").open()))
    # the seed's lookup is on label_match_key (macros/labels.sql); here the lower-cased label
    groups = {r["ethnicity_label"].strip().lower(): r["ethnic_group"] for r in rows}
    assert len(groups) == len(rows)  # labels unique
    assert {k for k, g in groups.items() if len(k) == 2 and g == "White"} == {"w1", "w2", "w9"}
    assert groups["ns"] == "Not stated"
    assert {groups[k] for k in ["m1", "m2", "m3", "m9", "a1", "a2", "a3", "a9", "b1", "b2", "b9", "o1", "o9"]} == {
        "BME"
    }
    assert groups["white british"] == groups["irish"] == groups["gypsy or irish traveller"] == "White"
    assert groups["black african"] == groups["indian"] == groups["arab"] == "BME"
    assert {r["source"] for r in rows} >= {"16+1 code"}
    assert all(s in " ".join(r["source"] for r in rows) for s in ("ONS 2001", "ONS 2011", "ONS 2021"))


def test_borough_seed_holds_the_32_london_boroughs() -> None:
    rows = [r for r in csv.DictReader((PROJECT_DIR / "seeds" / "boroughs.csv").open()) if r["force_code"] == "MPS"]
    assert len(rows) == 32
    assert len({r["borough_code"] for r in rows}) == 32
    assert len({r["borough_name"] for r in rows}) == 32
