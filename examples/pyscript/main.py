"""pyws under PyScript: PyScript installed it (pyscript.json); echo one message."""

from pyscript import document

import pyws

output = document.querySelector("#output")

async with pyws.connect("ws://127.0.0.1:8000/echo") as ws:
    await ws.send("Hello from PyScript")
    reply = await ws.recv()

output.textContent = f"echo: {reply}"
