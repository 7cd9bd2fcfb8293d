"""Statistics and the Markdown table that ``make bench`` prints and writes into the docs."""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Sequence
from pathlib import Path

from bench.plan import CONTENDERS, LABELS, Case, Plan
from bench.runner import Measurements, Run

DASH = "\u2013"  # an en dash, for ranges and empty cells
BEGIN = "<!-- bench:begin (written by `python -m bench --write`; edits here are lost) -->"
END = "<!-- bench:end -->"
STARTUP_TARGET_PCT = 5.0


def title(case: Case, plan: Plan) -> str:
    """The row's name, with the sizes actually run (they differ in quick mode)."""
    o = case.options
    size = plan.payload_size
    payload = f"{size // 2**20} MiB" if size % 2**20 == 0 else f"{size // 1024} KiB"
    if case.scenario == "fanin":
        name = f"Fan-in, {o['connections']} conns x {o['n']} msgs"
    elif case.scenario in ("binary", "blob"):
        name = f"{case.scenario.capitalize()}, {o['n']} x {payload}"
    else:
        name = f"{'RTT' if case.scenario == 'rtt' else 'Pipelined'}, {o['n']} x 16 B text"
    return name + (", deflate" if case.deflate else "")


def _num(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}".replace(",", " ")
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _spread(values: Sequence[float], fmt: str = "num") -> str:
    """``median (min-max)`` with an en dash; the range only when there is more than one value."""
    if not values:
        return DASH
    show = _num if fmt == "num" else (lambda v: f"{v:.2f}")
    median = show(statistics.median(values))
    if len(values) == 1:
        return median
    return f"{median} ({show(min(values))}{DASH}{show(max(values))})"


def _runs(m: Measurements, case: str, contender: str) -> dict[int, Run]:
    return {
        r.rep: r
        for r in m.runs
        if r.case == case and r.contender == contender and r.result is not None
    }


def rates(m: Measurements, case: str, contender: str) -> list[float]:
    return [float(r.result["rate"]) for r in _runs(m, case, contender).values() if r.result]


def ratios(m: Measurements, case: str, contender: str) -> list[float]:
    """contender/raw-JS, pair by pair: each repetition against the JS run next to it."""
    js = _runs(m, case, "js")
    out = []
    for rep, run in _runs(m, case, contender).items():
        base = js[rep].result if rep in js else None
        if run.result and base:
            out.append(float(run.result["rate"]) / float(base["rate"]))
    return out


def _contenders(m: Measurements, case: Case) -> list[str]:
    return [c for c in CONTENDERS if c in case.contenders]


def _cell(m: Measurements, case: Case, contender: str) -> str:
    if contender not in case.contenders:
        return "n/a"
    if not rates(m, case.name, contender):
        return (
            "failed"
            if any(r.case == case.name and r.contender == contender for r in m.runs)
            else "not run"
        )
    return _spread(rates(m, case.name, contender))


def _integrity(m: Measurements) -> str:
    done = [r for r in m.runs if r.result is not None]
    bad = [r for r in done if not r.result or not r.result.get("intact")]
    # In the page every contender sends the same payloads, so their digests must agree.
    split = set()
    for r in done:
        if r.result and "digest" in r.result and r.contender != "cpython":
            for other in done:
                if (
                    other.case == r.case
                    and other.rep == r.rep
                    and other.contender != "cpython"
                    and other.result
                    and other.result.get("messages") == r.result.get("messages")
                    and other.result.get("digest", r.result["digest"]) != r.result["digest"]
                ):
                    split.add(f"{r.case}/{r.rep}")
    failed = [r for r in m.runs if r.result is None]
    text = f"{len(done) - len(bad)} of {len(m.runs)} runs finished with their data intact"
    if bad:
        text += "; DATA MISMATCH in " + ", ".join(f"{r.case}/{r.contender}/{r.rep}" for r in bad)
    if split:
        text += "; digests disagree in " + ", ".join(sorted(split))
    if failed:
        text += "; failed: " + ", ".join(f"{r.case}/{r.contender}/{r.rep}" for r in failed)
    return text + " (text echoed in order; binary checked by SHA-256)."


def _throughput(m: Measurements) -> list[str]:
    heads = [LABELS[c] for c in CONTENDERS]
    lines = [
        "| Scenario | Unit | " + " | ".join(heads) + " |",
        "|---|---|" + "---:|" * len(heads),
    ]
    for case in m.plan.cases:
        unit = next((r.result["unit"] for r in m.runs if r.case == case.name and r.result), "?")
        cells = [_cell(m, case, c) for c in CONTENDERS]
        lines.append(f"| {title(case, m.plan)} | {unit} | " + " | ".join(cells) + " |")
    return lines


