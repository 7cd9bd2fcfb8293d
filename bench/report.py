"""Statistics and the Markdown table that ``make bench`` prints and writes into the docs."""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Sequence
from pathlib import Path

from bench.plan import CONTENDERS, LABELS, RECEIVE_VARIANTS, SYNC, VARIANTS, Case, Plan
from bench.runner import Measurements, Run

DASH = "\u2013"  # an en dash, for ranges and empty cells
BEGIN = "<!-- bench:begin (written by `python -m bench --write`; edits here are lost) -->"
END = "<!-- bench:end -->"


def markers(browser: str = "chromium", cpus: int | None = None) -> tuple[str, str]:
    """The markers of a browser's section: Chromium's are :data:`BEGIN` and :data:`END`. A
    run pinned with ``--cpus N`` has a section of its own, beside the unpinned one."""
    if browser == "chromium" and cpus is None:
        return BEGIN, END
    name = browser if cpus is None else f"{browser}-cpus{cpus}"
    command = "python -m bench" + ("" if browser == "chromium" else f" --browser {browser}")
    command += ("" if cpus is None else f" --cpus {cpus}") + " --write"
    return (
        f"<!-- bench-{name}:begin (written by `{command}`; edits here are lost) -->",
        f"<!-- bench-{name}:end -->",
    )


STARTUP_TARGET_PCT = 5.0
OWN_STARTUP_TARGET_PCT = 2.0
"""pyws's own share: its loadPackage after the installer's first use, plus import pyws."""


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


def _runs(m: Measurements, case: str, contender: str) -> dict[tuple[int, int], Run]:
    """The finished runs, keyed by (run of the bench, repetition)."""
    return {
        (r.run, r.rep): r
        for r in m.runs
        if r.case == case and r.contender == contender and r.result is not None
    }


def rates(m: Measurements, case: str, contender: str) -> list[float]:
    return [float(r.result["rate"]) for r in _runs(m, case, contender).values() if r.result]


def ratios(
    m: Measurements, case: str, contender: str, base: str = "js", run: int | None = None
) -> list[float]:
    """contender/base (raw JS by default), pair by pair: each repetition against the
    ``base`` run of the same repetition in the same page; only run ``run`` if given."""
    bases = _runs(m, case, base)
    out = []
    for key, measured in _runs(m, case, contender).items():
        paired = bases[key].result if key in bases else None
        if measured.result and paired and (run is None or key[0] == run):
            out.append(float(measured.result["rate"]) / float(paired["rate"]))
    return out


def run_medians(m: Measurements, case: str, contender: str, base: str = "js") -> list[float]:
    """Per run of the bench, the median of its pair-by-pair ratios (runs with none left out)."""
    per_run = (ratios(m, case, contender, base, run) for run in range(m.runs_done or 1))
    return [statistics.median(values) for values in per_run if values]


def summary(m: Measurements, case: str, contender: str, base: str = "js") -> float | None:
    """The ratio judged against a target: the median of the per-run medians."""
    medians = run_medians(m, case, contender, base)
    return statistics.median(medians) if medians else None


def _ratio_cell(m: Measurements, case: str, contender: str, base: str = "js") -> str:
    """One run: median (min-max) of the pairs. Several: the median of the per-run
    medians, then each run's median in order."""
    if m.runs_done <= 1:
        return _spread(ratios(m, case, contender, base), "ratio")
    medians = run_medians(m, case, contender, base)
    if not medians:
        return DASH
    each = ", ".join(f"{v:.2f}" for v in medians)
    return f"{statistics.median(medians):.2f} (runs: {each})"


def _planned(m: Measurements) -> list[str]:
    """The contenders that some case of the plan runs, in the table's order."""
    return [c for c in (*CONTENDERS, *VARIANTS) if any(c in k.contenders for k in m.plan.cases)]


def _contenders(m: Measurements, case: Case) -> list[str]:
    return [c for c in _planned(m) if c in case.contenders]


def _cell(m: Measurements, case: Case, contender: str) -> str:
    if contender not in case.contenders:
        return "n/a"
    if contender in m.skipped and not rates(m, case.name, contender):
        return "skipped"
    if not rates(m, case.name, contender):
        return (
            "failed"
            if any(r.case == case.name and r.contender == contender for r in m.runs)
            else "not run"
        )
    return _spread(rates(m, case.name, contender))


