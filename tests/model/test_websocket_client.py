"""``pyws.patch_websocket_client()`` against the real websocket-client, step by step.

The same generated steps run against websocket-client 1.9.2 (``websocket.WebSocket``,
``websocket.WebSocketApp``) and against the patch's classes
(:mod:`pyws.compat.websocket_client`, over :mod:`pyws.sync` in CPython), each over its own
connection to one scripted server; after each step, what each showed (a value, or an
exception's type and message) must be the same, and what the model expects. Steps: sends of
each kind (``send`` with each opcode, ``send_text``, ``send_bytes``, ``send_binary``,
fragments through ``send_frame``), the server sending messages, ``recv``/``recv_data``/
``recv_data_frame``/``next`` with timeouts (some expiring, some not), closes from either
side (client ``close`` with a code and reason, ``shutdown``, ``abort``; the server's close
frame, or the server dropping the connection), and whole ``WebSocketApp.run_forever`` runs
whose callbacks send, raise and close (and one reconnection).

Left out, as docs/websocket-client-compat.md names them browser limits: pings and pongs
(the server here sends none; a page cannot send them), close codes a page may not send
(the patch sends 1000: its own rule checks that), and sends after the server's close frame
(websocket-client writes into the socket until it reads that frame; the browser refuses
once it got it), and a client close crossing the server's (which close frame is reported
depends on which came first).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import websocket
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from websocket import ABNF
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from pyws.compat import websocket_client as compat
from tests.model.settings import run_machine

COMMAND = "\x00cmd:"
"""A text message starting with this tells the server what to do; any other is echoed."""
EMPTY_WAIT = 0.02
"""``recv`` timeout where nothing is coming: it must expire (never a timing assertion:
nothing is sent until the step after)."""
WAIT = 10.0
"""``recv`` timeout where something is coming: a hang guard."""

TEXTS = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
BINARIES = st.binary(max_size=12)
PAGE_CODES = st.one_of(st.just(1000), st.integers(3000, 4999))
REASONS = st.text(st.characters(codec="ascii", min_codepoint=32), max_size=10)
SERVER_MESSAGES = st.lists(st.one_of(TEXTS, BINARIES), min_size=1, max_size=3)


def _handle(connection: ServerConnection) -> None:
    try:
        for message in connection:
            if isinstance(message, str) and message.startswith(COMMAND):
                order = json.loads(message.removeprefix(COMMAND))
                for item in order.get("send", []):
                    connection.send(item["text"] if "text" in item else bytes.fromhex(item["hex"]))
                if "close" in order:
                    connection.close(*order["close"])
                    return
                if order.get("drop"):
                    with contextlib.suppress(OSError):  # the client may have gone first
                        connection.socket.shutdown(socket.SHUT_RDWR)  # a FIN, no close frame
                    return
            else:
                connection.send(message)
    except ConnectionClosed:
        pass


@contextmanager
def scripted_server() -> Iterator[str]:
    """Echoes messages; a command message makes it send, close or drop. No pings."""
    server: Server = serve(_handle, "127.0.0.1", 0, ping_interval=None, compression=None)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"ws://127.0.0.1:{server.socket.getsockname()[1]}"
    finally:
        server.shutdown()
        thread.join(10)


URL = [""]


def command(**order: Any) -> str:
    return COMMAND + json.dumps(order)


def wire(message: str | bytes) -> dict[str, str]:
    return {"text": message} if isinstance(message, str) else {"hex": message.hex()}


def outcome(call: Callable[[], Any]) -> tuple[Any, ...]:
    """What a call showed: its value, or its exception's type and message."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ("ok", call())
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc))


def frame_view(result: tuple[Any, ...]) -> tuple[Any, ...]:
    """recv_data_frame's ``(opcode, frame)`` as comparable values."""
    if result[0] == "ok" and isinstance(result[1], tuple) and isinstance(result[1][1], ABNF):
        opcode, frame = result[1]
        return ("ok", opcode, frame.fin, frame.opcode, frame.data)
    return result