def _ratio_table(m: Measurements) -> list[str]:
    others = [c for c in CONTENDERS if c != "js"]
    lines = [
        "| Scenario | pyws | Target | Met | "
        + " | ".join(LABELS[c] for c in others if c != "pyws")
        + " |",
        "|---|---:|---:|:---:|" + "---:|" * (len(others) - 1),
    ]
    for case in m.plan.cases:
        pyws = ratios(m, case.name, "pyws")
        target = f"≥ {case.target:.2f}" if case.target is not None else DASH
        met = DASH
        if case.target is not None and pyws:
            met = "yes" if statistics.median(pyws) >= case.target else "**no**"
        cells = [
            _spread(ratios(m, case.name, c), "ratio") if c in case.contenders else "n/a"
            for c in others
            if c != "pyws"
        ]
        lines.append(
            f"| {title(case, m.plan)} | {_spread(pyws, 'ratio')} | {target} | {met} | "
            + " | ".join(cells)
            + " |"
        )
    return lines


def _latency(m: Measurements) -> list[str]:
    case = next((c for c in m.plan.cases if c.scenario == "rtt"), None)
    if case is None:
        return []
    heads = _contenders(m, case)
    lines = [
        "| RTT latency (µs) | " + " | ".join(LABELS[c] for c in heads) + " |",
        "|---|" + "---:|" * len(heads),
    ]
    for key, label in (("latency_median_us", "median"), ("latency_p99_us", "p99")):
        cells = []
        for c in heads:
            values = [float(r.result[key]) for r in _runs(m, case.name, c).values() if r.result]
            cells.append(_spread(values))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def _startup(m: Measurements) -> list[str]:
    if not m.startup:
        return []
    lines = [
        '| Start-up (ms) | `loadPyodide()` | + `loadPackage("pyws")` + `import pyws` '
        "| Added ms (pair) | Added % (pair) | Added ms (in load) | Added % (in load) "
        "| Target | Met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for kind, pairs in m.startup.items():
        if not pairs:
            continue
        base = [p["base"] for p in pairs]
        full = [p["pyws"] for p in pairs]
        added = [p["pyws"] - p["base"] for p in pairs]
        pct = [100 * (p["pyws"] - p["base"]) / p["base"] for p in pairs]
        # The same cost timed inside the pyws load itself, against the paired base load:
        # free of the load-to-load noise, which here is far larger than pyws's share.
        own = [p["pyws_in_load"] for p in pairs if "pyws_in_load" in p]
        own_pct = [100 * p["pyws_in_load"] / p["base"] for p in pairs if "pyws_in_load" in p]
        judged = own_pct or pct
        met = "yes" if statistics.median(judged) <= STARTUP_TARGET_PCT else "**no**"
        lines.append(
            f"| {kind} | {_spread(base)} | {_spread(full)} | {_spread(added)} "
            f"| {_spread(pct)} | {_spread(own)} | {_spread(own_pct)} "
            f"| ≤ {STARTUP_TARGET_PCT:.0f} % | {met} |"
        )
    return lines


def render(m: Measurements) -> str:
    page = m.page
    pyscript = page.get("pyscript", {})
    deflate = [title(c, m.plan) for c in m.plan.cases if c.deflate]
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    mode = "**quick mode: tiny sizes, not a measurement**, " if m.plan.quick else ""
    out = [
        f"Measured {when}; {mode}{m.plan.reps} repetition(s) per contender and scenario, "
        f"{m.plan.startup_reps} per start-up variant. Median (min{DASH}max).",
        "",
        *_throughput(m),
        "",
        "Ratio to raw JS, computed pair by pair (each run against the raw JS run of the "
        "same repetition); higher is better:",
        "",
        *_ratio_table(m),
        "",
        *_latency(m),
        "",
        *_startup(m),
        "",
        f"- Data: {_integrity(m)}",
        f"- Page: `crossOriginIsolated` = {page.get('crossOriginIsolated')}; "
        f"Pyodide {page.get('pyodide')}; pyws {page.get('pyws')}; "
        f"PyScript {pyscript.get('version') if pyscript.get('ok') else 'not loaded'}.",
        f"- Browser: {m.machine.get('chromium')} (`{page.get('userAgent')}`), headless, "
        "launched without any DevTools connection.",
        f"- Machine: {m.machine.get('cpu')}; {m.machine.get('os')}; "
        f"{m.machine.get('python')} (harness, CPython reference); "
        f"websockets {m.machine.get('websockets')}; "
        f"server aiohttp {m.machine.get('aiohttp (server)')}.",
        f"- Compression off except in: {', '.join(deflate) or 'none'} "
        "(server started with `--compression deflate`).",
    ]
    if not pyscript.get("ok"):
        out.append(f"- PyScript did not load: {pyscript.get('error')}")
    if m.errors:
        out.append("- Errors: " + "; ".join(m.errors))
    return "\n".join(out)


def write_into(path: Path, table: str) -> None:
    """Replace what lies between the markers in ``path``, or append a marked section."""
    block = f"{BEGIN}\n\n{table}\n\n{END}"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)
