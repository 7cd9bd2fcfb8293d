"""The Large transfer card: 32 MiB in 1 MiB messages to the echo server and back, with live
progress, and SHA-256 digests of what went out and what came back compared at the end.

While it runs, the echoes are its own: the page's router gives it every binary message
(see :meth:`LargeTransfer.takes`), and a close fails it (:meth:`LargeTransfer.abort`).
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeGuard

import js
from demo_connection import Connection
from demo_view import REFRESH_SECONDS, MiB, View, element, error_text, size_text
from pyodide.ffi import create_proxy

import pyws

TOTAL = 32 * MiB
CHUNK = 1 * MiB
ECHO_TIMEOUT = 120.0
"""How long the echoes may take once everything is sent."""


@dataclass
class Run:
    """The bookkeeping of one round trip; the reader task feeds it the echoes."""

    total: int
    queued: int = 0
    received: int = 0
    sent_digest: Any = field(default_factory=hashlib.sha256)
    received_digest: Any = field(default_factory=hashlib.sha256)
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def feed(self, data: bytes) -> None:
        self.received += len(data)
        self.received_digest.update(data)
        if self.received >= self.total and not self.done.done():
            self.done.set_result(None)

    def fail(self, exc: BaseException) -> None:
        if not self.done.done():
            self.done.set_exception(exc)


@contextmanager
def deadline(run: Run, seconds: float) -> Iterator[None]:
    """Fail ``run`` with TimeoutError unless its echoes are all back within ``seconds``.

    A JS timer, cleared on leaving: under Pyodide's event loop a cancelled asyncio timeout
    (``asyncio.timeout``, ``wait_for``) keeps its JS timer and proxy alive until it expires.
    """

    def expire() -> None:
        run.fail(TimeoutError(f"the echoes did not all come back within {seconds:g} s"))

    proxy = create_proxy(expire)
    timer = js.setTimeout(proxy, seconds * 1000)
    try:
        yield
    finally:
        js.clearTimeout(timer)
        proxy.destroy()


class LargeTransfer:
    """The Send 32 MiB button, its progress bar and its verdict."""

    def __init__(self, view: View, connection: Connection) -> None:
        self.view = view
        self.connection = connection
        self.run: Run | None = None
        self.button = element("sendLarge")
        self.section = element("large")
        self.progress = element("largeProgress")
        self.percent = element("largePercent")
        self.status = element("largeStatus")
        self.result = element("largeResult")

    @property
    def running(self) -> bool:
        return self.run is not None

    def takes(self, message: pyws.Data) -> TypeGuard[bytes | pyws.Blob]:
        """Whether ``message`` is an echo of this transfer: any binary message while it runs."""
        return self.run is not None and not isinstance(message, str)

    async def receive(self, message: bytes | pyws.Blob) -> None:
        run = self.run
        if run is not None:
            run.feed(await message.bytes() if isinstance(message, pyws.Blob) else message)

    def abort(self, ws: pyws.WebSocket) -> None:
        """The connection closed: the missing echoes will never come."""
        if self.run is not None:
            self.run.fail(
                pyws.ConnectionClosed.from_close(
                    ws.close_code or 1006, ws.close_reason or "", bool(ws.was_clean)
                )
            )

    async def send(self) -> None:
        ws = self.connection.require_open()
        if self.run is not None:
            return
        self.view.clear_notice()
        run = self.run = Run(TOTAL)
        self.set_busy(True)
        self.result.textContent = ""
        self.result.className = "result"
        self.section.dataset.result = ""
        self.status.textContent = "Preparing 32 MiB of random bytes…"
        self.view.log("info", "large transfer: 32 messages of 1 MiB")
        watcher = asyncio.create_task(self.watch(ws, run))
        try:
            base = random.randbytes(CHUNK)
            started = time.perf_counter()
            for index in range(TOTAL // CHUNK):
                chunk = index.to_bytes(4, "big") + base[4:]
                run.sent_digest.update(chunk)
                await self.connection.send(ws, chunk, len(chunk))
                run.queued += len(chunk)
            with deadline(run, ECHO_TIMEOUT):
                await run.done
            elapsed = time.perf_counter() - started
        except BaseException as exc:
            self.status.textContent = f"Failed: {error_text(exc)}"
            self.section.dataset.result = "failed"
            raise
        finally:
            self.run = None
            watcher.cancel()
            self.set_busy(False)
        self.show_progress(ws, run)
        self.show_verdict(run, elapsed)

    def set_busy(self, busy: bool) -> None:
        """No second transfer, and no picture whose echo it would take, while one runs."""
        self.button.disabled = busy
        element("sendCanvas").disabled = busy

    async def watch(self, ws: pyws.WebSocket, run: Run) -> None:
        while True:
            self.show_progress(ws, run)
            await asyncio.sleep(REFRESH_SECONDS)

    def show_progress(self, ws: pyws.WebSocket, run: Run) -> None:
        """Half the bar for the bytes on the wire (sent minus buffered), half for the echoes."""
        buffered = ws.buffered_amount if ws.state == pyws.State.OPEN else 0
        on_wire = max(0, run.queued - buffered)
        percent = math.floor(100 * (on_wire + run.received) / (2 * run.total))
        self.progress.value = percent
        self.percent.textContent = f"{percent} %"
        self.section.dataset.percent = str(percent)
        self.status.textContent = (
            f"Sent {size_text(on_wire)} of 32 MiB (buffered_amount {buffered:,} B), "
            f"echoed {size_text(run.received)}."
        )
        self.connection.refresh()

    def show_verdict(self, run: Run, elapsed: float) -> None:
        sent, echoed = run.sent_digest.hexdigest(), run.received_digest.hexdigest()
        intact = sent == echoed
        rate = TOTAL / MiB / elapsed
        self.status.textContent = (
            f"32 MiB sent and echoed back in {elapsed:.2f} s: {rate:.1f} MiB/s round trip."
        )
        verdict = "intact" if intact else "CORRUPTED"
        self.result.textContent = f"SHA-256 {echoed[:16]}… {verdict}"
        self.result.className = f"result {'ok' if intact else 'bad'}"
        self.section.dataset.result = verdict.lower()
        self.section.dataset.sentDigest = sent
        self.section.dataset.receivedDigest = echoed
        self.view.log("info", f"large transfer {verdict}: {elapsed:.2f} s, {rate:.1f} MiB/s")
