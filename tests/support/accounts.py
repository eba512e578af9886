"""Two organisations and three users, and signing in over HTTP as a browser does (form + CSRF cookie)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient

from drafter.workspace import Workspace

PASSWORDS = {"alice": "alice-pass-1", "amy": "amy-pass-12", "bob": "bob-pass-123"}
ORG_A, ORG_B = "甲厂工会", "乙公司工会"


@dataclass
class People:
    alice_token: str  # admin of A
    amy_token: str  # writer of A
    bob_token: str  # admin of B


def make_people(ws: Workspace) -> People:
    acc = ws.accounts
    acc.add_user("alice", ORG_A, "admin", PASSWORDS["alice"])
    acc.add_user("amy", ORG_A, "writer", PASSWORDS["amy"])
    acc.add_user("bob", ORG_B, "admin", PASSWORDS["bob"])
    return People(acc.create_token("alice")[1], acc.create_token("amy")[1], acc.create_token("bob")[1])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(client: TestClient, name: str, password: str | None = None, *, next_: str = "/") -> int:
    """Sign in through the form; returns the status of the POST (303 on success). The session cookie
    stays in the client's jar."""
    page = client.get("/login", headers={"Accept": "text/html"})
    csrf = re.search(r'name=csrf value="([^"]+)"', page.text)
    assert csrf, page.text
    r = client.post("/login", data={"username": name, "password": password or PASSWORDS[name],
                                    "csrf": csrf.group(1), "next": next_}, follow_redirects=False)
    return r.status_code
