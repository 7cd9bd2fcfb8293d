"""What pyws.patch_websockets() provides, next to the real ``websockets`` (installed here
with pyws's cpython extra): the same results for the same calls (issue 21, items 4, 10)."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

import pytest
import websockets
import websockets.datastructures
import websockets.exceptions
import websockets.frames

import pyws
from pyws.compat import websockets as compat
from tests.unit.fake import open_socket


def outcome(call: Callable[[], Any]) -> Any:
    """What a call returns, or the type and text of what it raises."""
    try:
        result = call()
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc))
    if isinstance(result, compat.Headers | websockets.datastructures.Headers):
        return ("Headers", list(result.raw_items()))
    if hasattr(result, "__next__") or isinstance(result, type({}.items())):
        return list(result)
    return result


def script(headers_type: Any) -> list[Any]:
    headers = headers_type([("Host", "h"), ("Set-Cookie", "a=1"), ("set-cookie", "b=2")])
    other = headers_type({"X-One": "1"})
    calls: list[Callable[[], Any]] = [
        lambda: len(headers),  # names, not pairs
        lambda: list(headers),
        lambda: dict(other),
        lambda: headers.items(),
        lambda: "HOST" in headers,
        lambda: headers["host"],
        lambda: headers["Set-Cookie"],  # MultipleValuesError
        lambda: headers["missing"],
        lambda: headers.get("missing", "default"),
        lambda: headers.get_all("SET-COOKIE"),
        lambda: headers.raw_items(),
        lambda: str(headers),
        lambda: headers.serialize(),
        lambda: headers.__setitem__("X-New", "v"),
        lambda: headers.__setitem__("x-new", "w"),
        lambda: headers.get_all("X-NEW"),
        lambda: headers.__setitem__("X-Bad", "line\nbreak"),  # InvalidHeaderValue
        lambda: headers.__delitem__("set-cookie"),
        lambda: headers.raw_items(),
        lambda: headers.__delitem__("set-cookie"),
        lambda: headers.copy(),
        lambda: headers == headers.copy(),
        lambda: headers == other,
        lambda: headers.update(other, Extra="e"),
        lambda: headers.raw_items(),
        lambda: headers_type(headers).raw_items(),
        lambda: headers.pop("extra"),
        lambda: headers.setdefault("Y", "y"),
        lambda: repr(headers).replace(headers_type.__name__, "Headers"),
        lambda: headers.clear(),
        lambda: len(headers),
    ]
    return [outcome(call) for call in calls]


def test_headers_behave_as_websockets_headers() -> None:
    # Issue 21, item 10: Headers was no MutableMapping: dict(headers) failed, .items() was
    # missing, headers[k] = v failed, and len() counted pairs instead of names.
    assert isinstance(compat.Headers(), MutableMapping)
    assert script(compat.Headers) == script(websockets.datastructures.Headers)


def pair(close: Any) -> tuple[int, str] | None:
    return None if close is None else (close.code, close.reason)


@pytest.mark.parametrize(
    "args",
    [
        (None, None),
        (pyws.exceptions.Close(1000, ""), None),
        (None, pyws.exceptions.Close(1001, "going")),
        (pyws.exceptions.Close(1011, "x"), pyws.exceptions.Close(1000, ""), True),
        (pyws.exceptions.Close(1000, "bye"), pyws.exceptions.Close(1000, "bye"), False),
    ],
)
@pytest.mark.parametrize(
    "name", ["ConnectionClosed", "ConnectionClosedOK", "ConnectionClosedError"]
)
def test_connection_closed_takes_websockets_arguments(name: str, args: tuple[Any, ...]) -> None:
    # Issue 21, item 10: ConnectionClosedOK(None, None) and ConnectionClosed(Close(1000,
    # ""), None) raised TypeError; websockets' signature is (rcvd, sent, rcvd_then_sent).
    real_args = tuple(
        websockets.frames.Close(*a) if isinstance(a, pyws.exceptions.Close) else a for a in args
    )
    real = getattr(websockets.exceptions, name)(*real_args)
    ours = compat.EXCEPTIONS[name](*args)
    assert isinstance(ours, pyws.ConnectionClosed)
    assert (pair(ours.rcvd), pair(ours.sent), ours.rcvd_then_sent) == (
        pair(real.rcvd),
        pair(real.sent),
        real.rcvd_then_sent,
    )
    assert ours.code == (1006 if real.rcvd is None else real.rcvd.code)
    keywords = dict(zip(("rcvd", "sent", "rcvd_then_sent"), args, strict=False))
    assert compat.EXCEPTIONS[name](**keywords).rcvd == ours.rcvd


def test_every_websockets_exception_and_frames_name_imports() -> None:
    # Issue 21, item 10: InvalidStatusCode, ProxyError, InvalidProxyMessage,
    # InvalidProxyStatus, InvalidHeaderValue, InvalidOrigin and frames.Opcode were missing.
    for name in [*websockets.exceptions.__all__, "InvalidStatusCode"]:
        assert name in compat.MODULES["websockets.exceptions"], name
    ours, real = compat.MODULES["websockets.exceptions"], websockets.exceptions
    for name in ("InvalidProxyMessage", "InvalidProxyStatus"):
        assert issubclass(ours[name], ours["ProxyError"])
    for name in ("InvalidHeaderValue", "InvalidOrigin", "InvalidUpgrade", "InvalidHeaderFormat"):
        assert issubclass(ours[name], ours["InvalidHeader"])
        assert issubclass(ours[name], ours["InvalidHandshake"])
    assert str(ours["InvalidOrigin"](None)) == str(real.InvalidOrigin(None))
    assert str(ours["InvalidHeaderValue"]("X", "v")) == str(real.InvalidHeaderValue("X", "v"))
    opcode = compat.MODULES["websockets.frames"]["Opcode"]
    assert {o.name: o.value for o in opcode} == {o.name: o.value for o in websockets.frames.Opcode}
    assert compat.MODULES["websockets.frames"]["TEXT"] == websockets.frames.TEXT


@pytest.mark.parametrize(
    ("message", "text", "error"),
    [
        ({"type": "subscribe", "id": 1}, None, "data is a dict-like object"),
        (5, True, "data must be str, bytes, iterable, or async iterable"),
        (5, None, "data must be str, bytes, iterable, or async iterable"),
        ([1, 2], None, "iterable must contain bytes or str"),
        (["a", b"b"], None, "iterable must contain uniform types"),
    ],
)
async def test_send_raises_type_error_as_websockets_does(
    message: Any, text: bool | None, error: str
) -> None:
    # Issue 21, item 4: send(dict) sent its keys joined ('typeid'), and send(5, text=True)
    # sent five NUL characters.
    ws, transport = open_socket()
    connection = compat.ClientConnection(ws, compat._Options({}, stacklevel=1))
    with pytest.raises(TypeError) as info:
        await connection.send(message, text=text)
    assert str(info.value) == error
    assert transport.sent == []


async def test_send_joins_fragments_and_applies_text() -> None:
    ws, transport = open_socket()
    connection = compat.ClientConnection(ws, compat._Options({}, stacklevel=1))
    await connection.send(["a", "b"])
    await connection.send([b"a", bytearray(b"b"), memoryview(b"c")])
    await connection.send(bytearray(b"t"), text=True)
    await connection.send("b", text=False)
    await connection.send([])  # nothing, as websockets

    async def fragments() -> Any:
        yield "x"
        yield "y"

    await connection.send(fragments())
    assert transport.sent == ["ab", b"abc", "t", b"b", "xy"]
