"""The app's local sign-in under attack (Streamlit AppTest, the real app script): backoff after wrong
passwords, an audit log of sign-ins and refusals without passwords, and a user removed from the access
file losing access in the running session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from citizen_focus.access import add_local_user
from citizen_focus.config import PROJECT_DIR
from dashboards.common import ROLE_KEY

APP = PROJECT_DIR / "dashboards" / "app.py"


@pytest.fixture
def access(tmp_path: Path, monkeypatch) -> Iterator[Path]:
    path = tmp_path / "access.toml"
    add_local_user(path, "ada", "admin", "ada-pw")
    add_local_user(path, "bob", "board", "bob-pw")
    monkeypatch.setenv("CITIZEN_FOCUS_DB", str(tmp_path / "absent.duckdb"))
    monkeypatch.setenv("CITIZEN_FOCUS_ACCESS", str(path))
    monkeypatch.setenv("CITIZEN_FOCUS_SIGN_IN_FREE_FAILURES", "2")
    monkeypatch.setenv("CITIZEN_FOCUS_SIGN_IN_BACKOFF_BASE_SECONDS", "600")
    monkeypatch.setenv("CITIZEN_FOCUS_SIGN_IN_BACKOFF_MAX_SECONDS", "3600")
    st.cache_resource.clear()  # a fresh backoff for this test (it is shared by every session of a process)
    yield path
    st.cache_resource.clear()


def _events(access: Path) -> list[tuple[str, str]]:
    return [(r["event"], r["user"]) for r in map(json.loads, (access.parent / "signin-audit.log").read_text()
                                                  .splitlines())]


def _try(at: AppTest, user: str, password: str) -> AppTest:
    at.text_input[0].input(user)
    at.text_input[1].input(password)
    at.button[0].click()
    at.run()
    return at


def test_wrong_passwords_back_off_and_are_audited_without_the_password(access: Path) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    for guess in ("guess-1", "guess-2", "guess-3"):
        _try(at, "ada", guess)
        assert [e.value for e in at.error] == ["User name or password not recognised."]
    _try(at, "ada", "ada-pw")  # the right password, but ada is locked for 600 s after 3 failures (2 free)
    assert ROLE_KEY not in at.session_state
    assert [e.value for e in at.error] == ["Too many failed sign-ins for this user or from this computer: try "
                                           "again in 600 s."]
    _try(at, "bob", "bob-pw")  # the same client failed 3 times too: locked for every user
    assert ROLE_KEY not in at.session_state
    assert _events(access) == [("refused_password", "ada")] * 3 + [("refused_backoff", "ada"),
                                                                   ("refused_backoff", "bob")]
    log = (access.parent / "signin-audit.log").read_text()
    assert not any(secret in log for secret in ("guess-", "ada-pw", "bob-pw"))


def test_a_user_removed_from_the_access_file_loses_access_at_the_next_run(access: Path) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    _try(at, "ada", "ada-pw")
    assert at.session_state[ROLE_KEY] == "admin"
    assert "Signed in as **ada** (admin)" in [c.value for c in at.sidebar.caption]
    access.write_text(access.read_text().replace('[local_users.ada]\nrole = "admin"',
                                                 '[local_users.ada]\nrole = "board"'))
    at.run()
    assert at.session_state[ROLE_KEY] == "board"  # a changed role applies at once
    text = access.read_text()
    access.write_text(text[text.index("[local_users.bob]"):])  # ada removed
    at.run()
    assert ROLE_KEY not in at.session_state
    assert [t.value for t in at.title] == ["Citizen Focus: sign in"]
    assert _events(access) == [("signed_in", "ada"), ("role_changed", "ada"), ("access_removed", "ada")]
