"""`--dirty`: the bad rows and bad files of docs/contract.md "Bad input", with what the loader must do.

Bad rows are appended to each force's good files; each breaks exactly one rule, so its reject
reason is known in advance. Every bad row carries a marker `DIRTY-<kind>-<nn>` (in its key or,
where the key itself is the fault, in a personal-data column) so a test can find it in
raw.rejects. Whole bad files are written once, for the first force. planted.json records, per
file, the rows the loader must read, load and reject, and the reason of each rejected row/file.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

# (marker number, {column: value}, reason fragment). Columns not given are filled from a template.
CALLS_GOOD = {"line": "999", "received_at": "2008-06-01T10:00:00Z", "answered_at": "2008-06-01T10:00:04Z",
              "abandoned": "false", "borough_code": ""}
INCIDENT_GOOD = {"created_at": "2008-06-01T10:00:00Z", "grade": "E", "incident_type": "other",
                 "borough_code": "", "area_type": "urban", "first_arrival_at": "2008-06-01T10:09:00Z",
                 "attendance_cancelled": "false"}
SURVEY_GOOD = {"interview_date": "2008-07-20", "survey_group": "burglary", "borough_code": "",
               "ethnicity_code": "W1", "q_whole_experience": "Very satisfied", "weight": "1.0"}
FEEDBACK_GOOD = {"feedback_type": "complaint", "received_at": "2008-06-02T10:00:00+01:00",
                 "acknowledged_at": "2008-06-02T12:00:00+01:00", "channel": "web"}
VICTIM_GOOD = {"contact_type": "update", "contact_at": "2008-06-05T10:00:00Z"}

BAD_ROWS: dict[str, list[tuple[dict[str, str], str]]] = {
    "calls": [
        ({"line": "112"}, "line is not one of"),
        ({"received_at": "31/02/2008 10:00"}, "received_at is not a valid timestamp"),
        ({"received_at": "2009-03-29 01:30:00", "answered_at": ""},
         "received_at is not a valid timestamp"),  # spring clock gap
        ({"answered_at": "2008-06-01T09:59:58Z"}, "answered_at is before received_at"),
        ({"call_id": "@duplicate"}, "duplicate call_id"),
        ({"call_id": ""}, "call_id is required but empty"),
        ({"abandoned": "maybe"}, "abandoned is not a boolean"),
        ({"@shape": "more"}, "the row has more fields than the header"),
        ({"@shape": "fewer"}, "the row has fewer fields than the header"),
    ],
    "incidents": [
        ({"grade": "X"}, "grade is not one of"),
        ({"created_at": "yesterday"}, "created_at is not a valid timestamp"),
        ({"first_arrival_at": "2008-06-01T09:50:00Z"}, "first_arrival_at is before created_at"),
        ({"borough_code": "@empty"}, "borough_code is required but empty"),
        ({"area_type": "suburban"}, "area_type is not one of"),
        ({"incident_id": "@duplicate"}, "duplicate incident_id"),
        ({"attendance_cancelled": "perhaps"}, "attendance_cancelled is not a boolean"),
    ],
    "survey_responses": [
        ({"q_whole_experience": "Quite happy"}, "q_whole_experience is not an answer"),
        ({"q_whole_experience": ""}, "q_whole_experience is required but empty"),
        ({"weight": "0"}, "weight is not a number greater than 0"),
        ({"interview_date": "2008-02-30"}, "interview_date is not a valid date"),
        ({"interview_date": "12/31/2008"}, "interview_date is not a valid date"),  # US order
        ({"survey_group": "burglery"}, "survey_group is not one of"),
        ({"response_id": "@duplicate"}, "duplicate response_id"),
        ({"q_treatment": "11"}, "q_treatment is not an answer"),
    ],
    "feedback": [
        ({"feedback_type": "praise"}, "feedback_type is not one of"),
        ({"acknowledged_at": "2008-06-01T12:00:00+01:00"}, "acknowledged_at is before received_at"),
        ({"channel": "fax"}, "channel is not one of"),
        ({"received_at": ""}, "received_at is required but empty"),
        ({"received_at": "2008-13-01T00:00:00Z"}, "received_at is not a valid timestamp"),
        ({"feedback_id": "@duplicate"}, "duplicate feedback_id"),
        ({"outcome": "closed", "free_text": 'He said "sorry",\nthen left.'}, "outcome is not one of"),
    ],
    "victim_contacts": [
        ({"contact_type": "letter"}, "contact_type is not one of"),
        ({"crime_reference": ""}, "crime_reference is required but empty"),
        ({"contact_at": "2008-10-26T25:00:00Z"}, "contact_at is not a valid timestamp"),
        ({"contact_at": "30/03/2008 01:30"}, "contact_at is not a valid timestamp"),  # spring gap
        ({"contact_id": "@duplicate"}, "duplicate contact_id"),
    ],
}
TEMPLATES = {"calls": CALLS_GOOD, "incidents": INCIDENT_GOOD, "survey_responses": SURVEY_GOOD,
             "feedback": FEEDBACK_GOOD, "victim_contacts": VICTIM_GOOD}
KEYS = {"calls": "call_id", "incidents": "incident_id", "survey_responses": "response_id",
        "feedback": "feedback_id", "victim_contacts": "contact_id"}
MARKER_COLUMN = {"calls": "handler_id", "incidents": "caller_name", "survey_responses": "respondent_name",
                 "feedback": "complainant_name", "victim_contacts": "victim_name"}


def _first_row(path: Path) -> tuple[list[str], dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        first = next(reader, None)
    return header, dict(zip(header, first, strict=True)) if first else {}


def append_bad_rows(path: Path, kind: str, force: str, borough: str) -> list[dict]:
    """Appends the bad rows of `kind` to a good file; returns what the loader must reject."""
    header, first = _first_row(path)
    key = KEYS[kind]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    expected = []
    for number, (change, reason) in enumerate(BAD_ROWS[kind], start=1):
        marker = f"DIRTY-{kind}-{number:02d}"
        row = {name: "" for name in header}
        row.update({"force_code": force, "borough_code": borough, "crime_reference": f"{force}-DIRTY-CR"})
        row.update(TEMPLATES[kind])
        row.update({key: f"{force}-{marker}", MARKER_COLUMN[kind]: marker})
        if "borough_code" in row and not row["borough_code"]:
            row["borough_code"] = borough
        shape = change.get("@shape")
        for column, value in change.items():
            if column == "@shape":
                continue
            if value == "@duplicate":
                value = first[key]
            elif value == "@empty":
                value = ""
            row[column] = value
        values = [row[name] for name in header]
        if shape == "more":
            values.append("an extra field")
        elif shape == "fewer":
            values = values[:-2]
            values[0] = f"{force}-{marker}"
        writer.writerow(values)
        expected.append({"marker": marker, "reason": reason})
    with path.open("a", encoding="utf-8", newline="") as fh:
        fh.write(buffer.getvalue())
    return expected


POLICE_UK_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
                    "Crime type,Last outcome category,Context\n")


def write_bad_files(out: Path, force: str, good_calls: Path) -> dict[str, dict]:
    """Whole files the loader must reject (or load as empty), with the expected status and reason."""
    files: dict[str, dict] = {}

    def put(name: str, data: bytes, status: str, reason: str, rows_rejected: int = 0) -> None:
        (out / name).write_bytes(data)
        files[name] = {"status": status, "reason": reason, "rows_loaded": 0, "rows_rejected": rows_rejected}

    calls_header = good_calls.open(encoding="utf-8").readline()
    put(f"calls_{force}_missing_column.csv",
        b"call_id,line,answered_at,force_code\nX1,999,2008-06-01T10:00:04Z," + force.encode() + b"\n",
        "rejected", "received_at")
    put(f"incidents_{force}_empty.csv", b"", "rejected", "empty")
    put(f"feedback_{force}_header_only.csv",
        b"feedback_id,feedback_type,received_at,force_code\n", "loaded", "")
    put(f"survey_responses_{force}_not_utf8.csv",
        ("response_id,interview_date,survey_group,borough_code,q_whole_experience,respondent_name\n"
         "R1,2008-07-01,burglary,CW,Very satisfied,Ren\u00e9e\n").encode("latin-1"),
        "loaded", "not UTF-8", rows_rejected=1)  # the header is UTF-8: the row is quarantined, its reason kept
    put(f"victim_contacts_{force}_police_uk.csv",
        (POLICE_UK_HEADER + ",2023-03,City of London Police,City of London Police,-0.1,51.5,On or near X,"
         "E01000001,City of London 001A,Anti-social behaviour,,\n").encode("utf-8"),
        "rejected", "contact_id")
    put(f"incidents_{force}_binary.csv", b"incident_id,created_at\x00\x01\x02\xff\n", "rejected", "binary")
    whole = gzip.compress((calls_header + f"{force}-GZ-1,999,2008-06-01T10:00:00Z,,,,,{force},\n" * 2000)
                          .encode("utf-8"), mtime=0)
    put(f"calls_{force}_truncated.csv.gz", whole[: len(whole) // 2], "rejected", "gzip")
    put(f"feedback_{force}_wrong_kind.csv", calls_header.encode("utf-8"), "rejected", "feedback_id")
    return files
