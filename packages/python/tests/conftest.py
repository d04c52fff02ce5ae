"""Fixtures: the language-neutral test harness (real kami-servers), one per test session."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional

import httpx
import pytest
from hypothesis import settings

import kami_verify
from tests.helpers import REPO_ROOT

# No per-example deadline: the machine running the suite may be busy (CI shares it).
settings.register_profile("kami", deadline=None)
settings.load_profile("kami")

HARNESS = REPO_ROOT / "apps" / "server" / "dist" / "test-harness.js"


@dataclass
class TestServer:
    """One real kami-server behind the harness, and helpers to drive it."""

    __test__ = False
    control: httpx.Client
    info: Dict[str, Any]
    #: Seconds the server's clock is ahead of real time (see ``advance``).
    offset: float = 0.0
    cleanup: List[Any] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.info["id"])

    @property
    def url(self) -> str:
        return str(self.info["url"])

    @property
    def app(self) -> Dict[str, Any]:
        return dict(self.info["app"])

    def _post(self, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        response = self.control.post(f"/servers/{self.id}{path}", json=body or {})
        assert response.status_code < 300, response.text
        return response.json()

    def card(self, **spec: Any) -> str:
        return str(self._post("/cards", spec)["cardStr"])

    def card_action(self, card: str, action: str) -> Any:
        return self._post(f"/cards/{card}/{action}")

    def card_record(self, card: str) -> Any:
        return self.control.get(f"/servers/{self.id}/cards/{card}").json()

    def advance(self, seconds: float) -> None:
        self._post("/clock", {"advanceMs": int(seconds * 1000)})
        self.offset += seconds

    def stop(self) -> None:
        self._post("/stop")

    def start(self) -> None:
        self._post("/start")

    def clock(self) -> float:
        return time.time() + self.offset

    def options(self, **overrides: Any) -> Dict[str, Any]:
        app = self.app
        options: Dict[str, Any] = dict(
            app_key=app["appKey"],
            routes=app["routes"],
            encoding=app["encoding"],
            clock=self.clock,
            max_retries=0,
            # Generous: the machine running the suite may be busy (the server shares it).
            timeout=20.0,
        )
        if app["settings"].get("successCode") is not None:
            options["success_code"] = app["settings"]["successCode"]
        options.update(overrides)
        return options

    def client(self, base_url: Any = None, **overrides: Any) -> kami_verify.Client:
        client = kami_verify.Client(base_url or self.url, **self.options(**overrides))
        self.cleanup.append(client)
        return client

    def async_client(self, base_url: Any = None, **overrides: Any) -> kami_verify.AsyncClient:
        return kami_verify.AsyncClient(base_url or self.url, **self.options(**overrides))

    def potato(self, **overrides: Any) -> kami_verify.PotatoOptions:
        user = self.info["potatoUser"]
        values = dict(
            ask_key=self.app["askKey"],
            user_number=user["userNumber"],
            pass_word=user["passWord"],
            sign_secret=self.info.get("potatoSignSecret"),
        )
        values.update(overrides)
        return kami_verify.PotatoOptions(**values)


class Harness:
    def __init__(self, url: str) -> None:
        self.control = httpx.Client(base_url=url, timeout=30.0)

    def server(
        self,
        encoding: str = "plain",
        settings: Optional[Dict[str, Any]] = None,
        server: Optional[Dict[str, Any]] = None,
    ) -> TestServer:
        body: Dict[str, Any] = {"encoding": encoding}
        if settings:
            body["settings"] = settings
        if server:
            body["server"] = server
        response = self.control.post("/servers", json=body)
        assert response.status_code == 201, response.text
        return TestServer(self.control, response.json())

    def delete(self, server: TestServer) -> None:
        for client in server.cleanup:
            client.close()
        self.control.delete(f"/servers/{server.id}")


@pytest.fixture(scope="session")
def harness() -> Iterator[Harness]:
    if not HARNESS.exists():
        pytest.fail(f"{HARNESS} is missing: run `npm run build` at the repository root first")
    process = subprocess.Popen(
        ["node", str(HARNESS)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=str(REPO_ROOT)
    )
    assert process.stdout is not None and process.stdin is not None
    url = process.stdout.readline().decode().strip()
    if not url.startswith("http"):
        process.kill()
        pytest.fail(f"the test harness did not print its URL (got {url!r})")
    harness = Harness(url)
    try:
        yield harness
    finally:
        harness.control.close()
        # The harness exits when its stdin closes, taking its servers with it.
        process.stdin.close()
        process.stdout.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait(timeout=10)


# Starting a server (an embedded Postgres store) takes seconds on a busy machine, so the suite
# shares a few, one per configuration, for the whole session. Tests that move a server's clock or
# restart it leave it running, and clients follow its clock through `TestServer.clock`.
SPECIAL_SETTINGS = {
    "codeType": "int",
    "signatureCheck": "two-way",
    "potatoSign": True,
    "potatoSignSecret": "py-sign-secret",
}


@pytest.fixture(scope="session")
def servers(harness: Harness) -> Iterator[Dict[str, TestServer]]:
    made: Dict[str, TestServer] = {}
    yield made
    for server in made.values():
        harness.delete(server)


def _shared(
    harness: Harness, servers: Dict[str, TestServer], key: str, encoding: str, **kwargs: Any
) -> TestServer:
    if key not in servers:
        servers[key] = harness.server(encoding, **kwargs)
    return servers[key]


@pytest.fixture(params=["plain", "base64", "rsa"])
def any_server(
    request: pytest.FixtureRequest, harness: Harness, servers: Dict[str, TestServer]
) -> TestServer:
    """A server in each encoding mode."""
    return _shared(harness, servers, request.param, request.param)


@pytest.fixture
def plain_server(harness: Harness, servers: Dict[str, TestServer]) -> TestServer:
    return _shared(harness, servers, "plain", "plain")


@pytest.fixture
def rsa_server(harness: Harness, servers: Dict[str, TestServer]) -> TestServer:
    return _shared(harness, servers, "rsa", "rsa")


@pytest.fixture
def special_server(harness: Harness, servers: Dict[str, TestServer]) -> TestServer:
    """base64 mode, int codes, two-way signatures, potatocloud signatures (secret py-sign-secret)."""
    return _shared(harness, servers, "special", "base64", settings=SPECIAL_SETTINGS)


@pytest.fixture
def heartbeat_server(harness: Harness, servers: Dict[str, TestServer]) -> Iterator[TestServer]:
    """Statecodes live 10 s (a restart takes the harness a second or two). Tests may stop it."""
    server = _shared(harness, servers, "heartbeat", "plain", settings={"statecodeValiditySeconds": 10})
    yield server
    server.start()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


#: The cloud document (云文档) of the catalogue servers: multi-line, non-ASCII, JSON-special.
CLOUD_DOC = '云文档\n第一章: 安装 📦\n"quotes" & <tags>'

# What the endpoints beyond login need configured: a bound IP to clear, signatures, a named
# version, small data caps (数据长度超出限制 is reachable), cloud variables and a cloud document.
CATALOGUE_SETTINGS = {
    "cloudDoc": CLOUD_DOC,
    "ipBinding": "ip",
    "appSignatures": ["SIG-1"],
    "version": "3.0.0",
    "ver": "三代",
    "coreMaxBytes": 16,
    "variableMaxBytes": 16,
    "variables": [
        {"id": "v", "name": "变量", "value": "start", "writable": True},
        {"id": "ro", "name": "只读", "value": "fixed"},
    ],
}


@pytest.fixture(params=["plain", "base64"])
def catalogue_server(
    request: pytest.FixtureRequest, harness: Harness, servers: Dict[str, TestServer]
) -> TestServer:
    """CATALOGUE_SETTINGS in plain mode and in one encoded mode."""
    key = f"catalogue-{request.param}"
    return _shared(harness, servers, key, request.param, settings=CATALOGUE_SETTINGS)


@pytest.fixture
def catalogue_rsa_server(harness: Harness, servers: Dict[str, TestServer]) -> TestServer:
    """CATALOGUE_SETTINGS in rsa mode (the async client's runs)."""
    return _shared(harness, servers, "catalogue-rsa", "rsa", settings=CATALOGUE_SETTINGS)
