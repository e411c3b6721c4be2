"""What was planted in one force's data, for planted.json: parameters per borough and the realised figures.

"expected" figures are what the planting model implies (the average planted probability);
"realised" figures are counted on the very rows written, the way docs/measures.md counts them, so a
correct warehouse reproduces them exactly (tests assert that), and they differ from the
expected ones only by sampling noise.
"""

from __future__ import annotations

import numpy as np

from citizen_focus.sample.areas import ForceAreas
from citizen_focus.sample.calls import L0300, L101, L999, Calls, answered_within
from citizen_focus.sample.feedback import Feedback, timeliness
from citizen_focus.sample.incidents import GE, GP, GS, Incidents, attended_within
from citizen_focus.sample.period import Period
from citizen_focus.sample.survey import QUESTIONS, Survey
from citizen_focus.sample.victims import Crimes


def _rate(met: int, denominator: int) -> dict:
    return {"met": met, "denominator": denominator, "rate": round(met / denominator, 6) if denominator else None}


def _weighted(satisfied: np.ndarray, valid: np.ndarray, weight: np.ndarray, mask: np.ndarray) -> dict:
    m = mask & valid
    w = weight[m]
    sw = float(w.sum())
    return {
        "respondents": int(m.sum()),
        "satisfied": int((satisfied & m).sum()),
        "rate": round(float((w * satisfied[m]).sum()) / sw, 6) if sw else None,
        "n_eff": round(sw**2 / float((w**2).sum()), 3) if sw else None,
    }


def survey_summary(sv: Survey, areas: ForceAreas, gaps: np.ndarray) -> dict:
    w = sv.weight
    out: dict = {"respondents": sv.n, "questions": {},
                 "kish_design_effect": round(sv.n * float((w**2).sum()) / float(w.sum()) ** 2, 4) if sv.n else None}
    for q in QUESTIONS:
        code = sv.answers[q]
        valid = (code >= 1) & (code <= 7)
        satisfied = (code >= 1) & (code <= 3)
        everyone = np.ones(sv.n, dtype=bool)
        entry = {
            "all": _weighted(satisfied, valid, sv.weight, everyone),
            "white": _weighted(satisfied, valid, sv.weight, sv.is_white),
            "bme": _weighted(satisfied, valid, sv.weight, sv.is_bme),
            "late_attendance": _weighted(satisfied, valid, sv.weight, sv.late),
            "attended_in_time": _weighted(satisfied, valid, sv.weight, ~sv.late),
            "update_window_missed": _weighted(satisfied, valid, sv.weight, sv.missed == 1),
            "updates_kept": _weighted(satisfied, valid, sv.weight, sv.missed == 0),
        }
        w, b = entry["white"]["rate"], entry["bme"]["rate"]
        entry["realised_gap_pp"] = round(100 * (w - b), 4) if w is not None and b is not None else None
        out["questions"][q] = entry
    # expected whole-experience gap: average planted probability, White minus BME (weighted)
    valid = (sv.answers["q_whole_experience"] >= 1) & (sv.answers["q_whole_experience"] <= 7)
    def mean_p(mask: np.ndarray) -> float | None:
        m = mask & valid
        return float(np.average(sv.p_whole[m], weights=sv.weight[m])) if m.any() else None
    pw, pb = mean_p(sv.is_white), mean_p(sv.is_bme)
    out["expected_gap_pp_whole_experience"] = round(100 * (pw - pb), 4) if pw is not None and pb is not None else None
    out["by_borough"] = {
        code: {
            "planted_gap_pp": round(100 * float(gaps[i]), 3),
            "white_respondents": int((sv.is_white & (sv.borough == i)).sum()),
            "bme_respondents": int((sv.is_bme & (sv.borough == i)).sum()),
        }
        for i, code in enumerate(areas.codes)
    }
    out["linked"] = {"lead_in": int(sv.lead_in.sum()),
                     "incident_id": int(sv.link_incident.sum()), "crime_reference": int(sv.link_crime.sum()),
                     "late_attendance": int(sv.late.sum()), "update_window_missed": int((sv.missed == 1).sum()),
                     "updates_kept": int((sv.missed == 0).sum())}
    return out


def force_summary(period: Period, areas: ForceAreas, calls: Calls, inc: Incidents, cr: Crimes, sv: Survey,
                  fb: Feedback, gaps: np.ndarray) -> dict:
    as_of = period.as_of
    non_emergency = [answered_within(calls, line, 30) for line in (L101, L0300)]
    return {
        "areas": {
            code: {"volume_share": round(float(areas.volume[i]), 5), "rural_share": round(float(areas.rural[i]), 4),
                   "bme_population_share": round(float(1 - areas.ethnicity[i, :3].sum()), 4),
                   "planted_gap_pp": round(100 * float(gaps[i]), 3)}
            for i, code in enumerate(areas.codes)
        },
        "planted_gap_pp_mean_of_areas": round(100 * float(gaps.mean()), 3),
        "calls": {
            "rows": calls.n,
            "999_answered_within_10s": _rate(*answered_within(calls, L999, 10)),
            "non_emergency_answered_within_30s": _rate(sum(m for m, _ in non_emergency),
                                                       sum(d for _, d in non_emergency)),
            "abandoned_share": round(float(calls.is_abandoned.mean()), 6) if calls.n else None,
        },
        "incidents": {
            "rows": inc.n,
            "grade_counts": {g: int((inc.grade == i).sum()) for i, g in enumerate("EPSR")},
            "cancelled": int(inc.cancelled.sum()),
            "emergency_attended_15_urban_20_rural": _rate(*attended_within(inc, GE, 15, 20, as_of)),
            "emergency_attended_12min": _rate(*attended_within(inc, GE, 12, 12, as_of)),
            "priority_attended_60min": _rate(*attended_within(inc, GP, 60, 60, as_of)),
            "appointments": int((inc.grade == GS).sum()),
        },
        "victims": {
            "crimes": cr.n,
            "neglected_share": round(float(cr.neglected.mean()), 6) if cr.n else None,
            "opted_out": int((cr.opt_out <= as_of).sum()),
            "referred": int((cr.referral <= as_of).sum()),
            "closed": int((cr.closure <= as_of).sum()),
        },
        "survey": survey_summary(sv, areas, gaps),
        "feedback": {"rows": fb.n, **{k: _rate(v["met"], v["denominator"])
                                      for k, v in timeliness(fb, period.london, as_of).items()}},
    }
