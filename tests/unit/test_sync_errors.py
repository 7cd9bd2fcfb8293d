"""pyws.sync's refusals in Pyodide, with the platform layer stubbed, so both messages are
checked in CPython too (the scenario sync_api.sync_without_jspi_says_why checks the first
for real on WebKit's main thread, which lacks JSPI and where the relay cannot run)."""

from __future__ import annotations

import sys
import types

import pytest

import pyws
import pyws.sync
from pyws._relay import Facts, refusal


async def _never_awaited() -> None:
    raise AssertionError("the coroutine ran")


@pytest.mark.parametrize(
    ("jspi", "message"),
    [
        (
            False,
            r"lacks JavaScript Promise Integration \(JSPI\).*Safari from 27.*"
            r"--experimental-wasm-stack-switching.*main thread.*hostRelays.*the async API",
        ),
        (True, r"entered synchronously from JavaScript.*callPromising"),
    ],
)
def test_where_it_cannot_block_it_says_why_and_how_to_call_it(
    monkeypatch: pytest.MonkeyPatch, jspi: bool, message: str
) -> None:
    ffi = types.ModuleType("pyws._platform.browser")
    ffi.can_run_sync = lambda: False  # type: ignore[attr-defined]
    ffi.jspi_supported = lambda: jspi  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pyws._platform.browser", ffi)
    monkeypatch.setattr(pyws._platform, "browser", ffi, raising=False)
    # A page's main thread, isolated: without JSPI the relay is wanted, and cannot run.
    relay = types.ModuleType("pyws._platform.relay")
    relay.owns = lambda loop: False  # type: ignore[attr-defined]
    relay.wanted = lambda: not jspi  # type: ignore[attr-defined]
    facts = Facts(jspi=jspi, node=False, worker=False, isolated=True, shared=True)
    relay.why_not = lambda: refusal(facts, forced=False)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pyws._platform.relay", relay)
    monkeypatch.setattr(pyws._platform, "relay", relay, raising=False)
    monkeypatch.setattr(pyws._platform, "IN_PYODIDE", True)
    coroutine = _never_awaited()
    with pytest.raises(RuntimeError, match=message):
        pyws.sync._run(coroutine)
    assert coroutine.cr_frame is None  # closed, not left to warn "never awaited"
