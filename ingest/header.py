"""Reads and checks a file's header before DuckDB touches the body.

Only the first record is read in Python (a few kilobytes): enough to reject a file that is
compressed wrongly, binary, not UTF-8, empty, or missing a required column, with a message
that names the reason, before any transaction starts.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from pathlib import Path

from ingest.contract import Extract
from ingest.errors import FileRejected

GZIP_MAGIC = b"\x1f\x8b"
HEADER_PROBE_BYTES = 1 << 20  # a header longer than 1 MiB is not an extract's


@dataclass(frozen=True)
class Header:
    names: tuple[str, ...]  # normalised: trimmed, lower case, in file order
    gzip: bool


def is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def _probe(path: Path, compressed: bool) -> bytes:
    try:
        if compressed:
            with gzip.open(path, "rb") as fh:
                return fh.read(HEADER_PROBE_BYTES)
        with path.open("rb") as fh:
            return fh.read(HEADER_PROBE_BYTES)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise FileRejected(f"cannot be read as gzip: {exc}") from None


def read_header(path: Path) -> Header:
    compressed = is_gzip(path)
    head = _probe(path, compressed)
    if not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise FileRejected("the file is empty: no header row", line=1)
    if b"\x00" in head:
        raise FileRejected("not a CSV text file (it contains binary NUL bytes)", line=1)
    text = head.decode("utf-8", errors="replace") if len(head) == HEADER_PROBE_BYTES else None
    if text is None:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.reason == "unexpected end of data" and exc.end == len(head):
                # the file stops inside a character (a cut transfer): the loader reads it without it
                text = head[: exc.start].decode("utf-8")
                return _parse_header(text, compressed)
            line = head[: exc.start].count(b"\n") + 1
            raise FileRejected(f"not UTF-8 text (invalid byte 0x{head[exc.start]:02x})", line=line) from None
    return _parse_header(text, compressed)


def _parse_header(text: str, compressed: bool) -> Header:
    text = text.removeprefix("\ufeff")
    try:
        first = next(csv.reader(io.StringIO(text, newline="")))
    except (StopIteration, csv.Error) as exc:
        raise FileRejected(f"not a CSV file: the header row cannot be read ({exc})", line=1) from None
    names = tuple(name.strip().lower() for name in first)
    for position, name in enumerate(names, start=1):
        if not name:
            raise FileRejected(f"column {position} of the header has no name", line=1)
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise FileRejected(f"the header names column '{name}' twice", line=1)
        seen.add(name)
    return Header(names=names, gzip=compressed)


def check_required(header: Header, extract: Extract) -> None:
    missing = [name for name in extract.required if name not in header.names]
    if missing:
        known = set(extract.names)
        hint = "" if known & set(header.names) else f" (is this really a {extract.kind} extract?)"
        raise FileRejected(
            f"missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}{hint}", line=1
        )
