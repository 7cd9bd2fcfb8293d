"""The pyws benchmark harness: ``python -m bench`` (see docs/benchmarks.md).

It starts the bundled server (compression off, and a second one with deflate), launches
headless Chromium directly on ``/bench/`` (no DevTools connection while timing), drives
the page over a control WebSocket, runs the CPython ``websockets`` reference itself, and
prints the table that ``make bench`` writes into docs/benchmarks.md.
"""
