"""The local policing areas of each generated force, and what differs between them.

MPS gets the 32 borough codes of seeds/boroughs.csv. Any other force gets 4-12 area codes of
its own, `<FORCE>01`, `<FORCE>02`, ... (not in the seed: staging keeps unknown borough codes and
the satisfaction marts use the boroughs seen in the survey, so nothing downstream drops them).
Each area has a volume weight, a rural share and a population ethnicity mix derived from the
force's 2011 Census mix (census.py), spread between areas.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from citizen_focus.sample.census import CODES, RESIDENTS

MPS_BOROUGHS = (
    "BS", "BN", "BX", "BT", "BY", "CW", "CN", "CY", "EA", "EN", "GR", "HK", "HF", "HY", "HW", "HV",
    "HG", "HI", "IS", "KC", "KT", "LX", "LW", "MN", "NM", "RB", "RT", "SK", "ST", "TH", "WF", "WW",
)
# Outer London boroughs with Green Belt / semi-rural fringes (assumption): share of incidents rural.
MPS_RURAL = {"BX": 0.10, "BY": 0.20, "HV": 0.20, "HG": 0.15, "EN": 0.10, "BN": 0.08, "HW": 0.05,
             "CY": 0.08, "KT": 0.05, "ST": 0.05, "RT": 0.08, "RB": 0.05}
# Inner London boroughs carry more volume (assumption: Westminster is the busiest).
MPS_VOLUME = {"CW": 2.0, "LX": 1.4, "SK": 1.4, "CN": 1.3, "HK": 1.2, "TH": 1.3, "NM": 1.3, "CY": 1.3,
              "IS": 1.1, "HY": 1.1, "LW": 1.1, "BT": 1.1, "EA": 1.1}
# BME share of residents per MPS borough, approximate 2011 Census figures (assumption: rounded).
MPS_BME = {"BS": 0.42, "BN": 0.36, "BX": 0.18, "BT": 0.64, "BY": 0.16, "CW": 0.38, "CN": 0.34, "CY": 0.45,
           "EA": 0.51, "EN": 0.39, "GR": 0.38, "HK": 0.45, "HF": 0.32, "HY": 0.40, "HW": 0.58, "HV": 0.12,
           "HG": 0.39, "HI": 0.49, "IS": 0.32, "KC": 0.29, "KT": 0.26, "LX": 0.43, "LW": 0.47, "MN": 0.35,
           "NM": 0.71, "RB": 0.57, "RT": 0.14, "SK": 0.46, "ST": 0.21, "TH": 0.55, "WF": 0.48, "WW": 0.29}
WHITE = np.array([c[0] == "W" for c in CODES])


@dataclass(frozen=True)
class ForceAreas:
    force: str
    codes: tuple[str, ...]
    volume: np.ndarray  # probability of each area for an event
    rural: np.ndarray  # share of incidents in a rural part of the area
    ethnicity: np.ndarray  # (areas, 16) probabilities over census.CODES

    @property
    def n(self) -> int:
        return len(self.codes)


def force_seed(force: str) -> int:
    return zlib.crc32(force.encode("utf-8"))


def _ethnic_mix(force: str, bme_share: np.ndarray) -> np.ndarray:
    counts = np.array(RESIDENTS.get(force, _national()), dtype=float)
    white = counts * WHITE
    bme = counts * ~WHITE
    mix = (white / white.sum())[None, :] * (1 - bme_share)[:, None] + (bme / bme.sum())[None, :] * bme_share[:, None]
    return mix / mix.sum(axis=1, keepdims=True)


def _national() -> tuple[int, ...]:
    return tuple(int(x) for x in np.sum([v for v in RESIDENTS.values()], axis=0))


def areas_for(force: str) -> ForceAreas:
    """Deterministic areas of a force (same for every seed: a force's geography does not change)."""
    if force == "MPS":
        codes = MPS_BOROUGHS
        volume = np.array([MPS_VOLUME.get(c, 1.0) for c in codes])
        rural = np.array([MPS_RURAL.get(c, 0.0) for c in codes])
        bme = np.array([MPS_BME[c] for c in codes])
    else:
        rng = np.random.default_rng(force_seed(force))
        n = int(rng.integers(4, 13))
        codes = tuple(f"{force}{i:02d}" for i in range(1, n + 1))
        volume = rng.gamma(4.0, 0.25, n)
        rural = np.zeros(n) if force == "COLP" else np.clip(rng.beta(2.0, 4.0, n), 0.02, 0.8)
        counts = np.array(RESIDENTS.get(force, _national()), dtype=float)
        share = counts[~WHITE].sum() / counts.sum()
        logit = np.log(share / (1 - share)) + rng.normal(0.0, 0.6, n)
        bme = 1 / (1 + np.exp(-logit))
    return ForceAreas(force, codes, volume / volume.sum(), rural, _ethnic_mix(force, bme))
