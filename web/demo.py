"""The pyws demo page's logic, run in Pyodide by web/index.html.

The seed's JavaScript page, in Python over pyws: connect to an echo server, send text and
the source canvas (as a Blob or as bytes), draw echoed images on the destination canvas,
watch the socket in an inspector and an event log, and time a 32 MiB round trip.

One reader task per connection (``async for message in ws``) dispatches every message.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import random
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import js
from pyodide.ffi import create_once_callable, create_proxy

import pyws

MiB = 2**20
LARGE_TOTAL = 32 * MiB
LARGE_CHUNK = 1 * MiB
LARGE_TIMEOUT = 120.0
SUBPROTOCOLS = ["v2.echo", "v1.echo"]
LOG_LIMIT = 200
TEXT_PREVIEW = 80
REFRESH_SECONDS = 0.1


def element(id_: str) -> Any:
    """The element with this id; the page is ours, so it must exist."""
    node = js.document.getElementById(id_)
    if node is None:
        raise LookupError(f"the page has no element #{id_}")
    return node


def size_text(n: int) -> str:
    """A byte count for people: 512 B, 3.4 KiB, 32.0 MiB."""
    if n < 1024:
        return f"{n} B"
    if n < MiB:
        return f"{n / 1024:.1f} KiB"
    return f"{n / MiB:.1f} MiB"


def count(n: int, noun: str = "message") -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def shorten(text: str, limit: int = TEXT_PREVIEW) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


@dataclass
class LargeTransfer:
    """The bookkeeping of one 32 MiB round trip; the reader task feeds it the echoes."""

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


class Demo:
    """Every control of the page, and the one connection it drives."""

    def __init__(self, default_url: str) -> None:
        self.ws: pyws.WebSocket | None = None
        self.reader: asyncio.Task[None] | None = None
        self.connecting = False
        self.booted = False
        self.boot_seconds = 0.0
        self.large: LargeTransfer | None = None
        self.sent_messages = 0
        self.sent_bytes = 0
        self.received_messages = 0
        self.received_bytes = 0
        self.images = 0
        self.drawing = False
        self.last_point: tuple[float, float] = (0.0, 0.0)
        self.tasks: set[asyncio.Task[None]] = set()
        self.proxies: list[Any] = []

        self.body = js.document.body
        self.progress = element("progress")
        self.status = element("serverStatus")
        self.close_detail = element("closeDetail")
        self.notice = element("notice")
        self.url_input = element("url")
        self.url_input.value = default_url
        self.text_input = element("textmessage")
        self.response = element("serverResponse")
        self.source = element("source")
        self.destination = element("destination")
        self.source_ctx = self.source.getContext("2d")
        self.destination_ctx = self.destination.getContext("2d")
        self.brush = element("brushColor")
        self.binary_mode = element("binaryMode")
        self.send_canvas_button = element("sendCanvas")
        self.send_large_button = element("sendLarge")
        self.large_section = element("large")
        self.large_progress = element("largeProgress")
        self.large_percent = element("largePercent")
        self.large_status = element("largeStatus")
        self.large_result = element("largeResult")
        self.log_list = element("log")

    # -- wiring ----------------------------------------------------------------------------

    def listen(self, id_: str, event: str, handler: Callable[[Any], None]) -> None:
        proxy = create_proxy(handler)
        self.proxies.append(proxy)  # kept for the page's lifetime
        element(id_).addEventListener(event, proxy)

    def on(self, id_: str, event: str, action: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run the coroutine ``action`` on ``event``; a form's submit does not reload."""

        def handler(e: Any) -> None:
            e.preventDefault()
            self.spawn(action())

        self.listen(id_, event, handler)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a coroutine as a task whose exception, if any, shows in the page."""
        task = asyncio.ensure_future(self.guard(coro))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def guard(self, coro: Awaitable[None]) -> None:
        try:
            await coro
        except _Handled:
            pass
        except Exception as exc:
            self.report(exc)

    def wire(self) -> None:
        self.on("connectForm", "submit", self.connect)
        self.on("disconnect", "click", self.disconnect)
        self.on("textForm", "submit", self.send_text)
        self.on("sendCanvas", "click", self.send_canvas)
        self.on("sendLarge", "click", self.send_large)
        self.listen("randomPicture", "click", lambda e: self.random_picture())
        self.listen("clearCanvas", "click", lambda e: self.clear_picture())
        self.listen("binaryMode", "change", lambda e: self.set_binary_mode())
        self.listen("source", "pointerdown", self.pointer_down)
        self.listen("source", "pointermove", self.pointer_move)
        self.listen("source", "pointerup", self.pointer_up)
        self.listen("source", "pointercancel", self.pointer_up)
        for id_ in ("sendText", "sendCanvas", "sendLarge", "randomPicture", "clearCanvas"):
            element(id_).disabled = False
        self.set_binary_mode()

    # -- showing things --------------------------------------------------------------------

    def set_state(self, state: str) -> None:
        self.body.dataset.state = state

    def set_status(self, text: str, detail: str = "") -> None:
        self.status.textContent = f"WebSocket Status:: {text}"
        self.close_detail.textContent = detail

    def set_buttons(self, *, connect: bool, disconnect: bool) -> None:
        element("connect").disabled = not connect
        element("disconnect").disabled = not disconnect

    def ready(self, connection: str) -> None:
        """The end of the boot progress line; later connections leave it alone."""
        if not self.booted:
            self.booted = True
            self.progress.textContent = (
                f"Ready: Python and pyws loaded in {self.boot_seconds:.1f} s, {connection}."
            )

    def show_notice(self, text: str) -> None:
        self.notice.textContent = text
        self.notice.hidden = False

    def clear_notice(self) -> None:
        self.notice.textContent = ""
        self.notice.hidden = True

    def log(self, kind: str, text: str) -> None:
        item = js.document.createElement("li")
        item.className = f"log-{kind}"
        stamp = js.document.createElement("time")
        stamp.textContent = time.strftime("%H:%M:%S")
        label = js.document.createElement("strong")
        label.textContent = kind
        message = js.document.createElement("span")
        message.textContent = text
        item.append(stamp, label, message)
        self.log_list.prepend(item)
        while self.log_list.childElementCount > LOG_LIMIT:
            self.log_list.lastElementChild.remove()

    def report(self, exc: BaseException) -> None:
        """Show an exception raised in Python: in the log and in the notice line."""
        self.log("exception", error_text(exc))
        if isinstance(exc, pyws.ConnectionClosed):
            self.show_notice(f"Not sent: the connection is closed ({exc}). Press Connect.")
        else:
            self.show_notice(error_text(exc))

    def refresh(self) -> None:
        """Copy the connection's live attributes into the inspector."""
        ws = self.ws

        def put(id_: str, value: object) -> None:
            text = "\u2013" if value is None or value == "" else str(value)
            node = element(id_)
            if node.textContent != text:
                node.textContent = text

        put("insUrl", ws and ws.url)
        put("insState", ws and f"{ws.state.name} ({int(ws.state)})")
        put("insSubprotocol", ws and (ws.subprotocol or "(none)"))
        put("insExtensions", ws and (ws.extensions or "(none)"))
        put("insBinaryType", ws.binary_type if ws else self.binary_mode.value)
        put("insBuffered", ws and f"{ws.buffered_amount:,} B")
        put("insCloseCode", ws and ws.close_code)
        put("insCloseReason", ws and ws.close_reason)
        put("insSent", f"{count(self.sent_messages)}, {size_text(self.sent_bytes)}")
        put("insReceived", f"{count(self.received_messages)}, {size_text(self.received_bytes)}")

    async def refresh_forever(self) -> None:
        while True:
            self.refresh()
            await asyncio.sleep(REFRESH_SECONDS)

    # -- connecting ------------------------------------------------------------------------

    def require_open(self) -> pyws.WebSocket:
        """The open connection; else a clear message in the page, and _Handled is raised."""
        ws = self.ws
        if ws is None or ws.state != pyws.State.OPEN:
            self.show_notice("Not connected: press Connect first.")
            self.log("error", "cannot send while disconnected")
            raise _Handled
        return ws

    async def connect(self) -> None:
        if self.connecting:
            return
        if self.ws is not None and self.ws.state <= pyws.State.OPEN:
            self.show_notice("Already connected: press Disconnect first.")
            return
        self.clear_notice()
        url = str(self.url_input.value).strip()
        self.connecting = True
        self.set_state("loading")
        self.set_status(f"Connecting to {url}…")
        self.set_buttons(connect=False, disconnect=False)
        if not self.booted:
            self.progress.textContent = f"Connecting to {url}…"
        started = time.perf_counter()
        try:
            ws = await pyws.connect(
                url, subprotocols=SUBPROTOCOLS, binary_type=self.binary_mode.value
            )
        except (pyws.WebSocketError, ValueError, TypeError, TimeoutError) as exc:
            self.set_state("error")
            self.set_status("Error was reported", error_text(exc))
            self.set_buttons(connect=True, disconnect=False)
            self.log("exception", error_text(exc))
            self.show_notice(f"Could not connect: {exc}")
            self.ready("could not connect: see Connection below")
            return
        finally:
            self.connecting = False
        elapsed = time.perf_counter() - started
        self.ws = ws
        self.set_state("open")
        self.set_status("Socket Open", f"Connected to {ws.url} in {elapsed * 1000:.0f} ms.")
        self.set_buttons(connect=False, disconnect=True)
        self.ready(f"connected in {elapsed * 1000:.0f} ms")
        self.log("open", f"{ws.url} (subprotocol {ws.subprotocol or 'none'})")
        self.reader = asyncio.create_task(self.read(ws))
        self.refresh()

    async def disconnect(self) -> None:
        ws = self.ws
        if ws is None or ws.state >= pyws.State.CLOSING:
            self.show_notice("Not connected: nothing to disconnect.")
            return
        self.clear_notice()
        self.set_status("Closing…")
        await ws.close(1000, "bye from pyws")
        if self.reader is not None:
            await asyncio.wait([self.reader])

    async def read(self, ws: pyws.WebSocket) -> None:
        """The connection's one reader: text to serverResponse, binary to the canvas."""
        try:
            async for message in ws:
                try:
                    await self.dispatch(message)
                except Exception as exc:  # e.g. an image that does not decode
                    self.report(exc)
        except pyws.ConnectionClosed:
            pass  # an abnormal close: shown by closed() like any other
        finally:
            if self.ws is ws:
                self.closed(ws)

    def closed(self, ws: pyws.WebSocket) -> None:
        code, reason, clean = ws.close_code, ws.close_reason, ws.was_clean
        detail = f"Close code {code}"
        detail += f", reason “{reason}”" if reason else ", no reason"
        detail += "." if clean else "; the connection was lost (no clean closing handshake)."
        if clean:
            self.set_state("closed")
            self.set_status("Socket Closed", detail)
        else:
            self.set_state("error")
            self.set_status("Error was reported", f"Socket Closed. {detail}")
            self.log("error", "the connection failed")
        if code == 1001:
            self.show_notice(f"The server went away ({reason or 'going away'}). Press Connect.")
        elif not clean:
            self.show_notice(f"The connection was lost (code {code}). Press Connect to retry.")
        self.set_buttons(connect=True, disconnect=False)
        self.log("close", f"code {code}" + (f" “{reason}”" if reason else ""))
        if self.large is not None and not self.large.done.done():
            self.large.done.set_exception(pyws.ConnectionClosed.from_close(code or 1006, "", False))
        self.refresh()

    def set_binary_mode(self) -> None:
        mode = self.binary_mode.value
        self.send_canvas_button.textContent = (
            "Send canvas as Blob" if mode == "blob" else "Send canvas as bytes"
        )
        if self.ws is not None and self.ws.state <= pyws.State.OPEN:
            self.ws.binary_type = mode
            self.log("info", f"binary_type = {mode!r}")
        self.refresh()

    # -- receiving -------------------------------------------------------------------------

    async def dispatch(self, message: pyws.Data) -> None:
        self.received_messages += 1
        if isinstance(message, str):
            self.received_bytes += len(message.encode())
            self.log("message", f"text, {len(message)} chars: {shorten(message)}")
            self.response.textContent = f"Server Reply:: {message}"
            return
        if isinstance(message, pyws.Blob):
            self.received_bytes += message.size
            kind, size = "Blob", message.size
        else:
            self.received_bytes += len(message)
            kind, size = "bytes", len(message)
        if self.large is not None:
            data = await message.bytes() if isinstance(message, pyws.Blob) else message
            self.large.feed(data)
            return
        self.log("message", f"binary ({kind}), {size_text(size)}")
        if isinstance(message, pyws.Blob):
            blob = message
        else:
            blob = pyws.Blob.from_bytes(message, "image/png")
        await self.draw_image(blob)

    async def draw_image(self, blob: pyws.Blob) -> None:
        """Blob → object URL → Image → drawImage on the destination, as the seed does."""
        # A received Blob has no MIME type; a typed view of it costs no copy.
        typed = blob.js if blob.type else blob.js.slice(0, blob.size, "image/png")
        url = js.URL.createObjectURL(typed)
        try:
            image = js.Image.new()
            image.src = url
            try:
                await image.decode()
            except Exception as exc:
                size = size_text(blob.size)
                raise ValueError(f"a binary message of {size} is not an image: {exc}") from exc
        finally:
            js.URL.revokeObjectURL(url)
        ctx = self.destination_ctx
        ctx.clearRect(0, 0, self.destination.width, self.destination.height)
        ctx.drawImage(image, 0, 0)
        self.images += 1
        self.destination.dataset.images = str(self.images)

    # -- sending ---------------------------------------------------------------------------

    async def send(self, ws: pyws.WebSocket, data: Any, size: int) -> None:
        await ws.send(data)
        self.sent_messages += 1
        self.sent_bytes += size

    async def send_text(self) -> None:
        ws = self.require_open()
        text = str(self.text_input.value)
        self.clear_notice()
        await self.send(ws, text, len(text.encode()))
        self.log("sent", f"text, {len(text)} chars: {shorten(text)}")

    async def send_canvas(self) -> None:
        ws = self.require_open()
        if self.large is not None:
            self.show_notice("Wait for the large transfer to finish.")
            return
        self.clear_notice()
        blob = await canvas_blob(self.source)
        if self.binary_mode.value == "bytes":
            data = await blob.bytes()
            await self.send(ws, data, len(data))
            self.log("sent", f"canvas as bytes (PNG), {size_text(len(data))}")
        else:
            await self.send(ws, blob, blob.size)
            self.log("sent", f"canvas as Blob ({blob.type}), {size_text(blob.size)}")

    async def send_large(self) -> None:
        ws = self.require_open()
        if self.large is not None:
            return
        self.clear_notice()
        large = self.large = LargeTransfer(LARGE_TOTAL)
        self.send_large_button.disabled = True
        self.send_canvas_button.disabled = True
        self.large_result.textContent = ""
        self.large_result.className = "result"
        self.large_section.dataset.result = ""
        self.large_status.textContent = "Preparing 32 MiB of random bytes…"
        self.log("info", "large transfer: 32 messages of 1 MiB")
        watcher = asyncio.create_task(self.watch_large(ws, large))
        try:
            base = random.randbytes(LARGE_CHUNK)
            started = time.perf_counter()
            for index in range(LARGE_TOTAL // LARGE_CHUNK):
                chunk = index.to_bytes(4, "big") + base[4:]
                large.sent_digest.update(chunk)
                await self.send(ws, chunk, len(chunk))
                large.queued += len(chunk)
            async with asyncio.timeout(LARGE_TIMEOUT):
                await large.done
            elapsed = time.perf_counter() - started
        except BaseException as exc:
            self.large_status.textContent = f"Failed: {error_text(exc)}"
            self.large_section.dataset.result = "failed"
            raise
        finally:
            self.large = None
            watcher.cancel()
            self.send_large_button.disabled = False
            self.send_canvas_button.disabled = False
        self.show_large_progress(ws, large)
        sent, echoed = large.sent_digest.hexdigest(), large.received_digest.hexdigest()
        intact = sent == echoed
        rate = LARGE_TOTAL / MiB / elapsed
        self.large_status.textContent = (
            f"32 MiB sent and echoed back in {elapsed:.2f} s: {rate:.1f} MiB/s round trip."
        )
        verdict = "intact" if intact else "CORRUPTED"
        self.large_result.textContent = f"SHA-256 {echoed[:16]}… {verdict}"
        self.large_result.className = f"result {'ok' if intact else 'bad'}"
        self.large_section.dataset.result = verdict.lower()
        self.large_section.dataset.sentDigest = sent
        self.large_section.dataset.receivedDigest = echoed
        self.log("info", f"large transfer {verdict}: {elapsed:.2f} s, {rate:.1f} MiB/s")

    async def watch_large(self, ws: pyws.WebSocket, large: LargeTransfer) -> None:
        while True:
            self.show_large_progress(ws, large)
            await asyncio.sleep(REFRESH_SECONDS)

    def show_large_progress(self, ws: pyws.WebSocket, large: LargeTransfer) -> None:
        buffered = ws.buffered_amount if ws.state == pyws.State.OPEN else 0
        on_wire = max(0, large.queued - buffered)
        percent = math.floor(100 * (on_wire + large.received) / (2 * large.total))
        self.large_progress.value = percent
        self.large_percent.textContent = f"{percent} %"
        self.large_section.dataset.percent = str(percent)
        self.large_status.textContent = (
            f"Sent {size_text(on_wire)} of 32 MiB (buffered_amount {buffered:,} B), "
            f"echoed {size_text(large.received)}."
        )
        self.refresh()

    # -- the source canvas -----------------------------------------------------------------

    def point(self, event: Any) -> tuple[float, float]:
        rect = self.source.getBoundingClientRect()
        x = (event.clientX - rect.left) * self.source.width / rect.width
        y = (event.clientY - rect.top) * self.source.height / rect.height
        return float(x), float(y)

    def pointer_down(self, event: Any) -> None:
        event.preventDefault()
        self.source.setPointerCapture(event.pointerId)
        self.drawing = True
        self.last_point = self.point(event)
        self.stroke(self.last_point)

    def pointer_move(self, event: Any) -> None:
        if self.drawing:
            point = self.point(event)
            self.stroke(point)
            self.last_point = point

    def pointer_up(self, event: Any) -> None:
        self.drawing = False

    def stroke(self, to: tuple[float, float]) -> None:
        ctx = self.source_ctx
        ctx.strokeStyle = self.brush.value
        ctx.lineWidth = 6
        ctx.lineCap = "round"
        ctx.lineJoin = "round"
        ctx.beginPath()
        ctx.moveTo(*self.last_point)
        ctx.lineTo(*to)
        ctx.stroke()

    def clear_picture(self) -> None:
        ctx = self.source_ctx
        ctx.fillStyle = "#ffffff"
        ctx.fillRect(0, 0, self.source.width, self.source.height)

    def random_picture(self) -> None:
        """Random shapes on a random gradient: opaque, so the PNG round trip is exact."""
        ctx, w, h = self.source_ctx, self.source.width, self.source.height
        hue = random.randrange(360)
        gradient = ctx.createLinearGradient(0, 0, w, h)
        gradient.addColorStop(0, f"hsl({hue} 70% 85%)")
        gradient.addColorStop(1, f"hsl({(hue + 120) % 360} 70% 60%)")
        ctx.fillStyle = gradient
        ctx.fillRect(0, 0, w, h)
        for _ in range(random.randint(8, 16)):
            ctx.fillStyle = f"hsl({random.randrange(360)} 75% 55% / 0.8)"
            ctx.beginPath()
            x, y = random.uniform(0, w), random.uniform(0, h)
            if random.random() < 0.5:
                ctx.arc(x, y, random.uniform(8, 40), 0, 2 * math.pi)
            else:
                ctx.rect(x - 30, y - 20, random.uniform(20, 70), random.uniform(15, 50))
            ctx.fill()

    def first_picture(self) -> None:
        """A small landscape with the name on it: something worth sending."""
        ctx, w, h = self.source_ctx, self.source.width, self.source.height
        sky = ctx.createLinearGradient(0, 0, 0, h)
        sky.addColorStop(0, "#8ecae6")
        sky.addColorStop(1, "#e0f4ff")
        ctx.fillStyle = sky
        ctx.fillRect(0, 0, w, h)
        ctx.fillStyle = "#ffb703"
        ctx.beginPath()
        ctx.arc(w * 0.8, h * 0.25, 26, 0, 2 * math.pi)
        ctx.fill()
        for color, base, amp, phase in (("#52b788", 0.7, 18, 0.0), ("#2d6a4f", 0.82, 14, 1.7)):
            ctx.fillStyle = color
            ctx.beginPath()
            ctx.moveTo(0, h)
            for x in range(0, w + 1, 8):
                ctx.lineTo(x, h * base + amp * math.sin(x / 40 + phase))
            ctx.lineTo(w, h)
            ctx.closePath()
            ctx.fill()
        ctx.fillStyle = "#023047"
        ctx.font = "bold 40px system-ui, sans-serif"
        ctx.fillText("pyws", 18, 56)
        ctx.font = "15px system-ui, sans-serif"
        ctx.fillText("draw on me", 20, 80)

    # -- start -----------------------------------------------------------------------------

    async def start(self, boot_seconds: float) -> None:
        self.boot_seconds = boot_seconds
        self.first_picture()
        self.destination_ctx.fillStyle = "#f4f4f4"
        self.destination_ctx.fillRect(0, 0, self.destination.width, self.destination.height)
        self.wire()
        self.spawn(self.refresh_forever())
        python = ".".join(map(str, sys.version_info[:3]))
        element("versions").textContent = (
            f"pyws {pyws.__version__} · Python {python} in Pyodide · "
            f"started in {boot_seconds:.1f} s · everything stays on this machine"
        )
        self.log("info", f"Pyodide and pyws loaded in {boot_seconds:.1f} s")
        await self.connect()


async def canvas_blob(canvas: Any) -> pyws.Blob:
    """``canvas.toBlob`` as a coroutine: the canvas as a PNG Blob."""
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    canvas.toBlob(create_once_callable(future.set_result), "image/png")
    js_blob = await future
    if js_blob is None:
        raise RuntimeError("the browser could not encode the canvas as PNG")
    return pyws.Blob(js_blob)


class _Handled(Exception):
    """Raised after a problem was already shown in the page; guard() ignores it."""


_demo: Demo | None = None


def default_url() -> str:
    """``?url=`` if given, else /echo on the host and port this page came from."""
    params = js.URLSearchParams.new(js.location.search)
    if params.has("url"):
        return str(params.get("url"))
    scheme = "wss" if js.location.protocol == "https:" else "ws"
    return f"{scheme}://{js.location.host}/echo"


async def main(boot_seconds: float = 0.0) -> None:
    """Called by index.html once Pyodide and pyws are loaded."""
    global _demo
    _demo = Demo(default_url())
    await _demo.start(boot_seconds)
