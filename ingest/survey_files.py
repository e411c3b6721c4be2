"""Survey files from suppliers (SPSS .sav, Excel .xlsx) as the contract's rows.

A supplier file is turned into a CSV file of the `survey_responses` contract (docs/contract.md,
"Survey files from suppliers: SPSS and Excel"): variables renamed and answer codes labelled by
the supplier mapping (ingest/suppliers.py, suppliers/README.md), everything else as text. The
CSV then goes through the one loader (ingest/loader.py), so every rule of the contract, the
quarantine, the ledger and the idempotence are the CSV path's own; this module only adds what a
CSV cannot hold: value labels and user-missing codes. A row whose answer code has no label is
taken out here, with its line and reason, and quarantined by the loader beside the others.

Lines: for a .sav the case number (1 = first case), for an .xlsx the worksheet row number.
Libraries read the files (pyreadstat, python-calamine); nothing here parses a file format.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.contract import ANSWER, ANSWER_LABELS, DATE, SURVEY_RESPONSES
from ingest.errors import FileRejected
from ingest.snapshot import CutRecord
from ingest.suppliers import SupplierMapping, all_mappings, load_mapping

SURVEY_SUFFIXES = (".sav", ".xlsx")
CONTRACT_NAMES = SupplierMapping(name="contract names", variables={})
_HEADER_SEARCH_ROWS = 10  # an .xlsx header (under any title rows) is within the first rows
_RAW_ROW_CHARS = 10_000
# contract code of each answer label (Not applicable = 0, then the scale 1..7, Don't know 8, Refused 9)
_CONTRACT_CODE = {label: str((i + 1) % 10) for i, label in enumerate(ANSWER_LABELS)}
_LABEL_OF_CODE = {code: label for label, code in _CONTRACT_CODE.items()}


def is_survey_file(name: str) -> bool:
    return name.lower().endswith(SURVEY_SUFFIXES)


@dataclass
class Converted:
    csv_path: Path
    lines: list[int]  # the file's line (case number / worksheet row) of each CSV record, in order
    raw_rows: list[str]  # each CSV record's row as the supplier sent it (for raw.rejects)
    cuts: list[CutRecord]  # rows taken out here, with line and reason
    mapping: str  # the mapping used ("contract names" when none was needed)


@dataclass
class _Table:
    """A supplier file read by its library: variables, rows with their line, value metadata."""

    variables: list[str]
    rows: Iterator[tuple[int, list]]
    labels: dict[str, dict[float, str]]
    user_missing: dict[str, list]  # variable -> [(lo, hi), ...] or values
    labelled: bool  # the format carries value labels (.sav); an .xlsx has none


def _canonical_label(text: str) -> str | None:
    """The contract answer label a (file's) label spells, compared like the loader does."""
    wanted = text.strip().replace("\u2019", "'").casefold()
    return next((label for label in ANSWER_LABELS if label.casefold() == wanted), None)


# --- choosing the mapping ----------------------------------------------------------------------

def _mapping_from(supplier: str, directory: Path) -> SupplierMapping:
    path = Path(supplier) if supplier.endswith((".yml", ".yaml")) or "/" in supplier else directory / f"{supplier}.yml"
    if not path.is_file():
        raise FileRejected(f"no supplier mapping '{supplier}' ({path} does not exist)")
    return load_mapping(path)


def _fits(variables: list[str], supplier: str | None,
          directory: Path) -> tuple[SupplierMapping | None, str, int]:
    """The one mapping under which every variable maps, or None, the one-line reason why not and
    how many variables did not map under the closest mapping."""
    if supplier:
        mapping = _mapping_from(supplier, directory)
        missing = mapping.unmapped(variables)
        if missing:
            return None, (f"supplier mapping {mapping.name} does not fit: "
                          f"variables that did not map: {', '.join(missing)}"), len(missing)
        return mapping, "", 0
    if not CONTRACT_NAMES.unmapped(variables):
        return CONTRACT_NAMES, "", 0
    candidates = all_mappings(directory)
    fitting = [m for m in candidates if not m.unmapped(variables)]
    if len(fitting) == 1:
        return fitting[0], "", 0
    if len(fitting) > 1:
        names = ", ".join(m.name for m in fitting)
        return None, f"several supplier mappings fit ({names}): choose one with --supplier", 0
    closest = min([CONTRACT_NAMES, *candidates], key=lambda m: len(m.unmapped(variables)))
    missing = closest.unmapped(variables)
    return None, (f"no supplier mapping fits: variables that did not map: {', '.join(missing)} "
                  f"(closest: {closest.name}; mappings in {directory})"), len(missing)


def _columns(variables: list[str], mapping: SupplierMapping) -> list[str]:
    """The CSV header: each variable's contract column, or its own name (lower case) if extra."""
    columns = [mapping.contract_name(v) if not mapping.is_extra(v) else v.casefold() for v in variables]
    seen: dict[str, str] = {}
    for variable, column in zip(variables, columns, strict=True):
        if column in seen:
            raise FileRejected(f"variables {seen[column]} and {variable} both map to {column}")
        seen[column] = variable
    return columns


# --- reading the files --------------------------------------------------------------------------

def _read_sav(path: Path) -> _Table:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    except Exception as exc:  # pyreadstat raises its own error types for every bad file
        raise FileRejected(f"not a readable SPSS .sav file ({_first_line(exc)})") from None
    variables = list(meta.column_names)
    missing: dict[str, list] = {}
    for variable, ranges in (meta.missing_ranges or {}).items():
        missing[variable] = [(r["lo"], r["hi"]) for r in ranges]
    for variable, values in (getattr(meta, "missing_user_values", None) or {}).items():
        missing.setdefault(variable, []).extend((v, v) for v in values)
    records = frame.itertuples(index=False, name=None)
    rows = ((case, list(values)) for case, values in enumerate(records, start=1))
    return _Table(variables, rows, dict(meta.variable_value_labels or {}), missing, labelled=True)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _sheet_names(workbook, sheet: str | None) -> list[str]:
    names = list(workbook.sheet_names)
    if sheet is None:
        return names
    if sheet not in names:
        raise FileRejected(f"no sheet '{sheet}' (the sheets are {', '.join(names)})")
    return [sheet]


def _header_at(grid: list[list], merged: dict[tuple[int, int], object], r: int) -> list[str]:
    """Row r's names; an empty cell inside a merged range takes the range's value (a merged header)."""
    names = []
    for c, value in enumerate(grid[r]):
        if _empty(value) and (r, c) in merged:
            value = merged[(r, c)]
        names.append("" if _empty(value) else _text(value).strip())
    return names


def _read_xlsx(path: Path, sheet: str | None, supplier: str | None, directory: Path) -> tuple[_Table, SupplierMapping]:
    """The sheet (given, or the one whose header maps) and its header row (the first that maps)."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for every bad file
        raise FileRejected(f"not a readable Excel .xlsx file ({_first_line(exc)})") from None
    found: list[tuple[str, _Table, SupplierMapping]] = []
    reasons: list[tuple[int, str, str]] = []  # (unmapped count, sheet, reason): the closest is reported
    for name in _sheet_names(workbook, sheet):
        ws = workbook.get_sheet_by_name(name)
        grid = ws.to_python(skip_empty_area=False)  # from A1: grid[r][c] is worksheet row r + 1
        merged: dict[tuple[int, int], object] = {}
        for (r0, c0), (r1, c1) in ws.merged_cell_ranges or []:
            inside = 0 <= r0 < len(grid) and 0 <= c0 < len(grid[r0])
            value = grid[r0][c0] if inside else ""
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    merged[(r, c)] = value
        best: tuple[int, str] | None = None
        for r in range(min(_HEADER_SEARCH_ROWS, len(grid))):
            names = _header_at(grid, merged, r)
            used = [i for i, n in enumerate(names) if n]
            if not used:
                continue
            variables = [names[i] for i in used]
            mapping, reason, count = _fits(variables, supplier, directory)
            if mapping is not None:
                rows = _xlsx_rows(grid, r + 1, used)
                found.append((name, _Table(variables, rows, {}, {}, labelled=False), mapping))
                break
            if best is None or count <= best[0]:  # a tie: the lower row (titles stand above a header)
                best = (count, reason)
        if best is not None and not any(f[0] == name for f in found):
            reasons.append((best[0], name, best[1]))
    if len(found) == 1:
        return found[0][1], found[0][2]
    if len(found) > 1:
        raise FileRejected(f"several sheets have a header that maps ({', '.join(f[0] for f in found)}): "
                           "choose one with --sheet")
    if not reasons:
        raise FileRejected("no sheet has a header row")
    _, name, reason = min(reasons)
    raise FileRejected(f"sheet {name}: {reason}")


def _xlsx_rows(grid: list[list], first: int, used: list[int]) -> Iterator[tuple[int, list]]:
    """Data rows under the header, as (worksheet row number, values); wholly empty rows are skipped."""
    for r in range(first, len(grid)):
        row = grid[r]
        values = [row[i] if i < len(row) else "" for i in used]
        if all(_empty(v) for v in values):
            continue
        yield r + 1, values


# --- values -------------------------------------------------------------------------------------

def _empty(value) -> bool:
    """System-missing: None, NaN or NaT (neither equals itself), or blank text."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or value != value


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _is_user_missing(table: _Table, variable: str, code: float) -> bool:
    return any(lo <= code <= hi for lo, hi in table.user_missing.get(variable, [])
               if isinstance(lo, int | float) and isinstance(hi, int | float))


def _answer(table: _Table, mapping: SupplierMapping, variable: str, column: str, value) -> tuple[str, str | None]:
    """An answer cell as contract text, or a reason it cannot be one."""
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("-").replace(".", "", 1).isdigit():
            return mapping.label(column, text) or text, None  # a label: the loader checks it
        value = float(text)
    if not isinstance(value, int | float) or not float(value).is_integer():
        return "", f"{column} is not an answer code (a whole number)"
    code = _number_text(value)
    named = f"{column} ({variable})" if variable.casefold() != column else column
    label = mapping.label(column, code)
    if label is not None:
        return label, None
    file_label = table.labels.get(variable, {}).get(float(value))
    if file_label is not None:
        canonical = _canonical_label(str(file_label))
        if canonical is None:
            return "", f"{named} code {code} is labelled, but not with an answer of the survey scale"
        return canonical, None
    # no labels anywhere: the contract's own codes, 0..9 in a sheet (as in a CSV), and in a .sav
    # (where the scale must carry labels) the user-missing 8/9/0 only
    contract_code = column not in mapping.values and code in _LABEL_OF_CODE
    if contract_code and (not table.labelled or (code in ("8", "9", "0")
                                                 and _is_user_missing(table, variable, float(value)))):
        return _LABEL_OF_CODE[code], None
    if column in mapping.values:
        return "", f"{named} code {code} has no value label in the supplier mapping"
    if table.labelled:
        return "", f"{named} code {code} has no value label in the file"
    return "", f"{named} code {code} is not a code of the answer scale (0-9) and no supplier mapping labels it"


def _column_type(mapping: SupplierMapping, variable: str, column: str) -> str | None:
    """The contract type of the column a variable fills (None for an extra variable)."""
    if mapping.is_extra(variable) or column not in SURVEY_RESPONSES.names:
        return None
    return SURVEY_RESPONSES.column(column).type


def _cell(table: _Table, mapping: SupplierMapping, variable: str, column: str, kind: str | None,
          value) -> tuple[str, str | None]:
    if _empty(value):
        return "", None
    if kind == ANSWER:
        return _answer(table, mapping, variable, column, value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        label = table.labels.get(variable, {}).get(float(value))
        if label is not None:
            return str(label), None
    if kind == DATE and isinstance(value, dt.datetime):
        return value.date().isoformat(), None  # a date-time in a date column: its (wall-clock) date
    return _text(value), None


def _raw_row(variables: list[str], values: list) -> str:
    """The row as the supplier sent it (variable=value pairs), for raw.rejects."""
    out = ", ".join(f"{v}={'' if _empty(x) else _text(x)}" for v, x in zip(variables, values, strict=True))
    return out[:_RAW_ROW_CHARS]


def convert(source: Path, folder: Path, *, supplier: str | None = None, sheet: str | None = None,
            suppliers_dir: Path) -> Converted:
    """Writes the supplier file's rows as a contract CSV in ``folder``; rejects the file whole when
    no mapping fits it (FileRejected names the variables that did not map)."""
    suffix = source.suffix.lower()
    if suffix == ".sav":
        if sheet:
            raise FileRejected("--sheet is for Excel files; an SPSS file has one table")
        table = _read_sav(source)
        mapping, reason, _ = _fits(table.variables, supplier, suppliers_dir)
        if mapping is None:
            raise FileRejected(reason)
    elif suffix == ".xlsx":
        table, mapping = _read_xlsx(source, sheet, supplier, suppliers_dir)
    else:
        raise FileRejected(f"not a survey file the loader reads ({', '.join(SURVEY_SUFFIXES)})")
    columns = _columns(table.variables, mapping)
    out = folder / "survey_responses.csv"
    lines: list[int] = []
    raw_rows: list[str] = []
    cuts: list[CutRecord] = []
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        kinds = [_column_type(mapping, v, c) for v, c in zip(table.variables, columns, strict=True)]
        for line, values in table.rows:
            cells, reasons = [], []
            for variable, column, kind, value in zip(table.variables, columns, kinds, values, strict=True):
                text, reason = _cell(table, mapping, variable, column, kind, value)
                cells.append(text)
                if reason:
                    reasons.append(reason)
            if reasons:
                cuts.append(CutRecord(line, "; ".join(reasons), _raw_row(table.variables, values)))
                continue
            writer.writerow(cells)
            lines.append(line)
            raw_rows.append(_raw_row(table.variables, values))
    return Converted(out, lines, raw_rows, cuts, mapping.name)
