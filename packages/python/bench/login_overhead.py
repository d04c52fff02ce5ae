"""SDK overhead: N logins through kami_verify versus raw httpx sending the same bytes, sequentially
(Client) and 32 at a time (AsyncClient), against one real server. The raw side builds each body
when it sends it, as any client must (current `t`, a fresh safe_code, the md5 signature, the form
encoding) and reads the reply as text without checking it. The ratio shows the SDK's own work:
verifying the reply (token, statecode, clock, safe_code echo), typed results and failover.

Usage: python bench/login_overhead.py '{"url":..., "appKey":..., "routes":..., "card":..., "n":500}'
Prints one JSON object on stdout; progress on stderr.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import sys
import time
from typing import Any, Awaitable, Callable, Dict, List, Tuple
from urllib.parse import quote

import httpx

import kami_verify

CONCURRENCY = 32
# Both sides run in alternating batches, so drift in the machine's load (the server shares it)
# hits them alike; each side's time is the sum over its batches.
BATCHES = 10
IMEI = "BENCH-DEVICE"


def signed_login_body(card: str, app_key: str) -> bytes:
    fields = [
        ("kami", card),
        ("imei", IMEI),
        ("safe_code", secrets.token_hex(8)),
        ("t", str(int(time.time()))),
    ]
    sign_text = "".join(f"{k}={v}&" for k, v in fields) + app_key
    fields.append(("s", hashlib.md5(sign_text.encode()).hexdigest()))
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in fields).encode()


def main() -> None:
    cfg: Dict[str, Any] = json.loads(sys.argv[1])
    n, url, app_key, cards = int(cfg["n"]), cfg["url"], cfg["appKey"], cfg["cards"]
    login_url = f"{url}/{cfg['routes']['login']}"
    headers = {"content-type": "application/x-www-form-urlencoded"}
    options = dict(app_key=app_key, routes=cfg["routes"])
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)

    raw_sync = httpx.Client(limits=limits)
    sdk_sync = kami_verify.Client(url, http_client=httpx.Client(limits=limits), **options)

    def raw_login(card: str) -> None:
        text = raw_sync.post(login_url, content=signed_login_body(card, app_key), headers=headers).text
        if '"statecode"' not in text:
            raise RuntimeError(f"raw login failed: {text}")

    def sdk_login(card: str) -> None:
        sdk_sync.login(card, IMEI)

    seq_cpu = {"sdk": 0.0, "raw": 0.0}

    def batch(fn: Callable[[str], None], count: int, side: str) -> float:
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(count):
            fn(cards[i % len(cards)])
        seq_cpu[side] += time.process_time() - cpu
        return time.perf_counter() - start

    for card in cards:  # bind every card to the device, warm both pools
        raw_login(card)
        sdk_login(card)
    seq = {"sdk": 0.0, "raw": 0.0}
    for i in range(BATCHES):
        order = (
            [("raw", raw_login), ("sdk", sdk_login)]
            if i % 2 == 0
            else [("sdk", sdk_login), ("raw", raw_login)]
        )
        for name, fn in order:
            seq[name] += batch(fn, n // BATCHES, name)
    print(f"sequential: sdk {seq['sdk']:.3f}s raw {seq['raw']:.3f}s", file=sys.stderr)
    raw_sync.close()
    sdk_sync.close()

    conc, conc_cpu = asyncio.run(concurrent(n, url, login_url, app_key, cards, headers, options, limits))
    print(f"concurrent: sdk {conc['sdk']:.3f}s raw {conc['raw']:.3f}s", file=sys.stderr)
    print(
        json.dumps(
            {
                "language": "python",
                "sequentialRatio": round(seq["sdk"] / seq["raw"], 3),
                "concurrentRatio": round(conc["sdk"] / conc["raw"], 3),
                "target": 1.15,
                "details": {
                    "n": n,
                    "concurrency": CONCURRENCY,
                    "batches": BATCHES,
                    "sequentialSeconds": {k: round(v, 3) for k, v in seq.items()},
                    "concurrentSeconds": {k: round(v, 3) for k, v in conc.items()},
                    # The client process's CPU time per side: the SDK's own work, free of server noise.
                    "sequentialClientCpuSeconds": {k: round(v, 3) for k, v in seq_cpu.items()},
                    "concurrentClientCpuSeconds": {k: round(v, 3) for k, v in conc_cpu.items()},
                    "sdkSequentialLoginsPerSecond": round(n / seq["sdk"], 1),
                    "sdkConcurrentLoginsPerSecond": round(n / conc["sdk"], 1),
                    "python": sys.version.split()[0],
                    "httpx": httpx.__version__,
                },
            }
        )
    )


async def concurrent(
    n: int,
    url: str,
    login_url: str,
    app_key: str,
    cards: List[str],
    headers: Dict[str, str],
    options: Any,
    limits: Any,
) -> Tuple[Dict[str, float], Dict[str, float]]:
    raw = httpx.AsyncClient(limits=limits)
    sdk = kami_verify.AsyncClient(url, http_client=httpx.AsyncClient(limits=limits), **options)

    async def raw_login(card: str) -> None:
        text = (await raw.post(login_url, content=signed_login_body(card, app_key), headers=headers)).text
        if '"statecode"' not in text:
            raise RuntimeError(f"raw login failed: {text}")

    async def sdk_login(card: str) -> None:
        await sdk.login(card, IMEI)

    async def batch(fn: Callable[[str], Awaitable[None]], count: int, side: str) -> float:
        # Worker i logs in with card i: no two concurrent logins of one card.
        per_worker = count // CONCURRENCY

        async def worker(card: str) -> None:
            for _ in range(per_worker):
                await fn(card)

        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker(cards[i % len(cards)]) for i in range(CONCURRENCY)))
        out_cpu[side] += time.process_time() - cpu
        return time.perf_counter() - start

    await asyncio.gather(*(raw_login(card) for card in cards))
    await asyncio.gather(*(sdk_login(card) for card in cards))
    out = {"sdk": 0.0, "raw": 0.0}
    out_cpu = {"sdk": 0.0, "raw": 0.0}
    for i in range(BATCHES):
        order = (
            [("raw", raw_login), ("sdk", sdk_login)]
            if i % 2 == 0
            else [("sdk", sdk_login), ("raw", raw_login)]
        )
        for name, fn in order:
            out[name] += await batch(fn, max(CONCURRENCY, n // BATCHES), name)
    await raw.aclose()
    await sdk.aclose()
    return out, out_cpu


if __name__ == "__main__":
    main()
