"""Secondary suppression (dashboards/disclosure.py): no hidden cell follows by subtraction.

Hand-made cells: a force-wide total of 84 = CW 60 + HK 20 + IS 4. IS is primary-suppressed; without
secondary suppression IS = 84 - 60 - 20. The rule withholds the next-smallest sibling (HK).
"""

from __future__ import annotations

import pandas as pd

from dashboards.disclosure import secondary_cells


def test_one_hidden_sibling_gets_the_next_smallest_withheld_too() -> None:
    counts = pd.Series({"ALL": 84, "CW": 60, "HK": 20, "IS": 4})
    members = pd.DataFrame({"relation": ["r"] * 4, "cell": ["ALL", "CW", "HK", "IS"],
                            "is_total": [True, False, False, False]})
    assert secondary_cells(counts, counts.between(1, 9), members) == {"HK"}


def test_with_no_sibling_left_the_total_is_withheld() -> None:
    counts = pd.Series({"T": 4, "A": 4, "B": 0})
    members = pd.DataFrame({"relation": ["r"] * 3, "cell": ["T", "A", "B"], "is_total": [True, False, False]})
    hidden = pd.Series({"T": False, "A": True, "B": False})
    assert secondary_cells(counts, hidden, members) == {"T"}
