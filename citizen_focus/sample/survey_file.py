"""The sample survey extract as a supplier would send it: SPSS .sav or Excel .xlsx.

`write_survey_file(csv_path, fmt)` rewrites the survey CSV the generator wrote (the contract's
rows) as
- `sav`: the fictitious supplier of suppliers/sample_supplier.yml: its variable names, answers as
  its numeric codes with value labels (97/98/99 = Not applicable / Don't know / Refused, declared
  user-missing), the survey group as labelled codes, dates as SPSS dates, the weight as a number;
- `xlsx`: the contract's own column names on a sheet `Responses` under a merged title row, with a
  `Notes` sheet before it, dates as date cells and the weight as a number.
Either file loads (`citizen-focus ingest`, docs/contract.md "Survey files from suppliers: SPSS and
Excel") to exactly the CSV's contract rows: the same marts. The CSV is removed; the mapping file is
copied beside the .sav for whoever receives the folder.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from ingest.contract import ANSWER, SURVEY_RESPONSES

SURVEY_FORMATS = ("csv", "sav", "xlsx")
SAMPLE_MAPPING = Path(__file__).resolve().parents[2] / "suppliers" / "sample_supplier.yml"
_ANSWERS = [c.name for c in SURVEY_RESPONSES.columns if c.type == ANSWER]
_CODE_OF_TEXT = {
    **{label.casefold(): code for code, label in enumerate(
        ("Not applicable", "Completely satisfied", "Very satisfied", "Fairly satisfied",
         "Neither satisfied nor dissatisfied", "Fairly dissatisfied", "Very dissatisfied",
         "Completely dissatisfied", "Don't know", "Refused"))},
    **{str(code): code for code in range(10)},
}  # contract answer text -> contract code 0..9 (docs/contract.md)


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    if "/" in text:  # the generator's UK form dd/mm/yyyy
        day, month, year = text.split("/")
        return dt.date(int(year), int(month), int(day))
    return dt.date.fromisoformat(text)


def _weight(text: str) -> float:
    return float(text) if text else np.nan


def write_survey_file(csv_path: Path, fmt: str) -> Path:
    """Rewrites the survey CSV as `fmt` beside it; returns the new file (the CSV itself for csv)."""
    if fmt == "csv":
        return csv_path
    if fmt not in SURVEY_FORMATS:
        raise ValueError(f"--survey-format {fmt} is not one of {', '.join(SURVEY_FORMATS)}")
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    target = csv_path.with_suffix("." + fmt)
    if fmt == "sav":
        _write_sav(frame, target)
        shutil.copyfile(SAMPLE_MAPPING, csv_path.parent / SAMPLE_MAPPING.name)
    else:
        _write_xlsx(frame, target)
    csv_path.unlink()
    return target


def _write_sav(frame: pd.DataFrame, target: Path) -> None:
    import pyreadstat

    from citizen_focus.sample.survey import SURVEY_GROUPS
    from ingest.suppliers import load_mapping

    mapping = load_mapping(SAMPLE_MAPPING)
    variable_of = {column: variable for variable, column in mapping.variables.items()}
    out = pd.DataFrame(index=frame.index)
    labels: dict[str, dict[float, str]] = {}
    missing: dict[str, list] = {}
    formats: dict[str, str] = {}
    for column in frame.columns:
        variable = variable_of[column]
        values = frame[column]
        if column in _ANSWERS:
            # the supplier's code of each contract code, from the mapping (the inverse of its values)
            scale = {_CODE_OF_TEXT[label.casefold()]: int(code) for code, label in mapping.values[column].items()}
            out[variable] = [float(scale[_CODE_OF_TEXT[v.strip().casefold()]]) if v.strip() else np.nan
                             for v in values]
            labels[variable] = {float(code): label for code, label in mapping.values[column].items()}
            missing[variable] = [{"lo": 97.0, "hi": 99.0}]
        elif column == "survey_group":
            code_of = {g: i + 1 for i, g in enumerate(SURVEY_GROUPS)}
            out[variable] = [float(code_of[v]) if v else np.nan for v in values]
            labels[variable] = {float(i + 1): g for i, g in enumerate(SURVEY_GROUPS)}
        elif column in ("interview_date", "incident_date"):
            out[variable] = [_date(v) for v in values]
            formats[variable] = "EDATE10"
        elif column == "weight":
            out[variable] = [_weight(v) for v in values]
            formats[variable] = "F8.4"
        else:
            out[variable] = values
    pyreadstat.write_sav(out, str(target), file_label="Citizen Focus sample survey (fictitious)",
                         variable_value_labels=labels, missing_ranges=missing, variable_format=formats)


def _write_xlsx(frame: pd.DataFrame, target: Path) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(target))
    try:
        notes = workbook.add_worksheet("Notes")
        notes.write(0, 0, "Citizen Focus sample survey (fictitious data); the responses are on the next sheet.")
        sheet = workbook.add_worksheet("Responses")
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        columns = list(frame.columns)
        sheet.merge_range(0, 0, 0, len(columns) - 1, "User Satisfaction Survey responses")
        for c, name in enumerate(columns):
            sheet.write_string(1, c, name)
        for c, name in enumerate(columns):
            for r, text in enumerate(frame[name], start=2):
                if not text:
                    continue
                if name in ("interview_date", "incident_date"):
                    day = _date(text)
                    sheet.write_datetime(r, c, dt.datetime(day.year, day.month, day.day), date_format)
                elif name == "weight":
                    sheet.write_number(r, c, float(text))
                else:
                    sheet.write_string(r, c, text)
    finally:
        workbook.close()
