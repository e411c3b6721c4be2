"""Every default of the sample generator, with the published figure it follows.

One place, so docs/sample-data.md, planted.json and the code cannot disagree: planted.json
records these values as used. "calibration" means `docs/calibration.md`; a figure marked
"assumption" is not published and was chosen to look plausible.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# ---- volumes at scale 1.0 (one MPS-sized force, per year) -------------------------------------
CALLS_PER_YEAR = 4_500_000  # calibration: "more than 4 million calls of all kinds" (MPS, 12 months to Nov 2022)
INCIDENTS_PER_YEAR = 660_000  # calibration: MPS CAD entries 50,000-60,000 a month (MPA PPRC 22 Apr 2004)
SURVEY_RESPONSES_PER_YEAR = 19_000  # calibration: MPS interviews 18,000-20,000 victims a year (MPA SOP 3 Sep 2009)
FEEDBACK_PER_YEAR = 24_000  # assumption: complaints + dissatisfaction + compliments + comments reaching the CSU

# Share of calls per line (calibration: 999 is 1.7-2.2 million of the ~4.5 million calls).
LINE_SHARES = {"999": 0.44, "non_emergency": 0.52, "textphone": 0.003, "other": 0.037}
NON_EMERGENCY_101_FROM = "2011-12-01"  # 101 replaced the MPS 0300 number (national roll-out finished Dec 2011)


@dataclass(frozen=True)
class CallParams:
    """Answer and abandonment times. Two-component log-normal mixtures give the long tail."""

    # 999: most calls are answered at once, a share queue. Tuned so that the share answered
    # within 10 s (short abandons excluded) is ~0.80, inside calibration's 70-90 % range
    # (UK 71 % Nov 2021-Apr 2022; forces 75-94 % in the year to Oct 2024).
    e_fast_median_s: float = 4.0
    e_fast_sigma: float = 0.45
    e_queue_median_s: float = 22.0
    e_queue_sigma: float = 0.8
    e_queue_share: float = 0.13  # at average load; scales with the hour's and month's load
    e_abandon_share: float = 0.03  # assumption
    # non-emergency (101/0300/textphone/other): target 30 s at 90 %; assumption ~80 % met
    n_fast_median_s: float = 9.0
    n_fast_sigma: float = 0.6
    n_queue_median_s: float = 60.0
    n_queue_sigma: float = 1.0
    n_queue_share: float = 0.14
    n_abandon_share: float = 0.10  # assumption
    short_abandon_share: float = 0.35  # abandons within 5 s (misdials, pocket calls): assumption
    abandoned_at_missing_share: float = 0.04  # ACD did not record the time of abandon
    borough_unknown_share: float = 0.04  # call not routed to a borough


@dataclass(frozen=True)
class IncidentParams:
    """CAD grades and attendance times (minutes), log-normal with long tails."""

    # Emergency attendance follows calibration: MPS I within 12 min 72.3 % (2002), within
    # 15 min 86.9 % (2018): urban median 7.6 min, sigma 0.55, stretched at busy hours, gives ~73 % / ~86 %.
    e_urban_median_min: float = 7.6
    e_urban_sigma: float = 0.55
    e_rural_median_min: float = 11.5
    e_rural_sigma: float = 0.55
    p_median_min: float = 33.0  # priority: ~80 % within 60 min (assumption near MPS S-grade 81.9 % in 60 min)
    p_sigma: float = 0.7
    appointment_median_h: float = 20.0  # grade S: ~86 % of appointments set within 48 h (assumption)
    appointment_sigma: float = 0.8
    appointment_late_share: float = 0.10  # officer arrives more than 30 min after the appointment
    cancelled_share: dict[str, float] = field(default_factory=lambda: {"E": 0.03, "P": 0.06, "S": 0.08, "R": 0.0})
    not_attended_share: float = 0.015  # grade E/P never attended (no arrival recorded, not cancelled)
    area_type_missing_share: float = 0.02  # missing area_type = urban (docs/measures.md)
    call_missing_share: float = 0.05  # incident raised without a call (officer-generated)
    crime_share: float = 0.80  # incidents of a crime type that become a recorded crime


# Incident types: share, then grade mix (E, P, S, R) within the type. Assumption, shaped so that
# about a third of incidents are grade E (MPS I-grade volumes in calibration are of that order).
INCIDENT_TYPES: dict[str, tuple[float, tuple[float, float, float, float]]] = {
    "burglary": (0.12, (0.30, 0.30, 0.30, 0.10)),
    "violence": (0.17, (0.55, 0.25, 0.10, 0.10)),
    "domestic": (0.12, (0.60, 0.30, 0.05, 0.05)),
    "vehicle_crime": (0.10, (0.10, 0.20, 0.35, 0.35)),
    "hate_crime": (0.02, (0.40, 0.30, 0.20, 0.10)),
    "asb": (0.17, (0.25, 0.35, 0.10, 0.30)),
    "rtc": (0.08, (0.50, 0.30, 0.05, 0.15)),
    "other": (0.22, (0.25, 0.25, 0.10, 0.40)),
}
CRIME_TYPES = ("burglary", "violence", "domestic", "vehicle_crime", "hate_crime", "other")
SURVEY_GROUP_OF_TYPE = {
    "burglary": "burglary", "violence": "violent_crime", "domestic": "violent_crime",
    "vehicle_crime": "vehicle_crime", "hate_crime": "racist_incident", "asb": "asb", "rtc": "rtc", "other": "other",
}


@dataclass(frozen=True)
class VictimParams:
    """Victim care: referrals, updates, opt-outs, closures (days unless stated)."""

    referral_share: float = 0.85  # Victim Support referral made (assumption)
    referral_median_h: float = 18.0  # ~84 % of referrals within 48 h (QoSC 2-day standard)
    referral_sigma: float = 1.0
    opt_out_share: float = 0.07
    diligent_share: float = 0.80  # crimes whose officer updates every 5-27 days; the rest drift to 20-60
    neglected_median_days: float = 32.0
    neglected_sigma: float = 0.35
    closure_mean_days: float = 45.0  # investigation closed after 2 + exponential(mean) days
    arrest_share: float = 0.12  # first update is an arrest
    charge_share: float = 0.05  # second update is a charge
    max_updates: int = 8


@dataclass(frozen=True)
class SurveyParams:
    """Satisfaction levels and the planted effects (probability scale, percentage points / 100)."""

    # calibration: Northumbria, 12 months to Feb 2017 (ease 98.2, actions 87.1, follow-up 84.0,
    # treatment 96.4, whole experience 89.9). The expected force-wide levels of every force
    # without published levels of its own.
    target: dict[str, float] = field(default_factory=lambda: {
        "q_ease_of_contact": 0.982, "q_action_taken": 0.871, "q_kept_informed": 0.840,
        "q_treatment": 0.964, "q_whole_experience": 0.899,
    })
    # A force's own published levels replace `target`. MPS, 2000s (calibration: MPA reports,
    # satisfied with the police response 72.8-84 % by crime group, 999 callers 73-78 %): whole
    # experience 79 %; each other stage keeps Northumbria's ordering, its dissatisfied share
    # scaled by the same factor (21.0 / 10.1 = 2.08) — ease 96.3, action 73.2, follow-up 66.7,
    # treatment 92.5. Follow-up stays the weakest stage, as published.
    target_by_force: dict[str, dict[str, float]] = field(default_factory=lambda: {
        "MPS": {"q_ease_of_contact": 0.963, "q_action_taken": 0.732, "q_kept_informed": 0.667,
                "q_treatment": 0.925, "q_whole_experience": 0.790},
    })
    # Level of each crime group against the force's level (whole experience and every stage),
    # shaped on the MPS's published spread (calibration: burglary 84, violent crime 76, road
    # traffic collisions 91 % against 999 callers 77 %); the intercepts keep the force-wide level.
    group_effect: dict[str, float] = field(default_factory=lambda: {
        "burglary": 0.04, "violent_crime": -0.03, "vehicle_crime": 0.0, "rtc": 0.08,
        "racist_incident": -0.04, "asb": -0.04, "other": 0.0,
    })
    # calibration: MPS White-BME gap 5.2 pp (year to Sep 2008) / 5.1 pp (2008-09). The borough gaps
    # are drawn around gap_mean with spread gap_sd, so some boroughs show no gap and some ~10 pp.
    gap_mean: float = 0.052
    gap_sd: float = 0.025
    # how much of the borough gap each question carries (ease of contact and treatment less)
    gap_weight: dict[str, float] = field(default_factory=lambda: {
        "q_ease_of_contact": 0.3, "q_action_taken": 1.0, "q_kept_informed": 1.0,
        "q_treatment": 0.5, "q_whole_experience": 1.0,
    })
    # linked incident attended late (grade E beyond 15/20 min, grade P beyond 60 min)
    late_effect: dict[str, float] = field(default_factory=lambda: {
        "q_ease_of_contact": 0.03, "q_action_taken": 0.15, "q_kept_informed": 0.03,
        "q_treatment": 0.05, "q_whole_experience": 0.12,
    })
    # linked crime with a failed 28-day update window before the interview
    not_informed_effect: dict[str, float] = field(default_factory=lambda: {
        "q_ease_of_contact": 0.0, "q_action_taken": 0.05, "q_kept_informed": 0.25,
        "q_treatment": 0.02, "q_whole_experience": 0.08,
    })
    borough_sd: float = 0.015  # borough level differences shared by every question
    # The planted key driver (docs/sample-data.md): every answer is u = Phi(0.6 latent + 0.8 noise_q)
    # (a Gaussian copula); whole experience instead uses 0.6 latent + a noise_kept_informed +
    # sqrt(0.64 - a^2) noise_whole, so it depends on kept-informed beyond the common latent while its
    # marginal stays exact and no other draw changes. 0 = no planted driver; at most 0.8 (assumption).
    whole_on_kept_informed: float = 0.5
    # share of answers that are Don't know / Refused / Not applicable / empty, per question
    not_valid_share: dict[str, float] = field(default_factory=lambda: {
        "q_ease_of_contact": 0.02, "q_action_taken": 0.03, "q_kept_informed": 0.05,
        "q_treatment": 0.02, "q_whole_experience": 0.005,
    })
    interview_after_days: tuple[int, int] = (42, 84)  # calibration: interviews 6-12 weeks after the report
    linked_incident_share: float = 0.93  # incident_id filled
    linked_crime_share: float = 0.92  # crime_reference filled (crimes only)
    census_word_share: float = 0.05  # ethnicity written as a census word instead of a code
    not_stated_share: float = 0.04
    code_answer_share: float = 0.08  # answers exported as codes 1..7 instead of labels
    # Survey design, as a real USS allocates interviews (docs/measures.md "Survey design"): each
    # area gets the same number of interviews whatever its volume, and each crime group the
    # share below (small groups over-sampled against their share of victims: racist incidents
    # are ~2 % of eligible victims, vehicle crime ~10 %). Design weights undo both, weighting
    # back to victim volumes; a log-normal non-response adjustment (mean 1) comes on top.
    group_allocation: dict[str, float] = field(default_factory=lambda: {
        "burglary": 0.15, "violent_crime": 0.13, "vehicle_crime": 0.15, "rtc": 0.12,
        "racist_incident": 0.14, "asb": 0.13, "other": 0.18,
    })
    nonresponse_sigma: float = 0.45

    def targets(self, force: str) -> dict[str, float]:
        """The expected force-wide level of each question for this force."""
        return self.target_by_force.get(force, self.target)


@dataclass(frozen=True)
class FeedbackParams:
    """Customer Service Unit items; timeliness in working days (weekends and bank holidays)."""

    type_shares: dict[str, float] = field(default_factory=lambda: {
        "complaint": 0.35, "dissatisfaction": 0.35, "compliment": 0.20, "comment": 0.10})
    # working days from receipt to acknowledgement: 0 (same day), 1, 2, 3, 5
    ack_working_days: tuple[tuple[int, float], ...] = ((0, 0.50), (1, 0.33), (2, 0.10), (3, 0.05), (5, 0.02))
    # working days to a substantive response (median 6, ~12 % beyond 10)
    response_working_days: tuple[tuple[int, float], ...] = (
        (2, 0.08), (3, 0.10), (4, 0.10), (5, 0.12), (6, 0.12), (7, 0.10), (8, 0.10), (9, 0.08), (10, 0.08),
        (12, 0.05), (15, 0.04), (20, 0.03))
    response_declined_share: float = 0.08  # response_requested = no
    response_requested_blank_share: float = 0.30  # blank = default true
    ack_missing_share: float = 0.01  # never acknowledged


@dataclass(frozen=True)
class Defaults:
    calls: CallParams = field(default_factory=CallParams)
    incidents: IncidentParams = field(default_factory=IncidentParams)
    victims: VictimParams = field(default_factory=VictimParams)
    survey: SurveyParams = field(default_factory=SurveyParams)
    feedback: FeedbackParams = field(default_factory=FeedbackParams)

    def as_dict(self) -> dict:
        return asdict(self)


# Seasonal load (calendar month 1..12) and day-of-week load (Mon..Sun): assumption shaped on
# the usual summer peak and the Friday/Saturday night peak; each averages 1.
MONTH_LOAD = (0.93, 0.90, 0.96, 0.98, 1.03, 1.05, 1.09, 1.06, 1.00, 1.00, 0.97, 1.03)
WEEKDAY_LOAD = (0.97, 0.95, 0.95, 0.98, 1.05, 1.10, 1.00)
# London hour-of-day profile of calls (relative), weekday and weekend/bank holiday
HOUR_WEEKDAY = (0.55, 0.40, 0.30, 0.25, 0.20, 0.20, 0.30, 0.50, 0.75, 0.90, 1.00, 1.05,
                1.10, 1.10, 1.15, 1.25, 1.35, 1.40, 1.45, 1.40, 1.30, 1.20, 1.05, 0.80)
HOUR_WEEKEND = (1.00, 0.90, 0.75, 0.55, 0.40, 0.30, 0.30, 0.40, 0.55, 0.75, 0.90, 1.00,
                1.05, 1.10, 1.10, 1.15, 1.20, 1.25, 1.30, 1.30, 1.30, 1.30, 1.25, 1.15)
