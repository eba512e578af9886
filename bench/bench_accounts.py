"""What accounts cost: an argon2id hash/verify, and the gate's per-request overhead.

    .venv/bin/python bench/bench_accounts.py [--requests 300]

Prints JSON lines: argon2id hash and verify (ms), then p50/p95 latency of `GET /api/v1/drafts` in-process
(TestClient, SQLite) in single-user mode, with an API token, and with a session cookie.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from drafter.accounts.passwords import hash_password, verify_password  # noqa: E402
from drafter.api import create_app  # noqa: E402
from drafter.corpus.embedding import HashEmbedder  # noqa: E402
from drafter.settings import Settings  # noqa: E402
from drafter.workspace import Workspace  # noqa: E402
from tests.support.accounts import bearer, login, make_people  # noqa: E402


def _ms(samples: list[float]) -> dict[str, float]:
    return {"p50_ms": round(float(np.percentile(samples, 50)) * 1000, 2),
            "p95_ms": round(float(np.percentile(samples, 95)) * 1000, 2)}


def _latency(client: TestClient, n: int, headers: dict[str, str] | None = None) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        r = client.get("/api/v1/drafts", headers=headers or {})
        out.append(time.perf_counter() - t)
        assert r.status_code == 200, r.text
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=300)
    args = ap.parse_args()
    hashes, verifies = [], []
    for _ in range(5):
        t = time.perf_counter()
        h = hash_password("a-password-123")
        hashes.append(time.perf_counter() - t)
        t = time.perf_counter()
        verify_password(h, "a-password-123")
        verifies.append(time.perf_counter() - t)
    print(json.dumps({"argon2id_hash": _ms(hashes), "argon2id_verify": _ms(verifies)}))
    with tempfile.TemporaryDirectory() as tmp:
        single = Workspace(Settings(data_dir=Path(tmp) / "single"), embedder=HashEmbedder())
        with TestClient(create_app(single)) as c:
            _latency(c, 20)
            print(json.dumps({"mode": "single-user", **_ms(_latency(c, args.requests))}))
        ws = Workspace(Settings(data_dir=Path(tmp) / "accounts"), embedder=HashEmbedder())
        people = make_people(ws)
        with TestClient(create_app(ws)) as c:
            _latency(c, 20, bearer(people.alice_token))
            print(json.dumps({"mode": "api token", **_ms(_latency(c, args.requests, bearer(people.alice_token)))}))
        with TestClient(create_app(ws)) as c:
            assert login(c, "alice") == 303
            _latency(c, 20)
            print(json.dumps({"mode": "session cookie", **_ms(_latency(c, args.requests))}))


if __name__ == "__main__":
    main()
