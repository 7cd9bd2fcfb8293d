"""Painting on the source canvas: the first picture, the brush, random pictures, Clear.

Only pixels here, no WebSocket: the Canvas card's sending is in demo_echo, which asks this
module for the picture as a PNG.
"""

from __future__ import annotations

import asyncio
import math
import random
from typing import Any

from demo_view import element
from pyodide.ffi import create_once_callable

BRUSH_WIDTH = 6
Point = tuple[float, float]


class SourceCanvas:
    """The source canvas and what the pointer, Random picture and Clear do to it."""

    def __init__(self) -> None:
        self.canvas = element("source")
        self.ctx = self.canvas.getContext("2d")
        self.brush = element("brushColor")
        self.drawing = False
        self.last_point: Point = (0.0, 0.0)

    async def png(self) -> Any:
        """``canvas.toBlob`` as a coroutine: the picture as a JS PNG Blob."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.canvas.toBlob(create_once_callable(future.set_result), "image/png")
        js_blob = await future
        if js_blob is None:
            raise RuntimeError("the browser could not encode the canvas as PNG")
        return js_blob

    # -- the pointer draws: mouse, pen or finger ------------------------------------------

    def point(self, event: Any) -> Point:
        """Where the event is, in canvas pixels (the canvas may be shown scaled)."""
        rect = self.canvas.getBoundingClientRect()
        x = (event.clientX - rect.left) * self.canvas.width / rect.width
        y = (event.clientY - rect.top) * self.canvas.height / rect.height
        return float(x), float(y)

    def pointer_down(self, event: Any) -> None:
        event.preventDefault()
        self.canvas.setPointerCapture(event.pointerId)
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

    def stroke(self, to: Point) -> None:
        ctx = self.ctx
        ctx.strokeStyle = self.brush.value
        ctx.lineWidth = BRUSH_WIDTH
        ctx.lineCap = "round"
        ctx.lineJoin = "round"
        ctx.beginPath()
        ctx.moveTo(*self.last_point)
        ctx.lineTo(*to)
        ctx.stroke()

    # -- whole pictures -------------------------------------------------------------------

    def clear(self) -> None:
        self.ctx.fillStyle = "#ffffff"
        self.ctx.fillRect(0, 0, self.canvas.width, self.canvas.height)

    def random_picture(self) -> None:
        """Random shapes on a random gradient: opaque, so the PNG round trip is exact."""
        ctx, w, h = self.ctx, self.canvas.width, self.canvas.height
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
        ctx, w, h = self.ctx, self.canvas.width, self.canvas.height
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
