"""What to measure: contenders, cases (a scenario on a server), sizes, and targets."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

SYNC = ("pyws_sync", "pyws_sync_relay")
"""pyws.sync, blocking through JSPI in the page, and through the relay in a worker (its
socket in the page): the round-trip and binary cases only."""
CONTENDERS = (
    "js", "wss", "pyws", "pyws_stream", "pyws_jsq", "naive", "pyscript", "cpython", *SYNC,
)  # fmt: skip
IN_PAGE = ("js", "wss", "pyws", "pyws_stream", "pyws_jsq", "naive", "pyscript")
_NOT_SYNC = tuple(c for c in CONTENDERS if c not in SYNC)
NEEDS_STREAM = ("wss", "pyws_stream")
"""Contenders over WebSocketStream: skipped where the browser has none."""
RECEIVE_VARIANTS = ("pyws_inline", "pyws_defer", "pyws_timed", "pyws_adaptive")
"""pyws with each receive-path design of issue 16, counting bursts (web/bench/bench_variants.py):
not in the default plan; ``python -m bench --contenders`` adds them."""
SEND_VARIANTS = ("pyws_send_flat", "pyws_send_sync", "pyws_send_batch", "pyws_send_view")
"""pyws with each send-path design of issue 29 (web/bench/bench_variants.py): not in the
default plan; ``python -m bench --contenders`` adds them."""
VARIANTS = (*RECEIVE_VARIANTS, *SEND_VARIANTS)
LABELS = {
    "js": "raw JS",
    "wss": "raw JS WebSocketStream",
    "pyws": "pyws",
    "pyws_stream": "pyws over WebSocketStream",
    "pyws_jsq": "pyws, JS-side queue",
    "pyws_inline": "pyws, always inline",
    "pyws_defer": "pyws, always deferred",
    "pyws_timed": "pyws, deferred by time only",
    "pyws_adaptive": "pyws, adaptive (counted)",
    "pyws_send_flat": "pyws, flat send",
    "pyws_send_sync": "pyws, flat send, no coroutine",
    "pyws_send_batch": "pyws, coalesced sends",
    "pyws_send_view": "pyws, binary without a copy",
    "pyws_sync": "pyws.sync (JSPI)",
    "pyws_sync_relay": "pyws.sync (relay)",
    "naive": "naive wrapper",
    "pyscript": "PyScript",
    "cpython": "CPython websockets",
}


@dataclass(frozen=True)
class Case:
    """One row of the table: a scenario, against the plain or the deflate server."""

    name: str
    scenario: str
    options: dict[str, Any]
    deflate: bool = False
    target: float | None = None
    """The least pyws/raw-JS ratio of medians the issue asks for."""
    contenders: tuple[str, ...] = CONTENDERS
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per-contender option changes, e.g. fewer messages for a very slow one."""

    def options_for(self, contender: str) -> dict[str, Any]:
        return {**self.options, **self.overrides.get(contender, {})}


@dataclass(frozen=True)
class Plan:
    reps: int
    cases: tuple[Case, ...]
    payloads: int
    payload_size: int
    startup_reps: int
    quick: bool
    startup_prime: bool = True
    """Load both start-up variants once before the warm runs (skipped in quick mode)."""


# PyScript's send() copies bytes one at a time through the FFI (about 1 s per MiB here),
# so its binary cases send fewer messages; MiB/s stays comparable.
_PYSCRIPT_BINARY = {"pyscript": {"n": 4, "warmup": 1}}


def full_plan(reps: int = 5) -> Plan:
    binary = {"n": 64, "warmup": 4, "window": 4}
    return Plan(
        reps=reps,
        cases=(
            # The targets of issue 13, judged on the median of the per-run ratios.
            Case("rtt", "rtt", {"n": 2000, "warmup": 200}, target=0.90),
            Case(
                "pipelined",
                "pipelined",
                {"n": 10_000, "warmup": 1000},
                target=0.95,
                contenders=_NOT_SYNC,
            ),
            Case("binary", "binary", binary, target=0.97, overrides=_PYSCRIPT_BINARY),
            Case(
                "blob",
                "blob",
                binary,
                target=0.97,
                # WebSocketStream has no binaryType: binary always arrives as bytes.
                contenders=tuple(c for c in IN_PAGE if c != "wss"),
                overrides=_PYSCRIPT_BINARY,
            ),
            Case(
                "fanin",
                "fanin",
                {"n": 100, "warmup": 5, "connections": 100},
                target=0.90,
                contenders=_NOT_SYNC,
            ),
            # Random payloads do not compress: this row shows deflate's full CPU cost, which
            # the server pays in Python's zlib, so it runs fewer messages.
            Case(
                "binary_deflate",
                "binary",
                {"n": 16, "warmup": 2, "window": 4},
                deflate=True,
                contenders=_NOT_SYNC,
                overrides=_PYSCRIPT_BINARY,
            ),
        ),
        payloads=4,
        payload_size=1024 * 1024,
        startup_reps=reps,
        quick=False,
    )


def quick_plan() -> Plan:
    """Every contender and case once, tiny sizes: a smoke test, not a measurement."""
    binary = {"n": 4, "warmup": 1, "window": 2}
    full = full_plan()
    sizes: dict[str, dict[str, Any]] = {
        "rtt": {"n": 50, "warmup": 5},
        "pipelined": {"n": 200, "warmup": 20},
        "binary": binary,
        "blob": binary,
        "fanin": {"n": 5, "warmup": 1, "connections": 10},
        "binary_deflate": binary,
    }
    cases = tuple(
        Case(
            c.name,
            c.scenario,
            sizes[c.name],
            c.deflate,
            c.target,
            c.contenders,
            {"pyscript": {"n": 2, "warmup": 1}} if c.overrides else {},
        )
        for c in full.cases
    )
    return Plan(
        reps=1,
        cases=cases,
        payloads=2,
        payload_size=64 * 1024,
        startup_reps=1,
        quick=True,
        startup_prime=False,
    )


def select(plan: Plan, cases: list[str] | None, contenders: list[str] | None) -> Plan:
    """``plan`` with only the named cases, and the named contenders in each case that runs
    them. A contender of :data:`VARIANTS` is added where ``pyws`` runs. Raw JS (``js``)
    always stays: every ratio is computed against it."""
    known = {c.name for c in plan.cases}
    for name in cases or []:
        if name not in known:
            raise ValueError(f"unknown case {name!r}; the cases are {', '.join(sorted(known))}")
    for name in contenders or []:
        if name not in LABELS:
            raise ValueError(f"unknown contender {name!r}; the contenders are {', '.join(LABELS)}")
    chosen = []
    for case in plan.cases:
        if cases and case.name not in cases:
            continue
        offered = case.contenders
        if "pyws" in offered:
            offered = (*offered, *VARIANTS)
        keep = (
            offered
            if contenders is None
            else tuple(c for c in offered if c == "js" or c in contenders)
        )
        chosen.append(replace(case, contenders=keep))
    return replace(plan, cases=tuple(chosen))
