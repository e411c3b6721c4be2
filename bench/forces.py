"""The 43 territorial police forces of England and Wales, for national-scale benchmarks.

Codes are short forms in the style of the extracts' force_code (MPS, CUMB, STAFFS); names follow
the 2011 police force areas (ONS 2011 Census, docs/calibration.md).
"""

NATIONAL_FORCES: dict[str, str] = {
    "AVON": "Avon & Somerset",
    "BEDS": "Bedfordshire",
    "CAMBS": "Cambridgeshire",
    "CHES": "Cheshire",
    "COLP": "City of London",
    "CLEV": "Cleveland",
    "CUMB": "Cumbria",
    "DERBY": "Derbyshire",
    "DEVON": "Devon & Cornwall",
    "DORSET": "Dorset",
    "DURHAM": "Durham",
    "DYFED": "Dyfed-Powys",
    "ESSEX": "Essex",
    "GLOS": "Gloucestershire",
    "GMP": "Greater Manchester",
    "GWENT": "Gwent",
    "HANTS": "Hampshire",
    "HERTS": "Hertfordshire",
    "HUMBS": "Humberside",
    "KENT": "Kent",
    "LANCS": "Lancashire",
    "LEICS": "Leicestershire",
    "LINCS": "Lincolnshire",
    "MERSEY": "Merseyside",
    "MPS": "Metropolitan",
    "NORF": "Norfolk",
    "NWALES": "North Wales",
    "NYORKS": "North Yorkshire",
    "NHANTS": "Northamptonshire",
    "NUMB": "Northumbria",
    "NOTTS": "Nottinghamshire",
    "SWALES": "South Wales",
    "SYORKS": "South Yorkshire",
    "STAFFS": "Staffordshire",
    "SUFF": "Suffolk",
    "SURREY": "Surrey",
    "SUSSEX": "Sussex",
    "TVP": "Thames Valley",
    "WARKS": "Warwickshire",
    "WMERC": "West Mercia",
    "WMP": "West Midlands",
    "WYP": "West Yorkshire",
    "WILTS": "Wiltshire",
}

# A national unit holds about 20 million calls a year (BENCHMARKS.md). The generator's scale 1.0 is one
# MPS-sized force (~4.5 million calls a year), so each of the 43 forces runs at this scale for 1x.
MPS_CALLS_PER_YEAR = 4_500_000
NATIONAL_CALLS_PER_YEAR = 20_000_000
PER_FORCE_SCALE_AT_1X = NATIONAL_CALLS_PER_YEAR / MPS_CALLS_PER_YEAR / len(NATIONAL_FORCES)
