"""Text and pictures to the echo server and back: what the Text and Canvas cards send, and
what each echo shows (text in the reply line, an image on the destination canvas).

Pictures travel as the browser's own PNG Blob, or as its bytes; an echoed image is drawn
the way the seed's JavaScript page did it: Blob, object URL, Image, drawImage.
"""

from __future__ import annotations

from typing import Any

import js
from demo_canvas import SourceCanvas
from demo_connection import Connection
from demo_view import View, element, shorten, size_text
from pyodide.ffi import to_js

import pyws

PNG = "image/png"
DESTINATION_BACKGROUND = "#f4f4f4"


def png_blob(data: bytes) -> Any:
    """A JS Blob of type PNG holding a copy of ``data``."""
    options = to_js({"type": PNG}, dict_converter=js.Object.fromEntries)
    return js.Blob.new(to_js([to_js(data)]), options)


class Echo:
    """Sends text and the source canvas; shows every echo that is not the large transfer's."""

    def __init__(self, view: View, connection: Connection, source: SourceCanvas) -> None:
        self.view = view
        self.connection = connection
        self.source = source
        self.text_input = element("textmessage")
        self.response = element("serverResponse")
        self.send_canvas_button = element("sendCanvas")
        self.destination = element("destination")
        self.destination_ctx = self.destination.getContext("2d")
        self.images = 0

    def clear_destination(self) -> None:
        self.destination_ctx.fillStyle = DESTINATION_BACKGROUND
        self.destination_ctx.fillRect(0, 0, self.destination.width, self.destination.height)

    def show_binary_type(self) -> None:
        """Name the Send-as choice on the send button."""
        as_blob = self.connection.binary_type == "blob"
        self.send_canvas_button.textContent = (
            "Send canvas as Blob" if as_blob else "Send canvas as bytes"
        )

    # -- sending --------------------------------------------------------------------------

    async def send_text(self) -> None:
        """Sent now; or, while auto-reconnecting, queued to go out after the reconnect."""
        text = str(self.text_input.value)
        queued = await self.connection.send_text(text)
        self.view.clear_notice()
        self.view.log("queued" if queued else "sent", f"text, {len(text)} chars: {shorten(text)}")

    async def send_canvas(self) -> None:
        ws = self.connection.require_open()
        self.view.clear_notice()
        js_blob = await self.source.png()
        if self.connection.binary_type == "bytes":
            data = (await js_blob.arrayBuffer()).to_bytes()
            await self.connection.send(ws, data, len(data))
            self.view.log("sent", f"canvas as bytes (PNG), {size_text(len(data))}")
        else:
            size = int(js_blob.size)
            await self.connection.send(ws, js_blob, size)  # pyws sends a JS Blob as it is
            self.view.log("sent", f"canvas as Blob ({js_blob.type}), {size_text(size)}")

    # -- receiving ------------------------------------------------------------------------

    async def receive(self, message: pyws.Data) -> None:
        """Text to the reply line; binary, as Blob or bytes, to the destination canvas."""
        if isinstance(message, str):
            self.view.log("message", f"text, {len(message)} chars: {shorten(message)}")
            self.response.textContent = f"Server Reply:: {message}"
            return
        if isinstance(message, pyws.Blob):
            kind, js_blob = "Blob", message.js
        else:
            kind, js_blob = "bytes", png_blob(message)
        self.view.log("message", f"binary ({kind}), {size_text(int(js_blob.size))}")
        await self.draw(js_blob)

    async def draw(self, js_blob: Any) -> None:
        """JS Blob → object URL → Image → drawImage on the destination, as the seed does."""
        # A received Blob has no MIME type; a typed view of it costs no copy.
        typed = js_blob if js_blob.type else js_blob.slice(0, js_blob.size, PNG)
        url = js.URL.createObjectURL(typed)
        try:
            image = js.Image.new()
            image.src = url
            try:
                await image.decode()
            except Exception as exc:
                size = size_text(int(js_blob.size))
                raise ValueError(f"a binary message of {size} is not an image: {exc}") from exc
        finally:
            js.URL.revokeObjectURL(url)
        ctx = self.destination_ctx
        ctx.clearRect(0, 0, self.destination.width, self.destination.height)
        ctx.drawImage(image, 0, 0)
        self.images += 1
        self.destination.dataset.images = str(self.images)
