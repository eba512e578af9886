"""The HTTP client under the `openai` client: aiohttp, through openai's own httpx adapter.

A streamed draft arrives as ~1,000 small chunks. httpx parses each with pure-Python h11 (~0.1 ms a chunk, most
of the server's CPU per draft); aiohttp's C parser reads the same stream at about half the CPU
(`python bench/bench_team.py --part cpu`). Everything above the transport (the openai client, its status
errors, timeouts and retries off, our own retry loop) is unchanged.

One fix on top of the adapter: it maps every aiohttp connection error, a refused connection included, to
`httpx.ConnectTimeout`, so a wrong OPENAI_BASE_URL would be reported as "响应超时". Here only real timeouts
stay timeouts.
"""

from __future__ import annotations

import ssl

import aiohttp
import httpx2
import openai
from openai._vendor.httpx_aiohttp import AiohttpTransport  # pinned openai; tests/test_generation.py covers it

# openai's own pool defaults (DEFAULT_CONNECTION_LIMITS), not the adapter's smaller ones
LIMITS = httpx2.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=5.0)


class _Transport(AiohttpTransport):
    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        try:
            return await super().handle_async_request(request)
        except httpx2.ConnectTimeout as exc:
            cause = exc.__cause__
            if isinstance(cause, aiohttp.ClientConnectionError) and not isinstance(cause, TimeoutError):
                raise httpx2.ConnectError(str(cause) or type(cause).__name__, request=request) from cause
            raise


def http_client(verify: ssl.SSLContext, timeout: openai.Timeout) -> httpx2.AsyncClient:
    """An httpx-compatible client for `openai.AsyncOpenAI(http_client=...)`, reading through aiohttp."""
    return openai.DefaultAioHttpClient(transport=_Transport(verify=verify, limits=LIMITS), timeout=timeout)