class WebSocketClientDifferential(RuleBasedStateMachine):
    """Two clients, the real one and the patched one, driven alike and compared."""

    def __init__(self) -> None:
        super().__init__()
        self.real: Any = None
        self.patched: Any = None
        self.state = "none"
        self.queue: list[tuple[int, bytes]] = []
        """The model: the frames each client has yet to receive, in order."""
        self.close_frame: bytes = b""

    # -- helpers -------------------------------------------------------------------------

    def both(self, step: Callable[[Any], Any], view: Callable[..., Any] = lambda r: r) -> Any:
        """Run ``step`` on each client; the two outcomes must be equal. Returns it."""
        real = view(outcome(lambda: step(self.real)))
        patched = view(outcome(lambda: step(self.patched)))
        assert real == patched, f"websocket-client: {real!r}\npatched: {patched!r}"
        return real

    def send_both(self, message: str) -> None:
        self.both(lambda ws: ws.send(message))

    # -- connecting ----------------------------------------------------------------------

    @precondition(lambda self: self.state in ("none", "closed", "lost", "close_seen"))
    @rule(
        make=st.sampled_from(["create_connection", "WebSocket"]), timeout=st.sampled_from([5, None])
    )
    def connect(self, make: str, timeout: float | None) -> None:
        self.teardown()
        if make == "create_connection":
            self.real = websocket.create_connection(URL[0], timeout=WAIT)
            self.patched = compat.create_connection(URL[0], timeout=WAIT)
        else:
            self.real, self.patched = websocket.WebSocket(), compat.WebSocket()
            self.both(lambda ws: ws.connect(URL[0], timeout=timeout))
            self.both(lambda ws: ws.settimeout(WAIT))
        self.state, self.queue = "open", []
        view = self.both(lambda ws: (ws.connected, ws.status, ws.subprotocol, ws.gettimeout()))
        assert view == ("ok", (True, 101, None, WAIT)), view

    # -- sending -------------------------------------------------------------------------

    @precondition(lambda self: self.state == "open")
    @rule(
        how=st.sampled_from(["send", "send_text", "send_opcode_text"]),
        text=TEXTS,
    )
    def send_text(self, how: str, text: str) -> None:
        calls = {
            "send": lambda ws: ws.send(text),
            "send_text": lambda ws: ws.send_text(text),
            "send_opcode_text": lambda ws: ws.send(text, ABNF.OPCODE_TEXT),
        }
        self.both(calls[how])
        self.queue.append((ABNF.OPCODE_TEXT, text.encode()))

    @precondition(lambda self: self.state == "open")
    @rule(how=st.sampled_from(["send_bytes", "send_binary", "send_opcode_binary"]), data=BINARIES)
    def send_binary(self, how: str, data: bytes) -> None:
        calls = {
            "send_bytes": lambda ws: ws.send_bytes(bytearray(data)),
            "send_binary": lambda ws: ws.send_binary(data),
            "send_opcode_binary": lambda ws: ws.send(data, ABNF.OPCODE_BINARY),
        }
        self.both(calls[how])
        self.queue.append((ABNF.OPCODE_BINARY, data))

    @precondition(lambda self: self.state == "open")
    @rule(parts=st.lists(TEXTS, min_size=2, max_size=4))
    def send_fragments(self, parts: list[str]) -> None:
        """A text message in fragments through send_frame (continuations in UTF-8 bytes)."""
        frames = [ABNF.create_frame(parts[0], ABNF.OPCODE_TEXT, 0)]
        frames += [ABNF.create_frame(p.encode(), ABNF.OPCODE_CONT, 0) for p in parts[1:]]
        frames[-1].fin = 1
        for frame in frames:
            self.both(lambda ws, frame=frame: ws.send_frame(frame))
        self.queue.append((ABNF.OPCODE_TEXT, "".join(parts).encode()))

    @precondition(lambda self: self.state == "open")
    @rule(opcode=st.sampled_from([3, 7, 11]))
    def send_bad_opcode(self, opcode: int) -> None:
        result = self.both(lambda ws: ws.send("x", opcode))
        assert result[:2] == ("raised", "ValueError"), result

    # -- the server ----------------------------------------------------------------------

    @precondition(lambda self: self.state == "open")
    @rule(messages=SERVER_MESSAGES)
    def server_sends(self, messages: list[str | bytes]) -> None:
        self.send_both(command(send=[wire(m) for m in messages]))
        for message in messages:
            if isinstance(message, str):
                self.queue.append((ABNF.OPCODE_TEXT, message.encode()))
            else:
                self.queue.append((ABNF.OPCODE_BINARY, message))

    @precondition(lambda self: self.state == "open")
    @rule(code=PAGE_CODES, reason=REASONS)
    def server_closes(self, code: int, reason: str) -> None:
        self.send_both(command(close=[code, reason]))
        self.queue.append((ABNF.OPCODE_CLOSE, code.to_bytes(2, "big") + reason.encode()))
        self.state = "server_closing"

    @precondition(lambda self: self.state == "open")
    @rule()
    def server_drops(self) -> None:
        self.send_both(command(drop=True))
        self.state = "dropping"

    # -- receiving -----------------------------------------------------------------------

    @precondition(lambda self: self.state != "none")
    @rule(
        how=st.sampled_from(["recv", "recv_data", "recv_data_control", "recv_data_frame", "next"]),
        zero=st.booleans(),
    )
    def receive(self, how: str, zero: bool) -> None:
        calls: dict[str, Callable[[Any], Any]] = {
            "recv": lambda ws: ws.recv(),
            "recv_data": lambda ws: ws.recv_data(),
            "recv_data_control": lambda ws: ws.recv_data(control_frame=True),
            "recv_data_frame": lambda ws: ws.recv_data_frame(),
            "next": lambda ws: next(ws),
        }
        coming = bool(self.queue) or self.state in ("server_closing", "dropping", "close_seen")
        timeout = WAIT if coming else (0 if zero else EMPTY_WAIT)
        self.both(lambda ws: ws.settimeout(timeout))
        got = self.both(calls[how], frame_view)
        self.both(lambda ws: ws.settimeout(WAIT))
        if self.queue:
            opcode, data = self.queue.pop(0)
            if opcode == ABNF.OPCODE_CLOSE:
                self.state = "close_seen"
            expected: dict[str, Any] = {
                "recv": "" if opcode == ABNF.OPCODE_CLOSE else
                data.decode() if opcode == ABNF.OPCODE_TEXT else data,
                "recv_data": (opcode, data),
                "recv_data_control": (opcode, data),
                "recv_data_frame": (opcode, 1, opcode, data),
                "next": "" if opcode == ABNF.OPCODE_CLOSE else
                data.decode() if opcode == ABNF.OPCODE_TEXT else data,
            }  # fmt: skip
            want = expected[how]
            assert got == ("ok", *want) if how == "recv_data_frame" else ("ok", want), got
        elif self.state == "open":
            kind = "BlockingIOError" if timeout == 0 else "WebSocketTimeoutException"
            assert got[:2] == ("raised", kind), got
        elif self.state in ("dropping", "close_seen", "lost_after"):
            assert got == (
                "raised", "WebSocketConnectionClosedException", compat.LOST,
            ), got  # fmt: skip
            self.state = "lost"
        else:  # closed by the client, or lost before
            assert got == ("raised", "WebSocketConnectionClosedException", "Connection is closed")

    # -- closing -------------------------------------------------------------------------

    @precondition(lambda self: self.state == "open")
    @rule(code=PAGE_CODES, reason=st.one_of(REASONS, REASONS.map(str.encode)))
    def client_closes(self, code: int, reason: str | bytes) -> None:
        """Not while the server's own close frame is on its way: which close frame
        ``close_frame`` holds then depends on which side was first (websocket-client reads
        up to the server's; the platform under pyws may report its own echoed)."""
        self.both(lambda ws: ws.close(status=code, reason=reason, timeout=WAIT))
        view = self.both(lambda ws: (ws.connected, ws.sock, ws.close_frame.data))
        raw = reason if isinstance(reason, bytes) else reason.encode()
        assert view == ("ok", (False, None, code.to_bytes(2, "big") + raw)), view
        self.state, self.queue = "closed", []
        self.after_close()

    @precondition(lambda self: self.state == "open")
    @rule(code=st.sampled_from([1001, 1011, 2000, 999, 5000]))
    def client_closes_with_a_code_a_page_may_not_send(self, code: int) -> None:
        """A browser limit: the patch sends 1000 instead (with a warning)."""
        real = outcome(lambda: self.real.close(status=code))
        patched = outcome(lambda: self.patched.close(status=code))
        assert real == patched == ("ok", None), (real, patched)
        # The server echoes a valid code; it answers one never valid on the wire with 1002.
        echoed = code.to_bytes(2, "big") if code in (1001, 1011) else b"\x03\xea"
        assert self.real.close_frame.data[:2] == echoed, self.real.close_frame.data
        assert self.patched.close_frame.data == b"\x03\xe8"
        self.state, self.queue = "closed", []

    @precondition(lambda self: self.state == "open" and not self.queue)
    @rule(how=st.sampled_from(["shutdown", "abort"]))
    def client_drops(self, how: str) -> None:
        self.both(lambda ws: getattr(ws, how)())
        view = self.both(lambda ws: (ws.connected, ws.sock is None))
        if how == "shutdown":
            assert view == ("ok", (False, True)), view
            self.state, self.queue = "closed", []
        else:  # abort leaves the object as it was: the next recv finds the end (with
            # nothing in flight: what had come before abort() may or may not still be read)
            assert view == ("ok", (True, False)), view
            self.state, self.queue = "lost_after", []

    def after_close(self) -> None:
        self.both(lambda ws: ws.send("after"))
        self.both(lambda ws: ws.close())

    # -- WebSocketApp --------------------------------------------------------------------

    @rule(
        sends=st.lists(st.one_of(TEXTS, BINARIES), max_size=3),
        end=st.one_of(
            st.tuples(st.just("server_close"), PAGE_CODES, REASONS),
            st.tuples(st.just("client_close_in_callback"), PAGE_CODES, REASONS),
            st.tuples(st.just("drop"), st.just(0), st.just("")),
            st.tuples(st.just("raise_then_close"), st.just(1000), st.just("")),
            st.tuples(st.just("server_close_reconnect"), PAGE_CODES, REASONS),
        ),
    )
    def run_app(self, sends: list[str | bytes], end: tuple[str, int, str]) -> None:
        """A whole ``run_forever``: on_open sends, the echoes come back through on_data and
        on_message, then the run ends as ``end`` says; every callback and its arguments,
        in order, and the return value, must be the same."""
        real = self.app_events(websocket.WebSocketApp, sends, end)
        patched = self.app_events(compat.WebSocketApp, sends, end)
        assert real == patched, f"websocket-client: {real!r}\npatched: {patched!r}"

    def app_events(
        self, make: type[Any], sends: list[str | bytes], end: tuple[str, int, str]
    ) -> list[tuple[Any, ...]]:
        kind, code, reason = end
        events: list[tuple[Any, ...]] = []
        last = len(sends)

        def on_open(app: Any) -> None:
            events.append(("open",))
            for message in sends:
                app.send(message, ABNF.OPCODE_TEXT if isinstance(message, str) else 2)
            if kind in ("server_close", "server_close_reconnect"):
                app.send(command(close=[code, reason]))
            elif kind == "drop":
                app.send(command(drop=True))
            else:
                app.send(f"end {kind}")

        def on_message(app: Any, message: Any) -> None:
            events.append(("message", message))
            if message == "end client_close_in_callback":
                app.close(status=code, reason=reason)
            elif message == "end raise_then_close":
                raise RuntimeError("from a callback")

        def on_error(app: Any, error: Exception) -> None:
            events.append(("error", type(error).__name__, str(error)))
            if isinstance(error, RuntimeError):
                app.close()

        def on_reconnect(app: Any) -> None:
            events.append(("reconnect",))
            app.keep_running = False  # one reconnection: its loop checks this first

        app = make(
            URL[0],
            on_open=on_open,
            on_reconnect=on_reconnect,
            on_message=on_message,
            on_data=lambda app, *args: events.append(("data", *args)),
            on_error=on_error,
            on_close=lambda app, *args: events.append(("close", *args)),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # reconnect= is a delay in seconds (an int in websocket-client's hints; it
            # sleeps any number): a short one, so that the run stays short.
            reconnect = 0.05 if kind == "server_close_reconnect" else None
            returned = app.run_forever(reconnect=reconnect)
        assert last == len(sends)
        return [*events, ("returned", returned, app.keep_running, app.sock)]

    # -- invariants and teardown ---------------------------------------------------------

    @invariant()
    def timeouts_agree(self) -> None:
        if self.real is not None:
            assert self.real.gettimeout() == self.patched.gettimeout()

    def teardown(self) -> None:
        for ws in (self.real, self.patched):
            if ws is not None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    outcome(ws.close)
                    outcome(ws.shutdown)
        self.real = self.patched = None


@pytest.fixture
def server_url() -> Iterator[str]:
    with scripted_server() as url:
        URL[0] = url
        yield url


def test_patch_matches_websocket_client_step_by_step(server_url: str) -> None:
    # Steps go over loopback sockets, 2 connections each: 40 examples of 25 steps took
    # 15-22 s here (make test); a fuzz round of 150 examples of 80 steps took 48 s at 14:10
    # and 167 s at 14:40 UTC (the machine shared with other sessions): rounds of 100.
    run_machine(WebSocketClientDifferential, ci_examples=40, ci_steps=25, fuzz_examples=100)
