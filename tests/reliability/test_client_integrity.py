"""Integrity: seeded random messages of every size class echo back equal and in order."""

from __future__ import annotations

import os
import random
from typing import Any

import pytest
from pytest_pyodide import run_in_pyodide

SEED = int(os.environ.get("PYWS_SEED", random.SystemRandom().randrange(2**32)))


@run_in_pyodide(packages=["pyws"])
async def echo_random_messages(selenium: Any, echo_url: str, seed: int, count: int) -> str:
    import asyncio
    import hashlib
    import random

    import pyws

    rng = random.Random(seed)
    edges = [0, 1, 125, 126, 127, 65535, 65536, 65537]
    # Every plane: BMP (no surrogates), astral planes 1-16, and U+FFFD itself.
    pool = [chr(c) for c in range(0x20, 0x7F)] + ["\ufffd", "é", "€", "\U0001f600"]
    pool += [
        chr(rng.choice([rng.randrange(0xA0, 0xD800), rng.randrange(0xE000, 0x10000)]))
        for _ in range(200)
    ]
    pool += [
        chr(rng.randrange(plane << 16, (plane + 1) << 16))
        for plane in range(1, 17)
        for _ in range(8)
    ]

    def size() -> int:
        pick = rng.random()
        if pick < 0.45:
            return rng.choice(edges)
        if pick < 0.9:
            return rng.randrange(0, 4096)
        return rng.randrange(0, 2**20 + 1)

    def message() -> str | bytes:
        n = size()
        if rng.random() < 0.5:
            return rng.randbytes(n)
        text = "".join(rng.choices(pool, k=n // 2))  # about n UTF-8 bytes
        return text

    window = 16  # messages in flight: pipelined, but a bounded browser buffer
    sent: list[str | bytes] = []
    mismatches: list[str] = []
    text = 0
    async with pyws.connect(echo_url, open_timeout=30) as ws:
        for i in range(count + window):
            if i < count:
                if i == count // 2:
                    ws.binary_type = "blob"  # the second half arrives as Blobs
                sent.append(message())
                text += isinstance(sent[-1], str)
                await ws.send(sent[-1])
            j = i - window
            if j >= 0:
                got = await asyncio.wait_for(ws.recv(), 60)
                if isinstance(got, pyws.Blob):
                    got = await got.bytes()
                want = sent[j]
                if type(got) is not type(want) or got != want:
                    mismatches.append(
                        f"message {j}: sent {type(want).__name__} of {len(want)}, got "
                        f"{type(got).__name__} of {len(got)} "
                        f"{hashlib.sha256(str(got).encode()).hexdigest()[:8]}"
                    )
                sent[j] = b""  # free it
    return f"{count} messages, {text} text; mismatches: {mismatches[:5]}"


@pytest.mark.parametrize(
    "count",
    [pytest.param(500, id="quick"), pytest.param(10_000, id="long", marks=pytest.mark.long)],
)
def test_random_messages_echo_equal_and_in_order(selenium: Any, echo_url: str, count: int) -> None:
    summary = echo_random_messages(selenium, echo_url, SEED, count)
    print(f"seed {SEED}: {summary}")
    assert summary.endswith("mismatches: []"), (
        f"seed {SEED} (rerun with PYWS_SEED={SEED}): {summary}"
    )
