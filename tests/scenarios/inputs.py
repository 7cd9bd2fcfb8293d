"""Scenario: every public function given wrong types and values raises a documented Python
exception whose message names the bad value; never a raw JS error, never a hang."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pyws

from .check import raises
from .suite import Server, scenario


def _js_error() -> type[BaseException]:
    try:
        from pyodide.ffi import JsException
    except ImportError:  # no JS here: nothing can leak one
        return type("NoJsException", (Exception,), {})
    return JsException


@scenario()
async def bad_input_raises_documented_exceptions(server: Server) -> None:
    echo = server.url("/echo")
    js_error = _js_error()
    tried: list[str] = []

    async def expect(kind: type[BaseException], shown: str, action: Callable[[], Any]) -> None:
        tried.append(shown)
        with raises(kind) as caught:
            try:
                result = action()
                if asyncio.iscoroutine(result) or isinstance(result, pyws.connect):
                    await asyncio.wait_for(result, 10)  # a hang fails instead of stalling
            except js_error as exc:
                raise AssertionError(f"raw JS error for {shown!r}: {exc}") from exc
        assert shown in str(caught.value), (shown, str(caught.value))

    for url in (None, b"ws://x/", 42):
        await expect(TypeError, repr(url), lambda u=url: pyws.connect(u))
    for url, shown in [
        ("", "empty"),
        ("ftp://127.0.0.1/", "'ftp'"),
        ("ws://127.0.0.1/#frag", "fragment"),
        ("ws://127.0.0.1:70000/", "70000"),
        ("javascript:alert(1)", "'javascript'"),
        ("ws://exa mple.com/", "forbidden domain code points"),
        ("ws://a<b/", "'<'"),
    ]:
        await expect(pyws.InvalidURI, shown, lambda u=url: pyws.connect(u))
    await expect(TypeError, "'v1.echo'", lambda: pyws.connect(echo, subprotocols="v1.echo"))
    for protocols, shown in [
        (["a", "a"], "duplicate subprotocol 'a'"),
        (["a b"], "'a b'"),
        ([""], "''"),
        (["é"], "'é'"),
        ([1], "1"),
    ]:
        await expect(ValueError, shown, lambda p=protocols: pyws.connect(echo, subprotocols=p))
    for name, value in [("open_timeout", -1), ("close_timeout", -0.5)]:
        await expect(ValueError, repr(value), lambda n=name, v=value: pyws.connect(echo, **{n: v}))
    await expect(ValueError, "'text'", lambda: pyws.connect(echo, binary_type="text"))
    await expect(ValueError, "-1", lambda: pyws.connect(echo, write_limit=-1))
    await expect(TypeError, "'big'", lambda: pyws.connect(echo, write_limit="big"))
    await expect(TypeError, "'colour'", lambda: pyws.connect(echo, colour="red"))

    async with pyws.connect(echo) as ws:
        for code in (0, 999, 1004, 1005, 1006, 1015, 2999, 5000):
            await expect(ValueError, str(code), lambda c=code: ws.close(c))
        await expect(TypeError, "'1000'", lambda: ws.close("1000"))
        await expect(ValueError, "124 UTF-8 bytes", lambda: ws.close(1000, "x" * 124))
        await expect(ValueError, "124 UTF-8 bytes", lambda: ws.close(1000, "é" * 62))
        await expect(TypeError, "None", lambda: ws.close(1000, None))
        for message, shown in [(None, "NoneType"), ({}, "dict"), (1, "int"), (1.5, "float")]:
            await expect(TypeError, shown, lambda m=message: ws.send(m))
        await expect(UnicodeEncodeError, "surrogate", lambda: ws.send("lone \udc80"))
        await expect(ValueError, "-1", lambda: ws.recv(timeout=-1))
        await expect(TypeError, "'soon'", lambda: ws.recv(timeout="soon"))

        def set_binary_type() -> None:
            ws.binary_type = "arraybuffer"  # type: ignore[assignment]

        def set_handler() -> None:
            ws.on_message = print  # type: ignore[attr-defined]

        await expect(ValueError, "'arraybuffer'", set_binary_type)
        await expect(AttributeError, "recv()", set_handler)
        await expect(TypeError, "int", lambda: pyws.Blob(5))  # type: ignore[arg-type]
        # The connection is still fine after all of that.
        await ws.send("still open")
        assert await ws.recv() == "still open"
    assert len(tried) >= 40, len(tried)
