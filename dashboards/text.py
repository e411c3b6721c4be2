"""Putting a value from the data into Markdown: the one place it is escaped.

Every string a page passes to st.markdown, st.caption, st.write, st.title/subheader, st.info and
the like is Markdown (GitHub-flavoured, with Streamlit's directives: `:red[...]`, `:material/x:`,
`$math$`). A value from the warehouse (a force or borough code, a standard's title, a user's
name or e-mail) placed in it as it is could render an image the browser fetches
(`![x](http://...)`), a live link, or a directive. `md` backslash-escapes ASCII punctuation (every
character but an inner hyphen; CommonMark lets any of them be escaped, and an escaped character
is always literal text), breaks the patterns GFM would autolink, and turns a line break into a
space, so the value shows as it is stored and is never markup. Page text written in the code
stays Markdown; only the data values go through `md`.
"""

from __future__ import annotations

import re
import string

# A hyphen inside a value cannot start markup (codes and standard ids are full of them, so they stay as
# written); only a leading one could begin a list item, and that one is escaped.
_ESCAPED = {ord(c): "\\" + c for c in string.punctuation if c != "-"} | {ord("\n"): " ", ord("\r"): " "}


# GitHub-flavoured Markdown turns `http://...`, `www.x.y` and `a@b.c` in plain text into live links, after
# escapes are resolved (verified in the browser: `http\\:\\/\\/` still became a link). A word joiner (U+2060:
# invisible, no width, no line break) inside each such pattern keeps it text.
_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(:)(//)|(www)(\.)|()(@)")


# What a compliance page and the board pack say when the warehouse holds the survey alone (a research
# unit often has nothing else): the standards are measured on the operational extracts.
NO_OPERATIONAL_DATA = (
    "No operational data loaded: this warehouse holds survey extracts only, so the commitments measured "
    "on calls, incidents, complaints and victim contacts cannot be reported. Load those extracts and build "
    "again; satisfaction and the White / BME gap are reported from the survey."
)


def md(value: object) -> str:
    """`value` as literal text inside Markdown (None is shown as an empty string)."""
    if value is None:
        return ""
    text = _AUTOLINK.sub(lambda m: _JOINER.join(g for g in m.groups() if g is not None), str(value))
    text = text.translate(_ESCAPED)
    return "\\" + text if text.startswith("-") else text


def plural(n: int, singular: str, plural_form: str | None = None, *, with_number: bool = True) -> str:
    """`n` and the noun (or verb) that agrees with it: plural(1, "borough") is "1 borough",
    plural(3, "borough") is "3 boroughs", plural(0, "survey value") is "0 survey values". An
    irregular plural is given (plural(2, "matches", "match")); with_number=False leaves the count out."""
    word = singular if n == 1 else plural_form if plural_form is not None else singular + "s"
    return f"{n} {word}" if with_number else word


def whole_percent(share: float) -> str:
    """A share in [0, 1] as a whole percentage: 0.413 is "41%"."""
    return f"{100 * share:.0f}%"


def key_driver_sentence(short_label: str, share: float, low: float, high: float,
                        outcome: str = "whole-experience satisfaction") -> str:
    """The plain-language finding of the key-driver analysis (marts.satisfaction_key_drivers), e.g.
    "Being kept informed matters most: 41% (35–47%) of what explains whole-experience satisfaction".
    The label comes from the data (a seed), so it goes through `md`."""
    return (f"{md(short_label)} matters most: {whole_percent(share)} ({100 * low:.0f}–{whole_percent(high)}) "
            f"of what explains {outcome}")
