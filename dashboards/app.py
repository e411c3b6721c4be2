"""Citizen Focus dashboards: sign-in, role, and the pages that role may see.

Run with `citizen-focus serve` (or `streamlit run dashboards/app.py` with CITIZEN_FOCUS_DB set).

Sign-in: with an OIDC provider configured in `.streamlit/secrets.toml` ([auth]), "Sign in with
your organisation" uses `st.login`; the identity provider says who someone is, and the access
file (citizen_focus/access.py) says what role they have. Without one, or beside it, the local
option checks a user name and password against the access file's PBKDF2 hashes. Nobody signed
in sees the sign-in page and nothing else.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `streamlit run` puts only dashboards/ on the path

from citizen_focus.access import AccessConfig, AccessConfigError, access_path, load_access  # noqa: E402
from citizen_focus.config import warehouse_path  # noqa: E402
from dashboards.common import AUTH_KEY, ROLE_KEY, USER_KEY, pages_for  # noqa: E402

st.set_page_config(page_title="Citizen Focus", page_icon=":material/dashboard:", layout="wide")


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _oidc_identity() -> str | None:
    try:
        if st.user.is_logged_in:
            return str(st.user.get("email") or "")
    except Exception:
        return None
    return None


def _access() -> AccessConfig | None:
    try:
        return load_access(access_path(warehouse_path().parent))
    except AccessConfigError as exc:
        st.error(str(exc))
        return None


def _sign_in_page() -> None:
    st.title("Citizen Focus: sign in")
    st.write("Service-quality figures for the Citizen Focus Programme Board and research analysts.")
    config = _access()
    if config is None:
        return
    email = _oidc_identity()
    if email is not None:
        st.warning(f"You are signed in as {email}, but the access file gives that address no role. "
                   "Ask an administrator to add you.")
        if st.button("Sign out"):
            st.logout()
    elif _oidc_configured():
        st.button("Sign in with your organisation account", on_click=st.login, type="primary")
    if config.local_users:
        with st.form("local_sign_in"):
            st.subheader("Local sign-in")
            user = st.text_input("User name")
            password = st.text_input("Password", type="password")
            submitted = st.form_submit_button("Sign in")
        if submitted:
            role = config.check_local(user, password)
            if role:
                st.session_state.update({USER_KEY: user.strip(), ROLE_KEY: role, AUTH_KEY: "local"})
                st.rerun()
            st.error("User name or password not recognised.")


def _sign_out() -> None:
    oidc = st.session_state.get(AUTH_KEY) == "oidc"
    for key in (USER_KEY, ROLE_KEY, AUTH_KEY):
        st.session_state.pop(key, None)
    if oidc:
        st.logout()


def _resolve_oidc_role() -> None:
    """An OIDC user's role comes from the access file, checked on every run."""
    email = _oidc_identity()
    if email and st.session_state.get(AUTH_KEY) in (None, "oidc"):
        config = _access()
        role = config.role_for_email(email) if config else None
        if role:
            st.session_state.update({USER_KEY: email, ROLE_KEY: role, AUTH_KEY: "oidc"})
        else:
            for key in (USER_KEY, ROLE_KEY, AUTH_KEY):
                st.session_state.pop(key, None)


_resolve_oidc_role()
role = st.session_state.get(ROLE_KEY)
allowed = pages_for(role)
if not allowed:
    page = st.navigation([st.Page(_sign_in_page, title="Sign in", icon=":material/lock:", url_path="sign-in")],
                         position="hidden")
else:
    page = st.navigation([st.Page(p.file, title=p.title, icon=p.icon, url_path=p.url_path,
                                  default=i == 0) for i, p in enumerate(allowed)])
    with st.sidebar:
        st.caption(f"Signed in as **{st.session_state.get(USER_KEY)}** ({role})")
        st.button("Sign out", on_click=_sign_out)
page.run()
