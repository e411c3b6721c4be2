"""A private, verified snapshot of an extract file: the bytes that are hashed are the bytes parsed.

The loader never lets DuckDB read the file it was given. One pass over the file as sent:

- hashes the bytes read (the ledger's content hash), and checks size, modification time and
  inode before and after: a file changed while it was read is refused whole, so a re-send of the
  complete file is never answered "already loaded" (docs/contract.md, "Rules the loader adds");
- decompresses gzip itself, counting the bytes and lines it writes: a file beyond the caps
  (`ingest.limits`) is refused before it can exhaust memory or disk;
- splits the text into records the way RFC 4180 does (a record ends at a newline outside
  quotes) and takes out, with their first line and a reason, the records that DuckDB must not
  see: a quoted field that never closes (it would swallow the records after it), a NUL byte,
  bytes that are not UTF-8, a record longer than the cap;
- writes the remaining records to a file with a name of its own choosing in a private folder,
  so no character of the user's file name ever reaches DuckDB (which reads glob patterns).

The cut records are quarantined by the loader at their line; `clean_lines` maps the lines of
the snapshot back to the lines of the file as sent.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import stat
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import FileRejected
from ingest.limits import Limits

GZIP_MAGIC = b"\x1f\x8b"
_BLOCK = 1 << 20
# Characters DuckDB's file readers expand as a glob pattern: a path holding one is never passed.
GLOB_CHARACTERS = re.compile(r"[*?\[\]{}]")
_RAW_ROW_CHARS = 10_000  # of a cut record, kept in raw.rejects (the rest is left out)


@dataclass
class CutRecord:
    line: int  # first line of the record in the file as sent
    reason: str
    raw_row: str


@dataclass
class Snapshot:
    path: Path  # the verified, plain-text copy DuckDB reads
    sha256: str  # of the bytes of the file as sent (compressed if it was)
    file_bytes: int
    gzip: bool
    cuts: list[CutRecord] = field(default_factory=list)
    # for each cut record, the snapshot line before which it was taken out (ascending)
    cut_before_clean_line: list[int] = field(default_factory=list)


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def private_folder(preferred: Path | None) -> Path:
    """A new owner-only folder whose path has no glob character (beside the warehouse if it can)."""
    for base in (preferred, Path(tempfile.gettempdir())):
        if base is not None and base.is_dir() and not GLOB_CHARACTERS.search(str(base.resolve())):
            return Path(tempfile.mkdtemp(prefix=".ingest-snapshot-", dir=base.resolve()))
    raise FileRejected("no folder without wildcard characters for the private copy of the file (set TMPDIR)")


def _inflate(inflater, data: bytes, allowance: int) -> tuple[bytes, object]:
    """Decompresses `data` (with every gzip member after the first), at most `allowance` + 1 bytes."""
    out = b""
    while data and len(out) <= allowance:
        out += inflater.decompress(data, allowance + 1 - len(out))
        data = inflater.unconsumed_tail
        if inflater.eof and inflater.unused_data:  # a second gzip member follows
            data = inflater.unused_data
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    return out, inflater


def _chunks(fh, compressed: bool, limits: Limits, digest) -> Iterator[bytes]:
    """The file's text as blocks, hashing what is read and capping what is decompressed."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if compressed else None
    produced = 0
    while True:
        block = fh.read(_BLOCK)
        if not block:
            break
        digest.update(block)
        if inflater is None:
            out = block
        else:
            try:
                out, inflater = _inflate(inflater, block, limits.max_file_bytes - produced)
            except zlib.error as exc:
                raise FileRejected(f"cannot be read as gzip: {exc}") from None
        produced += len(out)
        if produced > limits.max_file_bytes:
            raise FileRejected(
                f"the file holds more than {limits.max_file_bytes:,} bytes of text (the cap "
                f"{limits.MAX_FILE_BYTES_ENV}); nothing was loaded"
            )
        yield out
    if inflater is not None and not inflater.eof:
        raise FileRejected("cannot be read as gzip: the compressed data is cut short")