def _name(r: Run) -> str:
    return f"{r.case}/{r.contender}/{r.run}.{r.rep}"


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
                    and other.run == r.run
                    and other.contender != "cpython"
                    and other.result
                    and other.result.get("messages") == r.result.get("messages")
                    and other.result.get("digest", r.result["digest"]) != r.result["digest"]
                ):
                    split.add(f"{r.case}/{r.run}.{r.rep}")
    failed = [r for r in m.runs if r.result is None]
    text = f"{len(done) - len(bad)} of {len(m.runs)} runs finished with their data intact"
    if bad:
        text += "; DATA MISMATCH in " + ", ".join(_name(r) for r in bad)
    if split:
        text += "; digests disagree in " + ", ".join(sorted(split))
    if failed:
        text += "; failed: " + ", ".join(_name(r) for r in failed)
    return text + " (text echoed in order; binary checked by SHA-256)."


def _throughput(m: Measurements) -> list[str]:
    heads = [LABELS[c] for c in _planned(m)]
    lines = [
        "| Scenario | Unit | " + " | ".join(heads) + " |",
        "|---|---|" + "---:|" * len(heads),
    ]
    for case in m.plan.cases:
        unit = next((r.result["unit"] for r in m.runs if r.case == case.name and r.result), "?")
        cells = [_cell(m, case, c) for c in _planned(m)]
        lines.append(f"| {title(case, m.plan)} | {unit} | " + " | ".join(cells) + " |")
    return lines


def _ratio_table(m: Measurements) -> list[str]:
    others = [c for c in _planned(m) if c not in ("js", "pyws")]
    lines = [
        "| Scenario | pyws | Target | Met | " + " | ".join(LABELS[c] for c in others) + " |",
        "|---|---:|---:|:---:|" + "---:|" * len(others),
    ]
    for case in m.plan.cases:
        judged = summary(m, case.name, "pyws")
        target = f"≥ {case.target:.2f}" if case.target is not None else DASH
        met = DASH
        if case.target is not None and judged is not None:
            met = "yes" if judged >= case.target else "**no**"
        cells = [_ratio_cell(m, case.name, c) if c in case.contenders else "n/a" for c in others]
        lines.append(
            f"| {title(case, m.plan)} | {_ratio_cell(m, case.name, 'pyws')} | {target} "
            f"| {met} | " + " | ".join(cells) + " |"
        )
    return lines


EXPERIMENTS = (
    ("pyws_jsq", "pyws", "pyws, JS-side queue ÷ pyws"),
    ("wss", "js", "WebSocketStream ÷ WebSocket (raw JS)"),
    ("pyws_stream", "wss", "pyws over WebSocketStream ÷ raw WebSocketStream (target ≥ 0.95)"),
    ("pyws_stream", "pyws", "pyws over WebSocketStream ÷ pyws"),
    ("pyws", "naive", "pyws ÷ naive wrapper"),
    # The receive designs of issue 16 (web/bench/bench_variants.py), when run.
    ("pyws_adaptive", "pyws_inline", "adaptive ÷ always inline"),
    ("pyws_defer", "pyws_inline", "always deferred ÷ always inline"),
    ("pyws_adaptive", "pyws_defer", "adaptive ÷ always deferred"),
    ("pyws_adaptive", "pyws_timed", "adaptive ÷ by time only"),
    ("pyws_adaptive", "naive", "adaptive ÷ naive wrapper"),
    ("pyws_inline", "naive", "always inline ÷ naive wrapper"),
    ("pyws", "pyws_adaptive", "pyws ÷ adaptive (counted)"),
    # The send designs of issue 29 (web/bench/bench_variants.py), when run.
    ("pyws_send_flat", "pyws", "flat send ÷ pyws"),
    ("pyws_send_sync", "pyws", "no coroutine ÷ pyws"),
    ("pyws_send_sync", "pyws_send_flat", "no coroutine ÷ flat send"),
    ("pyws_send_batch", "pyws", "coalesced ÷ pyws"),
    ("pyws_send_view", "pyws", "binary without a copy ÷ pyws"),
)


