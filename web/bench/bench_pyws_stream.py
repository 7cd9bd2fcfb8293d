"""Contender: pyws over Chromium's ``WebSocketStream`` (``transport="stream"``), otherwise
exactly the pyws contender (bench_pyws.py): the same scenarios, the same calls."""

from __future__ import annotations

import bench_common
import bench_pyws

import pyws


def _open(url: str, binary_type: str) -> pyws.connect:
    return pyws.connect(
        url, binary_type="blob" if binary_type == "blob" else "bytes", transport="stream"
    )


async def run(scenario: str, options_json: str, open_: bench_common.Opener = _open) -> str:
    """Called by bench.js: run one scenario, return its result as JSON."""
    return await bench_pyws.run(scenario, options_json, open_)
