"""Fake-but-plausible personal data, as DuckDB SQL expressions over one random integer per row.

Python draws one integer per row (NumPy, seeded); DuckDB turns it into a name, a phone number,
an address or a sentence while writing the CSV, so no Python string is built per row. Phone
numbers are Ofcom's ranges reserved for drama (07700 900xxx, 020 7946 0xxx): they can never
reach a real person. Names are common UK given names and surnames.
"""

from __future__ import annotations

FIRST_NAMES = (
    "Oliver", "Amelia", "Jack", "Olivia", "Harry", "Isla", "Jacob", "Emily", "Charlie", "Poppy", "Thomas", "Ava",
    "George", "Isabella", "Oscar", "Jessica", "James", "Lily", "William", "Sophie", "Mohammed", "Aisha", "Daniel",
    "Grace", "Joshua", "Chloe", "Samuel", "Mia", "David", "Ruby", "Kwame", "Ama", "Priya", "Arjun", "Wei", "Mei",
    "Sean", "Siobhan", "Tomasz", "Agnieszka", "Femi", "Chiamaka", "Ravi", "Fatima", "Ahmed", "Zara", "Liam",
    "Ella", "Noah", "Hannah",
)
SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts",
    "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris",
    "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark",
    "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "Khan", "Ali", "Begum", "Okafor", "Mensah", "Nowak",
    "Murphy", "O'Brien", "Chen", "Singh",
)
STREETS = (
    "High Street", "Station Road", "Church Lane", "Victoria Road", "Green Lane", "Manor Road", "Park Avenue",
    "Queens Road", "The Crescent", "Kings Road", "Mill Lane", "London Road", "Grove Road", "Springfield Road",
    "Albert Road", "Stanley Road", "Richmond Road", "Windsor Road", "Chester Road", "York Road",
)
FEEDBACK_TEXT = {
    "complaint": (
        "Nobody came when I reported the burglary, I waited all day.",
        "The officer was rude to me, and would not give his number.",
        'I was told "someone will call you back" but nobody did.',
        "My car was damaged during the search; I want it paid for.",
        "Two weeks and still no update on my case.\nPlease reply in writing.",
    ),
    "dissatisfaction": (
        "I waited 40 minutes on 101 before I gave up.",
        "The appointment was missed and not rearranged.",
        "Nobody told me the case had been closed.",
        "The front counter was shut when the sign said open, again.",
    ),
    "compliment": (
        "Thank you to the officers who came so quickly last night.",
        "PC on the late shift was kind, patient and professional.",
        'Please pass on my thanks: "above and beyond".',
    ),
    "comment": (
        "More patrols near the station would help.",
        "The online form does not work on my phone.",
    ),
}


def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def pick(values: tuple[str, ...], key: str, salt: int = 1) -> str:
    """SQL: one of `values` chosen by the integer column `key` (salt picks an independent-looking digit)."""
    return f"{_sql_list(values)}[(({key} // {salt}) % {len(values)}) + 1]"


def person_name(key: str) -> str:
    return f"{pick(FIRST_NAMES, key)} || ' ' || {pick(SURNAMES, key, len(FIRST_NAMES))}"


def phone(key: str) -> str:
    """Mobile (07700 900xxx) for two in three, London landline (020 7946 0xxx) otherwise."""
    digits = f"lpad((({key} // 2503) % 1000)::varchar, 3, '0')"
    return f"case when {key} % 3 = 0 then '020 7946 0' || {digits} else '07700 900' || {digits} end"


def email(key: str) -> str:
    return (f"lower({pick(FIRST_NAMES, key)} || '.' || replace({pick(SURNAMES, key, len(FIRST_NAMES))}, '''', '')) "
            f"|| (({key} // 7) % 100)::varchar || '@example.org'")


def address(key: str, town: str) -> str:
    town_sql = "'" + town.replace("'", "''") + "'"
    return f"((({key} // 13) % 240) + 1)::varchar || ' ' || {pick(STREETS, key, 17)} || ', ' || {town_sql}"


def staff_id(key: str, prefix: str) -> str:
    return f"'{prefix}' || lpad({key}::varchar, 6, '0')"


def feedback_text(type_column: str, key: str) -> str:
    cases = " ".join(
        f"when {type_column} = '{kind}' then {pick(texts, key, 11)}" for kind, texts in FEEDBACK_TEXT.items()
    )
    return f"case {cases} end"