def _sync(m: Measurements) -> list[str]:
    """pyws.sync, one row per way it blocks and case: ratio to raw JS in the same page, and
    what the relay costs (relay ÷ JSPI, pair by pair against the same raw JS runs)."""
    cases = [c for c in m.plan.cases if any(s in c.contenders for s in SYNC)]
    if not cases:
        return []
    lines = [
        "`pyws.sync` (blocking): ratio to raw JS in the same page; higher is better. The "
        "relay runs Python in a worker, its socket in the page (docs/sync-relay.md):",
        "",
        "| pyws.sync | Scenario | ÷ raw JS | ÷ pyws (async) |",
        "|---|---|---:|---:|",
    ]
    for contender in SYNC:
        for case in cases:
            if contender in case.contenders:
                lines.append(
                    f"| {LABELS[contender]} | {title(case, m.plan)} "
                    f"| {_ratio_cell(m, case.name, contender)} "
                    f"| {_ratio_cell(m, case.name, contender, 'pyws')} |"
                )
    for case in cases:
        if all(s in case.contenders for s in SYNC):
            lines.append(
                f"| relay ÷ JSPI | {title(case, m.plan)} "
                f"| {_ratio_cell(m, case.name, 'pyws_sync_relay', 'pyws_sync')} | {DASH} |"
            )
    return lines


def _experiments(m: Measurements) -> list[str]:
    """The experiments head to head, pair by pair in the same page: above 1 is faster."""
    planned = _planned(m)
    pairs = [e for e in EXPERIMENTS if e[0] in planned and e[1] in planned]
    lines = [
        "| Scenario | " + " | ".join(label for _, _, label in pairs) + " |",
        "|---|" + "---:|" * len(pairs),
    ]
    for case in m.plan.cases:
        cells = [
            _ratio_cell(m, case.name, c, base)
            if c in case.contenders and base in case.contenders
            else "n/a"
            for c, base, _ in pairs
        ]
        lines.append(f"| {title(case, m.plan)} | " + " | ".join(cells) + " |")
    return lines


SEND_PHASE = ("pyws", "naive", "pyws_jsq", "pyws_stream", "pyscript", *VARIANTS)
"""Who the send-phase table shows (with raw JS), where they ran the pipelined case."""


def send_phase(m: Measurements, case: str, contender: str, run: int | None = None) -> list[float]:
    """The send phase alone (pipelined: until the last ``send()`` returned, or a coalescing
    design handed the last batch over) as the contender's time ÷ raw JS's, pair by pair:
    above 1 is slower than raw JS."""
    base = _runs(m, case, "js")
    out = []
    for key, measured in _runs(m, case, contender).items():
        if run is not None and key[0] != run:
            continue
        js = (base.get(key) or Run("", "", 0)).result or {}
        if js.get("send_seconds") and measured.result and "send_seconds" in measured.result:
            out.append(measured.result["send_seconds"] / js["send_seconds"])
    return out


def _send_phase(m: Measurements) -> list[str]:
    case = next((c for c in m.plan.cases if c.scenario == "pipelined"), None)
    if case is None:
        return []
    heads = [c for c in _planned(m) if c in SEND_PHASE and c in case.contenders]
    heads = [c for c in heads if send_phase(m, case.name, c)]
    if not heads:
        return []
    runs = range(m.runs_done or 1)

    def cell(contender: str) -> str:
        if len(runs) == 1:
            return _spread(send_phase(m, case.name, contender), "ratio")
        medians = [
            statistics.median(v) for r in runs if (v := send_phase(m, case.name, contender, r))
        ]
        each = ", ".join(f"{v:.2f}" for v in medians)
        return f"{statistics.median(medians):.2f} ({each})"

    return [
        f"The send phase alone ({title(case, m.plan)}): time until the last `send()` "
        "returned, ÷ raw JS's, pair by pair (below 1 is faster than raw JS):",
        "",
        "| Send phase ÷ raw JS | " + " | ".join(LABELS[c] for c in heads) + " |",
        "|---|" + "---:|" * len(heads),
        "| " + title(case, m.plan) + " | " + " | ".join(cell(c) for c in heads) + " |",
    ]


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
        preloaded = [p for p in pairs if "preload" in p]
        if preloaded:
            # loadPyodide({packages: ["pyws"]}): pyws cannot be timed apart inside the load,
            # so only the paired difference exists.
            extra = [p["preload"] - p["base"] for p in preloaded]
            extra_pct = [100 * (p["preload"] - p["base"]) / p["base"] for p in preloaded]
            met = "yes" if statistics.median(extra_pct) <= STARTUP_TARGET_PCT else "**no**"
            lines.append(
                f"| {kind}, `packages` option | {_spread([p['base'] for p in preloaded])} "
                f"| {_spread([p['preload'] for p in preloaded])} | {_spread(extra)} "
                f"| {_spread(extra_pct)} | {DASH} | {DASH} | ≤ {STARTUP_TARGET_PCT:.0f} % | {met} |"
            )
    return lines


