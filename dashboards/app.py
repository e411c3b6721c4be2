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

from citizen_focus.access import (  # noqa: E402
    AccessConfig,
    AccessConfigError,
    SignInThrottle,
    access_path,
    audit,
    audit_path,
    load_access,
)
from citizen_focus.config import warehouse_path  # noqa: E402
from dashboards.common import AUTH_KEY, ROLE_KEY, USER_KEY, pages_for  # noqa: E402
from dashboards.text import md  # noqa: E402

# A local PNG, served by the app itself: a Material or emoji page_icon makes every browser fetch the favicon
# from fonts.gstatic.com (Streamlit 1.67's frontend builds that URL), and nothing may leave the machine.
st.set_page_config(page_title="Citizen Focus", page_icon=str(Path(__file__).with_name("static") / "icon.png"),
                   layout="wide")


@st.cache_resource
def _throttle() -> SignInThrottle:
    """One backoff for every session of this server process (a cached resource outlives reruns)."""
    return SignInThrottle.from_settings()


def _access_file() -> Path | None:
    return access_path(warehouse_path().parent)


def _client() -> str:
    """The client's address as the websocket saw it (Streamlit gives None for localhost)."""
    try:
        ip = st.context.ip_address
    except Exception:  # no browser connection (a bare script run)
        ip = None
    return ip if isinstance(ip, str) and ip else "localhost"


def _audit(event: str, user: str | None, how: str) -> None:
    audit(audit_path(_access_file()), event, user, _client(), how)


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
        return load_access(_access_file())
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
        st.warning(f"You are signed in as {md(email)}, but the access file gives that address no role. "
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
            wait = _throttle().wait_seconds(user, _client())
            if wait > 0:  # refused without checking the password
                _audit("refused_backoff", user.strip(), "local")
                st.error(f"Too many failed sign-ins for this user or from this computer: try again in "
                         f"{wait:.0f} s.")
                return
            role = config.check_local(user, password)
            if role:
                _throttle().succeeded(user, _client())
                _audit("signed_in", user.strip(), "local")
                st.session_state.update({USER_KEY: user.strip(), ROLE_KEY: role, AUTH_KEY: "local"})
                st.rerun()
            _throttle().failed(user, _client())
            _audit("refused_password", user.strip(), "local")
            st.error("User name or password not recognised.")


def _sign_out() -> None:
    oidc = st.session_state.get(AUTH_KEY) == "oidc"
    _audit("signed_out", st.session_state.get(USER_KEY), st.session_state.get(AUTH_KEY) or "local")
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
            if st.session_state.get(ROLE_KEY) != role:
                _audit("signed_in" if ROLE_KEY not in st.session_state else "role_changed", email, "oidc")
            st.session_state.update({USER_KEY: email, ROLE_KEY: role, AUTH_KEY: "oidc"})
        else:
            if ROLE_KEY in st.session_state:
                _audit("access_removed", email, "oidc")
            for key in (USER_KEY, ROLE_KEY, AUTH_KEY):
                st.session_state.pop(key, None)


def _recheck_local_user() -> None:
    """A local user's role is read from the access file on every run, as an OIDC user's is: a user removed
    from the file (or the file gone) loses access at the next click, a changed role applies at once."""
    if st.session_state.get(AUTH_KEY) != "local":
        return
    user = st.session_state.get(USER_KEY)
    try:
        entry = load_access(_access_file()).local_users.get(user or "")
    except AccessConfigError:
        entry = None
    if entry is None:
        _audit("access_removed", user, "local")
        for key in (USER_KEY, ROLE_KEY, AUTH_KEY):
            st.session_state.pop(key, None)
    elif entry[0] != st.session_state.get(ROLE_KEY):
        _audit("role_changed", user, "local")
        st.session_state[ROLE_KEY] = entry[0]


_resolve_oidc_role()
_recheck_local_user()
role = st.session_state.get(ROLE_KEY)
allowed = pages_for(role)
if not allowed:
    page = st.navigation([st.Page(_sign_in_page, title="Sign in", icon=":material/lock:", url_path="sign-in")],
                         position="hidden")
else:
    page = st.navigation([st.Page(p.file, title=p.title, icon=p.icon, url_path=p.url_path,
                                  default=i == 0) for i, p in enumerate(allowed)])
    with st.sidebar:
        st.caption(f"Signed in as **{md(st.session_state.get(USER_KEY))}** ({md(role)})")
        st.button("Sign out", on_click=_sign_out)
page.run()