def _blocks(chunks: Iterator[bytes], longest: int) -> Iterator[bytes]:
    """Blocks of whole physical lines, each line with its newline (the file's last may have none).

    A line longer than `longest` is yielded as its first `longest + 1` bytes (enough to be judged
    over-long) and the rest of it is skipped, so one endless line cannot fill the memory.
    """
    pending = b""
    skipping = False
    for chunk in chunks:
        if skipping:  # the rest of an over-long line
            newline = chunk.find(b"\n")
            if newline < 0:
                continue
            chunk, skipping = chunk[newline + 1:], False
        pending += chunk
        end = pending.rfind(b"\n")
        if end >= 0:
            yield pending[: end + 1]
            pending = pending[end + 1:]
        if len(pending) > longest:
            yield pending[: longest + 1] + b"\n"
            pending, skipping = b"", True
    if pending and not skipping:
        yield pending


# A line with an odd number of quotes: it opens (or closes) a quoted field that spans lines.
_ODD_QUOTES = re.compile(rb'^[^"\n]*"(?:[^"\n]*"[^"\n]*")*[^"\n]*$', re.MULTILINE)


def _incomplete_utf8_tail(data: bytes) -> int:
    """Bytes of a multi-byte UTF-8 character cut off at the very end (a transfer cut short)."""
    tail = data[-4:]
    for back in range(1, min(len(tail), 3) + 1):
        byte = tail[-back]
        if byte & 0xC0 == 0x80:
            continue
        needed = 2 if byte & 0xE0 == 0xC0 else 3 if byte & 0xF0 == 0xE0 else 4 if byte & 0xF8 == 0xF0 else 1
        return back if needed > back else 0
    return 0


def _shown(record: bytes) -> str:
    text = record[:_RAW_ROW_CHARS * 4].decode("utf-8", errors="backslashreplace").replace("\x00", "\\x00")
    return text.rstrip("\r\n")[:_RAW_ROW_CHARS]


def _fields(record: bytes) -> int | None:
    """Fields of one well-formed RFC 4180 record, or None when it is not one (a quote that closes
    before something other than a comma or the end, or more than one record)."""
    text = record.decode("utf-8", errors="replace").removeprefix("\ufeff")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        return None
    return len(rows[0]) if len(rows) == 1 else None


def _record_fault(record: bytes, limits: Limits, last: bool) -> str | None:
    """Why a complete record must not reach DuckDB, or None."""
    if len(record) > limits.max_record_bytes:
        return f"the row is longer than {limits.max_record_bytes:,} bytes (the cap {limits.MAX_RECORD_BYTES_ENV})"
    if b"\x00" in record:
        return "the row contains a NUL byte (binary data)"
    body = record
    if last:
        body = body[: len(body) - _incomplete_utf8_tail(body)]
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text (invalid byte 0x{body[exc.start]:02x})"
    return None


