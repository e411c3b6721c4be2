"""Who may see what in the app: users, roles and the local sign-in.

Roles come from a TOML file (never from the identity provider, which only says who someone
is: `st.login` authenticates but grants no roles):

```toml
# access.toml
[roles]                       # identity-provider users (st.login / OIDC), by e-mail
"chair@police-authority.example" = "board"
"analyst@force.example" = "analyst"

[local_users.admin]           # the simple local option for a single-machine deployment
role = "admin"
password = "pbkdf2_sha256$600000$<salt hex>$<hash hex>"   # make with `citizen-focus user NAME --role ROLE`
```

Roles are ordered: `board` sees aggregate pages; `analyst` also sees record-level drill-down
and exports; `admin` also sees data quality and loads.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from citizen_focus.config import (
    AUDIT_LOG_ENV,
    SIGN_IN_BACKOFF_BASE_SECONDS,
    SIGN_IN_BACKOFF_MAX_SECONDS,
    SIGN_IN_FREE_FAILURES,
    setting,
)

ROLES: tuple[str, ...] = ("board", "analyst", "admin")
ACCESS_ENV = "CITIZEN_FOCUS_ACCESS"
# OWASP Password Storage Cheat Sheet: 600,000 for PBKDF2-HMAC-SHA256 (docs/access-control.md). The count is
# stored in each hash, so hashes made with an earlier count still verify.
_ITERATIONS = 600_000


class AccessConfigError(Exception):
    """The access file is missing or wrong; the app shows this and nothing else."""


@dataclass(frozen=True)
class AccessConfig:
    oidc_roles: dict[str, str] = field(default_factory=dict)  # e-mail (lower case) -> role
    local_users: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (role, password hash)

    def role_for_email(self, email: str | None) -> str | None:
        return self.oidc_roles.get((email or "").strip().lower())

    def check_local(self, user: str, password: str) -> str | None:
        """The user's role if the password is right, else None (same time either way)."""
        role, stored = self.local_users.get(user.strip(), ("", _DUMMY_HASH))
        ok = verify_password(password, stored)
        return role if ok and role else None


def role_allows(role: str | None, needed: str) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, _ITERATIONS)
    return f"pbkdf2_sha256${_ITERATIONS}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt_hex, hash_hex = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt_hex), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), hash_hex)


_DUMMY_HASH = hash_password("not a password", salt=b"\x00" * 16)


def access_path(default_dir: Path | None = None) -> Path | None:
    env = os.environ.get(ACCESS_ENV)
    if env:
        return Path(env)
    return default_dir / "access.toml" if default_dir else None


def load_access(path: Path | None) -> AccessConfig:
    if path is None or not path.is_file():
        raise AccessConfigError(
            f"no access file{f' at {path}' if path else ''}: the app shows nothing until one says who may "
            "sign in (see docs/access-control.md; `citizen-focus user NAME --role board` makes one)"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AccessConfigError(f"{path}: cannot be read as TOML: {exc}") from None
    roles = {str(k).strip().lower(): str(v) for k, v in data.get("roles", {}).items()}
    users = {}
    for name, entry in data.get("local_users", {}).items():
        if not isinstance(entry, dict) or "role" not in entry or "password" not in entry:
            raise AccessConfigError(f"{path}: local user '{name}' needs a role and a password hash")
        users[str(name)] = (str(entry["role"]), str(entry["password"]))
    for who, role in [*roles.items(), *((n, r) for n, (r, _) in users.items())]:
        if role not in ROLES:
            raise AccessConfigError(f"{path}: '{who}' has role '{role}'; roles are {', '.join(ROLES)}")
    return AccessConfig(oidc_roles=roles, local_users=users)


def add_local_user(path: Path, name: str, role: str, password: str) -> None:
    """Adds or replaces a local user in the access file (other entries are kept as written)."""
    if role not in ROLES:
        raise AccessConfigError(f"role must be one of {', '.join(ROLES)}")
    if not name or any(c in name for c in "\"'\n[]. "):
        raise AccessConfigError("a user name is letters, digits, - and _ only")
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    kept: list[str] = []
    skipping = False
    for line in existing.splitlines():
        if line.strip().startswith("["):
            skipping = line.strip() == f"[local_users.{name}]"
        if not skipping:
            kept.append(line)
    block = f'[local_users.{name}]\nrole = "{role}"\npassword = "{hash_password(password)}"\n'
    text = "\n".join(kept).rstrip() + ("\n\n" if kept and any(k.strip() for k in kept) else "") + block
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # owner-only from the first byte (never world-readable, not even for a moment), then swapped in whole
    staged = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staged.unlink(missing_ok=True)
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(staged, path)


class SignInThrottle:
    """Backoff after failed local sign-ins, per user name and per client (shared by every session of the
    app's process).

    The first `free` failures of a key (a user name, or a client address) cost nothing; failure number
    free + k locks the key for base * 2**(k-1) seconds, at most `cap`. While the user or the client is
    locked, a sign-in is refused without the password being checked. A successful sign-in clears the
    user's and the client's count. Figures: citizen_focus/config.py, docs/access-control.md.
    """

    def __init__(self, free: int, base: float, cap: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.base, self.cap, self.clock = free, base, cap, clock
        self._failures: dict[str, int] = {}
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls) -> SignInThrottle:
        return cls(int(setting("SIGN_IN_FREE_FAILURES", SIGN_IN_FREE_FAILURES)),
                   setting("SIGN_IN_BACKOFF_BASE_SECONDS", SIGN_IN_BACKOFF_BASE_SECONDS),
                   setting("SIGN_IN_BACKOFF_MAX_SECONDS", SIGN_IN_BACKOFF_MAX_SECONDS))

    @staticmethod
    def _keys(user: str, client: str | None) -> tuple[str, str]:
        return "user:" + user.strip().lower(), "client:" + (client or "unknown")

    def wait_seconds(self, user: str, client: str | None) -> float:
        """Seconds until this user may try again from this client (0: now)."""
        now = self.clock()
        with self._lock:
            return max([0.0, *(self._until.get(k, 0.0) - now for k in self._keys(user, client))])

    def failed(self, user: str, client: str | None) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) > 10_000:  # many names tried: forget the keys no longer locked
                for key in [k for k in self._failures if self._until.get(k, 0.0) <= now]:
                    self._failures.pop(key)
                    self._until.pop(key, None)
            for key in self._keys(user, client):
                count = self._failures.get(key, 0) + 1
                self._failures[key] = count
                if count > self.free:
                    self._until[key] = now + min(self.cap, self.base * 2 ** (count - self.free - 1))

    def succeeded(self, user: str, client: str | None) -> None:
        with self._lock:
            for key in self._keys(user, client):
                self._failures.pop(key, None)
                self._until.pop(key, None)


def audit_path(access: Path | None) -> Path | None:
    env = os.environ.get(AUDIT_LOG_ENV)
    if env:
        return Path(env)
    return access.with_name("signin-audit.log") if access else None


_audit_lock = threading.Lock()


def audit(path: Path | None, event: str, user: str | None, client: str | None, how: str) -> None:
    """Appends one JSON line to the sign-in audit log: when, what (signed_in, refused_password,
    refused_backoff, access_removed, role_changed, signed_out), who, from where, how (local / oidc).
    Never a password: none is passed in."""
    if path is None:
        return
    line = json.dumps({"at": datetime.now(UTC).isoformat(timespec="seconds"), "event": event,
                       "user": user, "client": client, "auth": how}, ensure_ascii=False)
    with _audit_lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)  # owner-only from the start
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
