"""Every bad input the API refuses alone is refused the same way when signed in: tests/test_api.py's own
tests, run again through the accounts gate (an admin's API token, and a browser session)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from drafter.api import create_app
from drafter.workspace import Workspace
from tests.support.accounts import bearer, login, make_people
from tests.test_api import (  # noqa: F401 - collected here with this module's `client`
    test_check_reads_facts_like_the_cli,
    test_check_route,
    test_draft_get_list_regenerate_export,
    test_errors_422_404_413,
    test_errors_are_chinese,
    test_facts_text_and_edit_rechecks,
    test_health,
    test_openapi_shows_real_shapes,
    test_search_and_corpus_routes,
    test_stream_sends_events,
)


@pytest.fixture(params=["token", "session"])
def client(request: pytest.FixtureRequest, fast_ws: Workspace) -> Iterator[TestClient]:
    people = make_people(fast_ws)
    with TestClient(create_app(fast_ws)) as anonymous:
        assert anonymous.get("/api/v1/drafts").status_code == 401  # accounts are on: nothing without credentials
    if request.param == "token":
        with TestClient(create_app(fast_ws), headers=bearer(people.alice_token)) as c:
            yield c
        return
    with TestClient(create_app(fast_ws)) as c:
        assert login(c, "alice") == 303
        yield c
