"""The suite's own guardrails: nothing leaves loopback."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.support.net import NonLoopbackConnection


def test_non_loopback_connection_fails_loudly() -> None:
    with pytest.raises(NonLoopbackConnection):
        socket.create_connection(("93.184.216.34", 80), timeout=1)
    with pytest.raises(NonLoopbackConnection):
        socket.getaddrinfo("api.openai.com", 443)


def test_real_endpoint_through_client_fails_loudly() -> None:
    with pytest.raises((NonLoopbackConnection, httpx.ConnectError)) as info:
        httpx.get("https://api.deepseek.com/v1/models", timeout=2)
    assert "loopback" in str(info.value)


def test_loopback_still_works(port: int) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen(1)
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
