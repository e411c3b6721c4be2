"""Roles and the local sign-in: the logic the app's guard relies on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citizen_focus.access import (
    AccessConfigError,
    SignInThrottle,
    add_local_user,
    audit,
    hash_password,
    load_access,
    role_allows,
    verify_password,
)


def test_roles_are_ordered_board_analyst_admin() -> None:
    assert role_allows("board", "board") and not role_allows("board", "analyst")
    assert role_allows("analyst", "board") and role_allows("analyst", "analyst")
    assert not role_allows("analyst", "admin")
    assert role_allows("admin", "admin") and role_allows("admin", "board")
    assert not role_allows(None, "board") and not role_allows("superuser", "board")


def test_password_hash_verifies_only_the_right_password() -> None:
    stored = hash_password("correct horse")
    assert verify_password("correct horse", stored)
    assert not verify_password("correct horsE", stored)
    assert not verify_password("correct horse", "md5$1$00$00")
    assert not verify_password("x", "garbage")
    assert hash_password("same") != hash_password("same")  # salted


def test_access_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    path.write_text('[roles]\n"Chair@Authority.example" = "board"\n')
    add_local_user(path, "ana", "analyst", "pw1")
    add_local_user(path, "root", "admin", "pw2")
    add_local_user(path, "ana", "board", "pw3")  # replaces ana
    config = load_access(path)
    assert config.role_for_email("chair@authority.example ") == "board"
    assert config.role_for_email("someone@else") is None
    assert config.check_local("ana", "pw3") == "board"
    assert config.check_local("ana", "pw1") is None
    assert config.check_local("root", "pw2") == "admin"
    assert config.check_local("nobody", "pw2") is None
    assert oct(path.stat().st_mode)[-3:] == "600"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[roles]\n"a@b" = "superuser"\n', "roles are board, analyst, admin"),
        ("[local_users.x]\nrole = \"board\"\n", "needs a role and a password hash"),
        ("[roles\n", "cannot be read as TOML"),
    ],
)
def test_a_wrong_access_file_is_refused_with_a_reason(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "access.toml"
    path.write_text(text)
    with pytest.raises(AccessConfigError, match=message):
        load_access(path)


def test_a_missing_access_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AccessConfigError, match="no access file"):
        load_access(tmp_path / "absent.toml")


class _Clock:
    """A clock the test moves by hand (the throttle's only input besides the calls)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_backoff_doubles_per_user_after_the_free_failures_up_to_the_cap() -> None:
    clock = _Clock()
    throttle = SignInThrottle(free=3, base=1.0, cap=300.0, clock=clock)
    waits = []
    for _ in range(14):
        throttle.failed("ada", "10.0.0.1")
        waits.append(throttle.wait_seconds("ada", "10.0.0.1"))
        clock.now += waits[-1]  # the attacker waits exactly as long as told, then tries again
    assert waits == [0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    throttle.succeeded("ada", "10.0.0.1")
    assert throttle.wait_seconds("ada", "10.0.0.1") == 0


def test_backoff_is_per_user_and_per_client() -> None:
    clock = _Clock()
    throttle = SignInThrottle(free=1, base=60.0, cap=600.0, clock=clock)
    throttle.failed("ada", "10.0.0.1")
    throttle.failed("ada", "10.0.0.2")  # the user's second failure, from another client
    assert throttle.wait_seconds("ada", "10.0.0.3") == 60  # the user is locked wherever she tries from
    assert throttle.wait_seconds("bob", "10.0.0.3") == 0
    throttle.failed("eve", "10.0.0.9")
    throttle.failed("mallory", "10.0.0.9")  # the client's second failure, a different user each time
    assert throttle.wait_seconds("trent", "10.0.0.9") == 60  # that client is locked for every user
    assert throttle.wait_seconds("trent", "10.0.0.8") == 0
    clock.now += 60
    assert throttle.wait_seconds("ada", "10.0.0.3") == throttle.wait_seconds("trent", "10.0.0.9") == 0


def test_default_backoff_figures_make_a_thousand_guesses_take_days() -> None:
    throttle = SignInThrottle.from_settings()
    assert (throttle.free, throttle.base, throttle.cap) == (3, 1.0, 300.0)  # documented in docs/access-control.md
    total = sum(min(300.0, 2.0 ** (k - 4)) for k in range(4, 1000))  # waits after failures 4 .. 999
    assert total == 1 + 2 + 4 + 8 + 16 + 32 + 64 + 128 + 256 + 300 * (999 - 12)
    assert total > 3 * 24 * 3600


def test_the_audit_log_is_json_lines_owner_only(tmp_path: Path) -> None:
    log = tmp_path / "signin-audit.log"
    audit(log, "refused_password", "ada", "10.0.0.1", "local")
    audit(log, "signed_in", "ada\n{forged}", None, "local")
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["event"], r["user"], r["client"], r["auth"]) for r in lines] == [
        ("refused_password", "ada", "10.0.0.1", "local"), ("signed_in", "ada\n{forged}", None, "local")]
    assert oct(log.stat().st_mode & 0o777) == "0o600"
