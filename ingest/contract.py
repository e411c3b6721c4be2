"""The input contract (`docs/contract.md`) as data.

Everything the loader checks is read from here, so the contract is written once: the five
extract kinds, their columns, which are required, how each value must parse, which columns
are personal data, and the natural key that identifies a record across restated extracts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

# Value types of the contract. Each maps to a DuckDB macro in sql/contract_macros.sql.
STRING = "string"
ENUM = "enum"
TIMESTAMP = "timestamp"
DATE = "date"
BOOLEAN = "boolean"
NUMBER = "number"
ANSWER = "answer"

ANSWER_LABELS: tuple[str, ...] = (
    "Completely satisfied",
    "Very satisfied",
    "Fairly satisfied",
    "Neither satisfied nor dissatisfied",
    "Fairly dissatisfied",
    "Very dissatisfied",
    "Completely dissatisfied",
    "Don't know",
    "Refused",
    "Not applicable",
)
ANSWER_CODES: tuple[str, ...] = tuple(str(i) for i in range(10))


# Rules the loader adds (docs/contract.md, "Rules the loader adds"). What ingest accepts, the build
# accepts: the bounds have one home, the dbt project's vars (dbt_project.yml), which the raw
# data-quality suites (quality/suites/raw_*.yml) and the staging tests read too, so no accepted
# value can stop a later build and no copy of a bound can drift from another.
_PROJECT_FILE = Path(__file__).resolve().parents[1] / "dbt_project.yml"


def _plausibility_vars() -> dict:
    """The dbt vars that bound plausible values; a missing one is an error, never a default."""
    project = yaml.safe_load(_PROJECT_FILE.read_text(encoding="utf-8"))
    found = dict(project.get("vars") or {})
    names = ("earliest_plausible_date", "instant_after_load_hours", "date_after_load_days",
             "survey_weight_min", "survey_weight_max", "reserved_codes", "code_pattern")
    missing = [n for n in names if n not in found]
    if missing:
        raise RuntimeError(f"{_PROJECT_FILE}: vars {', '.join(missing)} missing (docs/contract.md)")
    return found


_VARS = _plausibility_vars()
EARLIEST_PLAUSIBLE_DATE = str(_VARS["earliest_plausible_date"])  # no instant or date before it
INSTANT_AFTER_LOAD_HOURS = int(_VARS["instant_after_load_hours"])  # an instant at most this after the load
DATE_AFTER_LOAD_DAYS = int(_VARS["date_after_load_days"])  # a date at most this after the load's date
WEIGHT_BOUNDS = (float(_VARS["survey_weight_min"]), float(_VARS["survey_weight_max"]))
# Codes the marts use themselves: ALL (the whole-force row) and UNKNOWN (var unknown_borough_code).
RESERVED_CODES: tuple[str, ...] = tuple(str(c).upper() for c in _VARS["reserved_codes"])
# A force or borough code (var code_pattern): nothing else reaches a dashboard heading.
CODE_PATTERN = str(_VARS["code_pattern"])


@dataclass(frozen=True)
class Column:
    name: str
    type: str = STRING
    required: bool = False
    values: tuple[str, ...] = ()  # accepted values of an enum, compared case-insensitively
    personal: bool = False  # personal data: stays in the raw layer
    code: bool = False  # a code the marts group by (force, borough): CODE_PATTERN, not RESERVED_CODES


@dataclass(frozen=True)
class Extract:
    kind: str
    key: str
    columns: tuple[Column, ...]
    # (column, earlier column): a record whose column is before the earlier one is rejected with
    # the reason "<column> is before <earlier column>" (both timestamps, compared once parsed).
    not_before: tuple[tuple[str, str], ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def personal(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.personal)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _force_and_borough(required_borough: bool = False) -> tuple[Column, ...]:
    return (Column("borough_code", required=required_borough, code=True), Column("force_code", code=True))


CALLS = Extract(
    kind="calls",
    key="call_id",
    columns=(
        Column("call_id", required=True),
        Column("line", ENUM, required=True, values=("999", "101", "0300", "textphone", "other")),
        Column("received_at", TIMESTAMP, required=True),
        Column("answered_at", TIMESTAMP),
        Column("abandoned", BOOLEAN),
        Column("abandoned_at", TIMESTAMP),
        *_force_and_borough(),
        Column("handler_id", personal=True),
    ),
    not_before=(("answered_at", "received_at"), ("abandoned_at", "received_at")),
)

INCIDENTS = Extract(
    kind="incidents",
    key="incident_id",
    columns=(
        Column("incident_id", required=True),
        Column("call_id"),
        Column("created_at", TIMESTAMP, required=True),
        Column("grade", ENUM, required=True, values=("E", "P", "S", "R")),
        Column("incident_type"),
        Column("borough_code", required=True, code=True),
        Column("area_type", ENUM, values=("urban", "rural")),
        Column("first_arrival_at", TIMESTAMP),
        Column("appointment_at", TIMESTAMP),
        Column("attendance_cancelled", BOOLEAN),
        Column("closed_at", TIMESTAMP),
        Column("force_code", code=True),
        Column("caller_name", personal=True),
        Column("caller_phone", personal=True),
        Column("location_text", personal=True),
    ),
    not_before=(("first_arrival_at", "created_at"), ("closed_at", "created_at")),
)

SURVEY_RESPONSES = Extract(
    kind="survey_responses",
    key="response_id",
    columns=(
        Column("response_id", required=True),
        Column("interview_date", DATE, required=True),
        Column("incident_date", DATE),
        Column("crime_reference"),
        Column("incident_id"),
        Column(
            "survey_group",
            ENUM,
            required=True,
            values=("burglary", "violent_crime", "vehicle_crime", "rtc", "racist_incident", "asb", "other"),
        ),
        Column("borough_code", required=True, code=True),
        Column("ethnicity_code"),
        Column("age_band"),
        Column("gender"),
        Column("disability"),
        Column("q_ease_of_contact", ANSWER),
        Column("q_action_taken", ANSWER),
        Column("q_kept_informed", ANSWER),
        Column("q_treatment", ANSWER),
        Column("q_whole_experience", ANSWER, required=True),
        Column("weight", NUMBER),
        Column("force_code", code=True),
        Column("respondent_name", personal=True),
        Column("respondent_phone", personal=True),
    ),
    not_before=(("interview_date", "incident_date"),),
)

FEEDBACK = Extract(
    kind="feedback",
    key="feedback_id",
    columns=(
        Column("feedback_id", required=True),
        Column(
            "feedback_type", ENUM, required=True, values=("complaint", "dissatisfaction", "compliment", "comment")
        ),
        Column(
            "category",
            ENUM,
            values=("quality_of_service", "direction_and_control", "conduct", "victims_code", "other"),
        ),
        Column("channel", ENUM, values=("web", "phone", "letter", "email", "front_counter", "other")),
        Column("received_at", TIMESTAMP, required=True),
        Column("acknowledged_at", TIMESTAMP),
        Column("response_requested", BOOLEAN),
        Column("responded_at", TIMESTAMP),
        Column("resolved_at", TIMESTAMP),
        Column(
            "outcome",
            ENUM,
            values=(
                "resolved",
                "upheld",
                "not_upheld",
                "referred_to_professional_standards",
                "withdrawn",
                "open",
            ),
        ),
        *_force_and_borough(),
        Column("complainant_name", personal=True),
        Column("complainant_contact", personal=True),
        Column("free_text", personal=True),
    ),
    not_before=(("acknowledged_at", "received_at"), ("responded_at", "received_at"), ("resolved_at", "received_at")),
)

VICTIM_CONTACTS = Extract(
    kind="victim_contacts",
    key="contact_id",
    columns=(
        Column("contact_id", required=True),
        Column("crime_reference", required=True),
        Column(
            "contact_type",
            ENUM,
            required=True,
            values=("recorded", "update", "victim_support_referral", "arrest", "charge", "closure", "opt_out"),
        ),
        Column("contact_at", TIMESTAMP, required=True),
        Column("borough_code", code=True),
        Column("crime_type"),
        Column("force_code", code=True),
        Column("victim_name", personal=True),
    ),
)

EXTRACTS: dict[str, Extract] = {
    e.kind: e for e in (CALLS, INCIDENTS, SURVEY_RESPONSES, FEEDBACK, VICTIM_CONTACTS)
}

# The operational extracts: what the force's own systems record (calls, incidents, complaints and
# feedback, victim contacts), as against the survey. A research unit may hold the survey alone; a
# warehouse without any operational rows still builds and publishes (docs/data-quality.md).
OPERATIONAL_KINDS: tuple[str, ...] = tuple(k for k in EXTRACTS if k != SURVEY_RESPONSES.kind)

# Load metadata columns every raw table carries after the contract columns.
METADATA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_load_id", "BIGINT NOT NULL"),
    ("_source_file", "VARCHAR NOT NULL"),
    ("_line_number", "BIGINT NOT NULL"),
    ("_extra_columns", "JSON"),
)


def infer_kind(file_name: str) -> str | None:
    """The extract kind from a file name prefix (`calls_2008-10.csv` -> `calls`)."""
    base = file_name.rsplit("/", 1)[-1].lower()
    # Longest prefix first, so a future kind whose name starts like another still resolves.
    for kind in sorted(EXTRACTS, key=len, reverse=True):
        if base.startswith(kind):
            return kind
    return None
