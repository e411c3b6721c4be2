"""Files holding personal data or secrets are owner-only from the moment they are created.

The CLI runs here with umask 0 (as under a careless service manager): anything it did not create
owner-only itself would be world-readable (0666 / 0777), so a chmod afterwards, or none, shows.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path

from citizen_focus.access import load_access, verify_password
from citizen_focus.publish import lock_path, previous_path

CALLS = "call_id,line,received_at,answered_at\n"


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("citizen-focus")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, input=stdin, check=False,
                          preexec_fn=lambda: os.umask(0))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_warehouse_previous_lock_and_data_docs_are_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "wh"
    db = folder / "w.duckdb"
    for n, ids in ((1, range(3)), (2, range(3, 5))):
        path = tmp_path / f"calls_{n}.csv"
        path.write_text(CALLS + "".join(f"c{i},999,2008-06-01T10:00:00Z,2008-06-01T10:00:05Z\n" for i in ids))
        result = _cli("ingest", str(path), "--db", str(db))
        assert result.returncode == 0, result.stderr
    assert {p.name: _mode(p) for p in (folder, db, previous_path(db), lock_path(db))} == {
        "wh": 0o700, "w.duckdb": 0o600, "w.previous.duckdb": 0o600, ".w.duckdb.lock": 0o600}

    docs = folder / "data_docs"
    checked = _cli("check", "--db", str(db), "--docs", str(docs))
    assert checked.returncode in (0, 1), checked.stderr
    made = [docs, *docs.rglob("*")]
    assert any(p.suffix == ".html" for p in made)
    assert {p.relative_to(folder).as_posix(): _mode(p) for p in made} == {
        p.relative_to(folder).as_posix(): 0o700 if p.is_dir() else 0o600 for p in made}


def test_the_access_file_is_owner_only_from_its_creation(tmp_path: Path) -> None:
    access = tmp_path / "secret" / "access.toml"
    made = _cli("user", "ada", "--role", "admin", "--password-stdin", "--access", str(access), stdin="pw-1\n")
    assert made.returncode == 0, made.stderr
    assert (_mode(access.parent), _mode(access)) == (0o700, 0o600)
    assert sorted(p.name for p in access.parent.iterdir()) == ["access.toml"]  # no staging file left behind
    role, stored = load_access(access).local_users["ada"]
    assert role == "admin" and stored.startswith("pbkdf2_sha256$600000$")
    assert verify_password("pw-1", stored) and not verify_password("pw-2", stored)


def test_a_hash_made_with_the_earlier_iteration_count_still_verifies() -> None:
    salt = bytes(range(16))
    digest = hashlib.pbkdf2_hmac("sha256", b"old password", salt, 260_000)  # as the earlier version stored it
    stored = f"pbkdf2_sha256$260000${salt.hex()}${digest.hex()}"
    assert verify_password("old password", stored)
    assert not verify_password("old passwore", stored)
