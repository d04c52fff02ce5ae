"""The two thin transports: one attempt over httpx (sync or async), httpx errors mapped to ours."""

from __future__ import annotations

from typing import Optional

import httpx

from ._errors import KamiConnectionError, KamiTimeoutError
from ._wire import HttpRequest, HttpResponse

# Keep-alive pool sizes: a licensing client talks to one or two hosts.
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
USER_AGENT = "kami-verify-python"


def _map_error(error: httpx.TransportError, request: HttpRequest) -> KamiConnectionError:
    # Connect-phase failures provably never reached the server; a pool timeout never left the
    # process either. Anything later may have arrived.
    if isinstance(error, httpx.ConnectTimeout):
        return KamiTimeoutError(f"请求超时: connecting to {request.url}", phase="connect")
    if isinstance(error, httpx.PoolTimeout):
        return KamiTimeoutError(f"请求超时: no free connection for {request.url}", phase="connect")
    if isinstance(error, httpx.TimeoutException):
        return KamiTimeoutError(f"请求超时: no answer from {request.url} within {request.timeout:g} s")
    phase = "connect" if isinstance(error, httpx.ConnectError) else "unknown"
    return KamiConnectionError(f"连接错误: {request.url}: {error!r}", phase=phase)


def _response(response: httpx.Response) -> HttpResponse:
    return HttpResponse(
        status=response.status_code,
        headers={k.lower(): v for k, v in response.headers.items()},
        text=response.content.decode("utf-8", errors="replace"),
    )


def _timeout(request: HttpRequest) -> httpx.Timeout:
    return httpx.Timeout(request.timeout)


class SyncTransport:
    """One attempt with a pooled ``httpx.Client``."""

    def __init__(self, client: Optional[httpx.Client] = None) -> None:
        self._owned = client is None
        self.client = client or httpx.Client(limits=DEFAULT_LIMITS, headers={"user-agent": USER_AGENT})

    def send(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.client.request(
                request.method,
                request.url,
                headers=request.headers,
                content=request.content,
                timeout=_timeout(request),
            )
        except httpx.TransportError as error:
            raise _map_error(error, request) from error
        return _response(response)

    def close(self) -> None:
        if self._owned:
            self.client.close()


class AsyncTransport:
    """One attempt with a pooled ``httpx.AsyncClient``. Cancelling the task cancels the attempt."""

    def __init__(self, client: Optional[httpx.AsyncClient] = None) -> None:
        self._owned = client is None
        self.client = client or httpx.AsyncClient(limits=DEFAULT_LIMITS, headers={"user-agent": USER_AGENT})

    async def send(self, request: HttpRequest) -> HttpResponse:
        try:
            response = await self.client.request(
                request.method,
                request.url,
                headers=request.headers,
                content=request.content,
                timeout=_timeout(request),
            )
        except httpx.TransportError as error:
            raise _map_error(error, request) from error
        return _response(response)

    async def aclose(self) -> None:
        if self._owned:
            await self.client.aclose()
