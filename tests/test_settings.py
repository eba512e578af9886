"""Settings: argument > environment > default, one prefix, and errors that name the variable."""

from __future__ import annotations

import pytest

from drafter.errors import ConfigError
from drafter.settings import Settings, env_name
from drafter.workspace import Workspace
from tests.support.fake_openai import FakeOpenAI


def test_environment_under_one_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("DRAFTER_TIMEOUT", "7")
    monkeypatch.setenv("DRAFTER_CONCURRENCY", "3")
    monkeypatch.setenv("DRAFTER_MODEL", "deepseek-chat")
    monkeypatch.setenv("PORT", "8081")
    s = Settings()
    assert (s.timeout, s.concurrency, s.model, s.port) == (7.0, 3, "deepseek-chat", 8081)
    assert Settings(timeout=2).timeout == 2.0  # an argument beats the environment
    assert env_name("timeout") == "DRAFTER_TIMEOUT" and env_name("openai_api_key") == "OPENAI_API_KEY"


def test_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTER_BACKEND", "gpt")
    with pytest.raises(ConfigError) as info:
        Settings()
    assert "DRAFTER_BACKEND" in str(info.value) and "offline" in str(info.value)
    monkeypatch.delenv("DRAFTER_BACKEND")
    monkeypatch.setenv("DRAFTER_CONCURRENCY", "many")
    with pytest.raises(ConfigError, match="DRAFTER_CONCURRENCY"):
        Settings()


def test_backend_offline_wins_over_a_configured_endpoint(monkeypatch: pytest.MonkeyPatch, data_dir: object) -> None:
    """DRAFTER_BACKEND=offline drafts offline even with a key and an endpoint set: the endpoint gets nothing."""
    import asyncio

    from drafter.corpus.embedding import HashEmbedder
    from drafter.facts import Facts

    with FakeOpenAI(lambda body: "模型写的内容，含有虚构的数字999人。") as srv:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        assert Settings().uses_llm
        monkeypatch.setenv("DRAFTER_BACKEND", "offline")
        ws = Workspace(embedder=HashEmbedder())
        assert ws.backend == "offline" and ws.generator is None
        ws.refresh_index()
        draft = asyncio.run(ws.draft(Facts(org="某公司", year=2024, items=["慰问困难职工32户"])))
        assert draft.backend == "offline" and "32户" in draft.text() and "999" not in draft.text()
        assert srv.requests == []
