"""Supplier mapping files (suppliers/README.md): valid mappings load, bad ones are rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import FileRejected
from ingest.suppliers import find_mapping, load_mapping

GOOD = """\
supplier: acme
variables:
  RESPID: response_id
  Q4: q_whole_experience
values:
  q_whole_experience:
    1: Completely satisfied
    98: Don't know
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_mapping_renames_and_labels(tmp_path: Path) -> None:
    mapping = load_mapping(_write(tmp_path, "acme.yml", GOOD))
    assert mapping.name == "acme"
    assert mapping.contract_name("RESPID") == "response_id"
    assert mapping.contract_name("borough_code") == "borough_code"
    assert mapping.label("q_whole_experience", "98") == "Don't know"
    assert mapping.label("q_whole_experience", "5") is None
    assert mapping.unmapped(["RESPID", "Q4", "borough_code", "EXTRA"]) == ["EXTRA"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("variables:\n  X: not_a_column\n", "not in the contract: not_a_column"),
        ("variables:\n  X: response_id\nvalues:\n  q_treatment:\n    1: Happy\n", "labels not in the contract: Happy"),
        ("variables:\n  X: response_id\nvalues:\n  borough_code:\n    1: Refused\n", "not an answer column"),
        ("supplier: x\n", "needs a 'variables' table"),
    ],
)
def test_bad_mapping_rejected_with_reason(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(FileRejected) as exc:
        load_mapping(_write(tmp_path, "bad.yml", text))
    assert fragment in exc.value.reason
    assert exc.value.reason.startswith("bad.yml: ")


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(FileRejected) as exc:
        load_mapping(_write(tmp_path, "broken.yml", "variables:\n  RESPID: response_id\n  Q4: [unclosed\n"))
    assert exc.value.reason.startswith("broken.yml: line 4: not valid YAML (")


def test_find_mapping_picks_the_one_that_fits(tmp_path: Path) -> None:
    _write(tmp_path, "acme.yml", GOOD)
    _write(tmp_path, "other.yml", "variables:\n  ID: response_id\n")
    assert find_mapping(["RESPID", "Q4"], tmp_path).name == "acme"
    assert find_mapping(["ID", "borough_code"], tmp_path).name == "other"
    assert find_mapping(["ZZZ"], tmp_path) is None
