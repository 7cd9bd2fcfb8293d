from __future__ import annotations

from typing import Any

from pytest_pyodide import run_in_pyodide


@run_in_pyodide(packages=["pyws"])
async def test_echo_round_trip(selenium: Any, echo_url: str) -> None:
    import pyws

    async with pyws.connect(echo_url, subprotocols=["v2.echo", "v1.echo"]) as ws:
        assert ws.subprotocol == "v2.echo"
        await ws.send("hello")
        assert await ws.recv() == "hello"
        await ws.send(b"\x00\x01")
        assert await ws.recv() == b"\x00\x01"
        ws.binary_type = "blob"
        await ws.send(b"blob!")
        blob = await ws.recv()
        assert isinstance(blob, pyws.Blob)
        assert await blob.bytes() == b"blob!"
    assert ws.close_code == 1000
    from pyws import _ffi

    assert _ffi.live_proxies() == 0
