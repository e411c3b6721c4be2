"""Generates the England & Wales bank-holiday seed from the maintained `holidays` library.

Working-day standards (2 and 10 working days) depend on bank holidays, including the one-off
ones (royal weddings, jubilees, a state funeral). Typing them by hand is how they go wrong, so
the seed is generated and a test checks the committed file still equals the library's answer.
Run `python -m citizen_focus.bank_holidays` to regenerate after upgrading `holidays`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import holidays

from citizen_focus.config import PROJECT_DIR

FIRST_YEAR, LAST_YEAR = 2000, 2040
SEED_PATH = PROJECT_DIR / "seeds" / "bank_holidays.csv"


def bank_holidays_csv(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> str:
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["holiday_date", "holiday_name", "region"])
    for day, name in sorted(calendar.items()):
        writer.writerow([day.isoformat(), name, "England and Wales"])
    return out.getvalue()


def main() -> None:
    Path(SEED_PATH).write_text(bank_holidays_csv(), encoding="utf-8")
    print(f"wrote {SEED_PATH}")


if __name__ == "__main__":
    main()
