"""pyws in Pyodide in Chromium, against a deflate server: what the shared scenario suite
(tests/scenarios, run on every target by tests/targets) does not cover."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytest_pyodide import run_in_pyodide

from harness.server import start_server


@pytest.fixture(scope="module")
def deflate_echo_url() -> Iterator[str]:
    with start_server("--compression", "deflate") as server:
        yield server.ws_url()


@run_in_pyodide(packages=["pyws"])
async def test_extensions_report_what_the_server_selected(
    selenium: Any, deflate_echo_url: str
) -> None:
    import pyws

    async with pyws.connect(deflate_echo_url) as ws:
        assert ws.extensions.startswith("permessage-deflate")
        await ws.send("x" * 100_000)
        assert await ws.recv() == "x" * 100_000