def _own_startup(m: Measurements) -> list[str]:
    """The ``installer`` variant: the installer's first use (``loadPackage("iniconfig")``,
    which any first package pays) apart from pyws's own ``loadPackage`` and import."""
    lines = [
        "| Start-up, pyws's own (ms) | installer's first use | `loadPackage(\"pyws\")` after it "
        "| `import pyws` | pyws's own | pyws's own % | Target | Met |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for kind, pairs in m.startup.items():
        rows = [p for p in pairs if "installer" in p and "base" in p]
        if not rows:
            continue
        own = [p["own_load_package"] + p["own_import_pyws"] for p in rows]
        pct = [100 * (p["own_load_package"] + p["own_import_pyws"]) / p["base"] for p in rows]
        met = "yes" if statistics.median(pct) <= OWN_STARTUP_TARGET_PCT else "**no**"
        lines.append(
            f"| {kind} | {_spread([p['installer'] for p in rows])} "
            f"| {_spread([p['own_load_package'] for p in rows])} "
            f"| {_spread([p['own_import_pyws'] for p in rows])} | {_spread(own)} "
            f"| {_spread(pct)} | ≤ {OWN_STARTUP_TARGET_PCT:.0f} % | {met} |"
        )
    return lines if len(lines) > 2 else []


def _short_waits(waited: dict[int, int]) -> str:
    total = sum(waited.values())
    if not total:
        return DASH
    under = [sum(c for step, c in waited.items() if step < limit) for limit in (2, 10)]
    return " / ".join(f"{100 * n / total:.0f} %" for n in under)


def _bursts(m: Measurements) -> list[str]:
    """How many messages each resume of the reader took, per receive design (summed over
    its runs, warm-up included): resumes, messages per resume, and the share of messages
    that came in bursts of 1, 2-7, 8-63 and 64 or more."""
    lines = [
        "| Messages per resume of the reader | design | resumes | messages | per resume "
        f"| in bursts of 1 | 2{DASH}7 | 8{DASH}63 | ≥ 64 | largest "
        "| resumes after waiting < 20 / < 100 µs |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case in m.plan.cases:
        for contender in RECEIVE_VARIANTS:
            sizes: dict[int, int] = {}
            waited: dict[int, int] = {}  # 10 us steps
            for r in _runs(m, case.name, contender).values():
                for size, count in (r.result or {}).get("bursts", {}).items():
                    sizes[int(size)] = sizes.get(int(size), 0) + int(count)
                for step, count in (r.result or {}).get("waited_10us", {}).items():
                    waited[int(step)] = waited.get(int(step), 0) + int(count)
            if not sizes:
                continue
            resumes = sum(sizes.values())
            total = sum(size * count for size, count in sizes.items())

            def share(low: int, high: float, sizes: dict[int, int] = sizes) -> str:
                within = sum(s * c for s, c in sizes.items() if low <= s <= high)
                return f"{100 * within / sum(s * c for s, c in sizes.items()):.0f} %"

            lines.append(
                f"| {title(case, m.plan)} | {LABELS[contender]} | {resumes} | {total} "
                f"| {total / resumes:.2f} | {share(1, 1)} | {share(2, 7)} | {share(8, 63)} "
                f"| {share(64, float('inf'))} | {max(sizes)} | {_short_waits(waited)} |"
            )
    return lines if len(lines) > 2 else []


def _crossings(m: Measurements) -> list[str]:
    """How the JS-side queue moved messages into Python, summed over its runs (warm-up
    included). Today's pyws makes one crossing per message."""
    lines = [
        "| JS-side queue, messages into Python | messages | handler calls "
        "| takes (empty) | messages per crossing |",
        "|---|---:|---:|---:|---:|",
    ]
    for case in m.plan.cases:
        counts = [
            r.result["crossings"]
            for r in _runs(m, case.name, "pyws_jsq").values()
            if r.result and "crossings" in r.result
        ]
        if not counts:
            continue
        calls, takes, empty, taken = (
            sum(c[k] for c in counts) for k in ("handler_calls", "takes", "empty_takes", "taken")
        )
        moved = calls + taken
        per = moved / (calls + takes) if calls + takes else 0.0
        lines.append(
            f"| {title(case, m.plan)} | {moved} | {calls} | {takes} ({empty}) | {per:.2f} |"
        )
    return lines if len(lines) > 2 else []


def render(m: Measurements) -> str:
    page = m.page
    pyscript = page.get("pyscript", {})
    deflate = [title(c, m.plan) for c in m.plan.cases if c.deflate]
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    mode = "**quick mode: tiny sizes, not a measurement**, " if m.plan.quick else ""
    runs = max(m.runs_done, 1)
    if runs > 1:
        how = (
            f"{runs} runs of the whole bench (each with a fresh server, browser and page), "
            f"{m.plan.reps} repetition(s) per contender and scenario in each, "
            f"{m.plan.startup_reps} per start-up variant. Throughput and latency: median "
            f"(min{DASH}max) over all {runs * m.plan.reps} repetitions."
        )
        ratio_how = (
            "Ratio to raw JS, computed pair by pair (each repetition against the raw JS "
            "repetition next to it in the same page): the median of the per-run medians, "
            "then each run's median in order; targets are judged on the first figure. "
            "Higher is better:"
        )
    else:
        how = (
            f"{m.plan.reps} repetition(s) per contender and scenario, "
            f"{m.plan.startup_reps} per start-up variant. Median (min{DASH}max)."
        )
        ratio_how = (
            "Ratio to raw JS, computed pair by pair (each run against the raw JS run of the "
            "same repetition); higher is better:"
        )
    out = [
        f"Measured {when}; {mode}{how}",
        "",
        *_throughput(m),
        "",
        ratio_how,
        "",
        *_ratio_table(m),
        "",
        "The experiments, pair by pair in the same page (above 1: the experiment is faster):",
        "",
        *_experiments(m),
        "",
        *_sync(m),
        "",
        *_send_phase(m),
        "",
        *_crossings(m),
        "",
        *_bursts(m),
        "",
        *_latency(m),
        "",
        *_startup(m),
        "",
        *_own_startup(m),
        "",
        f"- Data: {_integrity(m)}",
        f"- Page: `crossOriginIsolated` = {page.get('crossOriginIsolated')}; "
        f"Pyodide {page.get('pyodide')}; pyws {page.get('pyws')}; "
        f"PyScript {pyscript.get('version') if pyscript.get('ok') else 'not loaded'}; "
        f"`WebSocketStream` {'present' if page.get('websocketstream') else 'missing'}.",
        f"- Browser: {m.machine.get('browser', m.machine.get('chromium'))} "
        f"(`{page.get('userAgent')}`), "
        + _HOW_LAUNCHED[m.browser]
        + ", launched without any DevTools, BiDi or WebDriver connection.",
        f"- Machine: {m.machine.get('cpu')}; {m.machine.get('os')}; "
        f"{m.machine.get('python')} (harness, CPython reference); "
        f"websockets {m.machine.get('websockets')}; "
        f"server aiohttp {m.machine.get('aiohttp (server)')}.",
        f"- CPUs: {_pinning(m)}",
        f"- Compression off except in: {', '.join(deflate) or 'none'} "
        "(server started with `--compression deflate`).",
    ]
    out.extend(f"- {LABELS[c]} skipped: {why}." for c, why in m.skipped.items() if c != "pyscript")
    if not pyscript.get("ok"):
        out.append(f"- PyScript did not load: {pyscript.get('error')}")
    if m.errors:
        out.append("- Errors: " + "; ".join(m.errors))
    return "\n".join(out)


_HOW_LAUNCHED = {
    "chromium": "headless",
    "firefox": "headless, a fresh test profile",
    "webkit": "MiniBrowser on a private Xvfb",
}


def _pinning(m: Measurements) -> str:
    if m.cores is None:
        return "not pinned (the OS spreads the processes over every core)"
    checked = "; ".join(sorted(set(m.pinned))) or "not checked"
    return (
        f"`--cpus {len(m.cores)}`: every process of the run pinned to core(s) "
        f"{', '.join(map(str, m.cores))} (checked on each page's process tree: {checked})"
    )


def write_into(path: Path, table: str, browser: str = "chromium", cpus: int | None = None) -> None:
    """Replace what lies between the markers of the browser's (and ``--cpus``'s) section in
    ``path``, or append a marked section."""
    begin, end = markers(browser, cpus)
    block = f"{begin}\n\n{table}\n\n{end}"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)
