"""Every public function given wrong types and values: a documented Python exception whose
message names the bad value; never a raw JsException, never a hang."""

from __future__ import annotations

from typing import Any

from pytest_pyodide import run_in_pyodide


@run_in_pyodide(packages=["pyws"])
async def test_bad_input_raises_documented_exceptions(selenium: Any, echo_url: str) -> None:
    import asyncio

    from pyodide.ffi import JsException

    import pyws

    tried: list[str] = []

    async def expect(kind: type[BaseException], shown: str, action: Any) -> None:
        tried.append(repr(shown))
        try:
            async with asyncio.timeout(10):  # a hang fails the test instead of stalling it
                result = action()
                if asyncio.iscoroutine(result) or isinstance(result, pyws.connect):
                    await result
        except JsException as exc:
            raise AssertionError(f"raw JsException for {shown!r}: {exc}") from exc
        except kind as exc:
            assert shown in str(exc), (shown, str(exc))
        else:
            raise AssertionError(f"{shown!r} was accepted")

    for url in (None, b"ws://x/", 42):
        await expect(TypeError, repr(url), lambda u=url: pyws.connect(u))
    for url, shown in [
        ("", "empty"),
        ("ftp://127.0.0.1/", "'ftp'"),
        ("ws://127.0.0.1/#frag", "fragment"),
        ("ws://127.0.0.1:70000/", "70000"),
        ("javascript:alert(1)", "'javascript'"),
    ]:
        await expect(pyws.InvalidURI, shown, lambda u=url: pyws.connect(u))
    await expect(TypeError, "'v1.echo'", lambda: pyws.connect(echo_url, subprotocols="v1.echo"))
    for protocols, shown in [
        (["a", "a"], "duplicate subprotocol 'a'"),
        (["a b"], "'a b'"),
        ([""], "''"),
        (["é"], "'é'"),
        ([1], "1"),
    ]:
        await expect(ValueError, shown, lambda p=protocols: pyws.connect(echo_url, subprotocols=p))
    for name, value in [("open_timeout", -1), ("close_timeout", -0.5)]:
        await expect(
            ValueError, repr(value), lambda n=name, v=value: pyws.connect(echo_url, **{n: v})
        )
    await expect(ValueError, "'text'", lambda: pyws.connect(echo_url, binary_type="text"))
    await expect(ValueError, "-1", lambda: pyws.connect(echo_url, write_limit=-1))
    await expect(TypeError, "'big'", lambda: pyws.connect(echo_url, write_limit="big"))

    async with pyws.connect(echo_url) as ws:
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

        await expect(ValueError, "'arraybuffer'", set_binary_type)
        await expect(TypeError, "int", lambda: pyws.Blob.from_bytes(5))  # type: ignore[arg-type]
        # The connection is still fine after all of that.
        await ws.send("still open")
        assert await ws.recv() == "still open"
    print(f"bad inputs tried: {len(tried)}")
    assert len(tried) >= 40
