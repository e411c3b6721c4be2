"""Realistic, fictitious sample extracts for one force or many, and what was planted in them.

`generate(out, months, start, scale, seed, forces, dirty)` writes, per force, the five extracts of
the contract (`calls_<FORCE>.csv`, `incidents_<FORCE>.csv`, `survey_responses_<FORCE>.csv`,
`feedback_<FORCE>.csv`, `victim_contacts_<FORCE>.csv`) and `planted.json`: the parameters used,
the effects planted (White/BME gap per borough, effect of late attendance and of missed victim
updates) and the figures a correct warehouse must find. Everything is NumPy arrays written by
DuckDB: no Python loop runs per row. docs/sample-data.md documents every default and its source.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

from citizen_focus.sample import params as P
from citizen_focus.sample.areas import areas_for
from citizen_focus.sample.period import Period, stream
from citizen_focus.sample.planted import force_summary
from citizen_focus.sample.writer import Writer

KINDS = ("calls", "incidents", "survey_responses", "feedback", "victim_contacts")
BOOLEAN_STYLES = (("Y", "N"), ("yes", "no"), ("1", "0"), ("TRUE", "FALSE"))

__all__ = ["KINDS", "generate"]


def _town(force: str) -> str:
    from bench.forces import NATIONAL_FORCES

    return "London" if force in ("MPS", "COLP") else NATIONAL_FORCES.get(force, force.title())


def _boolean_style(force: str) -> tuple[str, str]:
    """MPS exports true/false; other forces' systems use other accepted spellings."""
    return ("true", "false") if force == "MPS" else BOOLEAN_STYLES[zlib.crc32(force.encode()) % len(BOOLEAN_STYLES)]


def generate(out_dir: Path, months: int = 12, start: str = "2008-04", scale: float = 1.0, seed: int = 1,
             forces: tuple[str, ...] = ("MPS",), dirty: bool = False, *,
             survey_per_year: int | None = None, survey_format: str = "csv") -> dict[str, int]:
    """Writes the sample extracts and planted.json; returns {file name: data rows written}.

    survey_format: `csv` (default), or `sav` / `xlsx` for the survey extract as a supplier sends it
    (citizen_focus/sample/survey_file.py); it loads to the same contract rows as the CSV.

    survey_per_year overrides the survey volume at scale 1.0 (default 19,000, the MPS figure):
    tests use it to measure the planted gap precisely on an otherwise small dataset.
    """
    from citizen_focus.sample.calls import generate_calls, write_calls
    from citizen_focus.sample.dirty import append_bad_rows, write_bad_files
    from citizen_focus.sample.feedback import generate_feedback, write_feedback
    from citizen_focus.sample.incidents import generate_incidents, write_incidents
    from citizen_focus.sample.survey import borough_gaps, generate_survey, write_survey
    from citizen_focus.sample.survey_file import SURVEY_FORMATS, write_survey_file
    from citizen_focus.sample.victims import generate_crimes, write_victim_contacts

    if scale <= 0:
        raise ValueError(f"--scale {scale} must be greater than 0")
    if survey_format not in SURVEY_FORMATS:
        raise ValueError(f"--survey-format {survey_format} is not one of {', '.join(SURVEY_FORMATS)}")
    if dirty and survey_format != "csv":
        raise ValueError("--dirty plants bad rows in CSV extracts: use it with --survey-format csv")
    forces = tuple(dict.fromkeys(f.strip().upper() for f in forces if f.strip())) or ("MPS",)
    period = Period.parse(start, months)
    per_year = P.SURVEY_RESPONSES_PER_YEAR if survey_per_year is None else survey_per_year
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    summaries: dict[str, dict] = {}
    dirty_plan: dict[str, dict] = {"rows": {}, "files": {}}
    writer = Writer()
    writes: list = []
    try:
        for force in forces:
            areas = areas_for(force)
            boolean = _boolean_style(force)
            calls = generate_calls(stream(seed, force, "calls"), period, areas, scale)
            incidents = generate_incidents(stream(seed, force, "incidents"), period, areas, calls)
            crimes = generate_crimes(stream(seed, force, "crimes"), period, incidents)
            gaps = borough_gaps(stream(seed, force, "gaps"), areas)
            n_survey = int(round(per_year * scale * period.years))
            survey = generate_survey(stream(seed, force, "survey"), period, areas, incidents, crimes, n_survey, gaps)
            feedback = generate_feedback(stream(seed, force, "feedback"), period, areas, scale)

            files = {kind: out / f"{kind}_{force}.csv" for kind in KINDS}
            pending = {
                "calls": write_calls(writer, files["calls"], calls, areas, force, boolean),
                "incidents": write_incidents(writer, files["incidents"], incidents, calls, areas, force,
                                             _town(force), boolean),
                "survey_responses": write_survey(writer, files["survey_responses"], survey, incidents, crimes,
                                                 areas, force, period),
                "feedback": write_feedback(writer, files["feedback"], feedback, areas, force, boolean, period.london),
                "victim_contacts": write_victim_contacts(writer, files["victim_contacts"], crimes, incidents, areas,
                                                         force, period.as_of),
            }
            summaries[force] = force_summary(period, areas, calls, incidents, crimes, survey, feedback, gaps)
            writes.append((force, files, pending))
            if len(writes) >= 2:  # back-pressure: at most one force's arrays wait for the writer
                for future in writes[-2][2].values():
                    future.result()
        for force, files, pending in writes:
            for kind, future in pending.items():
                counts[files[kind].name] = future.result()
            for other in SURVEY_FORMATS:  # a survey file of another format left by an earlier run
                if other not in ("csv", survey_format):
                    files["survey_responses"].with_suffix("." + other).unlink(missing_ok=True)
            if survey_format != "csv":
                survey_csv = files["survey_responses"]
                rows = counts.pop(survey_csv.name)
                files["survey_responses"] = write_survey_file(survey_csv, survey_format)
                counts[files["survey_responses"].name] = rows
            if dirty:
                for kind, path in files.items():
                    if counts[path.name] == 0:
                        continue  # nothing to duplicate; a tiny scale can leave an extract empty
                    bad = append_bad_rows(path, kind, force, areas_for(force).codes[0])
                    good = counts[path.name]
                    counts[path.name] = good + len(bad)
                    dirty_plan["rows"][path.name] = {
                        "rows_read": good + len(bad), "rows_loaded": good, "rows_rejected": len(bad), "rejects": bad}
                if force == forces[0]:
                    bad_files = write_bad_files(out, force, files["calls"])
                    dirty_plan["files"].update(bad_files)
                    for name in bad_files:
                        counts[name] = 0
    finally:
        writer.close()

    planted = {
        "generator": "citizen_focus.sample (docs/sample-data.md)",
        "seed": seed, "start": start, "months": months, "scale": scale, "forces": list(forces), "dirty": dirty,
        "survey_format": survey_format,
        "as_of": _iso(period.as_of),
        "volumes_at_scale_1": {
            "calls_per_year": P.CALLS_PER_YEAR, "incidents_per_year": P.INCIDENTS_PER_YEAR,
            "survey_responses_per_year": per_year,
            "feedback_per_year": P.FEEDBACK_PER_YEAR, "line_shares": P.LINE_SHARES,
        },
        "parameters": P.Defaults().as_dict(),
        "rows": counts,
        "by_force": summaries,
        "expected_load": dirty_plan if dirty else None,
    }
    (out / "planted.json").write_text(json.dumps(planted, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return counts


def _iso(us: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(us / 1_000_000, tz=UTC).isoformat().replace("+00:00", "Z")
