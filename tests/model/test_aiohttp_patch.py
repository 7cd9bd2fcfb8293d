"""The aiohttp patch against the real aiohttp, step by step (issue 25): a differential machine.

Each generated sequence of steps runs on two clients at once, in CPython, on one loop with a
virtual clock (:mod:`tests.model.netsim`), against a local aiohttp server on loopback:

- **real**: aiohttp 3.14's own ``ClientSession.ws_connect``, unpatched;
- **patch**: ``pyws.compat.aiohttp``'s ``_ws_connect`` (what ``patch_aiohttp()`` installs in
  Pyodide), over pyws's CPython backend: the same ``BrowserWebSocketResponse`` a page gets,
  over a socket that behaves as the browser's does (it answers a close frame at once).

The steps: ``receive()`` with and without a timeout, through ``asyncio.wait_for`` (as
engine.io reads) or not, a second concurrent ``receive()``, cancels, sends (and sends of the
wrong type), ``close()`` from the client (also with codes a page may not send, and with one
no close frame can hold), the server sending, closing, going deaf or cutting the connection,
``ClientSession.close()``, and the clock moving (a message can arrive as a read times out).
After each step, what each client shows must be the same: what a finished ``receive()`` or
``close()`` returned or raised, ``closed``, ``close_code``, ``exception()``'s type, and what
the server received. Where docs/aiohttp-compat.md documents a browser limit, the step says
so and checks the patch against what the doc promises instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import ClientSession, ClientWSTimeout, WSMsgType, web
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from pyws.compat import aiohttp as compat
from tests.model.netsim import NetSim, step_now
from tests.model.settings import run_machine

CLOSE_TIMEOUT = 2.0
"""``ClientWSTimeout.ws_close`` of both clients."""
SERVER_CLOSE_TIMEOUT = 1e6
"""The server waits this long for the client's answer to its close: for ever, here. A
browser answers a close frame at once, aiohttp only once ``receive()`` reads it; a server
that gave up meanwhile would make that a difference of timing, not of behaviour."""
SIDES = ("real", "patch")

TEXTS = st.sampled_from(["", "a", "é", "tx"])
BINARIES = st.sampled_from([b"", b"\x00", b"bin"])
RECEIVE_TIMEOUTS = st.sampled_from([None, 0.5, 1.0])
WAIT_FOR_TIMEOUTS = st.sampled_from([0.5, 1.0])
DELTAS = st.sampled_from([0.25, 0.5, 1.0, 2.5])
CLOSE_CODES = st.sampled_from([1000, 3000, 4001])
CLOSE_MESSAGES = st.sampled_from([b"", b"bye", "str reason"])
UNPACKABLE_CODES = st.sampled_from([70000, -1])
PAGE_MAY_NOT = st.sampled_from([(999, b""), (5000, b""), (1000, b"x" * 124), (1000, b"\xff")])
"""``close()`` arguments aiohttp sends and a page may not: the patch raises ValueError and
changes nothing (docs/aiohttp-compat.md); aiohttp would send them."""
SERVER_CLOSES = st.sampled_from([(1000, ""), (4000, "bye"), (1001, "going")])


@dataclass
class Peer:
    """The server's end of one client's connection."""

    ws: web.WebSocketResponse
    request: web.Request
    got: list[tuple[str, Any]] = field(default_factory=list)
    deaf: bool = False
    """Whether it leaves a close frame unanswered (so ``ws_close`` runs out)."""
    closed_first: bool = False
    """Whether it sent its close frame first (then it waits for the answer for ever)."""


@dataclass
class Side:
    """One client: the real aiohttp or the patch."""

    name: str
    session: ClientSession
    ws: Any = None
    peer: Peer | None = None
    reader: asyncio.Task[Any] | None = None
    calls: list[asyncio.Task[Any]] = field(default_factory=list)
    outcomes: list[object] = field(default_factory=list)
    """What each finished call returned or raised, in the order they finished."""


def outcome(task: asyncio.Task[Any]) -> object:
    """A finished call, comparably: its result (a message as type, data, extra), or the
    type of what it raised."""
    if task.cancelled():
        return "cancelled"
    exc = task.exception()
    if exc is not None:
        return ("raised", type(exc).__name__)
    result = task.result()
    if hasattr(result, "type"):
        data = result.data
        if result.type is WSMsgType.ERROR:
            data = type(data).__name__
        return (result.type.name, data, result.extra)
    return ("returned", result)


class AiohttpPatchMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.sim = NetSim()
        self.peers: dict[str, Peer] = {}
        self.runner: web.AppRunner | None = None
        self.sides: list[Side] = []
        self.closing: list[asyncio.Task[Any]] = []
        """The clients' ``close()`` calls."""

    # -- setting up ------------------------------------------------------------------------

    async def _serve(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoclose=False, timeout=SERVER_CLOSE_TIMEOUT)
        await ws.prepare(request)
        peer = self.peers[request.query["side"]] = Peer(ws, request)
        while True:
            msg = await ws.receive()
            if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                peer.got.append((msg.type.name, msg.data))
            elif msg.type is WSMsgType.CLOSE:
                if peer.closed_first:
                    break  # the answer to its own close frame
                if peer.deaf:  # neither answer nor end the handler (which would close)
                    await asyncio.get_running_loop().create_future()
                await ws.close(code=msg.data or 1000, message=msg.extra.encode())
                break
            else:
                break
        return ws

    @initialize(autoclose=st.booleans())
    def open(self, autoclose: bool) -> None:
        self.autoclose = autoclose

        async def start() -> None:
            app = web.Application()
            app.router.add_get("/ws", self._serve)
            self.runner = web.AppRunner(app, handle_signals=False)
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            port = self.runner.addresses[0][1]
            timeout = ClientWSTimeout(ws_receive=None, ws_close=CLOSE_TIMEOUT)
            for name in SIDES:
                side = Side(name, ClientSession())
                url = f"http://127.0.0.1:{port}/ws?side={name}"
                connect = side.session.ws_connect if name == "real" else self._patched(side)
                side.ws = await connect(url, timeout=timeout, autoclose=autoclose)
                self.sides.append(side)

        self.sim.wait(start())
        self.sim.settle()
        for side in self.sides:
            side.peer = self.peers[side.name]
        self.compare()

    @staticmethod
    def _patched(side: Side) -> Any:
        async def connect(url: str, **options: Any) -> compat.BrowserWebSocketResponse:
            return await compat._ws_connect(side.session, url, **options)

        return connect

    # -- comparing -------------------------------------------------------------------------

    def observe(self, side: Side) -> tuple[object, ...]:
        """What one client shows now; finished calls are harvested into its outcomes."""
        if side.reader is not None and side.reader.done():
            side.outcomes.append(("receive", outcome(side.reader)))
            side.reader = None
        for call in [c for c in side.calls if c.done()]:
            side.outcomes.append(("call", outcome(call)))
            side.calls.remove(call)
        ws = side.ws
        exception = ws.exception()
        assert side.peer is not None
        return (
            tuple(side.outcomes),
            side.reader is not None,
            len(side.calls),
            ws.closed,
            ws.close_code,
            None if exception is None else type(exception).__name__,
            tuple(side.peer.got),
        )

    def compare(self) -> None:
        real, patch = (self.observe(side) for side in self.sides)
        assert patch == real, f"\nreal:  {real}\npatch: {patch}"

    def each(self, action: Any) -> None:
        """Do ``action(side)`` on both clients, then run the loop until idle and compare."""
        for side in self.sides:
            action(side)
        self.sim.settle()
        self.compare()

    def run_now(self, side: Side, call: Any) -> None:
        """Start a client call as a task (it may finish at once, or wait)."""
        task = self.sim.loop.create_task(call)
        side.calls.append(task)

    # -- receiving -------------------------------------------------------------------------

    def read(self, call: Callable[[Side], Coroutine[Any, Any, Any]]) -> None:
        def start(side: Side) -> None:
            side.reader = self.sim.loop.create_task(call(side))

        self.each(start)

    @precondition(lambda self: self.sides and self.sides[0].reader is None)
    @rule(timeout=RECEIVE_TIMEOUTS)
    def receive(self, timeout: float | None) -> None:
        self.read(lambda side: side.ws.receive(timeout))

    @precondition(lambda self: self.sides and self.sides[0].reader is None)
    @rule(wait=WAIT_FOR_TIMEOUTS)
    def receive_through_wait_for(self, wait: float) -> None:
        """As engine.io reads: ``wait_for`` cancels the read when ``wait`` runs out."""
        self.read(lambda side: asyncio.wait_for(side.ws.receive(), wait))

    @precondition(lambda self: self.sides and self.sides[0].reader is not None)
    @rule()
    def receive_concurrently(self) -> None:
        """A second ``receive()`` while one waits: RuntimeError, in both."""
        self.each(lambda side: self.run_now(side, side.ws.receive()))

    @precondition(lambda self: self.sides and self.sides[0].reader is not None)
    @rule()
    def cancel_reader(self) -> None:
        def cancel(side: Side) -> None:
            assert side.reader is not None
            side.reader.cancel()

        self.each(cancel)

    # -- sending ---------------------------------------------------------------------------

    def send(self, call: Callable[[Side], Coroutine[Any, Any, None]]) -> None:
        patch = self.sides[1]
        if self._close_frame_unread():
            # A browser limit (docs/aiohttp-compat.md): the browser answers the server's
            # close frame as it arrives, and a page cannot send after that; aiohttp sends
            # until its receive() reads the frame. On the patch only, then.
            task = self.sim.loop.create_task(call(patch))
            self.sim.settle()
            assert outcome(task) == ("raised", "ClientConnectionResetError"), outcome(task)
            self.compare()
            return
        self.each(lambda side: self.run_now(side, call(side)))

    @rule(text=TEXTS)
    def send_str(self, text: str) -> None:
        self.send(lambda side: side.ws.send_str(text))

    @rule(data=BINARIES)
    def send_bytes(self, data: bytes) -> None:
        self.send(lambda side: side.ws.send_bytes(data))

    @rule(wrong=st.sampled_from(["str", "bytes"]))
    def send_the_wrong_type(self, wrong: str) -> None:
        """TypeError, in both."""
        self.each(
            lambda side: self.run_now(
                side, side.ws.send_str(b"x") if wrong == "str" else side.ws.send_bytes("x")
            )
        )

    # -- closing ---------------------------------------------------------------------------

    @rule(code=CLOSE_CODES, message=CLOSE_MESSAGES)
    def close(self, code: int, message: bytes | str) -> None:
        def start(side: Side) -> None:
            self.run_now(side, side.ws.close(code=code, message=message))
            self.closing.append(side.calls[-1])

        self.each(start)

    @rule(code=UNPACKABLE_CODES)
    def close_with_a_code_no_frame_holds(self, code: int) -> None:
        self.each(lambda side: self.run_now(side, side.ws.close(code=code)))

    @rule(arguments=PAGE_MAY_NOT)
    def close_as_a_page_may_not(self, arguments: tuple[int, bytes]) -> None:
        """A browser limit (docs/aiohttp-compat.md): aiohttp would send these; the patch
        raises ValueError and changes nothing. Run on the patch only."""
        patch = self.sides[1]
        before = self.observe(patch)
        code, message = arguments
        task = self.sim.loop.create_task(patch.ws.close(code=code, message=message))
        self.sim.settle()
        assert task.done(), "close() with arguments a page may not send waited"
        if patch.ws.closed:  # closed already: close() returns False, as in aiohttp
            assert outcome(task) == ("returned", False), outcome(task)
        else:
            assert isinstance(task.exception(), ValueError), outcome(task)
        assert self.observe(patch) == before
        self.compare()

    # -- the server ------------------------------------------------------------------------

    def _close_waits(self) -> bool:
        """Whether a client's ``close()`` waits for the server's answer."""
        return any(not task.done() for task in self.closing)

    def _server_can_send(self) -> bool:
        """Open, and no client's ``close()`` waiting: aiohttp's ``close()`` reads on, each
        message starting ``ws_close`` anew, where a page no longer sees messages once it
        closes, so ``ws_close`` bounds the whole close (docs/aiohttp-compat.md)."""
        return self._server_open() and not self._close_waits()

    def _server_open(self) -> bool:
        return bool(self.peers) and all(
            not p.ws.closed
            and not p.closed_first
            and p.request.transport is not None
            and not p.request.transport.is_closing()
            for p in self.peers.values()
        )

    @precondition(_server_can_send)
    @rule(text=TEXTS, binary=BINARIES, as_text=st.booleans())
    def server_sends(self, text: str, binary: bytes, as_text: bool) -> None:
        def send(side: Side) -> None:
            assert side.peer is not None
            ws = side.peer.ws
            step_now(ws.send_str(text) if as_text else ws.send_bytes(binary))

        self.each(send)

    @precondition(_server_can_send)
    @rule(text=TEXTS, turns=st.integers(1, 2), delta=DELTAS)
    def server_sends_as_the_clock_moves(self, text: str, turns: int, delta: float) -> None:
        """The message arrives, the loop turns once or twice, and then whatever falls due
        within ``delta`` s: a read that times out (or that ``wait_for`` cancels) just
        after its message arrived, before its task resumed.

        Not in the very iteration the message arrives: pyws resumes a reader inside the
        message handler (pyws._wakeup), aiohttp one iteration later, so at that exact tie
        the patch returns the message where aiohttp times out and keeps it for the next
        read; neither loses it. A browser never has that tie: a message event and a timer
        are separate tasks. The receive-path machine checks that nothing is lost there."""
        for side in self.sides:
            assert side.peer is not None
            step_now(side.peer.ws.send_str(text))
        for _ in range(turns):
            self.sim.turn()
        self.sim.advance(delta)
        self.compare()

    @precondition(lambda self: self._server_open() and not self.sides[0].peer.deaf)
    @rule(close=SERVER_CLOSES)
    def server_closes(self, close: tuple[int, str]) -> None:
        """Not once deaf: a server that leaves the client's close frame unanswered, then
        sends its own and keeps TCP open, ends aiohttp's ``close()`` as the frame arrives,
        where a browser reports the close (and pyws's ``close()`` returns) once TCP ends."""
        code, reason = close

        def start(side: Side) -> None:
            # The close frame alone: aiohttp's server close() would stop waiting for the
            # answer as soon as its own receive() is woken, and cut the connection.
            peer = side.peer
            assert peer is not None
            peer.closed_first = True
            step_now(peer.ws._writer.close(code, reason.encode()))

        self.each(start)

    @precondition(_server_open)
    @rule()
    def server_goes_deaf(self) -> None:
        """It will leave a close frame unanswered: a client's ``close()`` then waits
        ``ws_close``."""
        for side in self.sides:
            assert side.peer is not None
            side.peer.deaf = True
        self.compare()

    @precondition(_server_open)
    @rule()
    def server_cuts_the_connection(self) -> None:
        """TCP closed with no close frame (a crash): ``receive()`` gives CLOSED, 1006."""

        def cut(side: Side) -> None:
            assert side.peer is not None and side.peer.request.transport is not None
            side.peer.request.transport.abort()

        self.each(cut)

    # -- the session and the clock ---------------------------------------------------------

    def _close_frame_unread(self) -> bool:
        """Whether the server's close frame is there and the real client has not read it:
        the browser answered it as it came, aiohttp has not (docs/aiohttp-compat.md)."""
        real = self.sides[0]
        assert real.peer is not None
        return real.peer.closed_first and not real.ws.closed

    @precondition(lambda self: self.sides and not self._close_frame_unread())
    @rule()
    def session_closes(self) -> None:
        """Not while the server's close frame is unread: aiohttp then cuts a connection
        still open (1006) where the browser has closed it cleanly already."""
        self.each(lambda side: self.run_now(side, side.session.close()))

    @rule(delta=DELTAS)
    def clock_advances(self, delta: float) -> None:
        self.sim.advance(delta)
        self.compare()

    def teardown(self) -> None:
        async def stop() -> None:
            for side in self.sides:
                with contextlib.suppress(Exception):
                    await side.session.close()
            if self.runner is not None:
                await self.runner.cleanup()

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for task in asyncio.all_tasks(self.sim.loop):
                    task.cancel()
                self.sim.settle()
                self.sim.wait(stop())
        finally:
            self.sim.close()


@pytest.mark.filterwarnings("ignore")
def test_the_patch_behaves_as_aiohttp() -> None:
    run_machine(AiohttpPatchMachine)
