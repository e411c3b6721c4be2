"""Page wording: counts agree with their nouns and verbs for 1 and for many."""

from __future__ import annotations

import pytest

from dashboards import inference
from dashboards.text import plural

SETTINGS = inference.InferenceSettings(significance_level=0.05, reliable_from_respondents=50)


@pytest.mark.parametrize(("n", "singular", "irregular", "want"), [
    (1, "borough", None, "1 borough"), (2, "borough", None, "2 boroughs"), (0, "borough", None, "0 boroughs"),
    (1, "survey value", None, "1 survey value"), (31, "survey value", None, "31 survey values"),
    (1, "matches", "match", "1 matches"), (4, "matches", "match", "4 match"),
])
def test_plural_agrees_with_the_count(n: int, singular: str, irregular: str | None, want: str) -> None:
    assert plural(n, singular, irregular) == want


def test_plural_without_the_number_gives_the_agreeing_word() -> None:
    assert [plural(n, "matches", "match", with_number=False) for n in (0, 1, 2)] == ["match", "matches", "match"]


def test_holm_caption_reads_correctly_for_one_borough_and_for_many() -> None:
    assert inference.holm_caption(1, 0, 1, True, SETTINGS) == (
        "Flags use Holm's adjustment across the 1 borough tested: with 1 test at 5%, about 0.1 would look "
        "significant by chance alone. 0 of 1 flagged after adjustment (1 before).")
    assert inference.holm_caption(1, 0, 1, False, SETTINGS) == (
        "Unadjusted flags: each borough tested on its own at 5%; with 1 test, about 0.1 would look significant by "
        "chance alone. 1 of 1 flagged (0 after Holm's adjustment).")
    assert inference.holm_caption(31, 1, 4, True, SETTINGS) == (
        "Flags use Holm's adjustment across the 31 boroughs tested: with 31 tests at 5%, about 1.6 would look "
        "significant by chance alone. 1 of 31 flagged after adjustment (4 before).")
