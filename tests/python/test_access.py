"""Roles and the local sign-in: the logic the app's guard relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

from citizen_focus.access import (
    AccessConfigError,
    add_local_user,
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
