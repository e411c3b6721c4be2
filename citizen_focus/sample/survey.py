"""User satisfaction survey: victims interviewed 6-12 weeks later, answers that depend on what happened.

Respondents are drawn from recorded crimes (and from ASB and road-traffic incidents, which have no
crime), so every response can be linked to its incident and crime. The probability of being
satisfied with each question is

    p = intercept(question) + borough effect
        - gap(borough) x gap_weight(question)            if the respondent is BME
        - late_effect(question)                           if the linked E/P attendance was late
        - not_informed_effect(question)                   if a 28-day update window failed before the interview

with the intercepts solved so that the force-wide expected level equals the published stage
level. Answers of one respondent are correlated (a Gaussian copula), their marginals are exact.
The whole-experience answer also carries the kept-informed answer's own noise (weight
`SurveyParams.whole_on_kept_informed`): being kept informed is the planted key driver of
whole-experience satisfaction (docs/sample-data.md).
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from citizen_focus.sample import params as P
from citizen_focus.sample.areas import WHITE, ForceAreas
from citizen_focus.sample.calls import _seq_within
from citizen_focus.sample.census import CODES
from citizen_focus.sample.clock import DAY, NULL
from citizen_focus.sample.incidents import TYPES, Incidents
from citizen_focus.sample.period import Period
from citizen_focus.sample.victims import Crimes, update_gap_missed

QUESTIONS = ("q_ease_of_contact", "q_action_taken", "q_kept_informed", "q_treatment", "q_whole_experience")
SURVEY_GROUPS = ("burglary", "violent_crime", "vehicle_crime", "rtc", "racist_incident", "asb", "other")
LABELS = ("Not applicable", "Completely satisfied", "Very satisfied", "Fairly satisfied",
          "Neither satisfied nor dissatisfied", "Fairly dissatisfied", "Very dissatisfied",
          "Completely dissatisfied", "Don't know", "Refused")  # index = answer code 0..9
ETHNICITY_WORDS = ("White British", "white irish", "Any other White background", "White and Black Caribbean",
                   "White and Black African", "White and Asian", "Any other Mixed background", "Indian",
                   "Pakistani", "Bangladeshi", "Any other Asian background", "Black Caribbean", "Black African",
                   "Any other Black background", "Chinese", "Arab")  # one census word per code of CODES
ETHNICITY_VALUES = (*CODES, "NS", *ETHNICITY_WORDS, "Prefer not to say")
AGE_BANDS = ("16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+")
GENDERS = ("female", "male", "other")
SATISFIED_MIX = (0.30, 0.40, 0.30)  # completely / very / fairly (assumption)
DISSATISFIED_MIX = (0.35, 0.30, 0.20, 0.15)  # neither / fairly / very / completely dissatisfied


@dataclass
class Survey:
    interview_day: np.ndarray
    incident: np.ndarray
    crime: np.ndarray  # index into crimes or -1
    lead_in: np.ndarray  # bool: the incident predates the extracts (incident = a template of its kind)
    about_day: np.ndarray  # London day of the incident asked about
    lead_seq: np.ndarray  # sequence number used in a lead-in respondent's (unmatched) ids
    link_incident: np.ndarray  # bool: incident_id written
    link_crime: np.ndarray  # bool: crime_reference written
    incident_day_missing: np.ndarray
    group: np.ndarray
    borough: np.ndarray
    ethnicity: np.ndarray  # index into ETHNICITY_VALUES
    is_bme: np.ndarray
    is_white: np.ndarray
    late: np.ndarray
    missed: np.ndarray  # 1 failed window, 0 met, -1 undetermined / not a crime
    answers: dict[str, np.ndarray]  # code 0..9, -1 empty
    as_code: np.ndarray  # written as a code rather than a label
    p_whole: np.ndarray  # planted probability of "satisfied" with the whole experience
    weight: np.ndarray
    age: np.ndarray
    gender: np.ndarray
    disability: np.ndarray
    month: np.ndarray
    seq: np.ndarray
    pii: np.ndarray

    @property
    def n(self) -> int:
        return len(self.interview_day)


def borough_gaps(rng: np.random.Generator, areas: ForceAreas) -> np.ndarray:
    """Gap per area, centred so that the force-wide gap (areas weighted by their BME users) is gap_mean."""
    sp = P.SurveyParams()
    raw = rng.normal(0.0, sp.gap_sd, areas.n)
    bme_users = areas.volume * (1 - areas.ethnicity[:, WHITE].sum(axis=1))
    return np.clip(raw - np.average(raw, weights=bme_users) + sp.gap_mean, -0.01, 0.15)


def generate_survey(rng: np.random.Generator, period: Period, areas: ForceAreas, inc: Incidents, cr: Crimes,
                    n_target: int, gaps: np.ndarray) -> Survey:
    sp = P.SurveyParams()
    london = period.london
    crime_of_incident = np.full(inc.n, -1, dtype=np.int64)
    crime_of_incident[cr.incident] = np.arange(cr.n)
    type_names = np.array(TYPES)
    eligible = inc.is_crime | (np.isin(type_names[inc.itype], ("asb", "rtc")) & ~inc.cancelled)
    incident_day = london.local_day(inc.created)
    pool = np.flatnonzero(eligible)  # in order of creation (incidents are sorted)
    if len(pool) == 0:
        n_target = 0
    # interviews spread evenly over the period; each asks about an incident 42-84 days earlier. An
    # incident of that day is drawn from the extract; before the period starts there is none in it,
    # so the respondent's incident lies outside the extracts ("lead-in": its ids link to nothing).
    lo, hi = sp.interview_after_days
    interview = np.sort(rng.integers(period.first_day, period.end_day, n_target))
    about_day = interview - rng.integers(lo, hi + 1, n_target)
    pool_day = incident_day[pool]
    first = np.searchsorted(pool_day, about_day, side="left")
    count = np.searchsorted(pool_day, about_day, side="right") - first
    lead_in = about_day < period.first_day
    group_of_type = np.array([SURVEY_GROUPS.index(P.SURVEY_GROUP_OF_TYPE[t]) for t in TYPES])
    # the design: within a day, an incident is drawn with probability proportional to its cell's
    # allocation (equal per area, the group's share) over the cell's victims in the period
    # (docs/sample-data.md "Survey design"); a day without an eligible incident, at tiny
    # scales, takes the next one there is
    rate, day_total, picked_in_pool = _design_draw(rng, sp, areas.n, group_of_type[inc.itype[pool]],
                                                   inc.borough[pool], first, count, n_target)
    _, template_total, template = _design_draw(rng, sp, areas.n, group_of_type[inc.itype[pool]],
                                               inc.borough[pool], np.zeros(n_target, dtype=np.int64),
                                               np.full(n_target, len(pool), dtype=np.int64), n_target)
    days_in_pool = max(int(period.end_day - period.first_day), 1)
    chosen = np.where(lead_in, template, picked_in_pool)
    picked = pool[chosen] if len(pool) else chosen
    about_day = np.where(lead_in, about_day, incident_day[picked])
    n = len(picked)
    crime = np.where(lead_in, -1, crime_of_incident[picked])
    borough = inc.borough[picked]
    group = group_of_type[inc.itype[picked]]
    # Hansen-Hurwitz weight: the day's total allocation over the incident's (a lead-in
    # respondent's day lies outside the extracts: the period's average day stands in)
    total = np.where(lead_in, template_total / days_in_pool, day_total)
    design = total / rate[chosen] if len(pool) else np.ones(n)

    # ethnicity from the borough's population mix; some not stated, some written as census words
    cdf = np.cumsum(areas.ethnicity, axis=1)[borough]
    code = (rng.random(n)[:, None] > cdf).sum(axis=1).clip(0, len(CODES) - 1)
    is_white = WHITE[code]
    not_stated = rng.random(n) < sp.not_stated_share
    as_word = rng.random(n) < sp.census_word_share
    ethnicity = np.where(as_word, len(CODES) + 1 + code, code)
    ethnicity = np.where(not_stated, np.where(rng.random(n) < 0.7, len(CODES), len(ETHNICITY_VALUES) - 1), ethnicity)
    is_bme = ~is_white & ~not_stated
    is_white = is_white & ~not_stated

    late = inc.late[picked]
    cutoff = london.to_utc(interview * DAY)
    missed = np.full(n, -1, dtype=np.int64)
    has_crime = crime >= 0
    missed[has_crime] = update_gap_missed(cr, crime[has_crime], cutoff[has_crime])
    # lead-in respondents of a crime type: the update outcome at the rate seen in the period
    lead_crime = lead_in & inc.is_crime[picked]
    known = missed[has_crime]
    rate_missed = float((known == 1).mean()) if (known >= 0).any() else 0.08
    missed[lead_crime] = np.where(rng.random(int(lead_crime.sum())) < rate_missed, 1, 0)
    lead_seq = rng.integers(1, max(2, inc.n // max(period.months, 1)), n)

    nonresponse = np.exp(rng.normal(-sp.nonresponse_sigma**2 / 2, sp.nonresponse_sigma, n))
    weight = design * nonresponse
    weight = np.round(weight / weight.mean(), 4) if n else weight
    borough_effect = rng.normal(0.0, sp.borough_sd, areas.n)[borough] + np.array(
        [sp.group_effect[g] for g in SURVEY_GROUPS])[group]
    target = sp.targets(areas.force)
    latent = rng.standard_normal(n)
    answers: dict[str, np.ndarray] = {}
    noise: dict[str, np.ndarray] = {}  # each question's own copula noise, in the order drawn
    p_whole = np.zeros(n)
    for q in QUESTIONS:
        shift = (borough_effect - gaps[borough] * sp.gap_weight[q] * is_bme - sp.late_effect[q] * late
                 - sp.not_informed_effect[q] * (missed == 1))
        intercept = target[q] - np.average(shift, weights=weight) if n else target[q]
        p = np.clip(intercept + shift, 0.01, 0.995)
        noise[q] = rng.standard_normal(n)
        if q == "q_whole_experience":
            # the planted key driver: whole experience shares kept-informed's own noise, so being
            # satisfied with being kept informed predicts it beyond the common latent; the three
            # terms' variances still sum to 1, so u stays uniform and the marginal exact
            a = sp.whole_on_kept_informed
            u = ndtr(0.6 * latent + a * noise["q_kept_informed"] + np.sqrt(0.64 - a * a) * noise[q])
        else:
            u = ndtr(0.6 * latent + 0.8 * noise[q])
        satisfied = u < p
        sat_code = 1 + (rng.random(n)[:, None] > np.cumsum(SATISFIED_MIX)).sum(axis=1).clip(0, 2)
        dis_code = 4 + (rng.random(n)[:, None] > np.cumsum(DISSATISFIED_MIX)).sum(axis=1).clip(0, 3)
        answer = np.where(satisfied, sat_code, dis_code)
        invalid = rng.random(n) < sp.not_valid_share[q]
        kind = rng.integers(0, 4, n)  # N/A, Don't know, Refused, empty
        invalid_code = np.array([0, 8, 9, -1])[kind]
        if q == "q_whole_experience":
            invalid_code = np.where(invalid_code == -1, 8, invalid_code)  # required: never empty
            p_whole = p
        answers[q] = np.where(invalid, invalid_code, answer)
    month = _day_month(interview)
    return Survey(
        interview_day=interview, incident=picked, crime=crime, lead_in=lead_in, about_day=about_day,
        lead_seq=lead_seq,
        link_incident=rng.random(n) < sp.linked_incident_share,
        link_crime=(has_crime | lead_crime) & (rng.random(n) < sp.linked_crime_share),
        incident_day_missing=rng.random(n) < 0.03, group=group, borough=borough, ethnicity=ethnicity,
        is_bme=is_bme, is_white=is_white, late=late, missed=missed, answers=answers,
        as_code=rng.random(n) < sp.code_answer_share, p_whole=p_whole, weight=weight,
        age=rng.choice(len(AGE_BANDS), size=n, p=[0.12, 0.18, 0.19, 0.18, 0.14, 0.11, 0.08]),
        gender=np.where(rng.random(n) < 0.02, -1, rng.choice(3, size=n, p=[0.51, 0.485, 0.005])),
        disability=np.where(rng.random(n) < 0.1, -1, (rng.random(n) < 0.16).astype(np.int64)),
        month=month, seq=_seq_within(month), pii=rng.integers(0, 2**40, n),
    )


def _design_draw(rng: np.random.Generator, sp: P.SurveyParams, n_areas: int, group: np.ndarray, borough: np.ndarray,
                 first: np.ndarray, count: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draws n pool positions, each within [first, first + count), with probability proportional
    to the selection rate of its cell (area x group).

    Returns the rate of every pool position, the total rate of each draw's range and the
    positions drawn. A cell's rate is its allocated share of interviews (1 / areas x the
    group's share) over its victims in the pool, so the sample spreads as allocated and the
    weight total / rate brings it back to victim volumes.
    """
    if len(group) == 0:
        return np.zeros(0), np.ones(n), np.zeros(n, dtype=np.int64)
    allocation = np.array([sp.group_allocation[g] for g in SURVEY_GROUPS])
    cell = borough * len(SURVEY_GROUPS) + group
    victims = np.bincount(cell, minlength=n_areas * len(SURVEY_GROUPS))
    rate = allocation[group] / n_areas / victims[cell]
    cumulative = np.concatenate(([0.0], np.cumsum(rate)))
    last = len(group) - 1
    lo = np.minimum(first, last)
    hi = np.maximum(np.minimum(first + count, len(group)), lo + 1)  # an empty day: the next incident
    total = cumulative[hi] - cumulative[lo]
    u = cumulative[lo] + rng.random(n) * total
    drawn = np.clip(np.searchsorted(cumulative, u, side="right") - 1, lo, hi - 1)
    return rate, total, drawn


