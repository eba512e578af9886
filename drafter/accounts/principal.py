"""Who is acting: a user of an organisation with a role. Scoped workspace calls take one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["admin", "writer"]
ROLES: tuple[Role, ...] = ("admin", "writer")
ROLE_LABELS = {"admin": "管理员", "writer": "撰稿人"}
SERVICE_USER = "DRAFTER_API_KEY"


@dataclass(frozen=True)
class Principal:
    user_id: str
    name: str
    org_id: str
    org_name: str
    role: Role
    via: str = "session"  # session | token | key
    csrf: str = ""  # the session's form token (sessions only)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def public_dict(self) -> dict[str, str]:
        return {"name": self.name, "org": self.org_name, "role": self.role, "role_label": ROLE_LABELS[self.role]}
