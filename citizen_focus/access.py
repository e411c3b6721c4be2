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
password = "pbkdf2_sha256$260000$<salt hex>$<hash hex>"   # make with `citizen-focus user NAME --role ROLE`
```

Roles are ordered: `board` sees aggregate pages; `analyst` also sees record-level drill-down
and exports; `admin` also sees data quality and loads.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROLES: tuple[str, ...] = ("board", "analyst", "admin")
ACCESS_ENV = "CITIZEN_FOCUS_ACCESS"
_ITERATIONS = 260_000


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
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
