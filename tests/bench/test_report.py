"""The report's arithmetic over several runs (``--runs N``), without a browser."""

from __future__ import annotations

from pathlib import Path

from bench import report
from bench.plan import Case, Plan
from bench.runner import Measurements, Run

D = report.DASH

CASE = Case("rtt", "rtt", {"n": 10, "warmup": 1}, target=0.85)
PLAN = Plan(reps=2, cases=(CASE,), payloads=1, payload_size=1024, startup_reps=1, quick=True)


def _measurements(rates: dict[str, list[list[float]]]) -> Measurements:
    """rates[contender][run][rep] -> the measurements of those runs."""
    m = Measurements(PLAN, runs_done=len(rates["js"]))
    for contender, per_run in rates.items():
        for run, reps in enumerate(per_run):
            for rep, rate in enumerate(reps):
                result = {
                    "rate": rate,
                    "unit": "msg/s",
                    "intact": True,
                    "latency_median_us": 1.0,
                    "latency_p99_us": 2.0,
                }
                m.runs.append(Run("rtt", contender, rep, result, run=run))
    return m


def test_ratios_pair_within_a_run_and_summarise_as_the_median_of_run_medians() -> None:
    m = _measurements(
        {
            "js": [[100, 200], [100, 100], [50, 50]],
            "pyws": [[80, 200], [70, 90], [50, 45]],
        }
    )
    assert report.ratios(m, "rtt", "pyws", run=0) == [0.8, 1.0]
    assert report.run_medians(m, "rtt", "pyws") == [0.9, 0.8, 0.95]
    assert report.summary(m, "rtt", "pyws") == 0.9
    table = report.render(m)
    assert "| 0.90 (runs: 0.90, 0.80, 0.95) | ≥ 0.85 | yes |" in table
    assert "3 runs of the whole bench" in table


def test_one_run_keeps_median_and_range_and_experiments_pair_against_their_base() -> None:
    m = _measurements(
        {"js": [[100, 100]], "pyws": [[90, 80]], "pyws_jsq": [[45, 80]], "wss": [[110, 100]]}
    )
    assert report.ratios(m, "rtt", "pyws_jsq", base="pyws") == [0.5, 1.0]
    table = report.render(m)
    assert f"| 0.85 (0.80{D}0.90) | ≥ 0.85 | yes |" in table
    assert f"| RTT, 10 x 16 B text | 0.75 (0.50{D}1.00) | 1.05 (1.00{D}1.10) |" in table


def test_the_send_phase_is_a_time_ratio_to_raw_js_pair_by_pair() -> None:
    contenders = ("js", "pyws", "pyws_send_flat")
    case = Case("pipelined", "pipelined", {"n": 10, "warmup": 1}, contenders=contenders)
    plan = Plan(reps=2, cases=(case,), payloads=1, payload_size=1024, startup_reps=1, quick=True)
    m = Measurements(plan, runs_done=1)
    for contender, sends in {
        "js": [1.0, 2.0],
        "pyws": [3.0, 4.0],
        "pyws_send_flat": [1.0, 3.0],
    }.items():
        for rep, send in enumerate(sends):
            result = {"rate": 1.0, "unit": "msg/s", "intact": True, "send_seconds": send}
            m.runs.append(Run("pipelined", contender, rep, result))
    assert report.send_phase(m, "pipelined", "pyws") == [3.0, 2.0]
    table = report.render(m)
    assert "| Send phase ÷ raw JS | pyws | pyws, flat send |" in table
    assert f"| Pipelined, 10 x 16 B text | 2.50 (2.00{D}3.00) | 1.25 (1.00{D}1.50) |" in table


def test_a_pinned_run_writes_beside_the_unpinned_one(tmp_path: Path) -> None:
    doc = tmp_path / "bench.md"
    report.write_into(doc, "two cores")
    report.write_into(doc, "one core", cpus=1)
    report.write_into(doc, "one core, again", cpus=1)
    report.write_into(doc, "firefox, one core", "firefox", 1)
    text = doc.read_text()
    assert "two cores" in text and "one core, again" in text and "firefox, one core" in text
    assert "| one core\n" not in text and "\none core\n" not in text
    assert "`python -m bench --browser firefox --cpus 1 --write`" in text