class _Splitter:
    """Groups physical lines into records by quote parity, cutting the records that are damaged."""

    def __init__(self, limits: Limits, out, snapshot: Snapshot) -> None:
        self.limits, self.out, self.snapshot = limits, out, snapshot
        self.clean_line = 0  # lines written to the snapshot
        self.records = 0
        self.fields: int | None = None  # of the header

    def _cut(self, line: int, reason: str, record: bytes) -> None:
        self.snapshot.cuts.append(CutRecord(line, reason, _shown(record)))
        self.snapshot.cut_before_clean_line.append(self.clean_line + 1)
        self.records += 1

    def _write(self, record: bytes, lines: int) -> None:
        self.out.write(record)
        self.clean_line += lines
        self.records += 1

    def _simple(self, block: bytes) -> bool:
        """Whether every line of `block` is a complete, sound record (nearly always): then the block
        is copied whole, without looking at its lines one by one."""
        if b"\x00" in block or _ODD_QUOTES.search(block):
            return False
        if len(block) > self.limits.max_record_bytes and max(map(len, block.split(b"\n"))) >= \
                self.limits.max_record_bytes:
            return False
        try:
            block.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True

    def _count(self, lines: int) -> None:
        self.number += lines
        if self.number > self.limits.max_lines:
            raise FileRejected(
                f"the file has more than {self.limits.max_lines:,} lines (the cap "
                f"{self.limits.MAX_LINES_ENV}); nothing was loaded"
            )

    def run(self, blocks: Iterator[bytes]) -> None:
        self.number = 0
        self.record: list[tuple[int, bytes]] = []
        self.queue: list[tuple[int, bytes]] = []  # lines to judge, last first
        for block in blocks:
            if self.number == 0:  # the header line on its own: it is never cut, and sets the width
                newline = block.find(b"\n") + 1 or len(block)
                self._slow(block[:newline])
                block = block[newline:]
                if not block:
                    continue
            if not self.record and self._simple(block):
                lines = block.count(b"\n") + (not block.endswith(b"\n"))
                self._count(lines)
                self.out.write(block)
                self.clean_line += lines
                self.records += lines
                continue
            self._slow(block)
        while self.record:  # the file ends inside a quoted field: the record that opened it is damaged
            self._unterminated()
            self._drain()

    def _slow(self, block: bytes) -> None:
        """Judges `block` line by line: records are grouped by quote parity and checked one by one."""
        lines = block.split(b"\n")
        tail = lines.pop()
        for line in [*(line + b"\n" for line in lines), *([tail] if tail else [])]:
            self._count(1)
            self.queue.append((self.number, line))
            self._drain()

    def _drain(self) -> None:
        while self.queue:
            self.record.append(self.queue.pop())
            size = sum(len(r) for _, r in self.record)
            quotes = sum(r.count(b'"') for _, r in self.record)
            if quotes % 2 == 1 and size <= self.limits.max_record_bytes:
                continue  # inside a quoted field: the record goes on
            if quotes % 2 == 1:  # a quoted field longer than any record may be: it never closed
                self._unterminated()
            else:
                self._complete()

    def _complete(self) -> None:
        record, self.record = self.record, []
        last = record[-1][1][-1:] != b"\n"
        data = b"".join(r for _, r in record)
        first = record[0][0]
        if first == 1:  # the header: judged by ingest.header, never cut
            self.fields = _fields(data)
            self._write(data, len(record))
            return
        if len(record) > 1 and _fields(data) != self.fields:
            # A quoted field spanning lines that does not make one well-formed record of the header's
            # width: a stray quote closed by a quote of a later record. The stray one is damaged.
            self.record = record
            self._unterminated()
            return
        fault = _record_fault(data, self.limits, last)
        if last and not fault:  # a character cut off at the very end: the record is judged without it
            data = data[: len(data) - _incomplete_utf8_tail(data)]
        if fault:
            self._cut(first, fault, data)
        else:
            self._write(data, len(record))

    def _unterminated(self) -> None:
        record, self.record = self.record, []
        first, text = record[0]
        if first == 1:
            raise FileRejected("the header row has an unterminated quote", line=1)
        self._cut(first, "unterminated quote: a quoted field opened on this line never closes", text)
        self.queue.extend(reversed(record[1:]))  # the lines after it are records of their own


def take_snapshot(path: Path, folder: Path, limits: Limits) -> Snapshot:
    """Copies `path` into `folder` as verified plain text; raises FileRejected when it cannot."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise FileRejected(f"cannot be opened: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as fh:
        before = os.fstat(fh.fileno())
        if not stat.S_ISREG(before.st_mode):
            raise FileRejected("not a regular file")
        compressed = fh.read(2) == GZIP_MAGIC
        fh.seek(0)
        digest = hashlib.sha256()
        target = folder / "extract.csv"
        out_fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        snapshot = Snapshot(path=target, sha256="", file_bytes=0, gzip=compressed)
        with os.fdopen(out_fd, "wb") as out:
            _Splitter(limits, out, snapshot).run(
                _blocks(_chunks(fh, compressed, limits, digest), limits.max_record_bytes)
            )
        read = fh.tell()
        after = os.fstat(fh.fileno())
    try:
        now = os.stat(path)
    except OSError:
        now = None
    if now is None or _identity(before) != _identity(after) or _identity(after) != _identity(now) \
            or read != after.st_size:
        raise FileRejected(
            "the file changed while it was being read (its size, modification time or inode differ): "
            "nothing was loaded; send it again once it is complete"
        )
    snapshot.sha256 = digest.hexdigest()
    snapshot.file_bytes = read
    return snapshot
