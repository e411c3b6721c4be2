"""Supplier mapping files: how a market-research supplier's survey variables map onto the contract.

Suppliers deliver SPSS/Excel files with their own variable names and value codes. One YAML
file per supplier (``suppliers/<name>.yml``, format in ``suppliers/README.md``) says which
supplier variable is which contract column of ``survey_responses`` (docs/contract.md) and,
where a supplier codes an answer differently, which supplier code means which contract
answer label. Keeping this as data means a new supplier is a new file, not new code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ingest.contract import ANSWER, ANSWER_LABELS, SURVEY_RESPONSES
from ingest.errors import FileRejected


@dataclass(frozen=True)
class SupplierMapping:
    """One supplier's mapping: variable renames and per-column code -> answer label."""

    name: str
    variables: dict[str, str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    # supplier variables kept, as they are, in raw's _extra_columns only (never a contract column)
    extra: tuple[str, ...] = ()

    def _renamed(self) -> dict[str, str]:
        # variable names are compared case-insensitively (SPSS names are)
        return {k.casefold(): v for k, v in self.variables.items()}

    def is_extra(self, variable: str) -> bool:
        return variable.casefold() in {e.casefold() for e in self.extra}

    def unmapped(self, supplier_variables: list[str]) -> list[str]:
        """Variables of a file that this mapping does not place on a contract column (nor keeps as extra)."""
        renamed, contract = self._renamed(), set(SURVEY_RESPONSES.names)
        return [v for v in supplier_variables
                if v.casefold() not in renamed and v.casefold() not in contract and not self.is_extra(v)]

    def contract_name(self, variable: str) -> str:
        """The contract column a supplier variable maps to (contract names map to themselves)."""
        return self._renamed().get(variable.casefold(), variable.casefold() if variable.casefold()
                                   in SURVEY_RESPONSES.names else variable)

    def label(self, column: str, code: str) -> str | None:
        """The contract answer label of a supplier code, or None if the supplier did not label it."""
        return self.values.get(column, {}).get(code)


def load_mapping(path: Path) -> SupplierMapping:
    """Read and validate a mapping file; a bad mapping is rejected with a one-line reason."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FileRejected(f"{path.name}: cannot read supplier mapping ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise FileRejected(f"{path.name}:{where}: not valid YAML ({problem})") from None
    if not isinstance(data, dict) or not isinstance(data.get("variables"), dict):
        raise FileRejected(f"{path.name}: a supplier mapping needs a 'variables' table")
    variables = {str(k): str(v) for k, v in data["variables"].items()}
    unknown = sorted({v for v in variables.values() if v not in SURVEY_RESPONSES.names})
    if unknown:
        raise FileRejected(f"{path.name}: maps onto columns not in the contract: {', '.join(unknown)}")
    values: dict[str, dict[str, str]] = {}
    for column, codes in (data.get("values") or {}).items():
        is_answer = str(column) in SURVEY_RESPONSES.names and SURVEY_RESPONSES.column(str(column)).type == ANSWER
        if not is_answer or not isinstance(codes, dict):
            raise FileRejected(f"{path.name}: 'values' entry {column!r} is not an answer column of the contract")
        bad = sorted({str(lbl) for lbl in codes.values() if str(lbl) not in ANSWER_LABELS})
        if bad:
            raise FileRejected(f"{path.name}: {column}: labels not in the contract: {', '.join(bad)}")
        values[str(column)] = {str(k): str(v) for k, v in codes.items()}
    extra = data.get("extra") or []
    if not isinstance(extra, list):
        raise FileRejected(f"{path.name}: 'extra' must be a list of supplier variables")
    clash = sorted({str(e) for e in extra if str(e) in variables or str(e).casefold() in SURVEY_RESPONSES.names})
    if clash:
        raise FileRejected(f"{path.name}: 'extra' names variables that map onto the contract: {', '.join(clash)}")
    return SupplierMapping(name=str(data.get("supplier") or path.stem), variables=variables, values=values,
                           extra=tuple(str(e) for e in extra))


def all_mappings(directory: Path) -> list[SupplierMapping]:
    """Every mapping file in ``directory`` (none if it does not exist), in name order."""
    return [load_mapping(path) for path in sorted(directory.glob("*.yml"))] if directory.is_dir() else []


def find_mapping(supplier_variables: list[str], directory: Path) -> SupplierMapping | None:
    """The first mapping in ``directory`` under which every variable of the file maps, if any."""
    for path in sorted(directory.glob("*.yml")):
        mapping = load_mapping(path)
        if not mapping.unmapped(supplier_variables):
            return mapping
    return None