def _day_month(day: np.ndarray) -> np.ndarray:
    """YYYYMM of London days (days since 1970-01-01)."""
    month = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return (month // 12 + 1970) * 100 + month % 12 + 1


def write_survey(writer, path, sv: Survey, inc: Incidents, cr: Crimes, areas: ForceAreas, force: str,
                 period: Period) -> Future:
    from citizen_focus.sample.fake import person_name, phone
    from citizen_focus.sample.incidents import incident_id_sql
    from citizen_focus.sample.victims import crime_reference_sql
    from citizen_focus.sample.writer import sql_list

    safe_crime = np.where(sv.crime >= 0, sv.crime, 0)
    about_month = _day_month(sv.about_day)
    columns = {
        "smonth": sv.month, "sseq": sv.seq, "interview": sv.interview_day,
        "incident_day": np.where(sv.incident_day_missing, NULL, sv.about_day),
        "month": np.where(sv.link_incident, np.where(sv.lead_in, about_month, inc.month[sv.incident]), -1),
        "seq": np.where(sv.lead_in, sv.lead_seq, inc.seq[sv.incident]),
        "cmonth": np.where(sv.link_crime, np.where(sv.lead_in, about_month, cr.month[safe_crime]), -1),
        "cseq": np.where(sv.lead_in, sv.lead_seq, cr.seq[safe_crime]),
        "grp": sv.group, "borough": sv.borough, "eth": sv.ethnicity, "age": sv.age, "gender": sv.gender,
        "dis": sv.disability, "code": sv.as_code.astype(np.int64), "weight": sv.weight, "pii": sv.pii,
        **{q: a for q, a in sv.answers.items()},
    }
    def answer(q: str) -> str:
        return f"case when {q} < 0 then null when code = 1 then {q}::varchar else enum_of({sql_list(LABELS)}, {q}) end"

    select = {
        "response_id": f"'{force}-S' || smonth::varchar || '-' || lpad(sseq::varchar, 5, '0')",
        "interview_date": "iso_date(interview)",
        "incident_date": "uk_date(incident_day)",
        "crime_reference": f"case when cmonth < 0 then null else {crime_reference_sql(force)} end",
        "incident_id": f"case when month < 0 then null else {incident_id_sql(force)} end",
        "survey_group": f"enum_of({sql_list(SURVEY_GROUPS)}, grp)",
        "borough_code": f"enum_of({sql_list(areas.codes)}, borough)",
        "ethnicity_code": f"enum_of({sql_list(ETHNICITY_VALUES)}, eth)",
        "age_band": f"enum_of({sql_list(AGE_BANDS)}, age)",
        "gender": f"enum_of({sql_list(GENDERS)}, gender)",
        "disability": "enum_of(['no', 'yes'], dis)",
        **{q: answer(q) for q in QUESTIONS},
        "weight": "printf('%.4f', weight)",
        "force_code": f"'{force}'",
        "respondent_name": person_name("pii"),
        "respondent_phone": phone("pii"),
    }
    return writer.write(path, columns, select)
