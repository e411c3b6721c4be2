"""CSV and Excel exports: the screen's suppression, spreadsheet-formula escaping and a footnote.

Why escape: a cell that starts with = + - @ (or a tab or carriage return) is run as a formula by
Excel and LibreOffice when the file is opened ("CSV injection"); an id or a category from an
extract could carry one. Such text cells get a leading apostrophe, which spreadsheets show as
text. Numbers are left as numbers (a negative gap is a number, not text).
"""

from __future__ import annotations

import io
from datetime import datetime

import pandas as pd

from dashboards.disclosure import suppress

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

DEFINITIONS = (
    "Rates are fractions from 0 to 1; gaps are percentage points (White rate minus BME rate).",
    "Counts from 1 to 9 are shown as '<10' (statistical disclosure control), with the rates and sums that would "
    "reveal them withheld.",
    "Satisfaction: weighted share answering 'completely', 'very' or 'fairly' satisfied; 95% Wilson interval on the "
    "effective sample size; fewer than 50 respondents = not reliable. BME gap interval: Newcombe method 10.",
    "Compliance: numerator / denominator per standard, borough and month (Europe/London); pending records "
    "(deadline not yet passed) are in neither. RAG: green at or above target, amber within 5 points, red below.",
    "Definitions in full: docs/satisfaction.md and the measures specification.",
)


def escape_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _escape_column(values: pd.Series) -> pd.Series:
    """escape_cell over a column, vectorised (exports run to a million rows)."""
    text = values.astype("string")
    risky = text.str.match(r"[=+\-@\t\r]").fillna(False) & values.map(type).eq(str)
    if not risky.any():
        return values
    out = values.astype(object).copy()
    out[risky] = "'" + text[risky].astype(str)
    return out


def prepare(df: pd.DataFrame) -> pd.DataFrame:
    """Suppressed and escaped: exactly what leaves the app."""
    out = suppress(df)
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = _escape_column(out[col])
    out.columns = [escape_cell(str(c)) for c in out.columns]
    return out


def footnote(table: str, as_of: datetime, latest_period: object | None) -> list[str]:
    period = f"; latest period in this table: {pd.Timestamp(latest_period):%B %Y}" if latest_period is not None \
        and not pd.isna(latest_period) else ""
    return [f"Source: Citizen Focus Warehouse, {table}. Data as of the warehouse build at "
            f"{as_of:%Y-%m-%d %H:%M} UTC{period}.", *DEFINITIONS]


def to_csv(df: pd.DataFrame, notes: list[str]) -> bytes:
    """RFC 4180 CSV (CRLF, so a field holding CR or LF is quoted): the table, a blank line, the footnote rows."""
    buf = io.StringIO()
    prepare(df).to_csv(buf, index=False, lineterminator="\r\n")
    buf.write("\r\n")
    pd.DataFrame({"note": [escape_cell(f"Note: {n}") for n in notes]}).to_csv(buf, index=False, header=False,
                                                                              lineterminator="\r\n")
    return buf.getvalue().encode("utf-8")


def files(wh, table: str, force: str | None, month=None) -> tuple[bytes, bytes | None]:
    """The CSV and (up to EXCEL_MAX_ROWS rows) Excel file of one export, footnoted."""
    df = wh.export_frame(table, force, month)
    period_col = next((c for c in ("period_month", "period_end_month") if c in df.columns), None)
    notes = footnote(table, wh.built_at(), df[period_col].max() if period_col and len(df) else None)
    return to_csv(df, notes), (to_excel(df, notes) if len(df) <= EXCEL_MAX_ROWS else None)


EXCEL_MAX_ROWS = 100_000  # openpyxl needs minutes and gigabytes beyond this: CSV only


def to_excel(df: pd.DataFrame, notes: list[str], sheet: str = "data") -> bytes:
    """An .xlsx with the table on one sheet and the footnote on a 'notes' sheet."""
    out = prepare(df)
    for col in out.columns:  # Excel has no time zones: write UTC wall time
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_convert("UTC").dt.tz_localize(None)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        out.to_excel(writer, sheet_name=sheet[:31], index=False)
        pd.DataFrame({"notes": [escape_cell(n) for n in notes]}).to_excel(writer, sheet_name="notes", index=False)
    return buf.getvalue()
